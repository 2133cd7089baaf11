"""Which files to lint: paths given by name, and the files rules claim inside folders.

Inside a folder, ``.gitignore`` files (when ``respect-gitignore`` is on) and the ``exclude``
patterns prune the walk. A file named on the command line is always linted, unless
``force-exclude`` is set and it matches an exclude: that is how pre-commit, which passes
names, still honours excludes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from linter.config import ConfigResolver, Settings
from linter.filekinds import wanted_in_walk

if TYPE_CHECKING:
    import pathspec


class Target(NamedTuple):
    path: Path
    explicit: bool  # named on the command line


def _spec(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec:
    return _compiled(tuple(patterns))


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """Compiling a spec costs far more than matching: walks ask for the same one per entry.
    pathspec is imported here, on first use, to keep it out of a one-file run's start-up."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def matches_any(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    """Does ``path`` (or one of its parent folders) match a gitignore-style pattern, taken
    relative to ``root``? A bare name such as ``build`` matches at any depth."""
    if not patterns:
        return False
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    text = relative.as_posix()
    if path.is_dir():
        text += "/"
    return _spec(patterns).match_file(text)


class _GitIgnores:
    """The ``.gitignore`` files met on the way down a tree."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []

    def push(self, folder: Path) -> None:
        file = folder / ".gitignore"
        if file.is_file():
            try:
                lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self.specs.append((folder, _spec(lines)))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for folder, spec in self.specs:
            try:
                relative = path.relative_to(folder).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + ("/" if is_dir else "")):
                return True
        return False


def is_excluded(path: Path, settings: Settings) -> bool:
    """Does ``path`` match ``exclude``/``extend-exclude`` (relative to the config's folder)?"""
    patterns = (*settings.exclude, *settings.extend_exclude)
    return matches_any(path, settings.root, patterns)


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def walk(folder: Path, resolver: ConfigResolver) -> Iterator[Path]:
    """Files under ``folder`` that some rule claims, in a stable order."""
    gitignores = _GitIgnores()
    root = folder.resolve()
    git_root = _git_root(root)
    if git_root is not None and git_root != root:
        # .gitignore files between the repository root and the folder still apply
        for ancestor in reversed([root, *root.parents]):
            if ancestor == root or not str(ancestor).startswith(str(git_root)):
                continue
            gitignores.push(ancestor)
    yield from _walk(folder, resolver, gitignores)


def _walk(folder: Path, resolver: ConfigResolver, gitignores: _GitIgnores) -> Iterator[Path]:
    settings = resolver.for_path(folder)
    pushed = len(gitignores.specs)
    if settings.respect_gitignore:
        gitignores.push(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_excluded(path, settings):
            continue
        if settings.respect_gitignore and gitignores.ignored(path.resolve(), is_dir):
            continue
        if is_dir:
            if entry.is_symlink():
                continue  # do not follow links into other trees (or loops)
            yield from _walk(path, resolver, gitignores)
        elif wanted_in_walk(path):
            yield path
    del gitignores.specs[pushed:]


def discover(paths: Iterable[Path], resolver: ConfigResolver) -> list[Target]:
    """Expand the command-line paths into files to lint (each once, in order)."""
    seen: set[Path] = set()
    targets: list[Target] = []
    for path in paths:
        if path.is_dir():
            for file in walk(path, resolver):
                key = file.resolve()
                if key not in seen:
                    seen.add(key)
                    targets.append(Target(file, explicit=False))
            continue
        settings = resolver.for_path(path)
        if settings.force_exclude and is_excluded(path, settings):
            continue
        key = path.resolve() if path.exists() else path.absolute()
        if key not in seen:
            seen.add(key)
            targets.append(Target(path, explicit=True))
    return targets
