"""D rules."""

from __future__ import annotations

from linter.core.diagnostics import Severity
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


SKELETON_ABOVE_REAL = """\
deployments:
  - name: null
    version: null
    entrypoint: null
    work_pool:
      name: null
      job_variables: {}
  - name: nightly
    entrypoint: flows/etl.py:etl
    work_pool: {name: k8s}
"""


def test_skeleton_above_real_deployments_is_one_warning() -> None:
    """Prefect skips an unnamed entry among several and deploys the rest: one warning."""
    found = lint(SKELETON_ABOVE_REAL, select=["D011", "D013", "D015"])
    assert codes(found) == ["D011"]
    assert found[0].severity is Severity.WARNING
    assert found[0].start.row == 2
    assert "Discovered unnamed deployment. Skipping..." in found[0].message


def test_lone_unnamed_deployment_stays_an_error() -> None:
    text = "deployments:\n  - name: null\n    entrypoint: null\n    work_pool: {name: null}\n"
    found = lint(text, select=["D011", "D013", "D015"])
    assert sorted(codes(found)) == ["D011", "D013", "D015"]
    d011 = next(d for d in found if d.code == "D011")
    assert d011.severity is Severity.ERROR
    assert "A deployment name must be provided" in d011.message


def test_work_pool_null_is_an_error_that_no_flag_rescues() -> None:
    text = """\
    deployments:
      - name: nightly
        entrypoint: flows/etl.py:etl
        work_pool: null
      - name: weekly
        entrypoint: flows/etl.py:etl
        work_pool:
    """
    found = lint(text, select=["D013"])
    assert [d.severity for d in found] == [Severity.ERROR, Severity.ERROR]
    assert spans(text, found) == ["work_pool", "work_pool"]
    assert "TypeError" in found[0].message and "before `--pool`" in found[0].message


def test_pool_name_null_stays_a_warning() -> None:
    text = "deployments:\n  - name: a\n    work_pool: {name: null}\n"
    assert [d.severity for d in lint(text, select=["D013"])] == [Severity.WARNING]


def test_empty_name_among_several_is_not_skipped_but_stops_the_deploy() -> None:
    """Prefect skips only a missing or null name; `name: ""` reaches the name check."""
    text = SKELETON_ABOVE_REAL.replace("  - name: null\n", '  - name: ""\n', 1)
    found = lint(text, select=["D011"])
    assert [d.severity for d in found] == [Severity.ERROR]
    assert "A deployment name must be provided" in found[0].message


def test_missing_entrypoint_names_the_deployment_or_its_number() -> None:
    text = """\
    deployments:
      - name: nightly
        work_pool: {name: k8s}
      - name: ""
        entrypoint: null
        work_pool: {name: k8s}
    """
    found = lint(text, select=["D015"])
    assert found[0].message.startswith('deployment "nightly" has no `entrypoint`: ')
    assert found[1].message.startswith("deployment #2 has `entrypoint: null`: ")
    assert spans(text, found) == ["nightly", "entrypoint"]
