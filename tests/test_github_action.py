"""The GitHub Action (``action.yml``): its steps, run the way a runner runs a composite action.

The simulation runs only the ``run:`` steps, in order, each with ``bash -e``; it ignores
``if:`` and ``uses:`` (``actions/setup-python`` is replaced by the ``python`` on ``PATH``);
it substitutes ``${{ github.action_path }}``, ``${{ github.workspace }}`` and
``${{ inputs.* }}`` (their defaults, or the values a test gives) and refuses any other
expression; it sets ``GITHUB_ACTIONS=true`` and the usual ``GITHUB_*``/``RUNNER_TEMP``
variables. The install step builds prefect-lint from a copy of this checkout into a venv, so
the end-to-end test is slow (it needs the package index for the dependencies).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO

ACTION = REPO / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BROKEN_PREFECT_YAML = """\
deployments:
- name: etl
  entrypoint: flows/etl.py:etl
  work_pool:
    name: default
  schedule:
    cron: "61 * * * *"
  tags: nightly
"""


def load_action() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))
    return loaded


def substitute(script: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in values:
            raise AssertionError(f"the simulation cannot evaluate ${{{{ {expression} }}}}")
        return values[expression]

    return EXPRESSION.sub(replace, script)


def expression_values(action: dict[str, Any], action_path: Path, workspace: Path,
                      inputs: dict[str, str]) -> dict[str, str]:
    values = {"github.action_path": str(action_path), "github.workspace": str(workspace)}
    for name, spec in action["inputs"].items():
        values[f"inputs.{name}"] = inputs.get(name, str(spec.get("default", "")))
    return values


def runner_environment(tmp: Path, workspace: Path, action_path: Path, python_bin: Path
                       ) -> dict[str, str]:
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    files = {name: tmp / f"{name.lower()}.txt" for name in
             ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY",
              "GITHUB_STATE")}
    for file in files.values():
        file.touch()
    environment = {
        "PATH": f"{python_bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp / "home"),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_path),
        "GITHUB_REPOSITORY": "example/flows",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_REF": "refs/pull/1/merge",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_RUN_ID": "1",
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(runner_temp),
        **{name: str(path) for name, path in files.items()},
    }
    for passed in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "PIP_TRUSTED_HOST",
                   "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy",
                   "no_proxy", "SSL_CERT_FILE"):
        if passed in os.environ:  # how this machine reaches the package index
            environment[passed] = os.environ[passed]
    return environment


def run_steps(action: dict[str, Any], values: dict[str, str], environment: dict[str, str],
              workspace: Path) -> tuple[int, str]:
    """Every ``run:`` step in order, ``bash -e``; stops at the first failing step like a
    runner. Returns the last status and everything the steps printed."""
    printed: list[str] = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        assert step.get("shell") == "bash", f"step {step.get('name')} must say shell: bash"
        done = subprocess.run(
            ["bash", "-e", "-c", substitute(step["run"], values)], cwd=workspace,
            env=environment, capture_output=True, text=True, timeout=600, check=False,
        )
        printed.append(done.stdout + done.stderr)
        if done.returncode != 0:
            return done.returncode, "".join(printed)
    return 0, "".join(printed)


def copy_of_checkout(target: Path) -> Path:
    """The files git tracks (and the working copies of them), as `actions/checkout` of this
    action's repository would give them."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    shutil.copy2(ACTION, target / "action.yml")
    return target


def python_only_bin(folder: Path) -> Path:
    """A PATH folder whose ``python`` is the base interpreter (not this test venv, whose
    ``prefect-lint`` would hide a broken install)."""
    folder.mkdir()
    base = getattr(sys, "_base_executable", sys.executable)
    (folder / "python").symlink_to(base)
    return folder


# -- fast: the shape of the action ---------------------------------------------------------


def test_action_is_composite_with_documented_inputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"args", "python-version", "sarif-file"}
    for name, spec in action["inputs"].items():
        assert spec["description"].strip(), name
        assert "default" in spec, name


def test_every_run_step_is_bash_and_uses_only_expressions_the_runner_gives() -> None:
    action = load_action()
    values = expression_values(action, Path("/action"), Path("/workspace"), {})
    run_steps_found = [step for step in action["runs"]["steps"] if "run" in step]
    assert len(run_steps_found) >= 2
    for step in run_steps_found:
        assert step["shell"] == "bash"
        substitute(step["run"], values)  # raises on an expression the simulation lacks


def test_options_the_action_passes_exist() -> None:
    from click.testing import CliRunner

    from linter.cli.main import main

    text = ACTION.read_text(encoding="utf-8")
    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    for option in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-o)(?=\s)", text)):
        if option in {"--quiet", "--disable-pip-version-check", "--version"}:
            continue  # pip's options and the top-level --version
        assert option in help_text, option


# -- slow: the steps, end to end -----------------------------------------------------------


@pytest.mark.slow
def test_action_steps_annotate_a_broken_file_and_fail_then_pass_when_fixed(
    tmp_path: Path,
) -> None:
    action = load_action()
    action_path = copy_of_checkout(tmp_path / "action")
    workspace = tmp_path / "workspace"
    (workspace / "flows").mkdir(parents=True)
    (workspace / "prefect.yaml").write_text(BROKEN_PREFECT_YAML, encoding="utf-8")
    (workspace / "flows" / "etl.py").write_text(
        "from prefect import flow\n\n@flow\ndef etl():\n    pass\n", encoding="utf-8")
    environment = runner_environment(tmp_path, workspace, action_path,
                                     python_only_bin(tmp_path / "python-bin"))
    values = expression_values(action, action_path, workspace,
                               {"sarif-file": "reports/prefect-lint.sarif"})
    (workspace / "reports").mkdir()

    status, printed = run_steps(action, values, environment, workspace)

    assert status == 1, printed
    errors = [line for line in printed.splitlines() if line.startswith("::error ")]
    assert errors, printed
    assert any("file=prefect.yaml,line=" in line for line in errors), errors
    sarif = json.loads((workspace / "reports" / "prefect-lint.sarif").read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in results} == {"prefect.yaml"}
    assert "sarif-file=reports/prefect-lint.sarif" in Path(
        environment["GITHUB_OUTPUT"]).read_text("utf-8")

    (workspace / "prefect.yaml").write_text(
        "deployments:\n- name: etl\n  entrypoint: flows/etl.py:etl\n"
        "  work_pool:\n    name: default\n", encoding="utf-8")
    status, printed = run_steps(action, values, environment, workspace)
    assert status == 0, printed
    assert "::error " not in printed
