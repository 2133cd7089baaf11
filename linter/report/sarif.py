"""SARIF 2.1.0 (Static Analysis Results Interchange Format), read by GitHub code scanning,
Azure DevOps and many IDEs.

One run, with the metadata of every rule that has a result (code, name, summary, the rule's
whole reference page as help, default level, and a help URI only when a ``docs-url`` base is
configured), each result's location, and its fix as
``artifactChanges``/``replacements``. Columns count Unicode code points (``columnKind``), as
ours do.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from linter import __version__
from linter.diagnostics import Diagnostic, Position, Severity
from linter.registry import Rule, get_rule
from linter.report import Report
from linter.rule_docs import rule_page

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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


def result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    uri = artifact_uri(diagnostic.filename)
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
    for diagnostic in report.diagnostics:
        if diagnostic.code not in index_of:
            index_of[diagnostic.code] = len(rules)
            found = get_rule(diagnostic.code)
            rules.append(rule_descriptor(found, diagnostic.url) if found is not None
                         else _fallback_descriptor(diagnostic))
        results.append(result(diagnostic, index_of[diagnostic.code]))
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
