"""The GitLab CI template (``ci/gitlab-ci.yml``): it parses, names real options, and its
lines, run as GitLab runs a job (``before_script`` then ``script`` in one ``bash -e`` shell,
the job's ``variables`` exported, ``CI_PROJECT_DIR`` set), leave a Code Quality report where
``artifacts:reports:codequality`` looks and fail the job while findings remain."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO
from tests.test_github_action import BROKEN_PREFECT_YAML, copy_of_checkout, python_only_bin

TEMPLATE = REPO / "ci" / "gitlab-ci.yml"


def job() -> dict[str, Any]:
    loaded = YAML(typ="safe").load(TEMPLATE.read_text(encoding="utf-8"))
    found: dict[str, Any] = loaded["prefect-lint"]
    return found


def run_job(lines: list[str], variables: dict[str, str], project: Path, path: str
            ) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": path,
        "HOME": str(project.parent / "home"),
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(project),
        "CI_BUILDS_DIR": str(project.parent),
        "TMPDIR": str(project.parent),
        **variables,
    }
    for passed in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "HTTPS_PROXY",
                   "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
                   "SSL_CERT_FILE"):
        if passed in os.environ:
            environment[passed] = os.environ[passed]
    return subprocess.run(["bash", "-e", "-c", "\n".join(lines)], cwd=project,
                          env=environment, capture_output=True, text=True, timeout=600,
                          check=False)


def broken_project(folder: Path) -> Path:
    folder.mkdir()
    (folder / "prefect.yaml").write_text(BROKEN_PREFECT_YAML, encoding="utf-8")
    return folder


def test_template_is_one_job_whose_report_is_the_file_the_script_writes() -> None:
    found = job()
    report = found["artifacts"]["reports"]["codequality"]
    assert found["artifacts"]["when"] == "always"
    assert any(f"--output-format gitlab -o {report}" in line for line in found["script"])
    assert found["script"][-1].startswith("prefect-lint check")  # its status is the job's


def test_template_passes_only_options_check_has() -> None:
    from click.testing import CliRunner

    from linter.cli.main import main

    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    for line in job()["script"]:
        assert line.startswith("prefect-lint check "), line
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-o)(?=\s|$)", line):
            assert option in help_text, option


def test_script_writes_the_code_quality_report_and_fails_on_findings(tmp_path: Path) -> None:
    project = broken_project(tmp_path / "project")
    found = job()
    shim = tmp_path / "bin"  # `prefect-lint` as installed: this checkout, run by this Python
    shim.mkdir()
    (shim / "prefect-lint").write_text(
        f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m linter "$@"\n')
    (shim / "prefect-lint").chmod(0o755)
    done = run_job(found["script"], found["variables"], project,
                   f"{shim}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((project / found["artifacts"]["reports"]["codequality"]).read_text())
    assert {issue["check_name"] for issue in report} >= {"C001", "S005"}
    assert {issue["location"]["path"] for issue in report} == {"prefect.yaml"}
    assert "C001" in done.stdout  # the log shows the findings, too


@pytest.mark.slow
def test_whole_job_installs_from_a_checkout_and_reports(tmp_path: Path) -> None:
    checkout = copy_of_checkout(tmp_path / "prefect-lint")
    project = broken_project(tmp_path / "project")
    found = job()
    variables = {**found["variables"], "PREFECT_LINT_SOURCE": str(checkout)}
    python_bin = python_only_bin(tmp_path / "python-bin")
    done = run_job([*found["before_script"], *found["script"]], variables, project,
                   f"{python_bin}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((project / "gl-code-quality.json").read_text())
    assert {issue["check_name"] for issue in report} >= {"C001", "S005"}
