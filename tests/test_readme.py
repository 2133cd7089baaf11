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


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_readme_installs_nothing_that_does_not_exist() -> None:
    blocks = "\n".join(code_blocks(README))
    # a bare name resolves on PyPI, where no such package exists; `name @ git+URL` does not
    assert not re.search(r"pip install ['\"]?prefect-lint(\[\w+\])?(?!\s*@)['\"]?(\s|$)",
                         blocks)
    assert not re.search(r"rev: v\d", blocks)  # no release tags exist
    assert "rev: COMMIT_SHA" in blocks


def test_readme_migrate_examples_name_existing_files() -> None:
    commands = re.findall(r"prefect-lint migrate (\S+)", "\n".join(code_blocks(README)))
    assert commands
    for name in commands:
        assert (REPO / name).is_file(), name


def test_readme_relative_links_exist() -> None:
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
    assert "docs/rules/README.md" in targets
    for target in targets:
        assert (REPO / target).exists(), target


def test_readme_neovim_configs_cover_versions_before_0_11() -> None:
    assert 'vim.lsp.config("prefect_lint"' in README
    assert "vim.lsp.start({" in README
    assert "vim.lsp.start_client({" in README
