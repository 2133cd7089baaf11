"""Read an input with a size limit: regular files only, and streams never past the limit.

Every file prefect-lint reads on the user's behalf (checked files, configuration, pool
templates and snapshots, ``migrate`` sources and targets, standard input) comes through here,
so a FIFO cannot hang a run and ``/dev/zero`` cannot fill the memory. The file is opened with
``O_NONBLOCK`` before anything is known about it (opening a FIFO for reading then returns at
once instead of waiting for a writer) and inspected with ``fstat`` on the open descriptor, so
there is no window between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

#: The limit for inputs that have no setting of their own (configuration, pool templates).
DEFAULT_LIMIT = 10 * 1024 * 1024
_CHUNK = 1024 * 1024
#: O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (POSIX only;
#: Windows has no FIFOs in the file system)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class InputError(Exception):
    """An input that cannot be read; the message is one sentence without the path."""


def read_regular_file(path: Path | str, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed), at most
    ``limit`` of them; anything else is an ``InputError`` saying why."""
    return _read(path, limit, whole=True)


def read_head(path: Path | str, size: int) -> bytes:
    """The first ``size`` bytes of the regular file at ``path`` (for sniffing its kind)."""
    return _read(path, size, whole=False)


def _read(path: Path | str, limit: int, *, whole: bool) -> bytes:
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise InputError(describe_os_error(error, path)) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("cannot read the file: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError("cannot read the file: it is not a regular file (a FIFO, "
                             "socket or device)")
        if whole and info.st_size > limit:
            raise InputError(too_large(info.st_size, limit))
        handle = os.fdopen(descriptor, "rb", buffering=0)  # owns (and closes) it from here
    except OSError as error:
        os.close(descriptor)
        raise InputError(describe_os_error(error, path)) from None
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        try:
            if not whole:
                return handle.read(limit) or b""
            return read_limited(handle, limit, first_read=info.st_size + 1)
        except OSError as error:
            raise InputError(describe_os_error(error, path)) from None


def read_limited(stream: BinaryIO, limit: int, first_read: int = _CHUNK) -> bytes:
    """At most ``limit`` bytes of ``stream`` (until its end); more is an ``InputError``.
    Read in chunks, so a stream without end stops at the limit (a regular file is read in
    one call of its size, plus one to see its end)."""
    chunks: list[bytes] = []
    total = 0
    size = first_read
    while True:
        chunk = stream.read(min(size, limit + 1 - total))
        size = _CHUNK
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputError(too_large(None, limit))


def too_large(size: int | None, limit: int) -> str:
    """The message for an input over its limit (``size`` None: a stream of unknown size)."""
    if size is None:
        return (f"the input is more than the limit of {limit:,} bytes (max-file-size); "
                "it was not checked")
    return (f"the file is {size:,} bytes, more than the limit of {limit:,} (max-file-size); "
            "it was not checked")


def describe_os_error(error: OSError, path: Path | str | None = None) -> str:
    """One readable sentence for an ``OSError`` met while opening or reading a file."""
    if error.errno == errno.ENOENT and path is not None and os.path.islink(path):
        return "cannot read the file: it is a symbolic link to a file that does not exist"
    if error.errno == errno.ENOENT:
        return "cannot read the file: no such file"
    if error.errno == errno.ELOOP:
        return "cannot read the file: too many levels of symbolic links (a link loop?)"
    if error.errno == errno.ENAMETOOLONG:
        return "cannot read the file: its name (or a folder name in its path) is too long"
    return f"cannot read the file: {error.strerror or error}"
