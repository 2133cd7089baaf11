"""The pre-commit hooks, run by the real pre-commit in a temporary git repository.

pre-commit installs a hook repository from git, so it sees committed files only (and
``try-repo`` on a dirty tree adds staged and modified files, but not new untracked ones).
To test exactly the code in this working tree, the test snapshots it (the files git would
track: committed, modified and new-but-not-ignored) into a throw-away repository with one
commit, and points ``.pre-commit-config.yaml`` at that path and commit. PRE_COMMIT_HOME is
a temporary folder; the hook environment is built with pip from the configured index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CLEAN = "deployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n"
BROKEN = CLEAN + "  - name: etl\n    entrypoint: flows/etl.py:etl\n"
STALE = "deployments: []  # prefect-lint: disable=D001\n"
#: rules added later must not change what these tests see
SELECT = '[tool.prefect-lint]\nselect = ["D001", "M001", "Y"]\n'

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=environment, check=True,
                          capture_output=True, text=True)
    return done.stdout


def snapshot_of_this_checkout(target: Path) -> str:
    """Copy the working tree (what git tracks or would track) into a fresh repository with
    one commit; return that commit."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    target.mkdir()
    for relative in sorted(set(filter(None, listed.split("\0")))):
        source = REPO / relative
        if not source.is_file():  # deleted in the working tree
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "snapshot", cwd=target)
    return git("rev-parse", "HEAD", cwd=target).strip()


@dataclass
class Hooks:
    hook_repo: Path
    rev: str
    home: Path

    def project(self, root: Path, files: dict[str, str], hook_ids: tuple[str, ...]) -> Path:
        """A git repository with ``files`` (all added) and a pre-commit config using
        ``hook_ids`` from the snapshot."""
        root.mkdir()
        git("init", "-q", cwd=root)
        hooks = "\n".join(f"      - id: {hook_id}" for hook_id in hook_ids)
        config = textwrap.dedent(f"""\
            repos:
              - repo: {self.hook_repo}
                rev: {self.rev}
                hooks:
            """) + hooks + "\n"
        files = {".pre-commit-config.yaml": config, "pyproject.toml": SELECT, **files}
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        git("add", "-A", cwd=root)
        return root

    def run(self, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "PRE_COMMIT_HOME": str(self.home), "NO_COLOR": "1",
                       "PRE_COMMIT_COLOR": "never", "GIT_CONFIG_NOSYSTEM": "1"}
        environment.pop("GITHUB_ACTIONS", None)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--color", "never", *args],
            cwd=root, env=environment, capture_output=True, text=True, timeout=900,
        )


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hooks]:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the pre-commit test")
    base = tmp_path_factory.mktemp("precommit")
    rev = snapshot_of_this_checkout(base / "hook-repo")
    yield Hooks(base / "hook-repo", rev, base / "home")


