"""Lint many files in worker processes; one file's crash is reported, never fatal to the rest.

Start-up is the cost of a process pool, so it is used only for many files (a monorepo, a
`pre-commit run --all-files`). Workers are forked where the platform allows, so they share the
parent's imported rules and configuration instead of importing them again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from linter.engine import RuleCrash
from linter.runner import FileResult, Runner

#: Below this many files the pool costs more than it saves.
PARALLEL_THRESHOLD = 24


class Outcome(NamedTuple):
    path: Path
    result: FileResult | None
    error: str | None = None  # one line for an internal error
    details: str | None = None  # the traceback, for --verbose


_WORKER_RUNNER: Runner | None = None


def _lint_one(runner: Runner, path: Path) -> Outcome:
    try:
        return Outcome(path, runner.lint_path(path))
    except RuleCrash as crash:
        import traceback

        details = "".join(traceback.format_exception(crash.original))
        return Outcome(path, None, f"internal error: {crash}", details)
    except RecursionError:
        return Outcome(path, None, f"internal error while checking {path}: nesting too deep")


def _lint_in_worker(path: Path) -> Outcome:
    assert _WORKER_RUNNER is not None
    return _lint_one(_WORKER_RUNNER, path)


def default_jobs() -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, 8))


def lint_paths(runner: Runner, paths: Sequence[Path], jobs: int) -> list[Outcome]:
    """Outcomes in the order of ``paths``."""
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        return [_lint_one(runner, path) for path in paths]
    import multiprocessing  # only now: the import costs start-up time of every run
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or "fork" not in (
        multiprocessing.get_all_start_methods()
    ) or sys.platform == "darwin":
        return [_lint_one(runner, path) for path in paths]
    global _WORKER_RUNNER
    _WORKER_RUNNER = runner
    try:
        context = multiprocessing.get_context("fork")
        chunk = max(1, len(paths) // (jobs * 4))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(_lint_in_worker, paths, chunksize=chunk))
    finally:
        _WORKER_RUNNER = None
