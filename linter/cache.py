"""A cache of results keyed by file content, configuration and linter version (like ruff's).

An unchanged file, with unchanged settings, rules and dependencies (see ``dependencies``), is
not checked again: its findings are read back. Entries live in ``.prefect-lint-cache/`` at the
project root (the folder of the configuration file, else the working folder), which holds its
own ``.gitignore``. ``--no-cache`` turns it off. Only plain checks are cached: fixing always
recomputes. Writes are atomic, so parallel workers never see a half-written entry.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from linter import __version__
from linter.config import Settings
from linter.dependencies import Dependency, unchanged
from linter.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    Position,
    Severity,
    Span,
)
from linter.registry import Rule

CACHE_DIR_NAME = ".prefect-lint-cache"


def settings_fingerprint(settings: Settings, rules: list[Rule]) -> str:
    """Everything besides the file's text that can change its findings."""
    parts = {
        "version": __version__,
        "python": sys.version_info[:2],
        "rules": [rule.code for rule in rules],
        "root": str(settings.root),
        "extra": settings.extra,
        "max_file_size": settings.max_file_size,
        "docs_url": settings.docs_url,
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

    def key(self, path: Path, kind: str, text: str, fingerprint: str) -> str:
        import hashlib

        digest = hashlib.sha256()
        for part in (str(path.resolve()), kind, fingerprint):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, filename: str) -> list[Diagnostic] | None:
        try:
            data = json.loads(self._entry(key).read_text(encoding="utf-8"))
            if not unchanged([(path, saved) for path, saved in data["dependencies"]]):
                self.misses += 1
                return None
            diagnostics = [_diagnostic(item, filename) for item in data["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return diagnostics

    def put(self, key: str, diagnostics: list[Diagnostic], dependencies: list[Dependency]) -> None:
        entry = self._entry(key)
        payload = json.dumps({
            "dependencies": dependencies,
            "diagnostics": [_serialize(d) for d in diagnostics],
        })
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
            pass  # a read-only tree: run without a cache


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


def _position(data: dict[str, int]) -> Position:
    return Position(data["row"], data["column"])


def _diagnostic(data: dict[str, Any], filename: str) -> Diagnostic:
    fix = None
    if data["fix"] is not None:
        fix = Fix(
            data["fix"]["message"],
            tuple(Edit(e["start"], e["end"], e["content"]) for e in data["fix"]["edits"]),
            Applicability(data["fix"]["applicability"]),
        )
    return Diagnostic(
        code=data["code"],
        name=data["name"],
        severity=Severity(data["severity"]),
        message=data["message"],
        filename=filename,
        span=Span(data["span"]["start"], data["span"]["end"]),
        start=_position(data["start"]),
        end=_position(data["end"]),
        help=data["help"],
        fix=fix,
        url=data["url"],
        fix_positions=tuple((_position(a), _position(b)) for a, b in data["fix_positions"]),
    )
