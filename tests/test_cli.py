"""The command line: exit codes, stdin, fixing, statistics, rule docs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write

BROKEN = """\
deployments:
  - name: a
    entrypoint: f.py:f
    work_pool: {name: k8s}
  - name: a
    entrypoint: f.py:f
    work_pool: {name: k8s}
"""
CLEAN = "deployments:\n  - name: a\n    entrypoint: f.py:f\n    work_pool: {name: k8s}\n"
STALE = "deployments: []  # prefect-lint: disable=D001\n"
FLOW = "from prefect import flow\n\n\n@flow\ndef f():\n    pass\n"


@pytest.fixture(autouse=True)
def _entrypoint_files(tmp_path: Path) -> None:
    """The deployments above point at `f.py:f`: give them a real flow file (beside the
    prefect.yaml files these tests write), so only the intended findings appear."""
    write(tmp_path, "f.py", FLOW)
    write(tmp_path, "legacy/f.py", FLOW)


def test_exit_codes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", CLEAN)
    assert cli("check").exit_code == 0
    write(tmp_path, "prefect.yaml", BROKEN)
    assert cli("check").exit_code == 1
    assert cli("check", "--exit-zero").exit_code == 0
    assert cli("check", "--select", "Nope!").exit_code == 2


def test_default_command_is_check(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    result = cli("prefect.yaml", "--output-format", "concise")
    assert result.exit_code == 1
    assert "prefect.yaml:5:11: D001 [error]" in result.output


def test_fail_level(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", STALE)  # one warning (M001)
    assert cli("check").exit_code == 1
    assert cli("check", "--fail-level", "error").exit_code == 0
    assert cli("check", "--fail-level", "warning").exit_code == 1
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nfail-level = "error"\n')
    assert cli("check").exit_code == 0


def test_info_findings_do_not_fail_by_default(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Info is advice: a Taskfile named prefect.yml gets one S007 note and the run passes."""
    write(tmp_path, "prefect.yml", "version: '3'\ntasks:\n  deploy:\n    cmds: [prefect deploy]\n")
    result = cli("check", "--output-format", "concise")
    assert "S007 [info]" in result.output
    assert result.exit_code == 0
    assert cli("check", "--fail-level", "info").exit_code == 1


def test_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "-", "--output-format", "concise", input=BROKEN)
    assert result.exit_code == 1
    assert result.output.startswith("-:5:11: D001")
    result = cli("check", "--stdin-filename", "deploy/prefect.yaml", "--output-format",
                 "concise", input=BROKEN)
    assert "deploy/prefect.yaml:5:11: D001" in result.output


