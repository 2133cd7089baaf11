"""``--statistics``: how many findings each rule has, most frequent first, as text (one line
per rule, ``[*]`` where a fix applies now) or, with ``--output-format json``, as a JSON array
of ``{"code", "name", "severity", "count", "fixable"}`` objects in the same order."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple, TextIO

from linter.core.diagnostics import Diagnostic
from linter.report.concise import fixable_now


class RuleCount(NamedTuple):
    code: str
    name: str
    severity: str
    findings: int
    fixable: int  # findings of this rule whose fix applies with the options given


def rule_counts(diagnostics: Iterable[Diagnostic], unsafe_fixes: bool) -> list[RuleCount]:
    counts: Counter[tuple[str, str, str]] = Counter()
    fixable: Counter[tuple[str, str, str]] = Counter()
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.name, diagnostic.severity.value)
        counts[key] += 1
        if fixable_now(diagnostic, unsafe_fixes):
            fixable[key] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [RuleCount(*key, count, fixable[key]) for key, count in ordered]


def write_text(counts: list[RuleCount], out: TextIO) -> None:
    for row in counts:
        mark = "[*]" if row.fixable else "   "
        out.write(f"{row.findings:>6}  {row.code}  {mark} {row.name} [{row.severity}]\n")


def write_json(counts: list[RuleCount], out: TextIO) -> None:
    rows: list[dict[str, Any]] = [
        {"code": row.code, "name": row.name, "severity": row.severity, "count": row.findings,
         "fixable": row.fixable}
        for row in counts
    ]
    json.dump(rows, out, indent=2, ensure_ascii=False)
    out.write("\n")


def render(diagnostics: Iterable[Diagnostic], out: TextIO, unsafe_fixes: bool,
           output_format: str) -> None:
    counts = rule_counts(diagnostics, unsafe_fixes)
    if output_format == "json":
        write_json(counts, out)
    else:
        write_text(counts, out)
