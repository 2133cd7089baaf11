"""`prefect-lint migrate script.py`: Prefect 2 Deployment calls -> prefect.yaml deployments.

The fixture scripts are the agent-era ones the L03x rules are tested on; the slow test loads
every migrated output with Prefect 3.9.1's own prefect.yaml loader.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linter.prefect.migrate import MigrateError, insert_entries, migrate_script
from linter.source.document import Document
from tests.conftest import codes, lint, write
from tests.test_migrate import LOADER

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "python" / "agent_era"
FLOW = "from prefect import flow\n\n@flow\ndef {name}(day: str = 'today') -> None:\n    pass\n"


def project(tmp_path: Path) -> Path:
    """The fixture scripts at the root of a project with the flow modules they import."""
    root = tmp_path / "repo"
    root.mkdir()
    for script in FIXTURES.glob("*.py"):
        shutil.copy(script, root / script.name)
    for module, name in (("flows/etl.py", "etl"), ("flows/ingest.py", "ingest"),
                         ("pipelines/reports.py", "build_reports"), ("flows/sync.py", "sync")):
        write(root, module, FLOW.format(name=name))
    return root


def entries(root: Path, script: str, pool_map: dict[str, str] | None = None) -> list:  # type: ignore[type-arg]
    return migrate_script(root / script, pool_map or {}, cwd=root)


def test_build_from_flow_with_blocks_and_overrides_becomes_a_deployment(tmp_path: Path) -> None:
    root = project(tmp_path)
    (migration,) = entries(root, "k8s_github.py", {"kubernetes-job": "k8s-prod"})
    assert migration.entry == {
        "name": "nightly",
        "entrypoint": "flows/etl.py:etl",
        "schedules": [{"cron": "0 2 * * *"}],
        "work_pool": {"name": "k8s-prod", "work_queue_name": "k8s",
                      "job_variables": {"image": "org/etl:1", "namespace": "data",
                                        "env": {"LEVEL": "DEBUG"}}},
    }
    notes = "\n".join(migration.notes)
    assert "the saved block 'repo' (github) keeps its settings on the server" in notes
    assert "pull" not in migration.entry  # the code came from somewhere: no `pull: []` claim


def test_values_assigned_once_anywhere_are_constants(tmp_path: Path) -> None:
    root = project(tmp_path)
    (migration,) = entries(root, "docker_s3.py", {"docker-container": "docker-prod"})
    assert migration.entry["entrypoint"] == "pipelines/reports.py:build_reports"
    assert migration.entry["version"] == "2" and migration.entry["tags"] == ["reports"]
    assert migration.entry["parameters"] == {"region": "eu"}
    assert migration.entry["work_pool"] == {"name": "docker-prod", "job_variables": {
        "image": "org/reports:2", "image_pull_policy": "Always", "auto_remove": True}}


def test_async_scripts_and_saved_infrastructure_blocks(tmp_path: Path) -> None:
    root = project(tmp_path)
    (migration,) = entries(root, "ecs_async.py", {"ecs-task/ecs-prod": "ecs-prod"})
    assert migration.entry["entrypoint"] == "flows/ingest.py:ingest"
    assert migration.entry["work_pool"] == {"name": "ecs-prod", "job_variables": {
        "cpu": 1024, "memory": 2048}}
    assert any("saved block 'ecs-prod' (ecs-task)" in note for note in migration.notes)


def test_a_flow_defined_in_the_script_is_its_entrypoint(tmp_path: Path) -> None:
    root = project(tmp_path)
    (migration,) = entries(root, "k8s_load_constructor.py")
    assert migration.entry["entrypoint"] == "k8s_load_constructor.py:hello"
    assert migration.entry["pull"] == []  # no storage: the agent ran the code where it was


def test_a_loop_or_a_helper_is_never_guessed(tmp_path: Path) -> None:
    root = project(tmp_path)
    with pytest.raises(MigrateError, match=r"line 8: not migrated: the call is inside a loop"):
        entries(root, "process_loop.py")
    with pytest.raises(MigrateError, match=r"`name` is computed when the script runs"):
        entries(root, "cloud_run_gcs_helpers.py")
    with pytest.raises(MigrateError, match="no Deployment"):
        entries(root, "guarded.py")


def test_schedules_timedeltas_and_skipped_calls_are_reported(tmp_path: Path) -> None:
    script = write(tmp_path, "deploy.py", """\
        import os
        from datetime import timedelta
        from prefect import flow
        from prefect.deployments import Deployment
        from prefect.server.schemas.schedules import IntervalSchedule
        from prefect.filesystems import GitHub

        REPO = GitHub(repository="https://github.com/acme/etl", reference="main")

        @flow(name="my-etl")
        def etl():
            pass

        Deployment.build_from_flow(etl, "hourly", storage=REPO, work_pool_name="proc",
            schedule=IntervalSchedule(interval=timedelta(hours=1, minutes=30)),
            description=os.environ["DESC"], apply=True)
        Deployment.build_from_flow(flow=etl, name=os.environ["NAME"])
    """)
    first, = migrate_script(script, {}, cwd=tmp_path)
    assert first.entry["name"] == "hourly" and first.entry["entrypoint"] == "deploy.py:etl"
    assert first.entry["schedules"] == [{"interval": 5400}]
    assert first.entry["pull"] == [{"prefect.deployments.steps.git_clone": {
        "repository": "https://github.com/acme/etl", "branch": "main"}}]
    assert first.entry["work_pool"]["name"] == "proc"
    notes = "\n".join(first.notes)
    assert "description=: `os.environ['DESC']` is computed when the script runs" in notes
    assert "line 17: not migrated: name=" in notes


def test_cli_dry_run_prints_the_prefect_yaml_and_notes_on_stderr(tmp_path: Path) -> None:
    root = project(tmp_path)
    done = subprocess.run([sys.executable, "-m", "linter", "migrate", "--dry-run", "--pool-map",
                           "kubernetes-job=k8s", "k8s_github.py"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    data = Document.from_text(done.stdout, "prefect.yaml").data
    assert data["deployments"][0]["entrypoint"] == "flows/etl.py:etl"
    assert "k8s_github.py:10: not carried over as is: storage=" in done.stderr
    assert not (root / "prefect.yaml").exists()
    bad = subprocess.run([sys.executable, "-m", "linter", "migrate", "--dry-run",
                          "process_loop.py"], cwd=root, capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "inside a loop" in bad.stderr


def migratable(root: Path) -> dict[str, list]:  # type: ignore[type-arg]
    found = {}
    for script in sorted(root.glob("*.py")):
        try:
            found[script.name] = migrate_script(script, {}, cwd=root)
        except MigrateError:
            continue
    return found


def test_at_least_half_of_the_build_from_flow_fixtures_migrate(tmp_path: Path) -> None:
    root = project(tmp_path)
    scripts = [p for p in root.glob("*.py") if "Deployment" in p.read_text()
               and p.name != "guarded.py"]
    found = migratable(root)
    assert len(found) * 2 >= len(scripts)
    for migrations in found.values():
        for migration in migrations:
            assert ".py:" in migration.entry["entrypoint"]
            text = insert_entries("", [migration], "prefect.yaml")
            assert [c for c in codes(lint(text, select=["L", "S"], dedent=False))] == []


@pytest.mark.slow
def test_migrated_scripts_load_in_prefect_3_9_1(prefect_python: Path, tmp_path: Path) -> None:
    root = project(tmp_path)
    outputs = []
    for name, migrations in migratable(root).items():
        out = root / f"{name}.prefect.yaml"
        out.write_text(insert_entries("", migrations, str(out)), encoding="utf-8")
        outputs.append(str(out))
    loader = tmp_path / "load.py"
    loader.write_text(LOADER)
    done = subprocess.run([str(prefect_python), str(loader), *outputs], capture_output=True,
                          text=True, cwd=root, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout)
    assert len(loaded) >= 4
    by_name = {item["name"]: item for item in loaded}
    assert by_name["nightly"]["entrypoint"] == "flows/etl.py:etl"
    assert by_name["nightly"]["job_variables"]["env"] == {"LEVEL": "DEBUG"}
    assert by_name["nightly"]["schedules"][0]["cron"] == "0 2 * * *"
