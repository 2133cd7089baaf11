"""False alarms found on the real-world corpus stay fixed, and its true findings stay.

Reads ``../shared/corpus`` (never copied into the project); skipped where it is absent, as in
a user's clone.
"""

from __future__ import annotations

import pytest

from linter.core.diagnostics import Diagnostic, Severity
from linter.project.config import ConfigResolver
from linter.run.runner import Runner
from tests.conftest import shared_path

SKELETON_ABOVE_REAL = [
    "Autonomous-Finance__dataos-pipeline__prefect.yaml",
    "AbhishekRS4__Data_Ingestion_Prefect__prefect.yaml",
    "PrefectHQ__prefect-recipes__azure__prefect-2__prefect-worker-on-aci__prefect.yaml",
]


def _findings(name: str) -> list[Diagnostic]:
    path = shared_path("corpus", "prefect_yaml", name)
    result = Runner(ConfigResolver(cwd=path.parent)).lint_path(path)
    assert result is not None
    return result.diagnostics


@pytest.mark.parametrize("name", SKELETON_ABOVE_REAL)
def test_prefect_init_skeleton_above_real_deployments_is_one_warning(name: str) -> None:
    found = _findings(name)
    d011 = [d for d in found if d.code == "D011"]
    assert [d.severity for d in d011] == [Severity.WARNING]
    assert not [d for d in found if d.code in ("D013", "D015") and "#1" in d.message]


def test_lone_unnamed_deployment_stays_an_error() -> None:
    found = _findings("AP-B-AI-ML-Ops__project-RedPandaMC__prefect.yaml")
    assert [d.severity for d in found if d.code == "D011"] == [Severity.ERROR]


def test_anchor_holders_beside_deployments_are_info() -> None:
    found = _findings("OlegPodlipalin__kedro_prefect__prefect.yml")
    assert [(d.code, d.severity) for d in found if d.code.startswith("S")] == [
        ("S001", Severity.INFO), ("S001", Severity.INFO)]


def test_true_findings_stay() -> None:
    assert [d.code for d in _findings("hravat__alphafoldmlops__flows__prefect.yaml")
            if d.code == "D014"] == ["D014"] * 3
    assert {d.code for d in _findings("titabo2k__prefect-docker-compose__flows__prefect.yaml")
            if d.severity is Severity.ERROR} >= {"S001"}
