"""``[*]`` marks a finding that ``--fix`` would fix (ruff's convention); a finding with only
an unsafe fix is counted in the summary's hint instead."""

from __future__ import annotations

import io

import pytest

from linter.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Position, Severity, Span
from linter.report import Report, renderer


def finding(code: str, applicability: Applicability) -> Diagnostic:
    return Diagnostic(
        code=code, name="x", severity=Severity.WARNING, message=f"{code} message",
        filename="prefect.yaml", span=Span(0, 1), start=Position(1, 1), end=Position(1, 2),
        fix=Fix("do it", (Edit(0, 1, "y"),), applicability),
    )


def rendered(report: Report, name: str = "concise") -> str:
    out = io.StringIO()
    renderer(name)(report, out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["concise", "full"])
def test_unsafe_fix_gets_no_mark_and_a_hint(name: str) -> None:
    report = Report([finding("L001", Applicability.UNSAFE)], files_checked=1)
    text = rendered(report, name)
    assert "L001 [*]" not in text
    assert "L001 [warning]" in text
    assert text.endswith("No fixes available (1 hidden fix can be enabled with the "
                         "`--unsafe-fixes` option; they change what Prefect does).\n")


def test_safe_fix_is_marked_and_unsafe_ones_are_counted() -> None:
    report = Report([finding("Y008", Applicability.SAFE), finding("L001", Applicability.UNSAFE),
                     finding("L004", Applicability.UNSAFE)], files_checked=1)
    text = rendered(report)
    assert "Y008 [*] [warning]" in text
    assert "L001 [warning]" in text
    assert text.endswith("[*] 1 fixable with `prefect-lint check --fix` (2 hidden fixes can be "
                         "enabled with the `--unsafe-fixes` option; they change what Prefect "
                         "does).\n")


def test_unsafe_fix_is_marked_when_unsafe_fixes_are_enabled() -> None:
    report = Report([finding("L001", Applicability.UNSAFE)], files_checked=1,
                    unsafe_fixes_enabled=True)
    text = rendered(report)
    assert "L001 [*] [warning]" in text
    assert text.endswith("[*] 1 fixable with `prefect-lint check --fix`.\n")


def test_statistics_mark_only_safe_fixes(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").write_text(
        "deployments:\n  - name: a\n    entrypoint: f.py:f\n    schedules:\n"
        "      - interval: \"600\"\n", encoding="utf-8")
    result = cli("check", "--statistics", "--select", "C002", "prefect.yaml")
    assert "C002      invalid-interval" in result.output
    result = cli("check", "--statistics", "--unsafe-fixes", "--select", "C002", "prefect.yaml")
    assert "C002  [*] invalid-interval" in result.output
