"""Which other files a check of one file looked at (entrypoints, custom steps, pool templates).

A cached result is only valid while those files are as they were, including files that did
not exist then (an entrypoint file created later must invalidate "file missing"). Code that
looks at another file calls ``note(path)``; the cache records the notes made while a file is
checked and compares them on the next run.

A file is compared by content (a hash), not by size and modification time: ``cp -p``,
``rsync -a`` or a ``git checkout`` within the same second change a file and keep both. A
folder is compared by its sorted list of names.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

#: (kind, size or number of names, content hash); None for a path that is absent
Stamp = tuple[str, int, str]
Dependency = tuple[str, Stamp | None]

_RECORDING: ContextVar[dict[str, Stamp | None] | None] = ContextVar(
    "prefect_lint_dependencies", default=None)
_CHUNK = 1 << 20


def stamp(path: str | Path, info: os.stat_result | None = None) -> Stamp | None:
    """What ``path`` is now; ``info`` when the caller already has its ``os.stat``."""
    if info is None:
        try:
            info = os.stat(path)
        except OSError:
            return None
    if stat_module.S_ISDIR(info.st_mode):
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return ("dir", -1, "")
        return ("dir", len(names), _digest_bytes("\0".join(names).encode("utf-8",
                                                                         "surrogateescape")))
    if not stat_module.S_ISREG(info.st_mode):
        return ("other", 0, "")  # never read a FIFO or a device
    return ("file", info.st_size, _digest_file(path))


def _digest_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _digest_file(path: str | Path) -> str:
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def note(path: str | Path) -> None:
    """Record that the current check depends on ``path`` (a file or a folder's listing)."""
    recording = _RECORDING.get()
    if recording is not None:
        key = os.path.abspath(path)
        if key not in recording:
            recording[key] = stamp(key)


def note_known(dependencies: list[Dependency]) -> None:
    """Record dependencies whose stamps were taken (or checked with ``unchanged``) just now,
    without reading the files again."""
    recording = _RECORDING.get()
    if recording is not None:
        for path, known in dependencies:
            recording.setdefault(os.path.abspath(path), known)


@contextmanager
def recording() -> Iterator[dict[str, Stamp | None]]:
    """Collect the notes made inside the block."""
    notes: dict[str, Stamp | None] = {}
    token = _RECORDING.set(notes)
    try:
        yield notes
    finally:
        _RECORDING.reset(token)


def unchanged(dependencies: list[Dependency]) -> bool:
    return all(_matches(path, saved) for path, saved in dependencies)


def _matches(path: str, saved: Stamp | list[object] | None) -> bool:
    """Whether ``path`` is still as ``saved`` describes it; a file whose size differs is
    known to have changed without reading it."""
    try:
        info = os.stat(path)
    except OSError:
        return not saved
    if not saved:
        return False
    if saved[0] == "file" and (not stat_module.S_ISREG(info.st_mode)
                               or info.st_size != saved[1]):
        return False
    return stamp(path, info) == tuple(saved)
