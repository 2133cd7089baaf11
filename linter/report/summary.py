"""The closing line of the human formats."""

from __future__ import annotations

from linter.diagnostics import Severity
from linter.report import Report
from linter.report.style import Painter


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(report: Report, paint: Painter) -> list[str]:
    lines: list[str] = []
    fixed = sum(report.fixed.values())
    if fixed:
        lines.append(f"Fixed {_plural(fixed, 'problem')}.")
    if not report.diagnostics:
        if report.show_summary:
            checked = _plural(report.files_checked, "file")
            lines.append(paint(f"All checks passed! ({checked} checked)", "green", "bold"))
        return lines
    parts = [
        _plural(report.count(severity), word)
        for severity, word in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.INFO, "info finding"),
        )
        if report.count(severity)
    ]
    total = _plural(len(report.diagnostics), "problem")
    line = f"Found {total} ({', '.join(parts)}) in {_plural(report.files_checked, 'file')}."
    lines.append(paint(line, "bold"))
    if report.fixable:
        lines.append(f"{report.fixable} fixable with `prefect-lint check --fix`.")
    if report.hidden_unsafe:
        lines.append(
            f"{report.hidden_unsafe} more fixable with `--fix --unsafe-fixes` "
            "(these change what Prefect does; review them)."
        )
    return lines
