"""Lint many files in forked worker processes; one file's crash is reported, never fatal.

Start-up is what a short run costs, so the workers are plain ``os.fork`` children writing
their pickled outcomes to a pipe: no process pool, which took 26 ms to import and more to
start. A child shares the parent's imported rules and configuration. The parent lints a
share itself; shares are dealt largest file first to the least-loaded worker, so one big
file does not leave the other cores idle. Where fork is missing or unsafe (Windows, macOS),
files are linted one after another.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from linter.engine import RuleCrash
from linter.runner import FileResult, Runner

#: Below this many files a worker costs more than it saves.
PARALLEL_THRESHOLD = 8


class Outcome(NamedTuple):
    path: Path
    result: FileResult | None
    error: str | None = None  # one line for an internal error
    details: str | None = None  # the traceback, for --verbose


def _lint_one(runner: Runner, path: Path) -> Outcome:
    try:
        return Outcome(path, runner.lint_path(path))
    except RuleCrash as crash:
        import traceback

        details = "".join(traceback.format_exception(crash.original))
        return Outcome(path, None, f"internal error: {crash}", details)
    except RecursionError:
        return Outcome(path, None, f"internal error while checking {path}: nesting too deep")


def default_jobs() -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform not in ("darwin", "win32")


def lint_paths(runner: Runner, paths: Sequence[Path], jobs: int) -> list[Outcome]:
    """Outcomes in the order of ``paths``."""
    jobs = min(jobs, len(paths))
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or not can_fork():
        return [_lint_one(runner, path) for path in paths]
    shares = deal(paths, jobs)
    children = [_fork_worker(runner, paths, share) for share in shares[1:]]
    outcomes: dict[int, Outcome] = {i: _lint_one(runner, paths[i]) for i in shares[0]}
    for child in children:
        outcomes.update(_collect(child, paths))
    return [outcomes[i] for i in range(len(paths))]


def deal(paths: Sequence[Path], jobs: int) -> list[list[int]]:
    """Indexes of ``paths`` split into ``jobs`` shares of about equal bytes."""
    sizes = []
    for index, path in enumerate(paths):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        sizes.append((size, index))
    shares: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for size, index in sorted(sizes, reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += size + 2048  # a file's fixed cost, whatever its size
    return shares


class _Child(NamedTuple):
    pid: int
    reader: int
    share: list[int]


def _fork_worker(runner: Runner, paths: Sequence[Path], share: list[int]) -> _Child:
    import pickle

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lint the share, send the outcomes, leave without clean-up
        status = 0
        try:
            os.close(reader)
            payload = pickle.dumps([(i, _lint_one(runner, paths[i])) for i in share],
                                   protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as stream:
                stream.write(payload)
        except BaseException:  # anything: the parent reports the share as failed
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    return _Child(pid, reader, share)


def _collect(child: _Child, paths: Sequence[Path]) -> dict[int, Outcome]:
    import pickle

    with os.fdopen(child.reader, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(child.pid, 0)
    if payload and status == 0:
        try:
            return dict(pickle.loads(payload))
        except Exception:  # a truncated payload: reported below
            pass
    reason = _describe(status)
    return {i: Outcome(paths[i], None, f"internal error while checking {paths[i]}: the "
                                       f"worker process {reason}") for i in child.share}


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"failed (exit status {os.waitstatus_to_exitcode(status)})"
