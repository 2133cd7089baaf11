"""``prefect-lint check --explain-upgrade-from X.Y``: what changes meaning in these files when
the project moves from Prefect X.Y to the target release.

Each file is checked twice, for the old release and for the target, and the findings are
compared by place and rule: a finding only the target has is something that breaks or stops
working on upgrade; one only the old release has is something the upgrade fixes; one whose
severity changes is listed too. The result is the checklist a team needs before bumping
Prefect. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from linter.core.diagnostics import Diagnostic
from linter.prefect.releases import Target
from linter.project.config import ConfigResolver, Overrides

#: Severity words in order, for "warning -> error".
_RANK = {"info": 0, "warning": 1, "error": 2}


class Change(NamedTuple):
    filename: str
    row: int
    column: int
    code: str
    kind: str  # "new", "gone", "severity"
    before: Diagnostic | None
    after: Diagnostic | None


def _by_place(diagnostics: Sequence[Diagnostic]) -> dict[tuple[int, int, str], Diagnostic]:
    return {(d.start.row, d.start.column, d.code): d for d in diagnostics}


def compare(filename: str, before: Sequence[Diagnostic], after: Sequence[Diagnostic]
            ) -> list[Change]:
    """The changes between one file's findings for the old release and for the target."""
    old, new = _by_place(before), _by_place(after)
    changes = []
    for place in sorted(old.keys() | new.keys()):
        row, column, code = place
        was, now = old.get(place), new.get(place)
        if was is None:
            changes.append(Change(filename, row, column, code, "new", None, now))
        elif now is None:
            changes.append(Change(filename, row, column, code, "gone", was, None))
        elif was.severity is not now.severity:
            changes.append(Change(filename, row, column, code, "severity", was, now))
    return changes


def _line(change: Change, source: Target, target: Target) -> str:
    where = f"{change.filename}:{change.row}:{change.column}"
    if change.kind == "new":
        assert change.after is not None
        return (f"{where}: {change.code} [{change.after.severity.value} from "
                f"{target.written}] {change.after.message}")
    if change.kind == "gone":
        assert change.before is not None
        return (f"{where}: {change.code} [was {change.before.severity.value} on "
                f"{source.written}, fine on {target.written}] {change.before.message}")
    assert change.before is not None and change.after is not None
    return (f"{where}: {change.code} [{change.before.severity.value} on {source.written} -> "
            f"{change.after.severity.value} on {target.written}] {change.after.message}")


def explain_upgrade(paths: Sequence[Path], overrides: Overrides, config: Path | None,
                    source: Target, out: TextIO) -> int:
    """Print the checklist; 1 when something changes meaning, else 0."""
    from linter.project.discovery import discover
    from linter.run.runner import Runner

    after_resolver = ConfigResolver(overrides, explicit=config)
    before_resolver = ConfigResolver(overrides._replace(target_version=source), explicit=config)
    before_runner, after_runner = Runner(before_resolver), Runner(after_resolver)
    changes: list[Change] = []
    targets: list[Target] = []
    for found in discover(paths or (Path("."),), after_resolver):
        after = after_runner.lint_path(found.path)
        before = before_runner.lint_path(found.path)
        if after is None or before is None:
            continue
        targets.append(after_resolver.for_path(found.path).target_version or source)
        changes += compare(after.filename, before.diagnostics, after.diagnostics)
    target = targets[0] if targets else source
    out.write(f"Upgrading from Prefect {source.label} to {target.label}: ")
    if not changes:
        out.write("nothing in these files changes meaning.\n")
        return 0
    out.write(f"{len(changes)} change(s) in meaning.\n")
    order = {"new": 0, "severity": 1, "gone": 2}
    for change in sorted(changes, key=lambda c: (order[c.kind], c.filename, c.row, c.column)):
        out.write(_line(change, source, target) + "\n")
    return 1
