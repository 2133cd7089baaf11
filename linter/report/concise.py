"""One line per finding: ``file:row:col: CODE [severity] message``."""

from __future__ import annotations

from typing import TextIO

from linter.core.diagnostics import Diagnostic
from linter.report import Report
from linter.report.sanitize import visible, visible_path
from linter.report.style import SEVERITY_COLOR, Painter
from linter.report.summary import summary_lines


def headline(diagnostic: Diagnostic, paint: Painter, unsafe_fixes: bool = False) -> str:
    """The finding's first line; ``[*]`` (ruff's mark) when ``--fix`` would fix it: a safe fix,
    or an unsafe one with ``unsafe_fixes`` enabled."""
    location = (f"{visible_path(diagnostic.filename)}:{diagnostic.start.row}:"
                f"{diagnostic.start.column}:")
    severity = paint(f"[{diagnostic.severity.value}]", SEVERITY_COLOR[diagnostic.severity])
    fixable = " [*]" if fixable_now(diagnostic, unsafe_fixes) else ""
    return (
        f"{paint(location, 'bold')} {paint(diagnostic.code, 'red', 'bold')}{fixable} "
        f"{severity} {visible(diagnostic.message)}"
    )


def fixable_now(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.applies(unsafe_fixes)


def render(report: Report, out: TextIO) -> None:
    paint = Painter(report.color)
    for diagnostic in report.diagnostics:
        out.write(headline(diagnostic, paint, report.unsafe_fixes_enabled) + "\n")
    for line in summary_lines(report, paint):
        out.write(line + "\n")
