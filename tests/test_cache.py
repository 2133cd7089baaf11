"""The result cache: reused only while the file, its settings and its dependencies are unchanged."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from linter.project.config import ConfigResolver, Overrides
from linter.run.cache import CACHE_DIR_NAME
from linter.run.runner import Runner
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


# -- the installed linter, content hashes, pruning, damaged entries ---------------------------

def _entries(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR_NAME).rglob("*.json"))


def test_changed_install_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited rule or bundled schema of the same version must not give old results."""
    import linter.run.cache

    package = tmp_path / "site" / "linter"
    write(package, "rules/deployments.py", "RULE = 1\n")
    write(package, "schemas/prefect.yaml.schema.json", "{}\n")
    monkeypatch.setattr(linter.run.cache, "_package_folders", lambda: [package])
    linter.run.cache.install_id.cache_clear()
    project = tmp_path / "project"
    write(project, "prefect.yaml", PREFECT)
    run(project)
    _, runner = run(project)
    assert hits(runner, project) == 1
    write(package, "schemas/prefect.yaml.schema.json", '{"type": "object"}\n')
    linter.run.cache.install_id.cache_clear()  # a new process
    _, runner = run(project)
    assert hits(runner, project) == 0
    linter.run.cache.install_id.cache_clear()


def test_install_id_ignores_compiled_files(tmp_path: Path) -> None:
    from linter.run.cache import install_id

    write(tmp_path, "linter/cli.py", "x = 1\n")
    before = install_id.__wrapped__((tmp_path,))
    write(tmp_path, "linter/__pycache__/cli.cpython-311.pyc", "compiled")
    assert install_id.__wrapped__((tmp_path,)) == before
    write(tmp_path, "linter/cli.py", "x = 2\n")
    os.utime(tmp_path / "linter/cli.py", ns=(5, 5))
    assert install_id.__wrapped__((tmp_path,)) != before


def test_flow_changed_with_size_and_mtime_kept_invalidates(tmp_path: Path) -> None:
    """As after `cp -p`, `rsync -a` or a `git checkout` within the same second."""
    write(tmp_path, "prefect.yaml", PREFECT.replace("work_pool", "parameters: {hours: 1}\n"
                                                    "    work_pool"))
    flow = write(tmp_path, "flows/etl.py", FLOW.replace("days: int", "dayz: int"))
    before = flow.stat()
    first, _ = run(tmp_path)
    assert "D008" in first  # `hours` is not a parameter of etl
    flow.write_text(FLOW.replace("days: int", "hours: int")[: before.st_size])
    assert flow.stat().st_size == before.st_size
    os.utime(flow, ns=(before.st_atime_ns, before.st_mtime_ns))
    after, _ = run(tmp_path)
    assert "D008" not in after


def test_edits_replace_the_entry_of_their_file(tmp_path: Path) -> None:
    path = write(tmp_path, "prefect.yaml", PREFECT)
    for number in range(20):
        path.write_text(PREFECT.replace("etl\n", f"etl-{number}\n", 1))
        run(tmp_path)
    assert len(_entries(tmp_path)) == 1


def test_sweep_removes_old_entries_stale_temp_files_and_the_excess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linter.run.cache
    from linter.run.cache import MAX_AGE, STALE_TEMP_AGE, Cache

    folder = tmp_path / CACHE_DIR_NAME
    now = 2_000_000_000.0
    ages = {"aa/old.json": MAX_AGE + 60, "aa/a.json": 30, "bb/b.json": 20, "bb/c.json": 10,
            "aa/.tmp-stale": STALE_TEMP_AGE + 60, "bb/.tmp-busy": 5}
    for name, age in ages.items():
        path = write(folder, name, "{}")
        os.utime(path, (now - age, now - age))
    monkeypatch.setattr(linter.run.cache, "MAX_ENTRIES", 2)
    assert Cache(folder).sweep(now) == 3
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == ["bb/.tmp-busy", "bb/b.json", "bb/c.json"]


def test_sweep_runs_once_a_day(tmp_path: Path) -> None:
    from linter.run.cache import MAX_AGE, SWEEP_EVERY, SWEEP_STAMP, Cache

    folder = tmp_path / CACHE_DIR_NAME
    now = 2_000_000_000.0
    old = write(folder, "aa/old.json", "{}")
    os.utime(old, (now - MAX_AGE - 1, now - MAX_AGE - 1))
    marker = write(folder, SWEEP_STAMP, "")
    os.utime(marker, (now - 60, now - 60))
    Cache(folder).sweep_if_due(now)
    assert old.exists()
    os.utime(marker, (now - SWEEP_EVERY - 1, now - SWEEP_EVERY - 1))
    Cache(folder).sweep_if_due(now)
    assert not old.exists()


def test_full_disk_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    codes, _ = run(tmp_path)
    assert "D003" in codes
    assert [p.name for p in (tmp_path / CACHE_DIR_NAME).rglob(".tmp-*")] == []


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "json-lines", "github",
                                           "gitlab", "sarif", "junit"])
@pytest.mark.parametrize("damage", [("code", None), ("severity", "fatal"), ("span", [1, 2]),
                                    ("start", {"row": "1", "column": 1}), ("fix", "x")])
def test_damaged_entry_is_a_miss_in_every_format(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, output_format: str, damage: tuple[str, object]
) -> None:
    write(tmp_path, "prefect.yaml", PREFECT)
    expected = cli("check", "--output-format", output_format).output
    [entry] = _entries(tmp_path)
    data = json.loads(entry.read_text())
    for item in data["diagnostics"]:
        item[damage[0]] = damage[1]
    entry.write_text(json.dumps(data))
    result = cli("check", "--output-format", output_format)
    assert result.exit_code == 1
    assert result.output == expected
