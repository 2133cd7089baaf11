"""The built-in pack ``prefect-lint:recommended``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import corpus_params, write

FLAGGED = """\
deployments:
  - name: a
    entrypoint: flows.py:main
    schedules:
      - cron: "0 * * * *"
      - cron: "0 1 * * *"
        timezone: UTC
    work_pool:
      name: k8s
      job_variables:
        image: app:latest
        env:
          API_TOKEN: abc123secret
          DB_PASSWORD: "{{ prefect.blocks.secret.db }}"
          LOG_LEVEL: debug
  - name: b
    description: builds the mart
    tags: [mart]
    entrypoint: flows.py:main
    work_pool:
      name: k8s
      job_variables:
        image: registry:5000/app
"""

CLEAN = """\
prefect-version: 3.4.0
deployments:
  - name: a
    description: builds the mart
    tags: [mart]
    entrypoint: flows.py:main
    schedules:
      - cron: "0 * * * *"
        timezone: Europe/Berlin
    work_pool:
      name: k8s
      job_variables:
        image: "{{ build-image.image }}"
        env:
          API_TOKEN: "{{ prefect.blocks.secret.api-token }}"
  - name: b
    description: pinned
    tags: [mart]
    entrypoint: flows.py:main
    work_pool:
      name: k8s
      job_variables:
        image: registry.example.com/app@sha256:0123
"""


def _check(cli, tmp_path: Path, text: str, config: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", text)
    write(tmp_path, "prefect-lint.toml", config)
    result = cli("check", "--no-cache", "--select", "REC", "--output-format", "json",
                 "prefect.yaml")
    assert result.exit_code in (0, 1), result.output
    return [(d["code"], d["location"]["row"]) for d in json.loads(result.stdout)]


def test_extending_the_pack_flags_latest_images(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "org.yaml", "extends: ['prefect-lint:recommended']\n")
    found = _check(cli, tmp_path, FLAGGED, 'policy-files = ["org.yaml"]\n')
    assert sorted(found) == sorted([
        ("REC003", 1),  # no prefect-version
        ("REC002", 2), ("REC006", 2),  # deployment a: no description, no tags
        ("REC004", 5),  # the schedule without a timezone
        ("REC001", 11),  # app:latest
        ("REC005", 13),  # API_TOKEN literal (DB_PASSWORD is a block reference)
        ("REC001", 23),  # untagged (the registry port is not a tag)
    ])


def test_a_compliant_file_passes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _check(cli, tmp_path, CLEAN, 'policy-files = ["prefect-lint:recommended"]\n') == []


def test_secret_values_never_reach_the_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", FLAGGED)
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["prefect-lint:recommended"]\n')
    for output_format in ("full", "json", "sarif"):
        result = cli("check", "--no-cache", "--output-format", output_format, "prefect.yaml")
        assert "REC005" in result.output
        assert "abc123secret" not in result.output  # not even in the full format's code frame


@pytest.mark.parametrize("path", corpus_params("prefect_yaml"))
def test_the_pack_runs_over_the_corpus_without_crashing(path: Path, tmp_path: Path) -> None:
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    write(tmp_path, "prefect-lint.toml", 'policy-files = ["prefect-lint:recommended"]\n')
    resolver = ConfigResolver(explicit=tmp_path / "prefect-lint.toml")
    result = Runner(resolver).lint_path(path)
    assert result is None or all(d.code for d in result.diagnostics)


def test_the_pack_rules_are_documented_without_a_configuration(cli) -> None:  # type: ignore[no-untyped-def]
    page = cli("rule", "rec004")
    assert page.exit_code == 0
    assert "# REC004 every-schedule-has-a-timezone" in page.output
    assert "prefect-lint:recommended" in page.output
    assert cli("rule", "REC999").exit_code == 2


EVERY_FUNCTION = """\
rules:
  ANY001: {given: "$..*", then: [{function: truthy}, {function: falsy},
           {field: name, function: defined}, {field: name, function: undefined}]}
  ANY002: {given: "$..*", then: {function: pattern, functionOptions: {match: "^a", notMatch: "b"}}}
  ANY003: {given: "$..*", then: {function: enumeration, functionOptions: {values: [1, "x", null]}}}
  ANY004: {given: "$..*", then: {function: length, functionOptions: {min: 2, max: 3}}}
  ANY005: {given: "$..*", then: {function: casing, functionOptions: {type: kebab}}}
  ANY006: {given: "$..*", then: {function: xor, functionOptions: {properties: [cron, rrule]}}}
  ANY007: {given: "$..*", then: {function: schema, functionOptions: {schema: {type: object,
           required: [name], additionalProperties: {type: string}}}}}
  ANY008: {given: "$..[?@.name && !@.tags]", then: {field: "@.work_pool.name",
           function: defined}}
"""


@pytest.mark.parametrize("path", corpus_params("prefect_yaml"))
def test_every_function_on_every_value_of_the_corpus(path: Path, tmp_path: Path) -> None:
    """No value of a real file makes a function crash, and every finding has a span
    inside the file."""
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    write(tmp_path, "any.yaml", EVERY_FUNCTION)
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["any.yaml"]\nselect = ["ANY"]\n')
    resolver = ConfigResolver(explicit=tmp_path / "prefect-lint.toml")
    result = Runner(resolver).lint_path(path)
    assert result is not None and result.source is not None
    for diagnostic in result.diagnostics:
        assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(result.source)
