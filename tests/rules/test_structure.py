"""S rules: the strict schema, one finding per mistake, at the right place."""

from __future__ import annotations

from linter.core.diagnostics import Severity
from linter.core.fixer import apply_edits
from tests.conftest import codes, lint, spans

FAMILIES = ["Y", "S"]  # other families (D: entrypoint files) need files these tests lack


def only(text: str, code: str):  # type: ignore[no-untyped-def]
    return [d for d in lint(text, select=FAMILIES) if d.code == code]


def test_s001_typo_with_suggestion_and_unsafe_fix() -> None:
    text = """\
    deployments:
      - name: etl
        entrypont: flows/etl.py:etl
    """
    found = lint(text, select=FAMILIES)
    assert codes(found) == ["S001"]
    d = found[0]
    assert (d.start.row, d.start.column) == (3, 5)
    assert spans(text, found) == ["entrypont"]
    assert 'deployment "etl"' in d.message and "ignores it silently" in d.message
    assert d.help == "did you mean `entrypoint`?"
    assert d.fix is not None and not d.fix.is_safe
    import textwrap

    fixed = apply_edits(textwrap.dedent(text), d.fix.edits)
    assert "    entrypoint: flows/etl.py:etl\n" in fixed
    assert lint(fixed, select=FAMILIES) == []


def test_s001_no_rename_when_target_exists() -> None:
    text = """\
    deployments:
      - name: etl
        entrypoint: a.py:f
        entrypont: flows/etl.py:etl
    """
    (d,) = only(text, "S001")
    assert d.fix is None


def test_s001_misplaced_job_variables_and_image() -> None:
    text = """\
    deployments:
      - name: etl
        job_variables: {image: x}
        work_pool:
          name: k8s
          image: repo/flows:1
          variables: {}
    """
    found = only(text, "S001")
    assert [(d.start.row, d.help) for d in found] == [
        (3, "`job_variables` belongs under `work_pool:`"),
        (6, "`image` is a job variable: put it under `job_variables:`"),
        (7, "the key is `job_variables`"),
    ]
    assert all(d.fix is None for d in found)


def test_s001_top_level_and_schedule_keys() -> None:
    text = """\
    deployment:
      - name: etl
    entrypoint: flows/etl.py:etl
    deployments:
      - name: x
        schedules:
          - cron: "0 3 * * *"
            max_active_runs: 1
    """
    found = only(text, "S001")
    assert [d.help for d in found] == [
        "did you mean `deployments`?",
        "`entrypoint` belongs inside a deployment entry under `deployments:`",
        "`max_active_runs` was removed in Prefect 3.1; Prefect 3.4.21 and later reject the "
        "whole file because of it",
    ]
    assert "rejects the whole file" in found[2].message


def test_s001_leaves_agent_era_keys_to_l_rules() -> None:
    text = """\
    deployments:
      - name: etl
        infra_overrides: {env.A: "1"}
        work_queue_name: q
        storage: null
    """
    assert only(text, "S001") == []


def test_s001_definitions_and_recipe_keys_allowed() -> None:
    text = """\
    definitions:
      anything: {goes: here}
    description: a recipe
    deployments: []
    """
    assert only(text, "S001") == []


def test_s002_wrong_types_with_positions() -> None:
    text = """\
    deployments:
      - name: etl
        work_pool: k8s-prod
        parameters: [1, 2]
        schedules:
          cron: "0 3 * * *"
    """
    found = only(text, "S002")
    assert [(d.start.row, d.start.column) for d in found] == [(3, 16), (4, 17), (6, 7)]
    assert found[0].message == (
        '`work_pool` in deployment "etl" must be a mapping or null, but it is a string'
    )
    assert found[0].help == "write `work_pool:` with `name: k8s-prod` under it"
    assert found[2].help is not None and "make it a list" in found[2].help


def test_s002_deployments_not_a_list() -> None:
    found = only("deployments:\n  name: etl\n", "S002")
    assert [d.start.row for d in found] == [2]
    assert found[0].message.startswith("`deployments` at the top level must be a list")
    assert only("deployments:\n", "S002")[0].message.endswith("but it is empty (null)")


def test_s002_miss_on_valid_file() -> None:
    text = """\
    name: analytics
    prefect-version: "3.9.1"
    deployments:
      - name: etl
        version: "1.10"
        tags: [a, b]
        entrypoint: flows/etl.py:etl
        parameters: {days: 1}
        schedules:
          - cron: "0 3 * * *"
            timezone: Europe/Berlin
          - interval: 600
        concurrency_limit: {limit: 1, collision_strategy: ENQUEUE}
        work_pool:
          name: k8s
          job_variables: {image: "x:1"}
    """
    assert lint(text, select=FAMILIES) == []


def test_s003_enum_with_did_you_mean() -> None:
    text = """\
    deployments:
      - name: etl
        concurrency_limit:
          limit: 1
          collision_strategy: CANCEL
    """
    (d,) = only(text, "S003")
    assert spans(text, [d]) == ["CANCEL"]
    assert d.message == '`collision_strategy`: "CANCEL" is not one of "ENQUEUE", "CANCEL_NEW"'
    assert d.help == "did you mean `CANCEL_NEW`?"


