"""Which Prefect a project runs, read from its pins when ``target-version`` is not set.

Sources, in one folder (the configuration's, else the current one), first match wins: the
lock files (``uv.lock``, ``poetry.lock``, ``Pipfile.lock``: the version actually installed),
then ``pyproject.toml`` (``[project] dependencies``, ``[tool.poetry.dependencies]``), then
``requirements*.txt``. A pin ``prefect==X.Y.Z`` (or ``X.Y.*``) is taken as written; a range is
read by its upper bound (``prefect>=2.14,<3`` runs at most 2.20, the newest 2.x); a pin with no
upper bound says nothing and is passed over. The file's ``prefect-version`` key is never a
source: Prefect does not read it and real files carry stale values.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linter.lazy_regex import lazy_compile
from linter.prefect.releases import (
    OLDEST,
    RELEASES,
    Target,
    TargetError,
    Version,
    make_target,
    newest_patch,
    parse_version,
)

_REQUIREMENT = lazy_compile(r"^\s*prefect\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^]|\d)[^;#]*)?",
                            flags=0)
_CLAUSE = lazy_compile(r"^\s*(?P<op>===|==|~=|<=|>=|!=|<|>|\^|~|=)?\s*"
                       r"(?P<version>\d+(?:\.\d+){0,2})(?P<star>\.\*)?\s*$")
_MAX_PIN_FILE = 4 * 1024 * 1024  # lock files can be large; beyond this they are skipped


def upper_bound(spec: str) -> Version | None:
    """The newest version a requirement specifier allows (None: unbounded or not a version).

    ``==2.19.9`` -> 2.19.9; ``==2.19.*`` and ``~=2.19.0`` -> 2.19 (its newest patch);
    ``<3`` -> 2.20.27 (the newest known 2.x); ``<=3.4.2`` -> 3.4.2; Poetry's ``^2.19`` -> the
    newest 2.x, ``~2.19`` -> 2.19; a bare ``2.19.9`` (Poetry) is an exact pin."""
    bounds: list[Version] = []
    for clause in spec.split(","):
        if not clause.strip():
            continue
        match = _CLAUSE.match(clause)
        if match is None:
            return None
        op = match.group("op") or "=="
        parts = [int(part) for part in match.group("version").split(".")]
        bound = _clause_bound(op, parts, bool(match.group("star")))
        if bound is not None:
            bounds.append(bound)
    return min(bounds) if bounds else None


def _clause_bound(op: str, parts: list[int], star: bool) -> Version | None:
    major, minor = parts[0], parts[1] if len(parts) > 1 else 0
    if op in ("==", "===", "=") and (star or len(parts) == 2):
        return (major, minor, newest_patch(major, minor))
    if op in ("==", "===", "=", "<="):
        return (major, minor, parts[2] if len(parts) > 2 else newest_patch(major, minor))
    if op == "<":
        return _below((major, minor, parts[2] if len(parts) > 2 else 0))
    if (op == "~=" and len(parts) == 3) or op == "~":
        return (major, minor, newest_patch(major, minor))
    if op in ("~=", "^"):
        return _below((major + 1, 0, 0))
    return None  # >=, >, !=: no upper bound


def _below(bound: Version) -> Version:
    """The newest release before ``bound`` (exclusive)."""
    major, minor, patch = bound
    if patch > 0:
        return (major, minor, patch - 1)
    known = [release for release in RELEASES if release < bound]
    return known[-1] if known else OLDEST


LOCK_FILES = ("uv.lock", "poetry.lock")


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_PIN_FILE:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}
    return document


def _locked(document: dict[str, Any]) -> str | None:
    """The ``prefect`` version in a uv.lock or poetry.lock document."""
    packages = document.get("package")
    for package in packages if isinstance(packages, list) else ():
        if isinstance(package, dict) and package.get("name") == "prefect":
            version = package.get("version")
            return f"=={version}" if isinstance(version, str) else None
    return None


def _pipfile_locked(text: str) -> str | None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    for section in ("default", "develop"):
        entry = document.get(section, {}).get("prefect") if isinstance(document, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            return str(entry["version"])
    return None


def _pyproject_specs(document: dict[str, Any]) -> Iterator[str]:
    project = document.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    for requirement in dependencies if isinstance(dependencies, list) else ():
        if isinstance(requirement, str):
            spec = _requirement_spec(requirement)
            if spec is not None:
                yield spec
    poetry = document.get("tool", {}).get("poetry", {})
    poetry_dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(poetry_dependencies, dict):
        entry = poetry_dependencies.get("prefect")
        if isinstance(entry, dict):
            entry = entry.get("version")
        if isinstance(entry, str):
            yield entry


def _requirement_spec(line: str) -> str | None:
    match = _REQUIREMENT.match(line)
    if match is None or not line.strip().lower().startswith("prefect"):
        return None
    rest = line.strip()[len("prefect"):]
    if rest[:1] not in ("", "[", "=", "<", ">", "!", "~", " ", "^"):
        return None  # prefect-aws, prefect_dask: another package
    return (match.group("spec") or "").strip() or None


def _sources(folder: Path) -> Iterator[tuple[str, str]]:
    """(file name, specifier) for each pin of prefect in ``folder``, in order of trust."""
    for name in LOCK_FILES:
        text = _read(folder / name)
        spec = _locked(_toml(text)) if text else None
        if spec:
            yield name, spec
    text = _read(folder / "Pipfile.lock")
    spec = _pipfile_locked(text) if text else None
    if spec:
        yield "Pipfile.lock", spec
    text = _read(folder / "pyproject.toml")
    for spec in _pyproject_specs(_toml(text)) if text else ():
        yield "pyproject.toml", spec
    try:
        requirements = sorted(folder.glob("requirements*.txt"),
                              key=lambda path: (path.name != "requirements.txt", path.name))
    except OSError:
        requirements = []
    for path in requirements:
        for line in (_read(path) or "").splitlines():
            spec = _requirement_spec(line)
            if spec is not None:
                yield path.name, spec


#: folder -> (what its pin files were, the target they named): a language server asks on
#: every check, and parsing a large uv.lock takes tens of milliseconds
_INFERRED: dict[Path, tuple[tuple[Any, ...], Target | None]] = {}


def inferred_target(folder: Path) -> Target | None:
    """The target the pins in ``folder`` name; None when no pin bounds the version (or a pin
    names a Prefect older than 2.10, which has no prefect.yaml to check). Read again only
    when a pin file's content, or the folder's list of names, changed."""
    key = _pin_stamps(folder)
    known = _INFERRED.get(folder)
    if known is not None and known[0] == key:
        return known[1]
    target = _infer(folder)
    if len(_INFERRED) > 256:
        _INFERRED.clear()
    _INFERRED[folder] = (key, target)
    return target


def _pin_stamps(folder: Path) -> tuple[Any, ...]:
    """The folder's names and the content of every file ``_sources`` reads."""
    from linter.core.dependencies import stamp

    names = [*LOCK_FILES, "Pipfile.lock", "pyproject.toml"]
    with contextlib.suppress(OSError):
        names += sorted(path.name for path in folder.glob("requirements*.txt"))
    return (stamp(folder), *(stamp(folder / name) for name in names))


def _infer(folder: Path) -> Target | None:
    for name, spec in _sources(folder):
        bound = upper_bound(spec)
        if bound is None or bound < OLDEST:
            continue
        exact = ".".join(str(part) for part in bound)
        written = (f"{bound[0]}.{bound[1]}"
                   if bound[2] == newest_patch(bound[0], bound[1]) and exact not in spec
                   else exact)
        try:
            return make_target(written, f"{folder / name} (prefect{_shown(spec)})")
        except TargetError:
            continue
    return None


def _shown(spec: str) -> str:
    spec = spec.strip()
    return spec if spec[:1] in "<>=!~^" else f" {spec}"


__all__ = ["inferred_target", "parse_version", "upper_bound"]
