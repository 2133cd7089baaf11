"""Findings that follow the targeted Prefect release: each version-dependent behaviour gets a
finding on the right row where Prefect ignores, rejects or crashes on it, and no warning or
error where it works."""

from __future__ import annotations

import pytest

from linter.core.diagnostics import Diagnostic, Severity
from linter.prefect import versions
from linter.prefect.releases import make_target
from tests.conftest import lint

SERIOUS = (Severity.ERROR, Severity.WARNING)


def serious(found: list[Diagnostic], code: str | None = None) -> list[Diagnostic]:
    return [d for d in found if d.severity in SERIOUS and (code is None or d.code == code)]


def rows(found: list[Diagnostic], code: str) -> list[int]:
    return [d.start.row for d in found if d.code == code]


def deployment(extra: str) -> str:
    """A clean deployment with ``extra`` (already indented for a deployment entry) after it."""
    return ("deployments:\n  - name: nightly\n    entrypoint: flows/etl.py:etl\n"
            "    work_pool:\n      name: k8s-prod\n" + extra)


SCHEDULE_FIELD = deployment("    schedules:\n      - cron: \"0 3 1 * 1\"\n        {field}\n")

# (what, the file, the field's row, rule, [targets that lose it], [targets where it works])
KEY_CASES = [
    ("schedules list", deployment("    schedules:\n      - cron: \"0 3 * * *\"\n"), 6, "V001",
     ["2.10", "2.14"], ["2.16", "2.19", "3.9"]),
    ("day_or", SCHEDULE_FIELD.format(field="day_or: false"), 8, "V001",
     ["2.19", "3.3", "3.4.20"], ["3.4.23", "3.9"]),
    ("day_or rejected", SCHEDULE_FIELD.format(field="day_or: false"), 8, "V002",
     ["3.4.21", "3.4.22"], ["3.4.23", "3.9"]),
    ("slug", SCHEDULE_FIELD.format(field="slug: monthly"), 8, "V001",
     ["2.20", "3.1"], ["3.2", "3.9"]),
    ("schedule parameters", SCHEDULE_FIELD.format(field="parameters: {days: 3}"), 8, "V001",
     ["3.0", "3.1"], ["3.2", "3.9"]),
    ("replaces ignored", SCHEDULE_FIELD.format(field="replaces: old"), 8, "V001",
     ["2.20", "3.3"], ["3.6.17", "3.9"]),
    ("replaces rejected", SCHEDULE_FIELD.format(field="replaces: old"), 8, "V002",
     ["3.4", "3.5", "3.6.16"], ["3.6.17", "3.9"]),
    ("max_active_runs", SCHEDULE_FIELD.format(field="max_active_runs: 2"), 8, "V001",
     ["2.20", "3.1", "3.3"], ["3.0"]),
    ("catchup", SCHEDULE_FIELD.format(field="catchup: true"), 8, "V001",
     ["2.19", "3.2"], ["3.0"]),
    ("concurrency_limit", deployment("    concurrency_limit: 2\n"), 6, "V001",
     ["2.10", "2.20"], ["3.0", "3.9"]),
    ("grace_period_seconds", deployment(
        "    concurrency_limit:\n      limit: 2\n      collision_strategy: ENQUEUE\n"
        "      grace_period_seconds: 120\n"), 9, "V001",
     ["3.0", "3.5", "3.6.5"], ["3.6.6", "3.9"]),
]


@pytest.mark.parametrize(("text", "row", "code", "losing", "working"),
                         [case[1:] for case in KEY_CASES], ids=[case[0] for case in KEY_CASES])
def test_key_found_where_lost_and_silent_where_it_works(
        text: str, row: int, code: str, losing: list[str], working: list[str]) -> None:
    for target in losing:
        found = lint(text, target=target)
        assert rows(found, code) == [row], (target, [(d.code, d.message) for d in found])
        assert all(d.severity is Severity.ERROR for d in found if d.code == code) or \
            code == "V001"
    for target in working:
        found = lint(text, target=target)
        assert serious(found) == [], (target, [(d.code, d.message) for d in found])


