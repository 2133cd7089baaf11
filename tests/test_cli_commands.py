"""A first argument that is neither a command nor a file, and the server's ``--stdio``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write


@pytest.mark.parametrize(("word", "hint"), [
    ("pols", "did you mean `prefect-lint pools`?"),
    ("version", "did you mean `prefect-lint --version`?"),
    ("ruels", "did you mean `prefect-lint rules`?"),
    ("zzzz", "commands: check, migrate, pools, pull, rule, rules, schema, server"),
])
def test_mistyped_command_is_a_usage_error(cli, word: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(word)
    assert result.exit_code == 2
    assert result.output == f"prefect-lint: no such command or file: {word} ({hint})\n"


def test_an_existing_file_named_like_a_command_is_still_checked(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pols", "deployments:\n  - name: a\n    entrypoint: f.py:f\n")
    result = cli("pols", "--output-format", "concise")
    assert "no such command" not in result.output
    assert result.exit_code in (0, 1)


def test_options_before_paths_still_reach_check(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n    entrypoint: f.py:f\n")
    result = cli("--output-format", "concise", "prefect.yaml")
    assert "no such command" not in result.output


def test_server_accepts_stdio(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    served: list[bool] = []
    monkeypatch.setattr("linter.lsp.server.serve", lambda: served.append(True))
    result = cli("server", "--stdio")
    assert result.exit_code == 0, result.output
    assert served == [True]
