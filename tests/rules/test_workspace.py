"""P006, P007, R007, R008: names checked against the workspace snapshot of `prefect-lint pull`."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from linter.core.diagnostics import Diagnostic, Severity
from linter.core.selection import normalize_selectors
from linter.errors import ConfigError
from linter.prefect.workspace import (
    PoolNames,
    Workspace,
    stale_notice,
    workspace_json,
)
from linter.project.config import ConfigResolver, Overrides, read_config_file
from linter.run.runner import Runner
from tests.conftest import spans, write

SNAPSHOT = Workspace(
    api_host="127.0.0.1:4200",
    pulled_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    pools={"k8s-prod": PoolNames("kubernetes", frozenset({"default", "high-memory"})),
           "proc": PoolNames("process", frozenset({"default"}))},
    blocks={"secret": frozenset({"db-password"}), "json": frozenset({"settings"})},
    variables=frozenset({"image_tag", "region"}),
)

FILE = """\
pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/org/repo.git
      access_token: "{{ prefect.blocks.secret.git-token }}"
deployments:
  - name: good
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s-prod
      work_queue_name: high-memory
      job_variables:
        image: "org/etl:{{ prefect.variables.image_tag }}"
        env:
          DB: "{{ prefect.blocks.secret.db-password }}"
  - name: wrong
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s-prdo
      work_queue_name: anything
  - name: wrong-queue
    entrypoint: flows/etl.py:etl
    work_pool:
      name: proc
      work_queue_name: defualt
      job_variables:
        env:
          REGION: "eu-{{ prefect.variables.regoin }}"
          SETTINGS: "{{ prefect.blocks.secret.settings }}"
"""

SELECT = ("P006", "P007", "R007", "R008")


def lint(root: Path, text: str, snapshot: Workspace | None = SNAPSHOT,
         config: str = "[tool.prefect-lint]\n") -> list[Diagnostic]:
    config_path = write(root, "pyproject.toml", config)
    if snapshot is not None:
        write(root, ".prefect-lint/workspace.json", workspace_json(snapshot))
    settings = read_config_file(config_path)
    assert settings is not None
    overrides = Overrides(select=tuple(normalize_selectors(SELECT, "test")))
    runner = Runner(ConfigResolver(overrides, cwd=root))
    result = runner.lint_text(textwrap.dedent(text), "prefect.yaml", None,
                              overrides.apply(settings))
    return sorted(result.diagnostics, key=Diagnostic.sort_key)


def test_each_missing_name_is_found_on_its_row_and_existing_ones_are_not(tmp_path: Path) -> None:
    found = lint(tmp_path, FILE)
    assert [(d.code, d.start.row, d.start.column) for d in found] == [
        ("R007", 4, 22),
        ("P006", 18, 13),
        ("P007", 24, 24),
        ("R008", 27, 23),
        ("R007", 28, 22),
    ]
    assert spans(FILE, found) == [
        "{{ prefect.blocks.secret.git-token }}", "k8s-prdo", "defualt",
        "{{ prefect.variables.regoin }}", "{{ prefect.blocks.secret.settings }}"]
    by_code = {d.code: d for d in found}
    assert 'did you mean "k8s-prod"?' in by_code["P006"].message
    assert "127.0.0.1:4200" in by_code["P006"].message
    assert by_code["P006"].severity is Severity.ERROR
    assert 'did you mean "default"?' in by_code["P007"].message
    assert by_code["P007"].severity is Severity.WARNING
    assert 'did you mean "region"?' in by_code["R008"].message
    assert "empty string" in by_code["R008"].message
    settings_block = found[-1]
    assert 'there is one of the block type "json"' in settings_block.message
    assert settings_block.help == "write `{{ prefect.blocks.json.settings }}`"


def test_without_a_snapshot_nothing_is_reported(tmp_path: Path) -> None:
    assert lint(tmp_path, FILE, snapshot=None) == []


def test_names_chosen_at_deploy_time_and_malformed_placeholders_are_not_judged(
        tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: a
        work_pool:
          name: "{{ $POOL }}"
          work_queue_name: nowhere
          job_variables:
            image: "{{ prefect.variables.Bad_Name }}"
            token: "{{ prefect.blocks.secret }}"
        triggers:
          - enabled: true
            parameters:
              x: "{{ prefect.variables.not_templated_here }}"
    """
    assert lint(tmp_path, text) == []


