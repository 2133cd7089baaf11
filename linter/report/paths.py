"""Paths as CI systems want them: relative to the repository root.

GitHub code scanning (SARIF), GitHub annotations and GitLab Code Quality match a finding to a
file of the repository by its path from the repository's root, whatever folder the linter ran
in. The root is the CI's workspace variable when it is set (``GITHUB_WORKSPACE``,
``CI_PROJECT_DIR``), else the nearest folder above the working folder that holds ``.git`` (a
folder, or a file in a worktree or submodule). A file outside the root keeps its path as given.
The other formats keep paths as given.
"""

from __future__ import annotations

import os
from pathlib import Path

GITHUB_ROOT = "GITHUB_WORKSPACE"
GITLAB_ROOT = "CI_PROJECT_DIR"


def repository_root(variable: str) -> Path | None:
    """The root named by the CI variable, else the git root above the working folder."""
    named = os.environ.get(variable)
    if named:
        return Path(os.path.abspath(named))
    return git_root(Path.cwd())


def git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


class RootRelative:
    """Maps the filenames of a report to paths from one root (each computed once)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._known: dict[str, str] = {}

    def __call__(self, filename: str) -> str:
        known = self._known.get(filename)
        if known is None:
            known = self._known[filename] = self._relative(filename)
        return known

    def _relative(self, filename: str) -> str:
        if self.root is None or filename == "-":
            return filename
        absolute = os.path.abspath(filename)
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # another drive on Windows
            return filename
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return filename
        return relative.replace(os.sep, "/")


def for_format(variable: str) -> RootRelative:
    return RootRelative(repository_root(variable))