def test_day_or_message_names_the_first_release_that_reads_it() -> None:
    found = lint(SCHEDULE_FIELD.format(field="day_or: false"), target="3.3")
    (finding,) = [d for d in found if d.code == "V001"]
    assert "ignored before Prefect 3.4.23" in finding.message
    assert finding.severity is Severity.ERROR
    found = lint(SCHEDULE_FIELD.format(field="day_or: true"), target="3.3")
    (finding,) = [d for d in found if d.code == "V001"]
    assert finding.severity is Severity.WARNING  # the release does day_or: true anyway


def test_max_active_runs_is_read_only_by_3_0() -> None:
    found = lint(SCHEDULE_FIELD.format(field="max_active_runs: 2"), target="3.2")
    (finding,) = [d for d in found if d.code == "V001"]
    assert "not read by Prefect 3.1 and later" in finding.message
    found = lint(SCHEDULE_FIELD.format(field="max_active_runs: 2"), target="2.19")
    (finding,) = [d for d in found if d.code == "V001"]
    assert "read only by Prefect 3.0.x" in finding.message
    found = lint(SCHEDULE_FIELD.format(field="max_active_runs: 2"), target="3.9")
    assert rows(found, "S001") == [8]
    assert "rejects the whole file" in next(d.message for d in found if d.code == "S001")


def test_unknown_schedule_key_rejects_the_file_only_from_3_4_21() -> None:
    text = SCHEDULE_FIELD.format(field="bogus: 1")
    old = next(d for d in lint(text, target="3.3") if d.code == "S001")
    new = next(d for d in lint(text, target="3.4.21") if d.code == "S001")
    assert "ignores it silently" in old.message
    assert "rejects the whole file" in new.message


# -- the legacy rules follow the target ---------------------------------------------------------

SINGULAR = deployment("    schedule:\n      cron: \"0 3 * * *\"\n")


def test_singular_schedule_is_the_form_that_works_before_2_16() -> None:
    assert serious(lint(SINGULAR, target="2.14")) == []
    found = lint(SINGULAR, target="2.19")
    assert rows(found, "L002") == [6]
    fixed = next(d for d in found if d.code == "L002").fix
    assert fixed is not None and "schedules" in fixed.message


def test_schedule_and_schedules_only_refused_from_2_16() -> None:
    text = SINGULAR + "    schedules:\n      - interval: 3600\n"
    assert rows(lint(text, target="2.14"), "L003") == []
    assert rows(lint(text, target="2.14"), "V001") == [8]  # the ignored list
    assert rows(lint(text, target="2.16"), "L003") == [6]


IS_ACTIVE = deployment("    is_schedule_active: false\n    schedule:\n      cron: \"0 3 * * *\"\n")


def test_is_schedule_active_by_target() -> None:
    on_219 = [d for d in lint(IS_ACTIVE, target="2.19") if d.code == "L004"]
    assert [(d.start.row, d.severity) for d in on_219] == [(6, Severity.WARNING)]
    assert "ignored from Prefect 3.0" in on_219[0].message
    on_210 = [d for d in lint(IS_ACTIVE, target="2.10") if d.code == "L004"]
    assert [(d.start.row, d.severity) for d in on_210] == [(6, Severity.ERROR)]
    assert "ignored before Prefect 2.14" in on_210[0].message
    on_39 = [d for d in lint(IS_ACTIVE, target="3.9") if d.code == "L004"]
    assert [(d.start.row, d.severity) for d in on_39] == [(6, Severity.ERROR)]


PROJECTS_STEP = ("pull:\n  - prefect.projects.steps.git_clone_project:\n"
                 "      repository: https://github.com/acme/etl.git\n") + deployment("")


def test_projects_step_names_by_target() -> None:
    on_216 = [d for d in lint(PROJECTS_STEP, target="2.16") if d.code == "L010"]
    assert [(d.start.row, d.severity) for d in on_216] == [(2, Severity.WARNING)]
    assert on_216[0].fix is not None  # the new name works on 2.16 too
    for target in ("2.19", "3.9"):
        found = [d for d in lint(PROJECTS_STEP, target=target) if d.code == "L010"]
        assert [(d.start.row, d.severity) for d in found] == [(2, Severity.ERROR)], target
    clone_project = PROJECTS_STEP.replace("prefect.projects.steps", "prefect.deployments.steps")
    on_220 = [d for d in lint(clone_project, target="2.20") if d.code == "L010"]
    assert [d.severity for d in on_220] == [Severity.WARNING]
    assert [d.severity for d in lint(clone_project, target="3.0")
            if d.code == "L010"] == [Severity.ERROR]


