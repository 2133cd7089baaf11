"""The closing line of the human formats."""

from __future__ import annotations

from linter.core.diagnostics import Severity
from linter.report import Report
from linter.report.style import Painter


def plural(count: int, word: str) -> str:
    """"1 file", "2 files"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(report: Report, paint: Painter) -> list[str]:
    lines: list[str] = []
    fixed = sum(report.fixed.values())
    if fixed:
        lines.append(f"Fixed {plural(fixed, 'problem')}.")
    if not report.diagnostics:
        if report.show_summary:
            checked = plural(report.files_checked, "file")
            lines.append(paint(f"All checks passed! ({checked} checked)", "green", "bold"))
        return lines
    parts = [
        plural(report.count(severity), word)
        for severity, word in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.INFO, "info finding"),
        )
        if report.count(severity)
    ]
    total = plural(len(report.diagnostics), "problem")
    line = f"Found {total} ({', '.join(parts)}) in {plural(report.files_checked, 'file')}."
    lines.append(paint(line, "bold"))
    fixable_line = fix_hint(report.fixable, report.hidden_unsafe)
    if fixable_line:
        lines.append(fixable_line)
    return lines


def fix_hint(fixable: int, hidden: int) -> str | None:
    """ruff's closing hint: what ``--fix`` fixes, and how many unsafe fixes it leaves out."""
    fixes = "fix" if hidden == 1 else "fixes"
    hidden_note = (f" ({hidden} hidden {fixes} can be enabled "
                   "with the `--unsafe-fixes` option; they change what Prefect does)")
    if fixable:
        return f"[*] {fixable} fixable with `prefect-lint check --fix`" + (
            f"{hidden_note}." if hidden else ".")
    if hidden:
        return f"No fixes available{hidden_note}."
    return None
