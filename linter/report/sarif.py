"""SARIF 2.1.0 (Static Analysis Results Interchange Format), read by GitHub code scanning,
Azure DevOps and many IDEs.

One run, with the metadata of every rule that has a result (code, name, summary, the rule's
whole reference page as help, default level, and a help URI only when a ``docs-url`` base is
configured), each result's location, and its fix as
``artifactChanges``/``replacements``. Columns count Unicode code points (``columnKind``), as
ours do. Paths are relative to the repository root (``GITHUB_WORKSPACE``, else the git root),
wherever the linter ran, and each result has a ``partialFingerprints`` entry that stays the
same while the finding's line stays the same, wherever that line moves.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from linter import __version__
from linter.core.diagnostics import Diagnostic, Position, Severity
from linter.core.registry import Rule, get_rule
from linter.core.rule_docs import rule_page
from linter.report import Report
from linter.report.gitlab import fingerprint
from linter.report.paths import GITHUB_ROOT, for_format
from linter.source.document import LineIndex

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "prefectLintLineHash/v1"


def artifact_uri(filename: str) -> str:
    """A relative path as a relative URI reference (forward slashes, percent-encoded); an
    absolute path as a ``file:`` URI."""
    path = PurePath(filename)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix())


def region(start: Position, end: Position) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def rule_descriptor(rule: Rule, url: str = "") -> dict[str, Any]:
    """The rule's metadata with its whole reference page as help (GitHub shows
    ``help.markdown``); ``helpUri`` only for a configured docs base (``url``)."""
    page = rule_page(rule)
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.split("\n\n", 1)[0]},
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.default},
        "properties": {
            "fix": rule.fix.value if rule.fix else "none",
            "tags": [rule.family],
        },
    }
    if url:
        descriptor["helpUri"] = url
    return descriptor


def _fallback_descriptor(diagnostic: Diagnostic) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": diagnostic.code,
        "name": diagnostic.name,
        "shortDescription": {"text": diagnostic.name},
        "defaultConfiguration": {"level": LEVELS[diagnostic.severity]},
    }
    if diagnostic.url:
        descriptor["helpUri"] = diagnostic.url
    return descriptor


class Fingerprints:
    """``partialFingerprints`` values: a hash of the rule, the path and the finding's first
    line with its whitespace collapsed, plus an occurrence number for identical lines, so
    code scanning follows a finding when lines are added above it."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.lines: dict[str, LineIndex] = {}
        self.seen: Counter[tuple[str, str, str]] = Counter()

    def __call__(self, diagnostic: Diagnostic, path: str) -> str:
        key = (diagnostic.code, path, self._line(diagnostic))
        occurrence = self.seen[key]
        self.seen[key] += 1
        return fingerprint(key, occurrence)

    def _line(self, diagnostic: Diagnostic) -> str:
        source = self.report.sources.get(diagnostic.filename)
        if source is None:
            return diagnostic.message
        lines = self.lines.get(diagnostic.filename)
        if lines is None:
            lines = self.lines[diagnostic.filename] = LineIndex(source)
        if not 1 <= diagnostic.start.row <= lines.row_count:
            return diagnostic.message
        span = lines.line_span(diagnostic.start.row)
        return " ".join(source[span.start : span.end].split())


def result(diagnostic: Diagnostic, rule_index: int, path: str | None = None,
           fingerprint: str | None = None) -> dict[str, Any]:
    """One SARIF result; ``path`` is the file's path from the repository root."""
    uri = artifact_uri(diagnostic.filename if path is None else path)
    message = diagnostic.message
    if diagnostic.help:
        message += f" ({diagnostic.help})"
    out: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": region(diagnostic.start, diagnostic.end),
            }
        }],
    }
    if fingerprint is not None:
        out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    if diagnostic.fix is not None and diagnostic.fix_positions:
        out["fixes"] = [{
            "description": {
                "text": diagnostic.fix.message
                + ("" if diagnostic.fix.is_safe else " (unsafe: changes behaviour)")
            },
            "artifactChanges": [{
                "artifactLocation": {"uri": uri},
                "replacements": [
                    {
                        "deletedRegion": region(start, end),
                        "insertedContent": {"text": edit.content},
                    }
                    for edit, (start, end) in zip(
                        diagnostic.fix.edits, diagnostic.fix_positions, strict=False
                    )
                ],
            }],
        }]
    return out


def sarif_log(report: Report) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    shown = for_format(GITHUB_ROOT)
    fingerprints = Fingerprints(report)
    for diagnostic in report.diagnostics:
        if diagnostic.code not in index_of:
            index_of[diagnostic.code] = len(rules)
            found = get_rule(diagnostic.code)
            rules.append(rule_descriptor(found, diagnostic.url) if found is not None
                         else _fallback_descriptor(diagnostic))
        path = shown(diagnostic.filename)
        results.append(result(diagnostic, index_of[diagnostic.code], path,
                              fingerprints(diagnostic, path)))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "prefect-lint",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(report: Report, out: TextIO) -> None:
    json.dump(sarif_log(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