def test_stdin_fix_prints_fixed_text(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--fix", "--stdin-filename", "prefect.yaml", input=STALE)
    assert result.output == "deployments: []\n"


def test_stdin_with_paths_is_usage_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", CLEAN)
    assert cli("check", "--stdin-filename", "x.yaml", "prefect.yaml", input="").exit_code == 2


def test_fix_writes_and_keeps_mode(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    os.chmod(path, 0o640)
    result = cli("check", "--fix")
    assert result.exit_code == 0, result.output
    assert path.read_text() == "deployments: []\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert "Fixed 1 problem." in result.output


def test_fix_keeps_crlf_and_bom(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "prefect.yaml"
    path.write_bytes(b"\xef\xbb\xbf# top\r\ndeployments: []  # prefect-lint: disable=D001\r\n")
    assert cli("check", "--fix").exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf# top\r\ndeployments: []\r\n"


def test_fix_through_symlink_keeps_link(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    real = write(tmp_path, "real/prefect.yaml", STALE)
    link = tmp_path / "prefect.yaml"
    link.symlink_to(real)
    assert cli("check", "--fix", "prefect.yaml").exit_code == 0
    assert link.is_symlink()
    assert real.read_text() == "deployments: []\n"


def test_untouched_file_is_not_rewritten(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", BROKEN)
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    cli("check", "--fix")
    assert path.stat().st_mtime_ns == before - 10**9


def test_diff_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    result = cli("check", "--diff")
    assert result.exit_code == 1
    assert "-deployments: []  # prefect-lint: disable=D001" in result.output
    assert "+deployments: []" in result.output
    assert path.read_text() == STALE
    write(tmp_path, "prefect.yaml", CLEAN)
    assert cli("check", "--diff").exit_code == 0


def test_fix_only_and_exit_non_zero_on_fix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", STALE + "x: 1\nx: 2\n")
    result = cli("check", "--fix-only")
    assert result.exit_code == 0
    assert "Y002" not in result.output
    write(tmp_path, "prefect.yaml", STALE)
    assert cli("check", "--fix", "--exit-non-zero-on-fix").exit_code == 1


def test_read_only_file_is_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    os.chmod(path, 0o444)
    result = cli("check", "--fix")
    assert result.exit_code == 2
    assert "read-only" in result.output
    assert path.read_text() == STALE


def test_statistics(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN + "x: 1\nx: 2\n")
    result = cli("check", "--statistics")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["1", "D001"] for line in lines)
    assert any(line.split()[:2] == ["1", "Y002"] for line in lines)


def test_select_and_ignore(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN + "x: 1\nx: 2\n")
    out = cli("check", "--select", "Y", "--output-format", "json").output
    assert [d["code"] for d in json.loads(out)] == ["Y002"]
    out = cli("check", "--ignore", "Y002,S", "--output-format", "json").output
    assert [d["code"] for d in json.loads(out)] == ["D001"]


def test_per_file_ignores(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pyproject.toml",
          '[tool.prefect-lint.per-file-ignores]\n"legacy/**" = ["D001"]\n')
    write(tmp_path, "legacy/prefect.yaml", BROKEN)
    write(tmp_path, "prefect.yaml", BROKEN)
    out = cli("check", "--output-format", "json").output
    assert [(d["filename"], d["code"]) for d in json.loads(out)] == [("prefect.yaml", "D001")]


def test_unknown_config_key_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nfoo = 1\n')
    write(tmp_path, "prefect.yaml", CLEAN)
    result = cli("check")
    assert result.exit_code == 2
    assert "unknown key `foo`" in result.output
    assert "pyproject.toml" in result.output


def test_output_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    result = cli("check", "--output-format", "json", "-o", "report.json")
    assert result.exit_code == 1
    assert json.loads((tmp_path / "report.json").read_text())[0]["code"] == "D001"


def test_missing_and_directory_and_fifo_paths(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(tmp_path / "pipe.yaml")
    result = cli("check", "missing.yaml", "pipe.yaml", "--output-format", "concise")
    assert result.exit_code == 2  # a path that names nothing is a usage error, not a finding
    assert "missing.yaml: cannot read the file: no such file" in result.output
    assert "missing.yaml:1:1" not in result.output
    assert "pipe.yaml:1:1: Y000 [error] cannot read the file: it is not a regular file" in (
        result.output)


def test_not_utf8(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").write_bytes("name: café\n".encode("latin-1"))
    result = cli("check", "--output-format", "concise")
    assert "Y000" in result.output and "not valid UTF-8" in result.output


def test_internal_error_is_one_line(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from linter.core.registry import get_rule

    rule = get_rule("D001")
    assert rule is not None

    def boom(context):  # type: ignore[no-untyped-def]
        raise KeyError("kaboom")


    import linter.core.registry as registry

    monkeypatch.setitem(registry._RULES, "D001", rule._replace(check=boom))
    write(tmp_path, "prefect.yaml", CLEAN)
    result = cli("check")
    assert result.exit_code == 2
    assert "internal error: rule D001 (duplicate-deployment-name) failed on prefect.yaml" in (
        result.output)
    assert "Traceback" not in result.output
    verbose = cli("check", "--verbose")
    assert "Traceback" in verbose.output and "kaboom" in verbose.output


def test_rule_and_rules(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("rule", "d001")
    assert result.exit_code == 0
    assert result.output.startswith("# D001 duplicate-deployment-name")
    assert "**Example**" in result.output
    assert cli("rule", "Q123").exit_code == 2
    table = cli("rules").output
    assert "Y002  duplicate-key" in table
    listing = json.loads(cli("rules", "--output-format", "json").output)
    assert {r["code"] for r in listing} >= {"Y001", "D001", "M001"}


def test_every_rule_is_documented(cli) -> None:  # type: ignore[no-untyped-def]
    """The docstring says what, why and the fix; the examples file (tests/rules/
    test_doc_examples.py) adds the example and what to use instead; the page has them all."""
    from linter.core.registry import all_rules

    for rule in all_rules():
        for section in ("**What**", "**Why**", "**Fix**"):
            assert section in rule.docstring, f"{rule.code}'s docstring lacks {section}"
        for section in ("**What**", "**Why**", "**Example**", "**Use instead**", "**Fix**"):
            assert section in rule.doc, f"{rule.code} lacks {section}"


def test_console_script_and_module_entry(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    for command in ([sys.executable, "-m", "linter"],
                    [str(Path(sys.executable).parent / "prefect-lint")]):
        done = subprocess.run([*command, "check", "--output-format", "concise"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 1, done.stderr
        assert "D001" in done.stdout
    version = subprocess.run([sys.executable, "-m", "linter", "--version"],
                             capture_output=True, text=True, check=True)
    assert "prefect-lint, version" in version.stdout


def test_schema_command(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "deployments" in schema["properties"]
    path = cli("schema", "--path").output.strip()
    assert Path(path).name == "prefect.yaml.schema.json" and Path(path).is_file()


def test_schema_ships_in_the_installed_package(tmp_path: Path) -> None:
    """Run from outside the checkout, so the installed package's data is used."""
    done = subprocess.run([sys.executable, "-m", "linter", "schema", "--path"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert Path(done.stdout.strip()).is_file()


def test_a_rule_reporting_a_reversed_span_is_an_internal_error(  # type: ignore[no-untyped-def]
    cli, monkeypatch, tmp_path: Path
) -> None:
    """Spans are plain named tuples; the engine is where a rule's bad span is caught."""
    from linter.core.diagnostics import Finding, Span
    from linter.core.registry import get_rule

    rule = get_rule("D001")
    assert rule is not None

    def backwards(context):  # type: ignore[no-untyped-def]
        yield Finding(Span(5, 2), "reversed")


    import linter.core.registry as registry

    monkeypatch.setitem(registry._RULES, "D001", rule._replace(check=backwards))
    write(tmp_path, "prefect.yaml", CLEAN)
    result = cli("check", "--verbose")
    assert result.exit_code == 2
    assert "rule D001 (duplicate-deployment-name) failed" in result.output
    assert "invalid span 5..2" in result.output
