"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
finding, shown inline on the pull request's diff.

GitHub reads ``::LEVEL key=value,...::message``; in the message ``%``, CR and LF must be
percent-encoded, and in a property value ``:`` and ``,`` as well (they delimit the command).
"""

from __future__ import annotations

from typing import TextIO

from linter.diagnostics import Diagnostic, Severity
from linter.report import Report

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic) -> str:
    properties = {
        "file": diagnostic.filename,
        "line": str(diagnostic.start.row),
        "col": str(diagnostic.start.column),
        "endLine": str(diagnostic.end.row),
        "endColumn": str(diagnostic.end.column),
        "title": diagnostic.code,
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}"
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    if diagnostic.url:
        message += f"\n{diagnostic.url}"
    return f"::{LEVELS[diagnostic.severity]} {joined}::{escape_data(message)}"


def render(report: Report, out: TextIO) -> None:
    for diagnostic in report.diagnostics:
        out.write(annotation(diagnostic) + "\n")
