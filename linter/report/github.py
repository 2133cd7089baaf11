"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
finding, shown inline on the pull request's diff.

GitHub reads ``::LEVEL key=value,...::message``; in the message ``%``, CR and LF must be
percent-encoded, and in a property value ``:`` and ``,`` as well (they delimit the command).
The runner also reads its first syntax, ``##[command]``, anywhere in a line: its bracket is
written as ``%5B``, which that syntax does not decode back, so no command can start there.
"""

from __future__ import annotations

from typing import TextIO

from linter.core.diagnostics import Diagnostic, Severity
from linter.report import Report
from linter.report.paths import GITHUB_ROOT, for_format
from linter.report.sanitize import visible

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace("##[", "##%5B")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, path: str | None = None) -> str:
    """The workflow command of one finding; ``path`` is its file's path from the repository
    root (the diagnostic's filename when not given)."""
    properties = {
        "file": diagnostic.filename if path is None else path,
        "line": str(diagnostic.start.row),
        "col": str(diagnostic.start.column),
        "endLine": str(diagnostic.end.row),
        "endColumn": str(diagnostic.end.column),
        "title": diagnostic.code,
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    # file text in the message shows its control characters as escapes (no terminal codes
    # in the job log); the line breaks left are ours, and escape_data encodes them
    message = f"{diagnostic.code} [{diagnostic.severity.value}] {visible(diagnostic.message)}"
    if diagnostic.help:
        message += f"\nhelp: {visible(diagnostic.help)}"
    if diagnostic.url:
        message += f"\n{diagnostic.url}"
    return f"::{LEVELS[diagnostic.severity]} {joined}::{escape_data(message)}"


def render(report: Report, out: TextIO) -> None:
    shown = for_format(GITHUB_ROOT)
    for diagnostic in report.diagnostics:
        out.write(annotation(diagnostic, shown(diagnostic.filename)) + "\n")
