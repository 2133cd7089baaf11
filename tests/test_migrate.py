"""`prefect-lint migrate`: legacy deployment.yaml -> prefect.yaml entries.

The slow test loads every migrated file with the real Prefect 3.9.1 and compares entrypoint,
parameters, schedules and job variables with what the legacy file described.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from linter.prefect import agent_era
from linter.prefect.migrate import MigrateError, emit, insert_entries, migrate_data, migrate_files
from tests.conftest import CORPUS, codes, corpus_files, lint, write

HEADER = """\
###
### A complete description of a Prefect Deployment for flow 'etl'
###
"""

INFRASTRUCTURES: dict[str, dict[str, Any]] = {
    "process": {"type": "process", "env": {"A": "1"}, "working_dir": "/srv/app",
                "command": ["python", "-m", "prefect.engine"], "stream_output": True},
    "docker": {"type": "docker-container", "image": "acme/etl:1.4", "networks": ["etl"],
               "image_pull_policy": "ALWAYS", "auto_remove": True, "mem_limit": "2g",
               "image_registry": None},
    "kubernetes": {"type": "kubernetes-job", "image": "acme/etl:1.4", "namespace": "data",
                   "service_account_name": "runner", "finished_job_ttl": 600,
                   "customizations": [{"op": "add", "path": "/x", "value": 1}]},
    "ecs": {"type": "ecs-task", "image": "acme/etl:1.4", "cpu": 1024, "memory": 2048,
            "cluster": "prod", "launch_type": "FARGATE", "task_definition": {"x": 1}},
    "cloud-run": {"type": "cloud-run-job", "image": "gcr.io/acme/etl", "region": "europe-west1",
                  "cpu": 1, "memory": 512, "memory_unit": "Mi", "timeout": 900},
    "cloud-run-v2": {"type": "cloud-run-job-v2", "image": "gcr.io/acme/etl", "max_retries": 3,
                     "credentials": {"_block_document_name": "gcp", "_is_anonymous": False,
                                     "block_type_slug": "gcp-credentials"}},
    "aci": {"type": "container-instance-job", "image": "acme/etl", "resource_group_name": "rg",
            "subscription_id": "sub", "cpu": 2.0},
    "vertex": {"type": "vertex-ai-custom-training-job", "image": "acme/etl",
               "region": "us-east1", "machine_type": "n1-standard-8"},
}

SAVED = {"_is_anonymous": False, "_block_document_id": "0f3e"}
STORAGES: dict[str, tuple[dict[str, Any] | None, str, str]] = {
    # name: (storage block, path, expected pull step)
    "none": (None, "/opt/prefect/flows", "prefect.deployments.steps.set_working_directory"),
    "github": ({"repository": "https://github.com/acme/etl", "reference": "main",
                "access_token": None, "_block_document_name": "repo", "_block_type_slug":
                "github", **SAVED}, "", "prefect.deployments.steps.git_clone"),
    "github-repository": ({"repository_url": "https://github.com/acme/etl", "reference": "v1",
                           "credentials": {"_block_document_name": "gh", "_is_anonymous": False,
                                           "block_type_slug": "github-credentials"},
                           "_block_document_name": "r", "_block_type_slug":
                           "github-repository", **SAVED}, "flows",
                          "prefect.deployments.steps.git_clone"),
    "gitlab": ({"repository": "https://gitlab.com/acme/etl", "_block_document_name": "r",
                "_block_type_slug": "gitlab-repository", **SAVED}, "",
               "prefect.deployments.steps.git_clone"),
    "bitbucket": ({"repository": "https://bitbucket.org/acme/etl", "_block_document_name": "r",
                   "_block_type_slug": "bitbucket-repository", **SAVED}, "",
                  "prefect.deployments.steps.git_clone"),
    "s3": ({"bucket_path": "bucket/flows", "aws_access_key_id": "**********",
            "_block_document_name": "s", "_block_type_slug": "s3", **SAVED}, "",
           "prefect.deployments.steps.pull_from_remote_storage"),
    "s3-bucket": ({"bucket_name": "bucket", "bucket_folder": "flows",
                   "credentials": {"_block_document_name": "aws", "_is_anonymous": False,
                                   "block_type_slug": "aws-credentials"},
                   "_block_document_name": "s", "_block_type_slug": "s3-bucket", **SAVED}, "",
                  "prefect_aws.deployments.steps.pull_from_s3"),
    "gcs": ({"bucket_path": "bucket/flows", "_block_document_name": "g",
             "_block_type_slug": "gcs", **SAVED}, "",
            "prefect.deployments.steps.pull_from_remote_storage"),
    "gcs-bucket": ({"bucket": "bucket", "bucket_folder": "flows/",
                    "_block_document_name": "g", "_block_type_slug": "gcs-bucket", **SAVED}, "",
                   "prefect_gcp.deployments.steps.pull_from_gcs"),
    "azure": ({"bucket_path": "container/flows", "_block_document_name": "a",
               "_block_type_slug": "azure", **SAVED}, "",
              "prefect.deployments.steps.pull_from_remote_storage"),
    "azure-container": ({"container_name": "c", "_block_document_name": "a",
                         "_block_type_slug": "azure-blob-storage-container", **SAVED}, "",
                        "prefect_azure.deployments.steps.pull_from_azure_blob_storage"),
    "remote": ({"basepath": "memory://flows", "settings": {"anon": True},
                "_block_document_name": "m", "_block_type_slug": "remote-file-system", **SAVED},
               "", "prefect.deployments.steps.pull_from_remote_storage"),
    "local": ({"basepath": "/srv/flows", "_block_document_name": "l",
               "_block_type_slug": "local-file-system", **SAVED}, "",
              "prefect.deployments.steps.set_working_directory"),
    "smb": ({"share_path": "/share", "_block_document_name": "smb-share",
             "_block_type_slug": "smb", **SAVED}, "",
            "prefect.deployments.steps.pull_with_block"),
}

SCHEDULES = [
    {"cron": "0 3 * * *", "timezone": "Europe/Berlin", "day_or": True},
    {"interval": 3600.0, "anchor_date": "2024-01-01T00:00:00+00:00", "timezone": "UTC"},
    {"rrule": "FREQ=WEEKLY;BYDAY=MO", "timezone": "America/New_York"},
    None,
]


#: Deployment triggers as Prefect 2 wrote them: no `type`, every unset field null.
LEGACY_TRIGGERS = [
    {"name": None, "description": "", "enabled": True,
     "match": {"prefect.resource.id": "prefect.flow-run.*"}, "match_related": {}, "after": [],
     "expect": ["prefect.flow-run.Completed"], "for_each": [], "posture": "Reactive",
     "threshold": 1, "within": 0.0, "parameters": {"days": 1}},
    {"name": "quiet upstream", "enabled": True, "match": {"prefect.resource.id": "acme.*"},
     "expect": ["acme.ping"], "posture": "Proactive", "threshold": 1, "within": 600.0,
     "parameters": None},
]


def legacy_text(infrastructure: dict[str, Any], storage: dict[str, Any] | None, path: str,
                schedule: dict[str, Any] | None, name: str = "etl-nightly",
                triggers: list[dict[str, Any]] | None = None) -> str:
    editable = {
        "name": name, "description": "Nightly load", "version": "1a2b", "work_queue_name":
        "critical", "work_pool_name": None, "tags": ["nightly"],
        "parameters": {"days": 2, "region": "eu"}, "schedule": schedule,
        "is_schedule_active": None, "infra_overrides": {"env.EXTRA": "1", "labels.team": "data"},
    }
    fixed = {"flow_name": "etl", "manifest_path": None, "infrastructure": infrastructure,
             "storage": storage, "path": path, "entrypoint": "flows/etl.py:etl",
             "parameter_openapi_schema": {"title": "Parameters", "type": "object"},
             "timestamp": "2024-05-01T03:00:00+00:00", "triggers": triggers or [],
             "enforce_parameter_schema": None}

    def block(data: dict[str, Any]) -> str:
        return "\n".join(line for key, value in data.items()
                         for line in (emit({key: value}, 0) if value is not None
                                      else [f"{key}: null"]))
    return (HEADER + block(editable) + "\n\n###\n### DO NOT EDIT BELOW THIS LINE\n###\n"
            + block(fixed) + "\n")


def examples() -> dict[str, str]:
    cases = {}
    for index, (infra_name, infrastructure) in enumerate(INFRASTRUCTURES.items()):
        storage, path, _ = STORAGES["github"]
        cases[f"infra-{infra_name}"] = legacy_text(infrastructure, storage, path,
                                                   SCHEDULES[index % len(SCHEDULES)])
    for index, (storage_name, (storage, path, _)) in enumerate(STORAGES.items()):
        cases[f"storage-{storage_name}"] = legacy_text(INFRASTRUCTURES["process"], storage,
                                                       path, SCHEDULES[index % len(SCHEDULES)])
    storage, path, _ = STORAGES["github"]
    cases["triggers"] = legacy_text(INFRASTRUCTURES["process"], storage, path, SCHEDULES[0],
                                    triggers=LEGACY_TRIGGERS)
    return cases


def test_examples_are_legacy_files_that_lint_as_such() -> None:
    text = examples()["infra-docker"]
    assert codes(lint(text, filename="x-deployment.yaml")) == ["L011"]


@pytest.mark.parametrize("storage_name", sorted(STORAGES))
def test_each_storage_kind_becomes_its_pull_step(tmp_path: Path, storage_name: str) -> None:
    storage, path, step = STORAGES[storage_name]
    source = write(tmp_path, "etl-deployment.yaml",
                   legacy_text(INFRASTRUCTURES["process"], storage, path, None))
    migration = migrate_files([source], {})[0]
    assert next(iter(migration.entry["pull"][0])) == step


def test_infrastructure_fields_move_where_the_template_has_them() -> None:
    conversion = agent_era.infrastructure_to_job_variables(INFRASTRUCTURES["docker"])
    assert conversion.value == {"image": "acme/etl:1.4", "networks": ["etl"],
                                "image_pull_policy": "Always", "auto_remove": True,
                                "mem_limit": "2g"}
    kubernetes = agent_era.infrastructure_to_job_variables(INFRASTRUCTURES["kubernetes"])
    assert "customizations" in " ".join(kubernetes.notes)
    cloud_run = agent_era.infrastructure_to_job_variables(INFRASTRUCTURES["cloud-run"])
    assert cloud_run.value["memory"] == "512Mi" and cloud_run.value["cpu"] == "1"
    process = agent_era.infrastructure_to_job_variables(INFRASTRUCTURES["process"])
    assert process.value == {"env": {"A": "1"}, "working_dir": "/srv/app"}


def test_migrate_data_fields_and_notes() -> None:
    from linter.source.document import Document

    text = legacy_text(INFRASTRUCTURES["kubernetes"], STORAGES["github"][0], "",
                       {"interval": 3600.0, "timezone": "UTC"})
    data = Document.from_text(text, "x").data
    migration = migrate_data(data, "x-deployment.yaml", {"kubernetes-job": "k8s"})
    entry = migration.entry
    assert entry["entrypoint"] == "flows/etl.py:etl"
    assert entry["schedules"] == [{"interval": 3600, "timezone": "UTC"}]
    assert entry["work_pool"]["name"] == "k8s"
    assert entry["work_pool"]["work_queue_name"] == "critical"
    assert entry["work_pool"]["job_variables"]["env"] == {"EXTRA": "1"}
    assert entry["work_pool"]["job_variables"]["labels"] == {"team": "data"}
    assert any("customizations" in note for note in migration.notes)


def test_cli_writes_new_file_and_dry_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "etl-deployment.yaml", examples()["infra-process"])
    dry = cli("migrate", "etl-deployment.yaml", "--dry-run")
    assert dry.exit_code == 0
    assert "deployments:\n  # migrated from etl-deployment.yaml" in dry.output
    assert not (tmp_path / "prefect.yaml").exists()
    done = cli("migrate", "etl-deployment.yaml", "--pool-map", "process=local")
    assert done.exit_code == 0
    written = (tmp_path / "prefect.yaml").read_text()
    assert "name: local" in written
    assert [d.code for d in lint(written, select=["L"], dedent=False)] == []


def test_cli_adds_to_existing_file_keeping_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    existing = "# ours\r\nname: proj  # keep\r\ndeployments:\r\n  - name: a   # first\r\n" \
               "    entrypoint: a.py:a\r\n# trailing comment\r\n"
    (tmp_path / "prefect.yaml").write_bytes(existing.encode())
    write(tmp_path, "etl-deployment.yaml", examples()["storage-s3"])
    result = cli("migrate", "etl-deployment.yaml", "--into", "prefect.yaml")
    assert result.exit_code == 0, result.output
    after = (tmp_path / "prefect.yaml").read_bytes().decode()
    assert after.startswith(existing[: existing.index("# trailing")])
    assert after.endswith("\r\n# trailing comment\r\n")
    assert "\n" not in after.replace("\r\n", "")
    assert "  - name: etl-nightly" in after
    again = cli("migrate", "etl-deployment.yaml")
    assert again.exit_code == 2 and "already has a deployment named" in again.output


@pytest.mark.parametrize("exists", [True, False], ids=["edited", "created"])
def test_cli_leaves_a_file_saved_meanwhile_alone(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool) -> None:
    """An edit saved (or a file created) between reading and writing is never overwritten."""
    import linter.prefect.migrate as migrate

    target = tmp_path / "prefect.yaml"
    if exists:
        target.write_text("deployments: []\n")
    write(tmp_path, "etl-deployment.yaml", examples()["infra-process"])
    planned = migrate.plan_migration

    def plan_then_edit(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan = planned(*args, **kwargs)
        target.write_text("# saved in the editor meanwhile\n")
        return plan

    monkeypatch.setattr(migrate, "plan_migration", plan_then_edit)
    result = cli("migrate", "etl-deployment.yaml", "--pool-map", "process=local")
    assert result.exit_code == 2
    assert target.read_text() == "# saved in the editor meanwhile\n"


@pytest.mark.parametrize("existing", ["deployments: []\n", "deployments:\n", "name: p\n", ""])
def test_insert_into_empty_shapes(existing: str) -> None:
    from linter.source.document import Document

    migration = migrate_data(Document.from_text(examples()["infra-docker"], "x").data, "x")
    result = insert_entries(existing, [migration], "prefect.yaml")
    loaded = Document.from_text(result, "prefect.yaml").data
    assert [d["name"] for d in loaded["deployments"]] == ["etl-nightly"]


def test_cli_errors_are_clear(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", "deployments: []\n")
    result = cli("migrate", "prefect.yaml", "--into", "out.yaml")
    assert result.exit_code == 2 and "not a Prefect 2 deployment file" in result.output
    assert cli("migrate", "missing.yaml").exit_code == 2
    write(tmp_path, "a-deployment.yaml", examples()["infra-process"])
    bad = cli("migrate", "a-deployment.yaml", "--pool-map", "oops")
    assert bad.exit_code == 2 and "BLOCK=POOL" in bad.output
    with pytest.raises(MigrateError):
        insert_entries("deployments: {a: 1}\n", [], "p.yaml")


# -- against the real Prefect -------------------------------------------------------------------

LOADER = textwrap.dedent("""\
    import json, sys, yaml
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.cli.deploy._config import _handle_deprecated_schedule_fields
    from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter
    triggers_of = TypeAdapter(DeploymentTriggerTypes)
    out = []
    for name in sys.argv[1:]:
        model = PrefectYamlModel.model_validate(yaml.safe_load(open(name)))
        for deployment in model.deployments:
            raw = _handle_deprecated_schedule_fields(deployment.model_dump(exclude_unset=True))
            schedules = []
            for item in raw.get("schedules") or []:
                built = _schedule_config_to_deployment_schedule(
                    item if isinstance(item, dict) else item.model_dump(exclude_unset=True))
                schedules.append(json.loads(built["schedule"].model_dump_json()) | {
                    "active": built.get("active", True)})
            out.append({"file": name, "name": deployment.name,
                        "entrypoint": deployment.entrypoint,
                        "parameters": deployment.parameters, "schedules": schedules,
                        "job_variables": deployment.work_pool.job_variables
                        if deployment.work_pool else {},
                        "triggers": [json.loads(triggers_of.validate_python(
                            {"name": "x", **spec}).model_dump_json())
                            for spec in deployment.model_dump().get("triggers") or []]})
    print(json.dumps(out, default=str))