@pytest.mark.parametrize(("script", "code"), [
    ("prefect agent start --pool etl\n", "L020"),
    ("prefect deployment build flows/etl.py:etl -n nightly --apply\n", "L021"),
])
def test_agent_commands_warn_on_2x_and_fail_on_3x(script: str, code: str) -> None:
    on_2 = [d for d in lint(script, filename="deploy.sh", target="2.19") if d.code == code]
    assert [(d.start.row, d.severity) for d in on_2] == [(1, Severity.WARNING)]
    assert "removed in Prefect 3.0" in on_2[0].message
    on_3 = [d for d in lint(script, filename="deploy.sh", target="3.0") if d.code == code]
    assert [(d.start.row, d.severity) for d in on_3] == [(1, Severity.ERROR)]


# -- prefect-version, the knowledge module ------------------------------------------------------


def test_prefect_version_disagreeing_with_the_target_is_info() -> None:
    text = "prefect-version: 2.19.9\n" + deployment("")
    found = [d for d in lint(text, target="3.9") if d.code == "V003"]
    assert [(d.start.row, d.severity) for d in found] == [(1, Severity.INFO)]
    assert [d for d in lint(text, target="2.19") if d.code == "V003"] == []


def test_knowledge_answers() -> None:
    assert versions.model_validates(make_target("3.4.19", "t"))
    assert not versions.model_validates(make_target("3.3", "t"))
    assert versions.behaviour("explicit_empty_pull", make_target("3.8", "t")) == "read"
    assert versions.first_release("interval_string", "read") == "3.4.19"


INTERVAL = deployment("    schedules:\n      - interval: \"PT1H\"\n")


def test_interval_string_crashes_before_3_4_19() -> None:
    for target in ("2.19", "3.3", "3.4.18"):
        found = lint(INTERVAL, target=target)
        assert rows(found, "V005") == [7], target
        assert all(d.severity is Severity.ERROR for d in found if d.code == "V005")
    for target in ("3.4.19", "3.9"):
        assert serious(lint(INTERVAL, target=target)) == [], target
    numeric = deployment("    schedules:\n      - interval: 3600\n")
    assert serious(lint(numeric, target="2.19")) == []


EMPTY_PULL = ("pull:\n  - prefect.deployments.steps.set_working_directory:\n"
              "      directory: /opt/flows\n") + deployment("    pull: []\n")


def test_empty_pull_means_no_pull_only_from_3_8() -> None:
    for target in ("2.19", "3.7"):
        found = [d for d in lint(EMPTY_PULL, target=target) if d.code == "V006"]
        assert [d.start.row for d in found] == [9], target
        assert "top-level pull steps" in found[0].message
    for target in ("3.8", "3.9"):
        assert serious(lint(EMPTY_PULL, target=target)) == [], target


def test_wrong_type_consequence_follows_model_validation() -> None:
    text = "deployments:\n  - name: nightly\n    entrypoint: flows/etl.py:etl\n" \
           "    work_pool: k8s-prod\n"
    old = next(d for d in lint(text, target="3.3") if d.code == "S002")
    assert old.start.row == 4 and "does not validate the file" in old.message
    new = next(d for d in lint(text, target="3.4.19") if d.code == "S002")
    assert new.start.row == 4 and "does not validate" not in new.message


LEGACY_FILE = ("###\n### A complete description of a Prefect Deployment for flow 'etl'\n###\n"
               "name: nightly\n###\n### DO NOT EDIT BELOW THIS LINE\n###\nflow_name: etl\n"
               "entrypoint: flows/etl.py:etl\n")
HELM_AGENT = "agent:\n  apiUrl: https://x/api\n  workQueueName: kubernetes\n"


