"""SARIF, GitHub and GitLab paths are relative to the repository root wherever the linter
runs; the other formats keep paths as given. SARIF results carry stable fingerprints."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from linter.project.config import ConfigResolver, Settings
from linter.report import Report, renderer
from linter.report.paths import RootRelative, git_root
from linter.run.runner import Runner
from tests.conftest import write

BROKEN = """\
deployments:
  - name: a
    entrypoint: f.py:f
  - name: a
    entrypoint: f.py:f
"""


def ci_paths(cli, *extra: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The path each CI format (and json) gives the one finding's file."""
    out: dict[str, Any] = {}
    for name in ("sarif", "github", "gitlab", "json"):
        result = cli("check", "--no-cache", "--select", "D001", "--output-format", name, *extra)
        assert result.exit_code == 1, result.output
        if name == "sarif":
            location = json.loads(result.output)["runs"][0]["results"][0]["locations"][0]
            out[name] = location["physicalLocation"]["artifactLocation"]["uri"]
        elif name == "github":
            out[name] = result.output.split("file=", 1)[1].split(",", 1)[0]
        elif name == "gitlab":
            out[name] = json.loads(result.output)[0]["location"]["path"]
        else:
            out[name] = json.loads(result.output)[0]["filename"]
    return out


def test_paths_from_a_subfolder_are_relative_to_the_git_root(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE")
    monkeypatch.delenv("CI_PROJECT_DIR")
    (tmp_path / ".git").mkdir()
    write(tmp_path, "infra/deploy/prefect.yaml", BROKEN)
    os.chdir(tmp_path / "infra")
    assert ci_paths(cli, "deploy/prefect.yaml") == {
        "sarif": "infra/deploy/prefect.yaml", "github": "infra/deploy/prefect.yaml",
        "gitlab": "infra/deploy/prefect.yaml", "json": "deploy/prefect.yaml",
    }


def test_git_file_of_a_worktree_marks_the_root(tmp_path: Path) -> None:
    write(tmp_path, ".git", "gitdir: /elsewhere/.git/worktrees/x\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert git_root(tmp_path / "a" / "b") == tmp_path


def test_ci_workspace_variables_win(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "repo/infra/prefect.yaml", BROKEN)
    os.chdir(tmp_path / "repo" / "infra")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path / "repo" / "infra"))
    assert ci_paths(cli, "prefect.yaml") == {
        "sarif": "infra/prefect.yaml", "github": "infra/prefect.yaml",
        "gitlab": "prefect.yaml", "json": "prefect.yaml",
    }


def test_file_outside_the_root_keeps_its_path(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    outside = str(tmp_path / "other" / "prefect.yaml")
    assert RootRelative(tmp_path / "repo")(outside) == outside
    assert RootRelative(None)("deploy/prefect.yaml") == "deploy/prefect.yaml"


def _sarif_results(text: str) -> list[dict[str, Any]]:
    runner = Runner(ConfigResolver(cwd=Path("/")))
    result = runner.lint_text(text, "prefect.yaml", None, Settings(root=Path("/")))
    out = io.StringIO()
    renderer("sarif")(Report(result.diagnostics, {"prefect.yaml": text}, 1), out)
    results: list[dict[str, Any]] = json.loads(out.getvalue())["runs"][0]["results"]
    return results


def _fingerprints(text: str) -> dict[tuple[str, int], str]:
    return {(r["ruleId"], i): next(iter(r["partialFingerprints"].values()))
            for i, r in enumerate(_sarif_results(text))}


def test_sarif_fingerprints_survive_lines_added_above() -> None:
    text = BROKEN + "x: 1\nx: 2\n"
    before = _fingerprints(text)
    after = _fingerprints("# a comment\n\n" + text.replace("deployments:", "deployments:  "))
    assert before and after == before
    assert len(set(before.values())) == len(before)  # each finding its own


def test_sarif_fingerprint_changes_with_the_line() -> None:
    def y002(text: str) -> str:
        [found] = [value for (code, _), value in _fingerprints(text).items() if code == "Y002"]
        return found

    before = y002("name: a\nx: 1\nx: 2\n")
    assert y002("name: a\nx: 1\nx:   2\n") == before  # whitespace does not count
    assert y002("name: a\nx: 1\nx: 3\n") != before
