"""D rules."""

from __future__ import annotations

from linter.diagnostics import Severity
from tests.conftest import codes, lint, spans


def test_d001_same_flow_is_error_with_position() -> None:
    text = """\
    deployments:
      - name: nightly
        entrypoint: flows/etl.py:etl
      - name: nightly
        entrypoint: flows/etl.py:etl
    """
    found = lint(text, select=["D001"])
    assert codes(found) == ["D001"]
    assert found[0].severity is Severity.ERROR
    assert (found[0].start.row, found[0].start.column) == (4, 11)
    assert spans(text, found) == ["nightly"]
    assert "line 2" in found[0].message


def test_d001_different_flow_is_warning() -> None:
    text = """\
    deployments:
      - name: nightly
        entrypoint: flows/etl.py:etl
      - name: nightly
        entrypoint: flows/report.py:report
    """
    found = lint(text, select=["D001"])
    assert [d.severity for d in found] == [Severity.WARNING]


def test_d001_miss_and_unnamed() -> None:
    text = """\
    deployments:
      - name: a
      - name: b
      - entrypoint: x.py:f
      - entrypoint: x.py:f
    """
    assert lint(text, select=["D001"]) == []


def test_d001_names_through_anchors() -> None:
    text = """\
    definitions:
      base: &base {name: shared, entrypoint: "f.py:f"}
    deployments:
      - *base
      - <<: *base
    """
    found = lint(text, select=["D001"])
    assert codes(found) == ["D001"]
    assert found[0].start.row == 2  # the name is written in the anchor
