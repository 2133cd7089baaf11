"""The CI formats beyond their golden files: SARIF against the official schema, GitHub
escaping, GitLab fingerprints, JUnit structure, JSON lines."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest

from linter.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Position, Severity, Span
from linter.project.config import ConfigResolver, Settings
from linter.report import Report, renderer
from linter.report.github import annotation, escape_data, escape_property
from linter.report.gitlab import issues
from linter.report.sarif import artifact_uri, sarif_log
from linter.run.runner import Runner
from tests.conftest import shared_path
from tests.report.test_formats import SOURCE, make_report


def report_for(text: str, filename: str = "prefect.yaml") -> Report:
    runner = Runner(ConfigResolver(cwd=Path("/")))
    result = runner.lint_text(text, filename, None, Settings(root=Path("/")))
    return Report(result.diagnostics, {filename: text}, files_checked=1)


def rendered(name: str, report: Report) -> str:
    out = io.StringIO()
    renderer(name)(report, out)
    return out.getvalue()


def validate_sarif(log: Any) -> None:
    schema_file = shared_path("schemas", "sarif-schema-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


# -- SARIF --------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema() -> None:
    validate_sarif(json.loads(rendered("sarif", make_report())))


def test_sarif_without_findings_is_valid() -> None:
    log = json.loads(rendered("sarif", Report([], {}, files_checked=0)))
    validate_sarif(log)
    assert log["runs"][0]["results"] == []


def test_sarif_rule_metadata_and_results() -> None:
    log = sarif_log(make_report())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["M001", "Y002", "D001"]
    y002 = rules[1]
    assert y002["name"] == "duplicate-key"
    assert "helpUri" not in y002  # no docs-url configured: no link
    assert y002["defaultConfiguration"]["level"] == "error"
    assert y002["shortDescription"]["text"].startswith("A key appears twice")
    assert "**Why**" in y002["help"]["markdown"]
    assert run["columnKind"] == "unicodeCodePoints"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"M001": "warning", "Y002": "error", "D001": "error"}
    d001 = run["results"][2]
    assert rules[d001["ruleIndex"]]["id"] == "D001"
    assert d001["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/prefect.yaml"},
        "region": {"startLine": 7, "startColumn": 11, "endLine": 7, "endColumn": 18},
    }


def test_sarif_fix_replacements_match_the_edit() -> None:
    log = sarif_log(make_report())
    m001 = log["runs"][0]["results"][0]
    change = m001["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "deploy/prefect.yaml"
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == {
        "startLine": 2, "startColumn": 18, "endLine": 2, "endColumn": 49,
    }
    assert replacement["insertedContent"] == {"text": ""}
    line = SOURCE.splitlines()[1]
    assert line[17:48] == "   # prefect-lint: disable=Y002"
    assert line[:17] + line[48:] == "  - name: nightly"
    assert "fixes" not in log["runs"][0]["results"][1]  # Y002 has no fix


def test_sarif_unsafe_fix_says_so_and_validates() -> None:
    fix = Fix("quote the value", (Edit(3, 5, '"1.10"'),), Applicability.UNSAFE)
    diagnostic = _diagnostic("prefect.yaml", "Y002")._replace(fix=fix,
                         fix_positions=((Position(1, 4), Position(1, 6)),))
    log = sarif_log(Report([diagnostic], {}))
    validate_sarif(log)
    (sarif_fix,) = log["runs"][0]["results"][0]["fixes"]
    assert sarif_fix["description"]["text"] == "quote the value (unsafe: changes behaviour)"
    (replacement,) = sarif_fix["artifactChanges"][0]["replacements"]
    assert replacement == {
        "deletedRegion": {"startLine": 1, "startColumn": 4, "endLine": 1, "endColumn": 6},
        "insertedContent": {"text": '"1.10"'},
    }


def test_sarif_uris() -> None:
    assert artifact_uri("deploy/my flows/prefect.yaml") == "deploy/my%20flows/prefect.yaml"
    assert artifact_uri("/abs/prefect.yaml") == "file:///abs/prefect.yaml"
    report = Report([_diagnostic("/abs/dir #1/prefect.yaml", "D001")], {})
    log = sarif_log(report)
    validate_sarif(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "file:///abs/dir%20%231/prefect.yaml"}


# -- GitHub -------------------------------------------------------------------------------


def _diagnostic(filename: str, code: str, message: str = "m", help: str | None = None,
                severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(
        code=code, name="duplicate-deployment-name", severity=severity, message=message,
        filename=filename, span=Span(0, 1), start=Position(3, 5), end=Position(3, 9),
        help=help, url=f"https://prefect-lint.dev/rules/{code}",
    )


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%d\n") == "a%2Cb%3Ac%25d%0A"
    line = annotation(_diagnostic("dir,x/a:b.yaml", "D001", "50% of \"x\":\ny", "say so"))
    assert line == (
        "::error file=dir%2Cx/a%3Ab.yaml,line=3,col=5,endLine=3,endColumn=9,title=D001"
        "::D001 [error] 50%25 of \"x\":\\ny%0Ahelp: say so%0Ahttps://prefect-lint.dev/rules/D001"
    )
    assert "\n" not in line


@pytest.mark.parametrize(("severity", "level"), [
    (Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice"),
])
def test_github_levels(severity: Severity, level: str) -> None:
    assert annotation(_diagnostic("p.yaml", "D001", severity=severity)).startswith(
        f"::{level} file=p.yaml,")


# -- GitLab -------------------------------------------------------------------------------


def test_gitlab_fingerprint_survives_a_line_shift() -> None:
    shifted = "# a comment added above\n\n" + SOURCE
    before = {i["check_name"]: i["fingerprint"] for i in issues(make_report())}
    after_report = report_for(shifted, "deploy/prefect.yaml")
    after = {i["check_name"]: i["fingerprint"] for i in issues(after_report)}
    assert before == after
    lines = {i["check_name"]: i["location"]["positions"]["begin"]["line"]
             for i in issues(after_report)}
    assert lines == {"M001": 4, "Y002": 8, "D001": 9}


def test_gitlab_fingerprints_distinct_and_content_sensitive() -> None:
    entry = "    entrypoint: f.py:f\n    work_pool: {name: k8s}\n"
    text = f"deployments:\n  - name: a\n{entry}  - name: a\n{entry}  - name: a\n{entry}"
    found = issues(report_for(text))
    assert [i["check_name"] for i in found] == ["D001", "D001"]
    assert len({i["fingerprint"] for i in found}) == 2  # same code, file and text
    other_file = issues(report_for(text, "other/prefect.yaml"))
    assert {i["fingerprint"] for i in found}.isdisjoint(i["fingerprint"] for i in other_file)
    assert all(len(i["fingerprint"]) == 64 for i in found)
    assert {i["severity"] for i in found} == {"major"}


def test_gitlab_fingerprints_a_file_name_that_is_not_utf8() -> None:
    """A file name with undecodable bytes reaches the report as surrogates (os's
    surrogateescape); GitLab's format crashed on it (UnicodeEncodeError), SARIF's did not."""
    found = issues(report_for(SOURCE, "deploy/bad\udcffname/prefect.yaml"))
    assert found and all(len(i["fingerprint"]) == 64 for i in found)


# -- JUnit --------------------------------------------------------------------------------


def test_junit_structure() -> None:
    report = make_report()
    report.sources["clean/prefect.yaml"] = "deployments: []\n"
    root = ElementTree.fromstring(rendered("junit", report))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "3")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"clean/prefect.yaml", "deploy/prefect.yaml"}
    (clean_case,) = suites["clean/prefect.yaml"].findall("testcase")
    assert clean_case.find("failure") is None
    cases = suites["deploy/prefect.yaml"].findall("testcase")
    assert [c.get("name") for c in cases] == ["M001 at 2:45", "Y002 at 6:7", "D001 at 7:11"]
    failure = cases[2].find("failure")
    assert failure is not None and failure.get("type") == "D001"
    assert (failure.text or "").startswith("deploy/prefect.yaml:7:11: D001 [error]")


def test_junit_control_characters_stay_valid_xml() -> None:
    report = Report([_diagnostic("p.yaml", "Y001", "bad byte \x01 here\x0b")], {})
    failure = ElementTree.fromstring(rendered("junit", report)).find(".//failure")
    assert failure is not None
    assert failure.get("message") == "bad byte \\x01 here\\x0b"


# -- JSON lines ---------------------------------------------------------------------------


def test_json_lines_match_the_json_format() -> None:
    lines = rendered("json-lines", make_report()).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(rendered("json", make_report()))
    assert rendered("json-lines", Report([], {})) == ""
