"""reviewdog's Diagnostic Format (rdjson: one ``DiagnosticResult`` object), read by
``reviewdog -f=rdjson`` to comment on pull and merge requests.

Each finding carries its path (as given), range, code (with its URL), severity and message;
its fix becomes a suggestion when it is safe (or unsafe and ``--unsafe-fixes`` was given).
A fix of several edits becomes one suggestion: the text from its first edit to its last with
every edit applied, so a reviewer applies all of it or none. reviewdog counts columns in UTF-8
bytes (ours count characters), and its range end is exclusive, as ours is.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from linter.core.diagnostics import Diagnostic, Fix, Position, Severity
from linter.report import Report
from linter.source.document import LineIndex

SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
SOURCE = {"name": "prefect-lint"}


class ByteColumns:
    """Positions of one file's offsets, with columns in UTF-8 bytes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = LineIndex(source)

    def position(self, offset: int) -> dict[str, int]:
        offset = max(0, min(offset, len(self.source)))
        row = self.lines.position(offset).row
        line_start = self.lines.offset(row, 1)
        prefix = self.source[line_start:offset].encode("utf-8", "surrogatepass")
        return {"line": row, "column": len(prefix) + 1}


def _plain(position: Position) -> dict[str, int]:
    return {"line": position.row, "column": position.column}


def suggestion(fix: Fix, columns: ByteColumns) -> dict[str, Any]:
    """The fix as one replacement of the text from its first edit's start to its last
    edit's end."""
    edits = sorted(fix.edits, key=lambda edit: (edit.start, edit.end))
    start, end = edits[0].start, max(edit.end for edit in edits)
    pieces: list[str] = []
    cursor = start
    for edit in edits:
        pieces.append(columns.source[cursor : edit.start])
        pieces.append(edit.content)
        cursor = max(cursor, edit.end)
    pieces.append(columns.source[cursor:end])
    return {
        "range": {"start": columns.position(start), "end": columns.position(end)},
        "text": "".join(pieces),
    }


def diagnostic_to_rdjson(diagnostic: Diagnostic, columns: ByteColumns | None,
                         unsafe_fixes: bool) -> dict[str, Any]:
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    if columns is not None:
        location_range = {"start": columns.position(diagnostic.span.start),
                          "end": columns.position(diagnostic.span.end)}
    else:  # no text (an unreadable file): the character columns are all there is
        location_range = {"start": _plain(diagnostic.start), "end": _plain(diagnostic.end)}
    code: dict[str, str] = {"value": diagnostic.code}
    if diagnostic.url:
        code["url"] = diagnostic.url
    out: dict[str, Any] = {
        "message": message,
        "location": {"path": diagnostic.filename, "range": location_range},
        "severity": SEVERITIES[diagnostic.severity],
        "code": code,
    }
    fix = diagnostic.fix
    if fix is not None and fix.edits and columns is not None and fix.applies(unsafe_fixes):
        out["suggestions"] = [suggestion(fix, columns)]
    return out


def diagnostic_result(report: Report) -> dict[str, Any]:
    columns: dict[str, ByteColumns] = {}
    diagnostics = []
    for diagnostic in report.diagnostics:
        source = report.sources.get(diagnostic.filename)
        file_columns = None
        if source is not None:
            file_columns = columns.get(diagnostic.filename)
            if file_columns is None:
                file_columns = columns[diagnostic.filename] = ByteColumns(source)
        diagnostics.append(diagnostic_to_rdjson(diagnostic, file_columns,
                                                report.unsafe_fixes_enabled))
    return {"source": SOURCE, "diagnostics": diagnostics}


def render(report: Report, out: TextIO) -> None:
    json.dump(diagnostic_result(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
