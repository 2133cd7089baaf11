"""reviewdog's Diagnostic Format (``--output-format rdjson``) and ``--statistics`` as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from linter.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Position, Severity, Span
from linter.report import Report, renderer
from tests.report.test_ci_formats import report_for

BROKEN = """\
deployments:
- name: étl   # café
  entrypoint: flows/etl.py:etl
  schedule:
    cron: "61 * * * *"
  tags: nightly
"""


def rdjson(report: Report) -> dict[str, Any]:
    out = io.StringIO()
    renderer("rdjson")(report, out)
    loaded: dict[str, Any] = json.loads(out.getvalue())
    return loaded


def made_up(source: str, span: Span, fix: Fix | None, severity: Severity = Severity.WARNING
            ) -> Diagnostic:
    return Diagnostic("X001", "made-up", severity, "message", "prefect.yaml", span,
                      Position(1, span.start + 1), Position(1, span.end + 1), fix=fix)


def test_every_finding_has_path_line_column_code_and_severity() -> None:
    report = report_for(BROKEN)
    result = rdjson(report)
    assert result["source"]["name"] == "prefect-lint"
    assert len(result["diagnostics"]) == len(report.diagnostics) >= 3
    for entry, diagnostic in zip(result["diagnostics"], report.diagnostics, strict=True):
        assert entry["location"]["path"] == "prefect.yaml"
        assert entry["location"]["range"]["start"]["line"] == diagnostic.start.row
        assert entry["location"]["range"]["start"]["column"] >= 1
        assert entry["code"]["value"] == diagnostic.code
        assert entry["severity"] == diagnostic.severity.value.upper()
        assert entry["message"].startswith(diagnostic.message)


def test_columns_count_utf8_bytes_after_non_ascii_text() -> None:
    source = "a: é1x\n"
    start = source.index("1")
    diagnostic = made_up(source, Span(start, start + 1), None)
    entry = rdjson(Report([diagnostic], {"prefect.yaml": source}))["diagnostics"][0]
    # "a: é" is 4 characters but 5 bytes: the "1" starts at byte column 6
    assert entry["location"]["range"] == {"start": {"line": 1, "column": 6},
                                          "end": {"line": 1, "column": 7}}


def test_safe_fix_is_one_suggestion_with_every_edit_applied() -> None:
    source = "tags: a, b\n"
    fix = Fix("make a list", (Edit.insert(6, "["), Edit.insert(10, "]")))
    diagnostic = made_up(source, Span(6, 10), fix)
    entry = rdjson(Report([diagnostic], {"prefect.yaml": source}))["diagnostics"][0]
    assert entry["suggestions"] == [{
        "range": {"start": {"line": 1, "column": 7}, "end": {"line": 1, "column": 11}},
        "text": "[a, b]",
    }]
    applied = source[:6] + entry["suggestions"][0]["text"] + source[10:]
    assert applied == "tags: [a, b]\n"


def test_unsafe_fix_is_suggested_only_when_unsafe_fixes_are_enabled() -> None:
    source = "tags: a\n"
    fix = Fix("make a list", (Edit(6, 7, "[a]"),), Applicability.UNSAFE)
    diagnostic = made_up(source, Span(6, 7), fix)
    entry = rdjson(Report([diagnostic], {"prefect.yaml": source}))["diagnostics"][0]
    assert "suggestions" not in entry
    entry = rdjson(Report([diagnostic], {"prefect.yaml": source},
                          unsafe_fixes_enabled=True))["diagnostics"][0]
    assert entry["suggestions"][0]["text"] == "[a]"


def test_a_finding_without_source_text_keeps_its_character_positions() -> None:
    diagnostic = made_up("", Span(0, 0), None, Severity.ERROR)
    entry = rdjson(Report([diagnostic], {}))["diagnostics"][0]
    assert entry["location"]["range"]["start"] == {"line": 1, "column": 1}
    assert entry["severity"] == "ERROR"


def test_cli_writes_rdjson_whose_suggestions_fix_the_file(cli, tmp_path: Path  # type: ignore[no-untyped-def]
                                                           ) -> None:
    (tmp_path / "prefect.yaml").write_text(BROKEN, encoding="utf-8")
    result = cli("check", "--output-format", "rdjson", "prefect.yaml")
    assert result.exit_code == 1
    entries = json.loads(result.output)["diagnostics"]
    codes = {entry["code"]["value"] for entry in entries}
    assert {"C001", "S005", "L002"} <= codes
    suggested = [entry for entry in entries if "suggestions" in entry]
    assert [entry["code"]["value"] for entry in suggested] == ["L002"]  # S005's fix is unsafe


def test_statistics_as_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").write_text(BROKEN + "x: 1\nx: 2\nx: 3\n", encoding="utf-8")
    result = cli("check", "--statistics", "--output-format", "json", "prefect.yaml")
    assert result.exit_code == 1
    rows = json.loads(result.output)
    assert rows[0] == {"code": "Y002", "name": rows[0]["name"], "severity": "error",
                       "count": 2, "fixable": 0}
    by_code = {row["code"]: row for row in rows}
    assert by_code["L002"]["count"] == 1 and by_code["L002"]["fixable"] == 1
    assert by_code["S005"]["fixable"] == 0
    unsafe = json.loads(cli("check", "--statistics", "--output-format", "json",
                            "--unsafe-fixes", "prefect.yaml").output)
    assert {row["code"]: row["fixable"] for row in unsafe}["S005"] == 1
