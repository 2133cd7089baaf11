"""Text from a checked file cannot drive the terminal or forge GitHub workflow commands."""

from __future__ import annotations

import io
import re

import pytest

from linter.core.diagnostics import Diagnostic, Fix, Position, Severity, Span
from linter.report import Report, renderer
from linter.report.github import escape_data
from tests.conftest import write

HOSTILE = 'x.py:f\n::add-mask::secret\r::stop-commands::tok\x1b[2J\u202e ##[add-mask]y'
#: a file whose text reaches messages and the code frame (the value is a YAML escape string)
HOSTILE_YAML = (
    "deployments:\n"
    '  - name: "a\\n::warning::forged-name"\n'
    '    entrypoint: "x.py:f\\n::add-mask::secret\\r::stop-commands::tok\\e[2J ##[add-mask]y"\n'
    '    work_pool: {name: k8s}  # ##[add-mask]z\n'
)


def runner_lines(output: str) -> list[str]:
    """The output as GitHub's runner splits it into lines (at CR, LF and CRLF)."""
    return re.split(r"\r\n|\r|\n", output)


def forged(line: str) -> bool:
    """Whether GitHub's runner would read the line as a command (either syntax)."""
    return line.lstrip().startswith("::") or "##[" in line


def diagnostic(filename: str = "prefect.yaml", text: str = HOSTILE) -> Diagnostic:
    return Diagnostic(
        code="D003", name="entrypoint-file-missing", severity=Severity.ERROR,
        message=f'entrypoint file "{text}" does not exist', filename=filename,
        span=Span(14, 20), start=Position(2, 1), end=Position(2, 7), help=f"help {text}",
        fix=Fix(f"write {text}", ()),
    )


def rendered(name: str, report: Report) -> str:
    out = io.StringIO()
    renderer(name)(report, out)
    return out.getvalue()


@pytest.mark.parametrize("output_format", ["full", "concise"])
def test_human_formats_escape_control_characters(
    output_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    source = f"a: 1\nentry\x1b[31m: {HOSTILE}\n"
    output = rendered(output_format, Report([diagnostic()], {"prefect.yaml": source}))
    assert "\x1b" not in output and "\u202e" not in output
    assert not any(forged(line) for line in runner_lines(output))
    assert '"x.py:f\\n::add-mask::secret\\r::stop-commands::tok\\x1b[2J\\u202e' in output


def test_code_frame_keeps_the_underline_in_its_column() -> None:
    source = "a: 1\n\x1bb: 2\n"
    found = diagnostic()._replace(span=Span(6, 7), start=Position(2, 2), end=Position(2, 3))
    lines = rendered("full", Report([found], {"prefect.yaml": source})).splitlines()
    row = next(line for line in lines if line.startswith("2 |"))
    marker = lines[lines.index(row) + 1]
    assert row == "2 | \u241bb: 2"
    assert marker.index("^") == row.index("b")


def test_path_that_looks_like_a_command_is_shown_as_relative(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    output = rendered("concise", Report([diagnostic(" ::warning::x/prefect.yaml", "m")], {}))
    assert output.startswith("./ ::warning::x/prefect.yaml:2:1: D003")


def test_github_format_cannot_start_a_command_in_its_data() -> None:
    assert escape_data("a ##[add-mask]b\nc") == "a ##%5Badd-mask]b%0Ac"
    output = rendered("github", Report([diagnostic()], {}))
    lines = runner_lines(output.rstrip("\n"))
    assert len(lines) == 1 and lines[0].startswith("::error file=prefect.yaml,")
    assert "##[" not in output


def test_default_output_under_github_actions_forges_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "prefect.yaml", HOSTILE_YAML)
    write(tmp_path, "::stop-commands::tok/prefect.yaml", HOSTILE_YAML)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("check", "--no-cache")
    assert result.exit_code == 1
    lines = runner_lines(result.output)
    annotations = [line for line in lines if line.startswith("::")]
    assert annotations and all(re.match(r"::(error|warning|notice) file=", line)
                               for line in annotations)
    assert not any(forged(line) for line in lines if not line.startswith("::error file="))
    assert "\x1b" not in result.output
