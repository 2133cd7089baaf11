"""A cache of results keyed by file content, configuration and the installed linter (like
ruff's).

An unchanged file, with unchanged settings, rules and dependencies (see ``dependencies``), is
not checked again: its findings are read back. Entries live in ``.prefect-lint-cache/`` at the
project root (the folder of the configuration file, else the working folder), which holds its
own ``.gitignore``. ``--no-cache`` turns it off. Only plain checks are cached: fixing always
recomputes. Writes are atomic, so parallel workers never see a half-written entry.

The linter itself is identified by its installed files (``install_id``), not by its version
number, so an upgrade, an edited rule or an edited bundled schema starts afresh. Each file has
one entry per configuration (its slot), holding the hash of the text it was checked in: an
edit replaces the entry instead of adding one. Once a day a run removes entries unused for
``MAX_AGE`` and temp files left by a run that was killed or hit a full disk, and keeps at most
``MAX_ENTRIES``. An entry that does not have the expected shape is a miss.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from linter.core.dependencies import Dependency, unchanged
from linter.core.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    Position,
    Severity,
    Span,
)
from linter.core.registry import Rule
from linter.project.config import Settings

CACHE_DIR_NAME = ".prefect-lint-cache"
#: entries not written for this long are removed by the daily sweep
MAX_AGE = 30 * 24 * 3600
#: at most this many entries in one cache folder (the least recently written go first)
MAX_ENTRIES = 20_000
SWEEP_EVERY = 24 * 3600
#: a temp file older than this belongs to no running write
STALE_TEMP_AGE = 3600
SWEEP_STAMP = "last-sweep"


def _package_folders() -> list[Path]:
    """The installed package and its data files (the schemas sit outside it in a checkout)."""
    import linter
    from linter.resources import schema_folder

    package = Path(linter.__file__).resolve().parent
    schemas = schema_folder().resolve()
    return [package] if schemas.is_relative_to(package) else [package, schemas]


@lru_cache(maxsize=1)
def install_id(folders: tuple[Path, ...] | None = None) -> str:
    """A hash of the names, sizes and modification times of the linter's code and data files:
    any change to the install (an upgrade, an edited rule or schema) changes it. Compiled
    ``__pycache__`` files are left out, since Python writes them on the first run."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for folder in folders if folders is not None else _package_folders():
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, folder)}\0{info.st_size}\0"
                              f"{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class CacheKey(NamedTuple):
    slot: str  # the file, its kind and its configuration: one entry per slot
    content: str  # the hash of the text the entry was computed from