def test_s003_trigger_type_lists_all_kinds_once() -> None:
    text = """\
    deployments:
      - name: etl
        triggers:
          - type: evnt
            expect: [prefect.flow-run.Completed]
    """
    (d,) = only(text, "S003")
    assert '"event", "metric", "compound", "sequence"' in d.message
    assert d.help == "did you mean `event`?"


def test_s003_anchor_date_on_cron() -> None:
    text = """\
    deployments:
      - name: etl
        schedules:
          - cron: "0 3 * * *"
            anchor_date: "2024-01-01T00:00:00"
    """
    (d,) = only(text, "S003")
    assert spans(text, [d]) == ["anchor_date"]
    assert "only has a meaning together with `interval`" in d.message


def test_s004_missing_collision_strategy() -> None:
    text = """\
    deployments:
      - name: etl
        concurrency_limit:
          limit: 2
    """
    (d,) = only(text, "S004")
    assert spans(text, [d]) == ["concurrency_limit"]
    assert d.message == '`collision_strategy` is missing under `concurrency_limit` of ' \
                        'deployment "etl"'


def test_s005_tags_string_fix() -> None:
    text = "deployments:\n  - name: etl\n    tags: etl, nightly\n"
    (d,) = only(text, "S005")
    assert spans(text, [d]) == ["etl, nightly"]
    assert d.fix is not None and not d.fix.is_safe
    fixed = apply_edits(text, d.fix.edits)
    assert fixed == "deployments:\n  - name: etl\n    tags: [etl, nightly]\n"
    assert lint(fixed, select=FAMILIES) == []
    assert only('deployments:\n  - name: a\n    tags: "{{ $TAGS }}"\n', "S005") == []


def test_s006_selector_one_finding_not_seventeen() -> None:
    text = """\
    deployments:
      - name: etl
        schedules:
          - cron: "0 3 * * *"
            interval: 3600
          - timezone: UTC
          - {}
    """
    found = lint(text, select=FAMILIES)
    assert codes(found) == ["S006", "S006", "S006"]
    assert "has `cron` and `interval`" in found[0].message
    assert found[1].message == "a schedule needs one of `cron`, `interval` or `rrule`"


def test_alias_issue_points_at_the_written_line() -> None:
    text = """\
    definitions:
      pool: &pool
        name: k8s
        image: x
    deployments:
      - name: a
        work_pool: *pool
      - name: b
        work_pool: *pool
    """
    found = only(text, "S001")
    assert [d.start.row for d in found] == [4, 4]  # one per deployment, at the written line


def test_s001_top_level_anchor_holders_are_info_other_unknown_keys_stay_errors() -> None:
    text = """\
    common_work_pool: &pool
      name: k8s
    templates:
      sched: &sched
        - cron: "0 1 * * *"
    work_pools:
      a: {name: x}
    unused_holder: &never {name: z}
    deployments:
      - name: a
        entrypoint: f.py:f
        work_pool: *pool
        schedules: *sched
    """
    found = lint(text, select=["S001"])
    assert [(spans(text, [d])[0], d.severity) for d in found] == [
        ("common_work_pool", Severity.INFO),
        ("templates", Severity.INFO),
        ("work_pools", Severity.ERROR),
        ("unused_holder", Severity.ERROR),  # its anchor is never aliased
    ]
    assert "only holds YAML anchors" in found[0].message


TASKFILE = """\
version: '3'
vars:
  POOL: default
tasks:
  deploy:
    cmds:
      - prefect deploy --all
      - echo {{.POOL}}
"""


def test_s007_another_tools_file_gets_one_info_and_nothing_else() -> None:
    found = lint(TASKFILE)  # every default rule
    assert codes(found) == ["S007"]
    assert found[0].severity is Severity.INFO
    assert (found[0].start.row, found[0].start.column) == (1, 1)


def test_s007_quiet_on_prefect_files_even_with_unknown_keys() -> None:
    for text in ("deployments: []\nvars: {a: 1}\n",
                 "entrypoint: flows/etl.py:etl\nversion: '1'\n",  # a deployment at the top
                 "name: project\ntasks: {}\n",
                 "deploymnets:\n  - entrypoint: f.py:f\n"):  # Prefect's, with a typo
        found = lint(text)
        assert "S007" not in codes(found), text
    assert "S001" in codes(lint("entrypoint: flows/etl.py:etl\nversion: '1'\n"))
    assert "S001" in codes(lint("deploymnets:\n  - entrypoint: f.py:f\n"))


def test_s002_nested_tags_from_an_alias_are_one_finding_with_the_odd_tag() -> None:
    text = """\
    definitions:
      common_tags: &common_tags
        - etl
        - nightly
    deployments:
      - name: a
        tags: [*common_tags, extra]
      - name: b
        tags: [*common_tags]
      - name: c
        tags: [*common_tags]
    """
    found = lint(text, select=["S002"])
    assert len(found) == 1
    assert found[0].start.row == 2  # at the anchor: the list all three share
    assert "\"['etl', 'nightly']\"" in found[0].message
    assert 'deployments "a", "b", "c"' in found[0].message
    assert "must be" not in found[0].message  # Prefect does not reject it