""")


def _expected_schedule(legacy: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    if isinstance(legacy.get("schedules"), list) and legacy["schedules"]:
        items = [(s.get("schedule", s), s.get("active")) for s in legacy["schedules"]]
    elif isinstance(legacy.get("schedule"), dict) and legacy["schedule"]:
        items = [(legacy["schedule"], None)]
    expected = []
    for schedule, active in items:
        wanted = {k: schedule[k] for k in ("cron", "rrule", "interval") if schedule.get(k)}
        if schedule.get("timezone"):
            wanted["timezone"] = schedule["timezone"]
        wanted["active"] = not (active is False or legacy.get("is_schedule_active") is False)
        expected.append(wanted)
    return expected


@pytest.mark.slow
def test_migrated_files_load_in_prefect_with_the_same_settings(
    prefect_python: Path, tmp_path: Path
) -> None:
    from linter.source.document import Document

    sources: dict[str, Path] = {}
    for name, text in examples().items():
        sources[name] = write(tmp_path / "legacy", f"{name}-deployment.yaml", text)
    for path in corpus_files("legacy_deployment"):
        sources[path.name] = path
    outputs = {}
    for name, source in sources.items():
        migration = migrate_files([source], {})[0]
        if "entrypoint" not in migration.entry:
            continue  # a hand-written file without an entrypoint: nothing to compare
        out = tmp_path / "out" / f"{name}.yaml"
        out.parent.mkdir(exist_ok=True)
        text = insert_entries("", [migration], str(out))
        out.write_text(text, encoding="utf-8")
        assert codes(lint(text, select=["L"], dedent=False)) == [], name
        outputs[str(out)] = source
    loader = tmp_path / "load.py"
    loader.write_text(LOADER)
    done = subprocess.run([str(prefect_python), str(loader), *outputs], capture_output=True,
                          text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout)
    assert len(loaded) == len(outputs) >= len(examples())
    for item in loaded:
        legacy = Document.from_text(outputs[item["file"]].read_text(encoding="utf-8"), "x").data
        where = outputs[item["file"]].name
        assert item["entrypoint"] == legacy["entrypoint"], where
        assert item["parameters"] == (legacy.get("parameters") or {}), where
        got = [{k: v for k, v in s.items() if k in ("cron", "rrule", "interval", "timezone",
                                                     "active") and v is not None}
               for s in item["schedules"]]
        for schedule in got:
            if "interval" in schedule:
                schedule["interval"] = float(schedule["interval"])
        want = _expected_schedule(legacy)
        for schedule in want:
            if "interval" in schedule:
                schedule["interval"] = float(schedule["interval"])
            if "timezone" not in schedule:
                schedule["timezone"] = "UTC"
        for schedule in got:
            schedule.setdefault("timezone", "UTC")
        assert got == want, where
        overrides = agent_era.expand_dotted(legacy.get("infra_overrides") or {})
        for key, value in overrides.items():
            if key == "env" and isinstance(value, dict):
                assert value.items() <= item["job_variables"]["env"].items(), where
            else:
                assert item["job_variables"][key] == value, where
        wanted_triggers = [t for t in legacy.get("triggers") or [] if isinstance(t, dict)]
        assert len(item["triggers"]) == len(wanted_triggers), where
        for got_trigger, legacy_trigger in zip(item["triggers"], wanted_triggers, strict=True):
            for key in ("match", "expect", "posture", "threshold", "parameters"):
                if legacy_trigger.get(key) is not None:
                    wanted_value = legacy_trigger[key]
                    if key == "expect":
                        got_trigger[key], wanted_value = sorted(got_trigger[key]), sorted(
                            wanted_value)
                    assert got_trigger[key] == wanted_value, (where, key)
        infrastructure = legacy.get("infrastructure")
        if isinstance(infrastructure, dict):
            carried = agent_era.infrastructure_to_job_variables(infrastructure).value
            for key, value in carried.items():
                if key not in overrides:
                    assert item["job_variables"][key] == value, where


def test_prefect_2_triggers_are_carried_with_a_type() -> None:
    from linter.source.document import Document

    data = Document.from_text(examples()["triggers"], "x").data
    migration = migrate_data(data, "x-deployment.yaml")
    first, second = migration.entry["triggers"]
    assert next(iter(first)) == "type" and first["type"] == "event"
    assert first["expect"] == ["prefect.flow-run.Completed"] and "name" not in first
    assert second == {"type": "event", "name": "quiet upstream", "enabled": True,
                      "match": {"prefect.resource.id": "acme.*"}, "expect": ["acme.ping"],
                      "posture": "Proactive", "threshold": 1, "within": 600.0}
    assert any(note.startswith("triggers: 2 written by Prefect 2") for note in migration.notes)
    text = insert_entries("", [migration], "prefect.yaml")
    assert [c for c in codes(lint(text, dedent=False)) if c[0] in "SY"] == []
    metric = migrate_data({**data, "triggers": [{"posture": "Metric", "metric": {}}]}, "x")
    assert metric.entry["triggers"][0]["type"] == "metric"


def test_corpus_files_migrate_without_error() -> None:
    paths = corpus_files("legacy_deployment")
    migrations = migrate_files(paths, {})
    assert len(migrations) == len(paths) == len(list((CORPUS / "legacy_deployment").iterdir()))
    assert all(m.entry["name"] for m in migrations)


LEGACY_BASE = {"name": "etl", "flow_name": "etl", "entrypoint": "flows/etl.py:etl",
               "parameter_openapi_schema": {}, "work_queue_name": "default"}


def test_an_explicit_work_pool_is_carried() -> None:
    data = {**LEGACY_BASE, "work_pool": {"name": "dev", "job_variables": {"image": "mine"}},
            "infrastructure": {"type": "docker-container", "image": "theirs",
                               "env": {"A": "1"}},
            "work_pool_name": "other"}
    migration = migrate_data(data, "x-deployment.yaml")
    pool = migration.entry["work_pool"]
    assert pool["name"] == "dev"
    # the file's own job variables win; the infrastructure block fills in the rest
    assert pool["job_variables"]["image"] == "mine"
    assert pool["job_variables"]["env"] == {"A": "1"}
    assert not any(note.startswith("work_pool:") for note in migration.notes)
    assert any("work_pool_name: 'other' differs" in note for note in migration.notes)
    simple = migrate_data({**LEGACY_BASE, "work_pool": {"name": "dev"}}, "y-deployment.yaml")
    assert simple.entry["work_pool"] == {"name": "dev"}


def test_pull_is_empty_only_when_the_legacy_deployment_fetched_no_code() -> None:
    local = migrate_data({**LEGACY_BASE, "storage": None}, "a-deployment.yaml")
    assert local.entry["pull"] == []
    assert any(note.startswith("pull: [] written") and "top-level pull" in note
               for note in local.notes)
    # a storage block that cannot be converted: no `pull` at all, and a note
    broken = migrate_data({**LEGACY_BASE, "storage": {"_block_type_slug": "github"}},
                          "b-deployment.yaml")
    assert "pull" not in broken.entry
    assert any(note.startswith("pull: the storage block was not converted")
               for note in broken.notes)
    # a path, or a storage block: its steps
    moved = migrate_data({**LEGACY_BASE, "storage": None, "path": "/opt/flows"},
                         "c-deployment.yaml")
    assert moved.entry["pull"] == [{"prefect.deployments.steps.set_working_directory": {
        "directory": "/opt/flows"}}]
    assert not any(note.startswith("pull: []") for note in moved.notes)


def test_own_pull_steps_over_a_top_level_pull_are_noted() -> None:
    from linter.source.document import Document

    migration = migrate_data(Document.from_text(examples()["storage-s3"], "x").data, "x")
    existing = ("pull:\n  - prefect.deployments.steps.git_clone:\n      repository: r\n"
                "deployments: []\n")
    insert_entries(existing, [migration], "prefect.yaml")
    assert any("replace the top-level pull section of prefect.yaml" in note
               for note in migration.notes)


def test_migrate_writes_the_schedule_form_the_target_reads(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from linter.prefect.releases import make_target
    from linter.source.document import Document

    text = legacy_text(INFRASTRUCTURES["kubernetes"], STORAGES["github"][0], "",
                       {"interval": 3600.0, "timezone": "UTC"})
    data = {**Document.from_text(text, "x").data, "is_schedule_active": False}
    on_214 = migrate_data(data, "x", {"kubernetes-job": "k8s"}, make_target("2.14", "t"))
    assert "schedules" not in on_214.entry
    assert on_214.entry["schedule"] == {"interval": 3600, "timezone": "UTC"}
    assert on_214.entry["is_schedule_active"] is False  # read by 2.14 to 2.20
    on_216 = migrate_data(data, "x", {"kubernetes-job": "k8s"}, make_target("2.16", "t"))
    assert on_216.entry["schedules"] == [{"interval": 3600, "timezone": "UTC", "active": False}]
    write(tmp_path, "etl-deployment.yaml", examples()["infra-process"])
    write(tmp_path, "requirements.txt", "prefect==2.14.21\n")
    done = cli("migrate", "etl-deployment.yaml", "--pool-map", "process=local", "--dry-run")
    assert done.exit_code == 0
    assert "schedules:" not in done.output and "    schedule:\n" in done.output
    bad = cli("migrate", "etl-deployment.yaml", "--target-version", "2.9", "--dry-run")
    assert bad.exit_code == 2 and "did not exist yet" in bad.stderr
