"""Findings with a code frame: the offending lines, the span underlined, and a help line."""

from __future__ import annotations

from typing import TextIO

from linter.core.diagnostics import Diagnostic
from linter.report import Report
from linter.report.concise import headline
from linter.report.sanitize import visible, visible_line
from linter.report.style import SEVERITY_COLOR, Painter
from linter.report.summary import summary_lines
from linter.source.document import LineIndex

MAX_FRAME_LINES = 6


def code_frame(diagnostic: Diagnostic, text: str, paint: Painter,
               lines: LineIndex | None = None) -> list[str]:
    """The frame of one finding; pass ``lines`` (the text's index) when framing many
    findings of one file, or each frame indexes the whole text again. ``text`` should have
    its secrets masked already (``mask_secrets``)."""
    if lines is None:
        lines = LineIndex(text)
    first_row = diagnostic.start.row
    last_row = max(first_row, diagnostic.end.row)
    if diagnostic.end.column == 1 and last_row > first_row:
        last_row -= 1  # a span ending at the start of a line does not cover that line
    shown_last = min(last_row, first_row + MAX_FRAME_LINES - 1)
    context_row = first_row - 1 if first_row > 1 else None
    width = len(str(shown_last))
    gutter = paint(" " * width + " |", "blue")
    out = [gutter]
    color = SEVERITY_COLOR[diagnostic.severity]
    rows = ([context_row] if context_row else []) + list(range(first_row, shown_last + 1))
    for row in rows:
        if row > lines.row_count:
            break
        span = lines.line_span(row)
        line = visible_line(text[span.start : span.end].replace("\t", " "))
        out.append(paint(f"{row:>{width}} |", "blue") + (" " + line if line else ""))
        if row < first_row:
            continue
        start_col = diagnostic.start.column if row == first_row else _indent(line) + 1
        end_col = diagnostic.end.column if row == last_row else len(line) + 1
        length = max(1, end_col - start_col)
        marker = " " * (start_col - 1) + "^" * length
        out.append(gutter + " " + paint(marker, color, "bold"))
    if shown_last < last_row:
        out.append(paint(" " * width + " ...", "blue"))
    return out


def mask_secrets(text: str, diagnostics: list[Diagnostic]) -> str:
    """``text`` with the spans of findings that point at a secret (T011, a policy rule with
    `sensitive: true`) replaced by asterisks, so no code frame prints the secret."""
    spans = [d.span for d in diagnostics if _is_sensitive(d.code)]
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        for offset in range(max(0, span.start), min(len(chars), span.end)):
            if chars[offset] not in "\r\n":
                chars[offset] = "*"
    return "".join(chars)


def _is_sensitive(code: str) -> bool:
    from linter.core.registry import get_rule

    try:
        found = get_rule(code)
    except RuntimeError:  # no rule registered in this process: nothing to know
        return False
    return found is not None and found.sensitive


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def render(report: Report, out: TextIO) -> None:
    paint = Painter(report.color)
    indexes: dict[str, LineIndex] = {}
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_file.setdefault(diagnostic.filename, []).append(diagnostic)
    masked: dict[str, str] = {}
    for diagnostic in report.diagnostics:
        out.write(headline(diagnostic, paint, report.unsafe_fixes_enabled) + "\n")
        text = masked.get(diagnostic.filename)
        if text is None and diagnostic.filename in report.sources:
            text = masked[diagnostic.filename] = mask_secrets(
                report.sources[diagnostic.filename], by_file[diagnostic.filename])
        if text is not None:
            lines = indexes.get(diagnostic.filename)
            if lines is None:
                lines = indexes[diagnostic.filename] = LineIndex(text)
            for line in code_frame(diagnostic, text, paint, lines):
                out.write(line + "\n")
        if diagnostic.help:
            out.write(paint("  = help: ", "cyan", "bold") + visible(diagnostic.help) + "\n")
        if diagnostic.fix is not None:
            safety = "" if diagnostic.fix.is_safe else " (unsafe)"
            out.write(paint("  = fix: ", "green", "bold") + visible(diagnostic.fix.message) + safety
                      + "\n")
        out.write("\n")
    for line in summary_lines(report, paint):
        out.write(line + "\n")
