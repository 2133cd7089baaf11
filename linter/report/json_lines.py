"""One JSON object per line (the keys of the ``json`` format), for streaming tools."""

from __future__ import annotations

import json
from typing import TextIO

from linter.report import Report
from linter.report.json_format import diagnostic_to_dict


def render(report: Report, out: TextIO) -> None:
    for diagnostic in report.diagnostics:
        out.write(json.dumps(diagnostic_to_dict(diagnostic), ensure_ascii=False) + "\n")
