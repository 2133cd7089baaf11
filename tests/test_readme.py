"""What the README tells a new user must be true: the test command CI runs, the install
instructions, the examples it names."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_test_command() -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_test_command.py"), str(REPO / "README.md")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_readme_test_command_is_one_line_running_the_default_suite() -> None:
    command = readme_test_command()
    assert "\n" not in command
    assert command.endswith("python -m pytest")  # the default selection: the fast suite


def test_ci_runs_the_readme_command_in_a_clone_without_shared() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/readme_test_command.py README.md" in ci
    assert "git clone" in ci
    assert '-m "slow or not slow"' in ci


def test_default_pytest_run_excludes_slow_tests() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"""^addopts = ".*-m 'not slow'.*"$""", pyproject, re.MULTILINE)


def test_extraction_rejects_a_readme_without_the_block(tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "README.md"
    broken.write_text("# x\n\nRun the tests:\n\n```sh\na\nb\n```\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_test_command.py"), str(broken)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "must hold one line, not 2" in done.stderr
