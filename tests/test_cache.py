"""The result cache: reused only while the file, its settings and its dependencies are unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

from linter.cache import CACHE_DIR_NAME
from linter.config import ConfigResolver, Overrides
from linter.runner import Runner
from tests.conftest import write

PREFECT = """\
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool: {name: k8s}
"""
FLOW = "from prefect import flow\n\n\n@flow\ndef etl(days: int = 1) -> None:\n    pass\n"


def run(root: Path, overrides: Overrides | None = None) -> tuple[list[str], Runner]:
    runner = Runner(ConfigResolver(overrides, cwd=root), cache=True)
    result = runner.lint_path(root / "prefect.yaml")
    assert result is not None
    return [d.code for d in result.diagnostics], runner


def hits(runner: Runner, root: Path) -> int:
    return runner.cache_for(ConfigResolver(cwd=root).for_path(root)).hits


def test_unchanged_file_is_read_back(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)
    first, runner = run(tmp_path)
    assert hits(runner, tmp_path) == 0
    second, runner = run(tmp_path)
    assert second == first
    assert hits(runner, tmp_path) == 1
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text().endswith("*\n")


def test_edit_invalidates(tmp_path: Path) -> None:
    path = write(tmp_path, "prefect.yaml", PREFECT)
    run(tmp_path)
    path.write_text(PREFECT + "  - name: etl\n    entrypoint: flows/etl.py:etl\n")
    codes, runner = run(tmp_path)
    assert "D001" in codes
    assert hits(runner, tmp_path) == 0


def test_new_entrypoint_file_invalidates(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)
    before, _ = run(tmp_path)
    assert "D003" in before  # the flow file does not exist yet
    write(tmp_path, "flows/etl.py", FLOW)
    after, runner = run(tmp_path)
    assert "D003" not in after
    assert hits(runner, tmp_path) == 0


def test_changed_entrypoint_file_invalidates(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", PREFECT.replace("work_pool", "parameters: {hours: 1}\n"
                                                    "    work_pool"))
    flow = write(tmp_path, "flows/etl.py", FLOW)
    before, _ = run(tmp_path)
    assert "D008" in before  # `hours` is not a parameter of etl
    flow.write_text(FLOW.replace("days: int = 1", "hours: int = 1"))
    os.utime(flow, ns=(1, 1))  # a different mtime even on a coarse clock
    after, _ = run(tmp_path)
    assert "D008" not in after


def test_other_selection_is_another_entry(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)
    run(tmp_path)
    codes, runner = run(tmp_path, Overrides(select=("Y",)))
    assert hits(runner, tmp_path) == 0
    assert all(code.startswith("Y") for code in codes)


def test_damaged_entry_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)
    first, _ = run(tmp_path)
    for entry in (tmp_path / CACHE_DIR_NAME).rglob("*.json"):
        entry.write_text("{not json")
    again, runner = run(tmp_path)
    assert again == first and hits(runner, tmp_path) == 0


def test_cached_fix_data_round_trips(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", 'prefect-version: 3.9\n' + PREFECT)
    runner = Runner(ConfigResolver(cwd=tmp_path), cache=True)
    fresh = runner.lint_path(tmp_path / "prefect.yaml")
    cached = Runner(ConfigResolver(cwd=tmp_path), cache=True).lint_path(tmp_path / "prefect.yaml")
    assert fresh is not None and cached is not None
    assert cached.diagnostics == fresh.diagnostics
    assert any(d.fix is not None for d in cached.diagnostics)


def test_cli_no_cache_and_fix_do_not_write_a_cache(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", PREFECT)
    cli("check", "--no-cache")
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    cli("check", "--fix")
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    cli("check", "--output-format", "json")
    assert (tmp_path / CACHE_DIR_NAME).is_dir()
    out = json.loads(cli("check", "--output-format", "json").output)
    assert [d["code"] for d in out] == [d["code"] for d in json.loads(
        cli("check", "--no-cache", "--output-format", "json").output)]