def test_clean_repo_passes(hooks: Hooks, tmp_path: Path) -> None:
    root = hooks.project(tmp_path / "clean", {"prefect.yaml": CLEAN,
                                              "other.yaml": "a: 1\na: 2\n"},
                         ("prefect-lint",))
    done = hooks.run(root, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "prefect-lint" in done.stdout and "Passed" in done.stdout


def test_broken_file_fails_with_our_message(hooks: Hooks, tmp_path: Path) -> None:
    root = hooks.project(tmp_path / "broken", {"deploy/prefect.yaml": BROKEN},
                         ("prefect-lint",))
    done = hooks.run(root, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "deploy/prefect.yaml:4:11: D001 [error] deployment name \"etl\"" in done.stdout


def test_fix_hook_rewrites_then_passes(hooks: Hooks, tmp_path: Path) -> None:
    root = hooks.project(tmp_path / "fix", {"prefect.yaml": STALE}, ("prefect-lint-fix",))
    first = hooks.run(root, "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (root / "prefect.yaml").read_text(encoding="utf-8") == "deployments: []\n"
    git("add", "-A", cwd=root)
    second = hooks.run(root, "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout


def test_excludes_in_our_config_are_honoured(hooks: Hooks, tmp_path: Path) -> None:
    files = {
        "pyproject.toml": SELECT + 'extend-exclude = ["vendor/"]\n',
        "vendor/prefect.yaml": BROKEN,
        "prefect.yaml": CLEAN,
    }
    root = hooks.project(tmp_path / "exclude", files, ("prefect-lint",))
    done = hooks.run(root, "--files", "vendor/prefect.yaml", "prefect.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    (root / "prefect.yaml").write_text(BROKEN, encoding="utf-8")
    git("add", "-A", cwd=root)
    done = hooks.run(root, "--all-files")
    assert done.returncode == 1
    assert "prefect.yaml:4:11: D001" in done.stdout
    assert "vendor/prefect.yaml" not in done.stdout


def test_legacy_hook_reports_agent_commands_in_scripts_and_files(hooks: Hooks,
                                                                  tmp_path: Path) -> None:
    """The `files:` pattern picks scripts, Dockerfiles and legacy deployment files; the hook
    fails with the L findings, and passes once the agent is a worker."""
    files = {
        "docker/Dockerfile": 'FROM prefecthq/prefect:2-python3.11\nCMD ["prefect", "agent", '
                             '"start", "--pool", "default"]\n',
        "scripts/start.sh": "#!/bin/sh\nprefect agent start -q default\n",
        "flows/etl-deployment.yaml": (
            "###\n### A complete description of a Prefect Deployment for flow 'etl'\n###\n"
            "name: nightly\nflow_name: etl\nentrypoint: flows/etl.py:etl\n"
            "###\n### DO NOT EDIT BELOW THIS LINE\n###\nmanifest_path: null\n"),
        "README.md": "prefect agent start -q default\n",  # not a file the hook looks at
    }
    root = hooks.project(tmp_path / "legacy", files, ("prefect-lint-legacy",))
    done = hooks.run(root, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "docker/Dockerfile:2:" in done.stdout and "L020" in done.stdout
    assert "scripts/start.sh:2:1: L020" in done.stdout
    assert "flows/etl-deployment.yaml" in done.stdout and "L011" in done.stdout
    assert "README.md" not in done.stdout
    (root / "docker" / "Dockerfile").write_text(
        'FROM prefecthq/prefect:3-python3.11\nCMD ["prefect", "worker", "start", "--pool", '
        '"default"]\n', encoding="utf-8")
    (root / "scripts" / "start.sh").unlink()
    (root / "flows" / "etl-deployment.yaml").unlink()
    git("add", "-A", cwd=root)
    done = hooks.run(root, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr


def test_python_hook_reports_agent_era_code_and_passes_other_python(hooks: Hooks,
                                                                     tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.prefect-lint]\nselect = ["L"]\n',
        "deploy/build.py": "from prefect.deployments import Deployment\n"
                           "from flows.etl import etl\n\n"
                           "Deployment.build_from_flow(flow=etl, name='n').apply()\n",
        "flows/etl.py": "from prefect import flow\n\n@flow\ndef etl() -> None:\n    pass\n",
        "tools/other.py": "import os\n",
    }
    root = hooks.project(tmp_path / "python", files, ("prefect-lint-python",))
    done = hooks.run(root, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deploy/build.py:1:1: L030" in done.stdout
    assert "deploy/build.py:4:1: L031" in done.stdout
    assert "deploy/build.py:4:48: L032" in done.stdout
    assert "flows/etl.py" not in done.stdout and "tools/other.py" not in done.stdout
    (root / "deploy" / "build.py").write_text(
        "from flows.etl import etl\n\netl.deploy(name='n', work_pool_name='k8s')\n",
        encoding="utf-8")
    git("add", "-A", cwd=root)
    done = hooks.run(root, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
