"""Which other files a check of one file looked at (entrypoints, custom steps, pool templates).

A cached result is only valid while those files are as they were, including files that did
not exist then (an entrypoint file created later must invalidate "file missing"). Code that
looks at another file calls ``note(path)``; the cache records the notes made while a file is
checked and compares them on the next run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

#: (path, stamp) where stamp is (kind, mtime_ns, size) or None for a path that is absent
Dependency = tuple[str, tuple[str, int, int] | None]

_RECORDING: ContextVar[dict[str, tuple[str, int, int] | None] | None] = ContextVar(
    "prefect_lint_dependencies", default=None)


def stamp(path: str | Path) -> tuple[str, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    kind = "dir" if os.path.isdir(path) else "file"
    return (kind, info.st_mtime_ns, info.st_size)


def note(path: str | Path) -> None:
    """Record that the current check depends on ``path`` (a file or a folder's listing)."""
    recording = _RECORDING.get()
    if recording is not None:
        key = os.path.abspath(path)
        if key not in recording:
            recording[key] = stamp(key)


@contextmanager
def recording() -> Iterator[dict[str, tuple[str, int, int] | None]]:
    """Collect the notes made inside the block."""
    notes: dict[str, tuple[str, int, int] | None] = {}
    token = _RECORDING.set(notes)
    try:
        yield notes
    finally:
        _RECORDING.reset(token)


def unchanged(dependencies: list[Dependency]) -> bool:
    return all(stamp(path) == (tuple(saved) if saved else None)
               for path, saved in dependencies)
