"""Which files to lint: paths given by name, and the files rules claim inside folders.

Inside a folder, ``.gitignore`` files (when ``respect-gitignore`` is on) and the ``exclude``
patterns prune the walk. A file named on the command line is always linted, unless
``force-exclude`` is set and it matches an exclude: that is how pre-commit, which passes
names, still honours excludes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from linter.project.config import DEFAULT_INCLUDE, ConfigResolver, Settings, is_kind
from linter.project.filekinds import wanted_in_walk
from linter.project.ignore_patterns import (
    Matcher,
    matches_any,
    matches_resolved,
    pattern_matcher,
    relative_inside,
    resolved_root,
)
from linter.reading import InputError, read_regular_file


class Target(NamedTuple):
    path: Path
    explicit: bool  # named on the command line


class _GitIgnores:
    """The ``.gitignore`` files met on the way down a tree."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, Matcher]] = []

    def push(self, folder: Path) -> None:
        file = folder / ".gitignore"
        if file.is_file():
            try:
                raw = read_regular_file(file)
            except InputError:
                return
            lines = raw.decode("utf-8", errors="replace").splitlines()
            self.specs.append((folder, pattern_matcher(lines)))

    def ignored(self, path: Path | str, is_dir: bool) -> bool:
        for folder, spec in self.specs:
            relative = relative_inside(str(path), str(folder))
            if relative is None:
                continue
            if spec.match_file(relative + ("/" if is_dir else "")):
                return True
        return False


def is_excluded(path: Path, settings: Settings) -> bool:
    """Does ``path`` match ``exclude``/``extend-exclude`` (relative to the config's folder)?"""
    patterns = (*settings.exclude, *settings.extend_exclude)
    return matches_any(path, settings.root, patterns)


def is_included(path: Path, settings: Settings) -> bool:
    """Does ``path`` match ``include``/``extend-include`` (gitignore-style patterns relative
    to the config's folder: a bare name such as ``prefect-*.yaml`` matches at any depth)?"""
    patterns = (*settings.include, *settings.extend_include)
    return matches_any(path, settings.root, patterns)


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def walk(folder: Path, resolver: ConfigResolver) -> Iterator[Path]:
    """Files under ``folder`` that some rule claims, in a stable order."""
    for path, _ in _walkresolved_root(folder, resolver):
        yield path


def _walkresolved_root(folder: Path, resolver: ConfigResolver) -> Iterator[tuple[Path, Path]]:
    """(path as found, resolved path) of each file ``walk`` gives."""
    gitignores = _GitIgnores()
    root = folder.resolve()
    git_root = _git_root(root)
    if git_root is not None and git_root != root:
        # .gitignore files between the repository root and the folder still apply
        for ancestor in reversed([root, *root.parents]):
            if ancestor == root or not str(ancestor).startswith(str(git_root)):
                continue
            gitignores.push(ancestor)
    yield from _walk(folder, root, resolver, gitignores)


def _walk(folder: Path, real_folder: Path, resolver: ConfigResolver, gitignores: _GitIgnores
          ) -> Iterator[tuple[Path, Path]]:
    settings = resolver.for_folder(real_folder)
    patterns = (*settings.exclude, *settings.extend_exclude)
    includes = (*settings.include, *settings.extend_include)
    default_includes = includes == DEFAULT_INCLUDE

    def included(path: Path) -> bool:
        return matches_resolved(os.path.join(real_text, path.name), False, real_root, includes)

    real_root = str(resolved_root(settings.root))
    real_text = str(real_folder)
    pushed = len(gitignores.specs)
    if settings.respect_gitignore:
        gitignores.push(real_folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
            is_link = entry.is_symlink()
        except OSError:
            continue
        # inside a resolved folder, only a link needs resolving
        real = os.path.realpath(entry.path) if is_link else os.path.join(real_text, entry.name)
        if patterns and matches_resolved(real, is_dir, real_root, patterns):
            continue
        if settings.respect_gitignore and gitignores.ignored(real, is_dir):
            continue
        if is_dir:
            if is_link:
                continue  # do not follow links into other trees (or loops)
            yield from _walk(Path(entry.path), Path(real), resolver, gitignores)
        else:
            path = Path(entry.path)
            if wanted_in_walk(path, None if default_includes else included):
                yield path, Path(real)
    del gitignores.specs[pushed:]


def discover(paths: Iterable[Path], resolver: ConfigResolver,
             empty_folders: list[Path] | None = None) -> list[Target]:
    """Expand the command-line paths into files to lint (each once, in order). Folders in
    which nothing matched are added to ``empty_folders``."""
    seen: set[Path] = set()
    targets: list[Target] = []
    for path in paths:
        if is_kind(path, stat.S_ISDIR):  # False for a link loop: the reader says why
            found = False
            for file, key in _walkresolved_root(path, resolver):
                found = True
                if key not in seen:
                    seen.add(key)
                    targets.append(Target(file, explicit=False))
            if not found and empty_folders is not None:
                empty_folders.append(path)
            continue
        settings = resolver.for_path(path)
        if settings.force_exclude and is_excluded(path, settings):
            continue
        key = Path(os.path.realpath(path))  # never raises: a link loop is reported later
        if key not in seen:
            seen.add(key)
            targets.append(Target(path, explicit=True))
    return targets
