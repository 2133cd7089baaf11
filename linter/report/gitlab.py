"""GitLab Code Quality report (a JSON array), shown in merge requests.

A fingerprint must stay the same while a finding stays, so GitLab can tell new findings from
old ones: it hashes the code, the file and the text the finding underlines (not its line),
so adding lines above a finding does not make it "new". Identical findings in one file get an
occurrence number so their fingerprints stay distinct. Paths are relative to the repository
root (``CI_PROJECT_DIR``, else the git root), wherever the linter ran.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, TextIO

from linter.core.diagnostics import Diagnostic, Severity
from linter.report import Report
from linter.report.paths import GITLAB_ROOT, for_format

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def offending_text(diagnostic: Diagnostic, report: Report) -> str:
    """What the finding underlines, or its message when it underlines nothing."""
    source = report.sources.get(diagnostic.filename)
    if source is not None and diagnostic.span.end > diagnostic.span.start:
        return " ".join(source[diagnostic.span.start : diagnostic.span.end].split())
    return diagnostic.message


def fingerprint(key: tuple[str, str, str], occurrence: int) -> str:
    """A finding's stable identity for CI tools (GitLab's ``fingerprint``, SARIF's
    ``partialFingerprints``): rule, path and text, numbered among identical ones. A path that
    is not UTF-8 (undecodable bytes in a file name) is hashed as it is."""
    text = "\0".join((*key, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def issues(report: Report) -> list[dict[str, Any]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[dict[str, Any]] = []
    shown = for_format(GITLAB_ROOT)
    for diagnostic in report.diagnostics:
        path = shown(diagnostic.filename)
        key = (diagnostic.code, path, offending_text(diagnostic, report))
        occurrence = seen[key]
        seen[key] += 1
        out.append({
            "description": f"{diagnostic.code} {diagnostic.message}",
            "check_name": diagnostic.code,
            "fingerprint": fingerprint(key, occurrence),
            "severity": SEVERITIES[diagnostic.severity],
            "location": {
                "path": path,
                "positions": {
                    "begin": {"line": diagnostic.start.row,
                              "column": diagnostic.start.column},
                    "end": {"line": diagnostic.end.row, "column": diagnostic.end.column},
                },
            },
        })
    return out


def render(report: Report, out: TextIO) -> None:
    json.dump(issues(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