def test_a_value_shared_through_an_alias_is_reported_once(tmp_path: Path) -> None:
    text = """\
    definitions:
      pool: &pool
        name: k8s-prdo
        job_variables:
          image: "{{ prefect.variables.missing }}"
    deployments:
      - name: a
        work_pool: *pool
      - name: b
        work_pool: *pool
    """
    found = lint(tmp_path, text)
    assert [(d.code, d.start.row) for d in found] == [("P006", 3), ("R008", 5)]


def test_a_changed_snapshot_is_read_again(tmp_path: Path) -> None:
    assert [d.code for d in lint(tmp_path, FILE)].count("P006") == 1
    grown = SNAPSHOT._replace(pools={**SNAPSHOT.pools,
                                     "k8s-prdo": PoolNames("kubernetes", frozenset())})
    assert "P006" not in [d.code for d in lint(tmp_path, FILE, snapshot=grown)]


def test_a_damaged_snapshot_is_a_configuration_error(tmp_path: Path) -> None:
    write(tmp_path, ".prefect-lint/workspace.json", '{"snapshot": "something else"}')
    with pytest.raises(ConfigError, match="not a workspace snapshot"):
        lint(tmp_path, FILE, snapshot=None)


def _settings(root: Path, config: str = "[tool.prefect-lint]\n"):  # type: ignore[no-untyped-def]
    settings = read_config_file(write(root, "pyproject.toml", config))
    assert settings is not None
    return settings


def test_a_stale_snapshot_gives_one_notice_with_a_configurable_age(tmp_path: Path) -> None:
    old = SNAPSHOT._replace(pulled_at="2026-01-01T00:00:00Z")
    write(tmp_path, ".prefect-lint/workspace.json", workspace_json(old))
    now = time.mktime((2026, 3, 1, 0, 0, 0, 0, 0, 0))  # about 59 days later
    notice = stale_notice(_settings(tmp_path).workspace, now)
    assert notice is not None and "was pulled 59 days ago (more than 30 days)" in notice
    longer = _settings(tmp_path, "[tool.prefect-lint.workspace]\nmax-age-days = 90\n")
    assert stale_notice(longer.workspace, now) is None
    with pytest.raises(ConfigError, match="max-age-days` must be a number of days"):
        never = _settings(tmp_path, "[tool.prefect-lint.workspace]\nmax-age-days = 0\n")
        stale_notice(never.workspace, now)


def test_a_fresh_snapshot_or_none_gives_no_notice(tmp_path: Path) -> None:
    assert stale_notice(_settings(tmp_path).workspace, time.time()) is None
    write(tmp_path, ".prefect-lint/workspace.json", workspace_json(SNAPSHOT))
    assert stale_notice(_settings(tmp_path).workspace, time.time()) is None


def test_did_you_mean_among_thousands_of_names_compares_only_the_nearest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.rules import workspace as rules

    names = frozenset({f"name-{n:05}" for n in range(5000)} | {"database-password"})
    assert rules._hint("database-pasword", names) == ' (did you mean "database-password"?)'
    assert rules._hint("zzz", names) == ""
    compared: list[int] = []
    original = rules.did_you_mean

    def counting(word: str, candidates, cutoff: float = 0.75):  # type: ignore[no-untyped-def]
        compared.append(len(list(candidates)))
        return original(word, candidates, cutoff)

    monkeypatch.setattr(rules, "did_you_mean", counting)
    rules._hint("name-0123", names)
    assert compared == [rules.SUGGESTION_CANDIDATES]
