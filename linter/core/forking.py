"""Run a function in a forked child process and take its result back through a pipe.

Used for many files (each child lints a share) and for one very large file (each child runs
some rule families over the same parsed document, shared copy-on-write). A plain fork costs a
few milliseconds; a process pool cost 26 ms of imports before it started a worker. Where fork
is missing or unsafe (Windows, macOS), callers run everything in their own process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def tune_garbage_collector() -> None:
    """A check allocates millions of small, acyclic objects (YAML nodes, plain data), and
    Python's default thresholds then run a full collection again and again over all of them:
    on 10,000 deployments that cost more than a second, and a third of a language-server
    keystroke's check on 1,000. Objects alive now (imports, rules) are frozen out of
    collection, and full collections become rare; acyclic objects are still freed at once by
    reference counting."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def default_jobs() -> int:
    """Processes for a run: the CPUs this process may use, at most 8."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform not in ("darwin", "win32")


class ChildError(Exception):
    """An exception of a child that could not be sent back as itself (it does not pickle):
    its type and message."""


class _Raised:
    """What a child sends instead of a value when ``function`` raised."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Forked(Generic[T]):
    """A child computing a value; :meth:`result` waits for it. Without a child (``pid`` -1:
    the system had no process to spare) the value was computed here already."""

    def __init__(self, pid: int, reader: int, value: T | None = None) -> None:
        self.pid = pid
        self.reader = reader
        self.value = value

    def result(self) -> tuple[T | None, str | None]:
        """(value, None), or (None, why the child gave no value). An exception raised by
        the function in the child is raised here, as if the function had run here."""
        import pickle

        if self.pid == -1:
            return self.value, None

        with os.fdopen(self.reader, "rb") as stream:
            payload = stream.read()
        _, status = os.waitpid(self.pid, 0)
        if payload and status == 0:
            try:
                value: T | _Raised = pickle.loads(payload)
            except Exception:  # a truncated payload: reported below
                pass
            else:
                if isinstance(value, _Raised):
                    raise value.error
                return value, None
        if os.WIFSIGNALED(status):
            return None, f"was killed by signal {os.WTERMSIG(status)}"
        return None, f"failed (exit status {os.waitstatus_to_exitcode(status)})"


def fork_call(function: Callable[[], T]) -> Forked[T]:
    """Start ``function`` in a child process. The child never returns from here: it sends
    the pickled value and leaves with ``os._exit`` (no clean-up, no flushing of the parent's
    buffered output, which would print it twice). An exception in ``function`` is sent back
    and raised by :meth:`Forked.result`, so errors surface as they would in one process.
    When the system refuses a new process, ``function`` runs here at once (its exceptions
    then surface here)."""
    import pickle

    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a container's process limit): work here instead
        os.close(reader)
        os.close(writer)
        return Forked(-1, -1, function())
    if pid == 0:
        status = 0
        try:
            os.close(reader)
            try:
                payload = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as error:  # sent to the parent, raised there
                payload = _pickled_error(error)
            with os.fdopen(writer, "wb") as stream:
                stream.write(payload)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    return Forked(pid, reader)


def _pickled_error(error: BaseException) -> bytes:
    """``error`` for the parent: itself when it pickles (and unpickles: an exception whose
    ``__init__`` takes other arguments than it passes on does not), else its type and
    message."""
    import pickle

    try:
        payload = pickle.dumps(_Raised(error), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)
    except Exception:
        payload = pickle.dumps(_Raised(ChildError(f"{type(error).__name__}: {error}")),
                               protocol=pickle.HIGHEST_PROTOCOL)
    return payload


def balance(weights: Sequence[float], bins: int) -> list[list[int]]:
    """Indexes of ``weights`` in ``bins`` groups of about equal total weight: heaviest
    first, each into the group that is lightest so far."""
    groups: list[list[int]] = [[] for _ in range(bins)]
    loads = [0.0] * bins
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += weights[index]
    return groups
