"""The README's worked policies load and give the findings it shows."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, write

README = (REPO / "README.md").read_text(encoding="utf-8")

PREFECT = """\
prefect-version: 3.4.0
deployments:
  - name: etl
    description: Nightly load
    tags: [prod]
    concurrency_limit: 1
    entrypoint: flows.py:etl
    work_pool:
      name: k8s
      job_variables:
        image: registry.example.com/etl:1.4
        cpu_request: 500m
        memory_request: 1Gi
  - name: report
    description: Weekly report
    tags: [prod]
    entrypoint: flows.py:etl
    work_pool:
      name: k8s
      job_variables:
        image: docker.io/etl:1.4
        cpu_request: 500m
"""


def test_the_worked_policies_give_the_output_shown(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = re.search(r"```yaml\n# policies/org.yaml\n(.*?)```", README, re.DOTALL)
    shown = re.search(r"```text\n(prefect\.yaml:14:5: ORG002.*?)```", README, re.DOTALL)
    assert policy is not None and shown is not None
    write(tmp_path, "policies/org.yaml", policy.group(1))
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["policies/org.yaml"]\n')
    write(tmp_path, "prefect.yaml", PREFECT)
    write(tmp_path, "flows.py", "from prefect import flow\n@flow\ndef etl(): pass\n")
    result = cli("check", "--no-cache", "--select", "ORG", "--output-format", "concise",
                 "prefect.yaml")
    assert result.exit_code == 1
    found = [line for line in result.stdout.splitlines() if line.startswith("prefect.yaml:")]
    assert found == shown.group(1).strip().splitlines()
