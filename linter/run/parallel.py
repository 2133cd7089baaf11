"""Lint many files in forked worker processes; one file's crash is reported, never fatal.

The workers are forked children (``linter.core.forking``) sharing the parent's imported rules and
configuration. The parent lints a share itself; shares are dealt largest file first to the
least-loaded worker, so one big file does not leave the other cores idle. Where fork is
missing or unsafe (Windows, macOS), files are linted one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

from linter.core.forking import Forked, balance, can_fork, fork_call
from linter.run.engine import RuleCrash
from linter.run.runner import FileResult, Runner

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


def lint_paths(runner: Runner, paths: Sequence[Path], jobs: int) -> list[Outcome]:
    """Outcomes in the order of ``paths``."""
    jobs = min(jobs, len(paths))
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or not can_fork():
        return [_lint_one(runner, path) for path in paths]
    shares = [sorted(share) for share in deal(paths, jobs)]
    # every worker is one of the processes already: no further forking per file
    saved, runner.jobs = runner.jobs, 1
    failures: list[ShareFailed] = []
    try:
        children = [(fork_call(partial(_lint_share, runner, paths, share)), share)
                    for share in shares[1:]]
        try:
            outcomes = dict(_lint_share(runner, paths, shares[0]))
        except ShareFailed as failed:
            outcomes, failures = {}, [failed]
    finally:
        runner.jobs = saved
    for child, share in children:
        try:
            outcomes.update(_collect(child, paths, share))
        except ShareFailed as failed:
            failures.append(failed)
        except Exception as error:  # it did not pickle: its first file
            failures.append(ShareFailed(share[0], error))
    if failures:
        # the error one process would have met first, for the same message and exit status
        raise min(failures, key=lambda failed: failed.index).error
    return [outcomes[i] for i in range(len(paths))]


class ShareFailed(Exception):
    """Linting the file at ``index`` raised ``error`` (a configuration error, say): the
    whole run stops with it, as it does in one process."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def deal(paths: Sequence[Path], jobs: int) -> list[list[int]]:
    """Indexes of ``paths`` split into ``jobs`` shares of about equal bytes (plus a fixed
    cost per file, whatever its size)."""
    sizes = []
    for path in paths:
        try:
            sizes.append(path.stat().st_size + 2048)
        except OSError:
            sizes.append(2048)
    return balance(sizes, jobs)


def _lint_share(runner: Runner, paths: Sequence[Path], share: list[int]
                ) -> list[tuple[int, Outcome]]:
    """Outcomes of the files at ``share`` (in order); the first error that is not one
    file's internal error stops the share, raised as :class:`ShareFailed`."""
    outcomes = []
    for i in share:
        try:
            outcomes.append((i, _lint_one(runner, paths[i])))
        except Exception as error:
            raise ShareFailed(i, error) from error
    return outcomes


def _collect(child: Forked[list[tuple[int, Outcome]]], paths: Sequence[Path],
             share: list[int]) -> dict[int, Outcome]:
    value, failure = child.result()
    if value is not None:
        return dict(value)
    return {i: Outcome(paths[i], None, f"internal error while checking {paths[i]}: the "
                                       f"worker process {failure}") for i in share}
