"""One line per finding: ``file:row:col: CODE [severity] message``."""

from __future__ import annotations

from typing import TextIO

from linter.diagnostics import Diagnostic
from linter.report import Report
from linter.report.sanitize import visible, visible_path
from linter.report.style import SEVERITY_COLOR, Painter
from linter.report.summary import summary_lines


def headline(diagnostic: Diagnostic, paint: Painter) -> str:
    location = (f"{visible_path(diagnostic.filename)}:{diagnostic.start.row}:"
                f"{diagnostic.start.column}:")
    severity = paint(f"[{diagnostic.severity.value}]", SEVERITY_COLOR[diagnostic.severity])
    fixable = " [*]" if diagnostic.fix is not None else ""
    return (
        f"{paint(location, 'bold')} {paint(diagnostic.code, 'red', 'bold')}{fixable} "
        f"{severity} {visible(diagnostic.message)}"
    )


def render(report: Report, out: TextIO) -> None:
    paint = Painter(report.color)
    for diagnostic in report.diagnostics:
        out.write(headline(diagnostic, paint) + "\n")
    for line in summary_lines(report, paint):
        out.write(line + "\n")