def settings_fingerprint(settings: Settings, rules: list[Rule]) -> str:
    """Everything besides the file's text that can change its findings."""
    parts = {
        "install": install_id(),
        "python": sys.version_info[:2],
        "rules": [rule.code for rule in rules],
        # a policy rule's definition: editing a policy file invalidates cached results
        "policies": [rule.digest for rule in rules if rule.digest],
        "root": str(settings.root),
        "extra": settings.extra,
        "max_file_size": settings.max_file_size,
        "docs_url": settings.docs_url,
        "target": settings.target_version.version if settings.target_version else None,
    }
    import hashlib  # here: a run with --no-cache never loads OpenSSL

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_settings(cls, settings: Settings, override: Path | None = None) -> Cache:
        return cls(override or settings.root / CACHE_DIR_NAME)

    def key(self, path: Path, kind: str, text: str, fingerprint: str) -> CacheKey:
        import hashlib

        slot = hashlib.sha256()
        for part in (str(path.resolve()), kind, fingerprint):
            slot.update(part.encode("utf-8", "surrogateescape"))
            slot.update(b"\0")
        content = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return CacheKey(slot.hexdigest(), content)

    def _entry(self, key: CacheKey) -> Path:
        return self.folder / key.slot[:2] / f"{key.slot}.json"

    def get(self, key: CacheKey, filename: str) -> list[Diagnostic] | None:
        try:
            data = json.loads(self._entry(key).read_text(encoding="utf-8"))
            if data["content"] != key.content or not unchanged(_dependencies(data)):
                self.misses += 1
                return None
            diagnostics = [_diagnostic(item, filename) for item in data["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return diagnostics

    def put(self, key: CacheKey, diagnostics: list[Diagnostic],
            dependencies: list[Dependency]) -> None:
        entry = self._entry(key)
        payload = json.dumps({
            "content": key.content,
            "dependencies": dependencies,
            "diagnostics": [_serialize(d) for d in diagnostics],
        })
        temp = None
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by prefect-lint\n*\n", encoding="utf-8")
            import tempfile

            handle, temp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
            os.replace(temp, entry)
        except OSError:
            # a read-only tree or a full disk: run without a cache, leave no temp file
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)

    def sweep_if_due(self, now: float | None = None) -> None:
        """Run ``sweep`` when the last one is more than ``SWEEP_EVERY`` old: one ``stat`` per
        run otherwise."""
        now = time.time() if now is None else now
        marker = self.folder / SWEEP_STAMP
        try:
            if now - marker.stat().st_mtime < SWEEP_EVERY:
                return
        except FileNotFoundError:
            if not self.folder.is_dir():
                return  # nothing to sweep yet
        except OSError:
            return
        try:
            marker.touch()
        except OSError:
            return  # a read-only cache is never written, so never needs sweeping
        self.sweep(now)

    def sweep(self, now: float | None = None) -> int:
        """Remove stale temp files, entries older than ``MAX_AGE`` and the oldest entries
        beyond ``MAX_ENTRIES``; the number removed."""
        now = time.time() if now is None else now
        entries: list[tuple[float, str]] = []
        doomed: list[str] = []
        for sub in _listing(self.folder):
            folder = os.path.join(self.folder, sub)
            for name in _listing(folder):
                path = os.path.join(folder, name)
                try:
                    written = os.stat(path).st_mtime
                except OSError:
                    continue
                if name.startswith(".tmp-"):
                    if now - written > STALE_TEMP_AGE:
                        doomed.append(path)
                elif name.endswith(".json"):
                    if now - written > MAX_AGE:
                        doomed.append(path)
                    else:
                        entries.append((written, path))
        entries.sort(reverse=True)
        doomed.extend(path for _, path in entries[MAX_ENTRIES:])
        removed = 0
        for path in doomed:
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed += 1
        return removed


def _listing(folder: str | Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _dependencies(data: dict[str, Any]) -> list[Dependency]:
    return [(path, saved) for path, saved in data["dependencies"]]


def _serialize(diagnostic: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = _plain(diagnostic)
    del data["filename"]
    return data


def _plain(value: Any) -> Any:
    """Named tuples as dicts, all the way down (as ``dataclasses.asdict`` did)."""
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _typed(value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` when it has the expected type; a damaged entry raises TypeError (a miss)."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"cache entry: {value!r} is not {kind}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(_typed(value, str))


def _position(data: dict[str, Any]) -> Position:
    return Position(_typed(data["row"], int), _typed(data["column"], int))


def _fix(data: dict[str, Any] | None) -> Fix | None:
    if data is None:
        return None
    return Fix(
        _typed(data["message"], str),
        tuple(Edit(_typed(e["start"], int), _typed(e["end"], int), _typed(e["content"], str))
              for e in _typed(data["edits"], list)),
        Applicability(data["applicability"]),
    )


def _diagnostic(data: dict[str, Any], filename: str) -> Diagnostic:
    """A diagnostic read back from an entry, every field checked: an entry damaged on disk
    must be a miss, never a crash in an output format."""
    span = _typed(data["span"], dict)
    return Diagnostic(
        code=_typed(data["code"], str),
        name=_typed(data["name"], str),
        severity=Severity(data["severity"]),
        message=_typed(data["message"], str),
        filename=filename,
        span=Span(_typed(span["start"], int), _typed(span["end"], int)),
        start=_position(_typed(data["start"], dict)),
        end=_position(_typed(data["end"], dict)),
        help=_optional_text(data["help"]),
        fix=_fix(data["fix"]),
        url=_typed(data["url"], str),
        fix_positions=tuple((_position(a), _position(b))
                            for a, b in _typed(data["fix_positions"], list)),
    )
