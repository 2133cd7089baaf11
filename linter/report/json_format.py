"""A JSON array of findings. The keys are a contract other tools rely on: do not rename."""

from __future__ import annotations

import json
from typing import Any, TextIO

from linter.core.diagnostics import Diagnostic, Position
from linter.report import Report


def _location(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    fix: dict[str, Any] | None = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability.value,
            "message": diagnostic.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": _location(start),
                    "end_location": _location(end),
                }
                for edit, (start, end) in zip(
                    diagnostic.fix.edits, diagnostic.fix_positions, strict=False
                )
            ],
        }
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "filename": diagnostic.filename,
        "location": _location(diagnostic.start),
        "end_location": _location(diagnostic.end),
        "fix": fix,
        "url": diagnostic.url or None,
    }


def render(report: Report, out: TextIO) -> None:
    json.dump([diagnostic_to_dict(d) for d in report.diagnostics], out, indent=2,
              ensure_ascii=False)
    out.write("\n")
