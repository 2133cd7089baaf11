"""The two version data files agree: the behaviour periods transcribed from VERSIONS.md
(schemas/versions/behaviour.json) against what the generator dumped from each installed
release (schemas/versions/releases.json, scripts/dump_prefect_versions.py)."""

from __future__ import annotations

from typing import Any

import pytest

from linter.prefect import versions
from linter.prefect.releases import RELEASES, format_version, make_target
from linter.resources import load_json

DUMPED: dict[str, Any] = load_json("versions", "releases.json")["releases"]
NAMES = sorted(DUMPED, key=lambda name: tuple(int(part) for part in name.split(".")))


def test_every_supported_release_was_dumped() -> None:
    supported = {format_version(release) for release in RELEASES}
    assert set(DUMPED) == supported  # every supported minor's newest patch was dumped


@pytest.mark.parametrize("name", NAMES)
def test_periods_match_the_dump(name: str) -> None:
    dump = DUMPED[name]
    target = make_target(name, "test")
    assert dump["version"] == name
    has_alias = any(step.startswith("prefect.projects.steps.") for step in dump["steps"])
    assert has_alias == versions.projects_alias_resolves(target)
    assert ("prefect agent start" in dump["commands"]) == versions.agent_commands_work(target)
    assert ("prefect deployment build" in dump["commands"]) == \
        versions.agent_commands_work(target)
    has_clone_project = "prefect.deployments.steps.git_clone_project" in dump["steps"]
    assert has_clone_project == versions.agent_commands_work(target)
    assert dump["model"]["present"] == versions.model_validates(target)
    names = dump["python_names"]
    assert "prefect.deployments.run_deployment" in names  # the probe imported the package
    for agent_era in ("prefect.deployments.Deployment", "prefect.agent.PrefectAgent",
                      "prefect.infrastructure.KubernetesJob"):
        assert (agent_era in names) == versions.agent_commands_work(target), agent_era


@pytest.mark.parametrize("name", [name for name in NAMES if DUMPED[name]["model"]["present"]])
def test_model_fields_match_the_key_periods(name: str) -> None:
    model = DUMPED[name]["model"]
    target = make_target(name, "test")
    for (level, key), history in versions.key_histories().items():
        behaviour = versions.key_behaviour(history, target)
        fields = {"schedule": model["RawScheduleConfig"]["fields"],
                  "deployment": model["DeploymentConfig"]["fields"],
                  "concurrency_limit": model["ConcurrencyLimitSpec"]["fields"]}[level]
        if behaviour == versions.READ:
            assert key in fields, (name, level, key)
        else:
            assert key not in fields, (name, level, key, behaviour)
    assert model["RawScheduleConfig"]["extra"] == "forbid"
    assert versions.schedule_rejects_unknown_keys(target)


@pytest.mark.parametrize("name", [name for name in NAMES
                                  if not DUMPED[name]["model"]["present"]])
def test_key_periods_match_what_the_deploy_code_reads(name: str) -> None:
    """Before the model (3.4.19) a key does something only if the deploy code reads it."""
    reads = DUMPED[name]["key_reads"]
    target = make_target(name, "test")
    for (level, key), history in versions.key_histories().items():
        if level not in reads:
            continue
        read = versions.key_behaviour(history, target) == versions.READ
        assert read == (key in reads[level]), (name, level, key)
    assert ("is_schedule_active" in reads["deployment"]) == \
        versions.is_schedule_active_read(target)
