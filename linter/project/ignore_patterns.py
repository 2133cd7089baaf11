"""Gitignore-style patterns: the simple ones are matched here, any other list by pathspec.

pathspec costs about 35 ms to import (its matching back-ends and typing helpers), more than
the rest of a folder walk. Most patterns people write have simple meanings: a name or a glob
on a name (``node_modules``, ``*.pyc``) matching at any depth, a folder-only pattern
(``dist/``), and a path anchored where the list lives (``/build``, ``docs/*.md``). Those are
matched here. A list holding anything else (``**``, ``[...]``, ``!`` negation, ``\\``
escapes) goes to pathspec whole, so that the order rules of negation stay pathspec's.

Paths are given relative to the list's folder, POSIX style, with a trailing ``/`` for a
folder; a pattern that matches a folder matches everything inside it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol


class Matcher(Protocol):
    def match_file(self, file: str) -> bool: ...


class SimplePattern(NamedTuple):
    parts: tuple[str, ...]  # the path, split at "/" (one part: a name at any depth)
    anchored: bool  # had a "/" before its last character: relative to the list's folder
    folders_only: bool  # ended in "/"


def compile_patterns(lines: Sequence[str]) -> Matcher:
    patterns: list[SimplePattern] = []
    for line in lines:
        text = line.rstrip("\r\n")
        if not text.strip() or text.startswith("#"):
            continue  # a blank line or a comment matches nothing
        simple = parse_simple(text.rstrip(" "))
        if simple is None:
            return _pathspec(tuple(lines))
        patterns.append(simple)
    return SimpleSpec(tuple(patterns))


def parse_simple(pattern: str) -> SimplePattern | None:
    """The pattern, or None when it needs more than this module understands."""
    if not pattern or any(c in pattern for c in "[]!\\") or "**" in pattern:
        return None
    folders_only = pattern.endswith("/")
    body = pattern[:-1] if folders_only else pattern
    anchored = "/" in body
    if body.startswith("/"):
        body = body[1:]
    parts = tuple(body.split("/"))
    if not body or any(not part for part in parts):
        return None  # "/", "a//b" and the like
    return SimplePattern(parts, anchored, folders_only)


class SimpleSpec:
    def __init__(self, patterns: tuple[SimplePattern, ...]) -> None:
        self.patterns = patterns

    def match_file(self, file: str) -> bool:
        is_folder = file.endswith("/")
        components = file.rstrip("/").split("/")
        if components == [""]:
            return False
        last = len(components) - 1
        for parts, anchored, folders_only in self.patterns:
            if not anchored:
                name = parts[0]
                for index, component in enumerate(components):
                    if fnmatchcase(component, name) and (
                            not folders_only or index < last or is_folder):
                        return True
                continue
            size = len(parts)
            if size <= len(components) and all(
                    fnmatchcase(components[i], parts[i]) for i in range(size)) and (
                    not folders_only or size - 1 < last or is_folder):
                return True
        return False


def _pathspec(lines: tuple[str, ...]) -> Matcher:
    import pathspec

    spec: Matcher = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec


# -- matching paths against pattern lists ---------------------------------------------------


def pattern_matcher(patterns: Sequence[str]) -> Matcher:
    return _compiled(tuple(patterns))


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> Matcher:
    """Compiling a spec costs far more than matching: walks ask for the same one per entry."""
    return compile_patterns(patterns)


def matches_any(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    """Does ``path`` (or one of its parent folders) match a gitignore-style pattern, taken
    relative to ``root``? A bare name such as ``build`` matches at any depth."""
    if not patterns:
        return False
    return matches_resolved(path.resolve(), path.is_dir(), resolved_root(root), patterns)


def matches_resolved(real_path: Path | str, is_dir: bool, real_root: Path | str,
             patterns: Sequence[str]) -> bool:
    """``matches_any`` for a path already resolved, whose kind is known (a walk knows both
    from the folder listing; resolving every entry again cost most of a warm run)."""
    text = _relative(str(real_path), str(real_root))
    if is_dir:
        text += "/"
    return pattern_matcher(patterns).match_file(text)


def _relative(real_path: str, real_root: str) -> str:
    """``real_path`` relative to ``real_root`` in POSIX form, or its name when outside it."""
    inside = relative_inside(real_path, real_root)
    return inside if inside is not None else os.path.basename(real_path)


def relative_inside(real_path: str, folder: str) -> str | None:
    """``real_path`` relative to ``folder`` in POSIX form; None when it is not inside."""
    prefix = folder.rstrip(os.sep) + os.sep
    if not real_path.startswith(prefix):
        return None
    return real_path[len(prefix):].replace(os.sep, "/")


@lru_cache(maxsize=64)
def resolved_root(root: Path) -> Path:
    return root.resolve()
