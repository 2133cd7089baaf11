"""``check --explain-upgrade-from``: what changes meaning between two Prefect releases."""

from __future__ import annotations

from pathlib import Path

from linter.cli.upgrade import compare
from tests.conftest import lint

FILE = """\
deployments:
  - name: nightly
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s-prod
    is_schedule_active: false
    schedule:
      cron: "0 3 * * *"
    concurrency_limit: 2
  - name: hourly
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s-prod
    schedules:
      - interval: "PT1H"
        max_active_runs: 2
"""


def _project(root: Path, text: str) -> None:
    (root / "prefect.yaml").write_text(text)
    (root / "flows").mkdir()
    (root / "flows" / "etl.py").write_text("from prefect import flow\n\n@flow\ndef etl():\n"
                                           "    pass\n")


def test_upgrade_lists_what_changes_meaning(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path, FILE)
    result = cli("check", "--target-version", "3.9", "--explain-upgrade-from", "2.19",
                 "prefect.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Upgrading from Prefect 2.19 (2.19.9) to 3.9 (3.9.1): 5 change")
    assert any(line.startswith("prefect.yaml:16:9: S001 [error from 3.9]") for line in lines)
    assert any(line.startswith("prefect.yaml:6:5: L004 [warning on 2.19 -> error on 3.9]")
               for line in lines)
    assert any(line.startswith("prefect.yaml:9:5: V001 [was error on 2.19, fine on 3.9]")
               for line in lines)
    assert any(line.startswith("prefect.yaml:15:19: V005 [was error on 2.19") for line in lines)


def test_upgrade_with_nothing_changing_exits_0(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path, "deployments:\n  - name: nightly\n    entrypoint: flows/etl.py:etl\n"
                       "    work_pool:\n      name: k8s-prod\n")
    before = (tmp_path / "prefect.yaml").read_text()
    result = cli("check", "--target-version", "3.9", "--explain-upgrade-from", "3.4")
    assert result.exit_code == 0
    assert "nothing in these files changes meaning" in result.stdout
    assert (tmp_path / "prefect.yaml").read_text() == before


def test_upgrade_from_a_bad_release_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path, FILE)
    result = cli("check", "--explain-upgrade-from", "1.4", "prefect.yaml")
    assert result.exit_code == 2
    assert "did not exist yet" in result.stderr


def test_compare_pairs_findings_by_place_and_rule() -> None:
    before = lint(FILE, target="2.19")
    after = lint(FILE, target="3.9")
    changes = compare("prefect.yaml", before, after)
    kinds = {(change.row, change.code): change.kind for change in changes}
    assert kinds[(16, "S001")] == "new"
    assert kinds[(6, "L004")] == "severity"
    assert kinds[(9, "V001")] == "gone"
    assert (3, "D013") not in kinds  # the same finding on both sides is no change
