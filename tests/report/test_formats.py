"""Each output format against a golden file (regenerate with UPDATE_GOLDEN=1)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from linter.project.config import ConfigResolver, Settings
from linter.report import FORMATS, Report, renderer
from linter.run.runner import Runner

GOLDEN = Path(__file__).parent / "golden"

SOURCE = """\
deployments:
  - name: nightly   # prefect-lint: disable=Y002
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
      name: k8s-prod
  - name: nightly
    entrypoint: flows/etl.py:etl
    work_pool: {name: k8s-prod}
"""


def make_report(color: bool = False) -> Report:
    runner = Runner(ConfigResolver(cwd=Path("/")))
    result = runner.lint_text(SOURCE, "deploy/prefect.yaml", None, Settings(root=Path("/")))
    return Report(result.diagnostics, {result.filename: SOURCE}, files_checked=1, color=color)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_golden(name: str) -> None:
    out = io.StringIO()
    renderer(name)(make_report(), out)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out.getvalue(), encoding="utf-8")
    assert out.getvalue() == golden.read_text(encoding="utf-8")


def test_json_contract_keys() -> None:
    out = io.StringIO()
    renderer("json")(make_report(), out)
    items = json.loads(out.getvalue())
    assert [d["code"] for d in items] == ["M001", "Y002", "D001"]
    for item in items:
        assert set(item) == {"code", "name", "severity", "message", "filename", "location",
                             "end_location", "fix", "url"}
        assert set(item["location"]) == {"row", "column"}
    fix = items[0]["fix"]
    assert set(fix) == {"applicability", "message", "edits"}
    assert fix["applicability"] == "safe"
    assert set(fix["edits"][0]) == {"content", "location", "end_location"}


def test_positions_match_the_text() -> None:
    lines = SOURCE.splitlines()
    for diagnostic in make_report().diagnostics:
        line = lines[diagnostic.start.row - 1]
        underlined = line[diagnostic.start.column - 1 : diagnostic.end.column - 1]
        expected = {"M001": "Y002", "Y002": "name", "D001": "nightly"}[diagnostic.code]
        assert underlined == expected


def test_colour_only_when_asked() -> None:
    plain, coloured = io.StringIO(), io.StringIO()
    renderer("full")(make_report(color=False), plain)
    renderer("full")(make_report(color=True), coloured)
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[" in coloured.getvalue()


def test_use_color_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.report.style import use_color

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(io.StringIO()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
    assert use_color(Tty(), requested=True) is True


def test_the_full_format_indexes_each_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A code frame per finding must not index the whole text again (that made the report
    of a 1,200-deployment file with 2,700 findings take minutes)."""
    import linter.report.full as full
    from linter.source.document import LineIndex

    text = "deployments:\n" + "".join(f"  - name: same\n    version: 1.{i}\n" for i in range(60))
    result = Runner(ConfigResolver()).lint_text(text, "prefect.yaml", settings=Settings(
        root=Path.cwd(), select=("D001", "Y008")))
    assert len(result.diagnostics) > 100
    made: list[str] = []

    class CountingIndex(LineIndex):
        def __init__(self, source: str) -> None:
            made.append(source)
            super().__init__(source)

    monkeypatch.setattr(full, "LineIndex", CountingIndex)
    out = io.StringIO()
    full.render(Report(result.diagnostics, {"prefect.yaml": text}), out)
    assert made == [text]
    assert out.getvalue().count("^") >= len(result.diagnostics)


def test_configuration_knows_every_output_format() -> None:
    """The configuration checks `output-format` against its own list of names (it may not
    import the reporters): the list and the reporters' table must name the same formats."""
    from linter.project.config import OUTPUT_FORMATS
    from linter.report import FORMATS

    assert tuple(FORMATS) == OUTPUT_FORMATS
