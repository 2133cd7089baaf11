"""L020-L022: agent-era commands in scripts and infrastructure files, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.registry import all_rules
from linter.project.filekinds import kind_for_file, kind_for_name
from tests.conftest import CORPUS, codes, corpus_params, lint, spans

all_rules()


def check(text: str, filename: str) -> list:  # type: ignore[type-arg]
    return lint(text, select=["L"], filename=filename)


@pytest.mark.parametrize("filename,text,underlined", [
    ("start.sh", "#!/bin/sh\nexec prefect agent start --pool etl\n",
     "prefect agent start --pool etl"),
    ("Dockerfile", "FROM prefecthq/prefect:2-python3.10\nCMD prefect agent start -p etl\n",
     "prefect agent start -p etl"),
    ("Dockerfile", 'FROM x\nENTRYPOINT ["prefect", "agent", "start", "--pool", "etl"]\n',
     '"prefect", "agent", "start", "--pool", "etl"'),
    ("Makefile", "worker:\n\t@prefect agent start --pool etl\n", "prefect agent start --pool etl"),
    ("docker-compose.yml",
     "services:\n  agent:\n    image: x\n    command: prefect agent start --pool etl\n",
     "prefect agent start --pool etl"),
    (".gitlab-ci.yml", "stages: [run]\nagent:\n  script:\n    - prefect agent start --pool etl\n",
     "prefect agent start --pool etl"),
    ("main.tf",
     'resource "x" "y" {\n  command = ["prefect", "agent", "start", "--pool", "etl"]\n}\n',
     '"prefect", "agent", "start", "--pool", "etl"'),
])
def test_l020_hit_with_pool_is_fixed_in_every_format(filename: str, text: str,
                                                       underlined: str) -> None:
    found = check(text, filename)
    assert codes(found) == ["L020"]
    assert spans(text, found) == [underlined]
    # unsafe: a process that exited at once now runs a worker
    assert found[0].fix is not None and found[0].fix.applicability.value == "unsafe"
    assert _fix(text, filename, unsafe=False) == text
    assert _fix(text, filename) == text.replace("prefect agent", "prefect worker").replace(
        '"agent"', '"worker"')


def _fix(text: str, filename: str, unsafe: bool = True) -> str:
    from linter.project.config import ConfigResolver, Overrides, Settings
    from linter.run.runner import Runner

    overrides = Overrides(select=("L020",))
    runner = Runner(ConfigResolver(overrides, cwd=Path("/")), fix=True, unsafe=unsafe)
    result = runner.lint_text(text, filename, None, overrides.apply(Settings(root=Path("/"))))
    return result.fixed_text or text


def test_l020_fix_keeps_quotes_and_other_options() -> None:
    text = 'FROM x\nENTRYPOINT ["prefect", "agent", "start", "--pool", "etl", "-q", "a"]\n'
    assert _fix(text, "Dockerfile") == text.replace('"agent"', '"worker"')
    shell = "prefect agent start --pool=etl --limit 2 \\\n  --run-once\n"
    assert _fix(shell, "run.sh") == shell.replace("agent", "worker")


def test_l020_kubernetes_block_lists_span_command_and_args() -> None:
    text = """\
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
            - name: agent
              command:
                - prefect
              args:
                - agent
                - start
                - --pool
                - "etl"
    """
    found = check(text, "agent.yaml")
    assert codes(found) == ["L020"]
    assert (found[0].start.row, found[0].start.column) == (9, 15)
    assert (found[0].end.row, found[0].end.column) == (14, 20)
    import textwrap
    assert _fix(textwrap.dedent(text), "agent.yaml") == textwrap.dedent(text).replace(
        "- agent", "- worker")


def test_l020_queue_only_and_unsupported_options_have_no_fix() -> None:
    found = check("prefect agent start -q default\nprefect agent start -p p --match x\n",
                  "a.sh")
    assert [d.fix for d in found] == [None, None]
    assert "--work-queue default" in found[0].message
    assert "--match" in found[1].message


def test_l020_github_workflow_and_miss_in_prose() -> None:
    text = """\
    on: push
    jobs:
      run:
        runs-on: ubuntu-latest
        steps:
          - name: Start prefect agent start
          - run: echo "prefect agent start"
          - run: |
              pip install prefect
              prefect worker start --pool p
          - run: sh -c "prefect agent start -q q"
    """
    found = check(text, "ci.yml")
    assert codes(found) == ["L020"]
    assert spans(text, found) == ["prefect agent start -q q"]


def test_l021_and_l022() -> None:
    text = ("prefect deployment build flows/etl.py:etl -n x --apply\n"
            "prefect deployment apply etl-deployment.yaml\n"
            "prefect agent local start --label a\n")
    found = check(text, "deploy.sh")
    assert codes(found) == ["L021", "L021", "L022"]
    assert spans(text, found)[1] == "prefect deployment apply etl-deployment.yaml"
    assert "`process` work pool" in found[2].message


@pytest.mark.parametrize("name,head,kind", [
    ("ci.yml", "on: push\njobs:\n  a: {}\n", "script"),
    ("x.yaml", "apiVersion: v1\nkind: Pod\n", "script"),
    ("prefect.yaml", "deployments: []\n", "prefect"),
    ("start", "#!/usr/bin/env bash\nprefect agent start\n", "script"),
    ("Dockerfile", "FROM x\n", "script"),
])
def test_script_kind(name: str, head: str, kind: str) -> None:
    assert kind_for_file(Path(name), head) == kind


def test_github_workflow_is_never_a_prefect_yaml() -> None:
    text = "name: ci\non: push\njobs:\n  a:\n    runs-on: x\n"
    assert kind_for_file(Path("prefect.yaml"), text) == "script"
    assert lint(text, filename="prefect.yaml") == []
    assert kind_for_name(Path("Dockerfile")) is not None


@pytest.mark.parametrize("path", corpus_params("scripts"),
                         ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_scripts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = {
        "Ilevk__prefect-tutorial__start_agent.sh": ["L022"],
        "PrefectHQ__prefect-recipes__devops__github-actions__minimal-prefect-deployment-build"
        ".yaml": ["L021"],
        "PrefectHQ__prefect-recipes__helm__orion-agent__values.yaml": ["L023"],
        "Zesky665__DEZC_2023_Capstone__start_agent.sh": ["L020"],
        "japerry911__crypto-data-pipeline__Dockerfile": ["L020"],
    }[path.name]
    assert kind_for_file(path, text[:4096]) == "script"
    assert codes(lint(text, select=["L"], filename=path.name, dedent=False)) == expected


def test_l023_agent_helm_values_hit_miss_position(tmp_path: Path) -> None:
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    agent = tmp_path / "values.yaml"
    agent.write_text("prefectVersionTag: 2.10.0\nagent:\n  apiUrl: https://x/api\n"
                     "  workQueueName: kubernetes\n  image: {tag: 2-latest}\n")
    worker = tmp_path / "worker-values.yaml"
    worker.write_text("worker:\n  config:\n    workPool: k8s\nagent:\n  image: x\n")
    runner = Runner(ConfigResolver(cwd=tmp_path))
    result = runner.lint_path(agent)
    assert result is not None
    (finding,) = [d for d in result.diagnostics if d.code == "L023"]
    assert (finding.start.row, finding.start.column, finding.end.column) == (2, 1, 6)
    assert "`agent.apiUrl`, `agent.workQueueName`" in finding.message
    other = runner.lint_path(worker)
    assert other is not None and not [d for d in other.diagnostics if d.code == "L023"]