@pytest.mark.parametrize(("text", "filename", "code", "row"), [
    (LEGACY_FILE, "etl-deployment.yaml", "L011", 2),
    (HELM_AGENT, "values.yaml", "L023", 1),
])
def test_agent_era_files_warn_on_2x_and_fail_on_3x(text: str, filename: str, code: str,
                                                   row: int) -> None:
    on_2 = [d for d in lint(text, filename=filename, target="2.20") if d.code == code]
    assert [(d.start.row, d.severity) for d in on_2] == [(row, Severity.WARNING)]
    assert "Prefect 3.0" in on_2[0].message
    on_3 = [d for d in lint(text, filename=filename, target="3.0") if d.code == code]
    assert [(d.start.row, d.severity) for d in on_3] == [(row, Severity.ERROR)]


def step_file(function: str, argument: str) -> str:
    return (f"pull:\n  - prefect.deployments.steps.{function}:\n"
            f"      repository: https://github.com/acme/etl.git\n      {argument}\n"
            ) + deployment("")


@pytest.mark.parametrize(("function", "argument", "losing", "working"), [
    ("git_clone", "commit_sha: 4f2a9c1", ["2.20", "3.3"], ["3.4", "3.9"]),
    ("git_clone", "clone_directory_name: etl", ["3.0", "3.5"], ["3.6", "3.9"]),
    ("git_clone", "directories: [flows]", ["2.20", "3.0"], ["3.1", "3.9"]),
])
def test_step_argument_by_target(function: str, argument: str, losing: list[str],
                                 working: list[str]) -> None:
    text = step_file(function, argument)
    for target in losing:
        found = [d for d in lint(text, target=target) if d.code == "V004"]
        assert [(d.start.row, d.severity) for d in found] == [(4, Severity.ERROR)], target
        assert "unexpected keyword argument" in found[0].message
    for target in working:
        assert serious(lint(text, target=target)) == [], target


def test_run_shell_script_shell_argument_arrives_in_3_6() -> None:
    text = ("pull:\n  - prefect.deployments.steps.run_shell_script:\n      script: make\n"
            "      shell: false\n") + deployment("")
    found = [d for d in lint(text, target="3.5") if d.code == "V004"]
    assert [d.start.row for d in found] == [4]
    assert "added in 3.6" in found[0].message
    assert serious(lint(text, target="3.6")) == []



SINGLE_STEP = ("pull:\n  prefect.deployments.steps.set_working_directory:\n"
               "    directory: /opt/flows\n") + deployment("")


def test_single_step_mapping_by_target() -> None:
    for target, words in (("3.3", "`prefect deploy` fails with it"), ("3.5", "crashes loading"),
                          ("3.7.6", "crashes loading")):
        found = [d for d in lint(SINGLE_STEP, target=target) if d.code == "V007"]
        assert [(d.start.row, d.severity) for d in found] == [(1, Severity.ERROR)], target
        assert words in found[0].message
    for target in ("3.7.7", "3.9"):
        assert serious(lint(SINGLE_STEP, target=target)) == [], target


def test_step_the_target_lacks() -> None:
    text = ("pull:\n  - prefect.deployments.steps.pull_from_remote_storage:\n"
            "      url: s3://bucket/flows\n") + deployment("")
    found = [d for d in lint(text, target="2.10") if d.code == "V004"]
    assert [d.start.row for d in found] == [2]
    assert not [d for d in lint(text, target="2.14") if d.code == "V004"]


TEMPLATED_TRIGGER = deployment("    triggers:\n      - expect: [acme.reload]\n"
                               "        enabled: \"{{ prefect.variables.on }}\"\n")


def test_templated_trigger_field_rejected_by_3_4_and_3_5() -> None:
    for target in ("3.4.19", "3.5"):
        found = [d for d in lint(TEMPLATED_TRIGGER, target=target) if d.code == "V008"]
        assert [(d.start.row, d.severity) for d in found] == [(8, Severity.ERROR)], target
    for target in ("3.3", "3.4.18", "3.6", "3.9"):
        assert serious(lint(TEMPLATED_TRIGGER, target=target)) == [], target
