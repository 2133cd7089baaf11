"""``view: effective``: the top-level build/push/pull as each deployment gets them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import write

PREFECT = """\
pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/flows.git
      branch: main
deployments:
  - name: inherits
    entrypoint: flows.py:main
  - name: no-pull
    entrypoint: flows.py:main
    pull: []
  - name: null-pull
    entrypoint: flows.py:main
    pull: null
  - name: own
    entrypoint: flows.py:main
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/acme/flows.git
          branch: release
"""

POLICY = """\
rules:
  ORG001:
    description: Deployments pull their code
    view: {view}
    given: "$.deployments[*]"
    then: {{field: pull, function: truthy}}
  ORG002:
    description: Code comes from the release branch
    view: {view}
    given: "$.deployments[*].pull[*]['prefect.deployments.steps.git_clone'].branch"
    then: {{function: enumeration, functionOptions: {{values: [release]}}}}
"""


def _rows(cli, tmp_path: Path, view: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    write(tmp_path, "org.yaml", POLICY.format(view=view))
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["org.yaml"]\n')
    write(tmp_path, "prefect.yaml", PREFECT)
    result = cli("check", "--no-cache", "--select", "ORG", "--output-format", "json",
                 "prefect.yaml")
    assert result.exit_code in (0, 1), result.output
    return sorted((d["code"], d["location"]["row"]) for d in json.loads(result.stdout))


def test_the_effective_view_gives_each_deployment_the_steps_prefect_runs(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    assert _rows(cli, tmp_path, "effective") == [
        ("ORG001", 10),  # `pull: []` is no pull steps (Prefect 3.8+)
        ("ORG002", 4),  # inherited by `inherits`, reported where it is written
        ("ORG002", 4),  # inherited by `null-pull` (a null pull falls back)
    ]


def test_the_file_view_keeps_the_sections_apart(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _rows(cli, tmp_path, "file") == [("ORG001", 6), ("ORG001", 10), ("ORG001", 13)]


def test_an_unknown_view_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "org.yaml", POLICY.format(view="merged"))
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["org.yaml"]\n')
    write(tmp_path, "prefect.yaml", PREFECT)
    result = cli("check", "--no-cache", "prefect.yaml")
    assert result.exit_code == 2
    assert "rule ORG001: `view` must be file or effective; got 'merged'" in result.output
