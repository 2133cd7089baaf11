"""Hostile and broken input: a clear finding or error, never a traceback, never a hang."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import lint, write


def codes_of(result_output: str) -> list[str]:
    return [d["code"] for d in json.loads(result_output)]


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_ten_thousand_levels_of_nesting(shape: str) -> None:
    depth = 10_000
    if shape == "flow":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join("  " * i + "k:\n" for i in range(depth))
    found = lint(text, dedent=False)
    assert "Y006" in [d.code for d in found] or "Y001" in [d.code for d in found]
    assert all(d.start.row >= 1 for d in found)


def test_top_level_list_nested_deeply() -> None:
    depth = 10_000
    found = lint("[" * depth + "]" * depth + "\n", dedent=False)
    assert {"Y004", "Y006"} <= {d.code for d in found}


def test_size_limit_is_a_finding(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", "max-file-size = 1000\n")
    write(tmp_path, "prefect.yaml", "deployments: []\n" + "# padding\n" * 200)
    result = cli("check", "--output-format", "json", "--no-cache")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)
    assert finding["code"] == "Y000"
    assert "more than the limit of 1,000" in finding["message"]


def test_broken_symlink(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").symlink_to(tmp_path / "gone.yaml")
    result = cli("check", "prefect.yaml", "--output-format", "json", "--no-cache")
    (finding,) = json.loads(result.output)
    assert finding["code"] == "Y000"
    assert "symbolic link to a file that does not exist" in finding["message"]


def test_paths_with_spaces_and_non_ascii(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "équipe données/flows x/prefect.yaml",
          "deployments:\n  - name: é\n  - name: é\n")
    result = cli("check", "--output-format", "json", "--no-cache", "--select", "D001")
    (finding,) = json.loads(result.output)
    assert finding["filename"] == os.path.join("équipe données", "flows x", "prefect.yaml")
    assert finding["code"] == "D001"


def test_nul_byte_and_utf16(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").write_bytes(b"deployments: []\n\x00\n")
    assert codes_of(cli("check", "--output-format", "json", "--no-cache").output) == ["Y001"]
    (tmp_path / "prefect.yaml").write_bytes(b"\xff\xfe" + "deployments: []\n".encode(
        "utf-16-le"))
    assert cli("check", "--no-cache").exit_code == 0


def test_alias_bomb_stays_small_and_names_the_anchor() -> None:
    import resource

    lines = ['a0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &lol{level} [" + ",".join([f"*lol{level - 1}"] * 10) + "]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found = lint("\n".join(lines) + "\n", dedent=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (bomb,) = [d for d in found if d.code == "Y006"]
    assert "&lol" in bomb.message
    assert after - before < 100 * 1024  # KB: a billion nodes were never built


def test_flow_file_that_is_binary_or_imports_nothing_real(tmp_path: Path) -> None:
    from linter.config import ConfigResolver
    from linter.runner import Runner

    write(tmp_path, "flows/bin.py", "")
    (tmp_path / "flows" / "bin.py").write_bytes(b"\x00\x01\x02" * 1000)
    write(tmp_path, "flows/imports.py",
          "import does_not_exist\nfrom prefect import flow\n\n\n@flow\ndef f() -> None:\n"
          "    does_not_exist.boom()\n")
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n    entrypoint: flows/bin.py:f\n"
          "  - name: b\n    entrypoint: flows/imports.py:f\n")
    result = Runner(ConfigResolver(cwd=tmp_path)).lint_path(tmp_path / "prefect.yaml")
    assert result is not None
    by_row = {d.start.row: d.code for d in result.diagnostics if d.code.startswith("D")}
    assert by_row.get(3) == "D004"  # not Python source
    assert 5 not in by_row  # never imported, so the missing module does not matter
