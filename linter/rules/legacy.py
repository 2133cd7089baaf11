"""L: agent-era leftovers in prefect.yaml (Prefect 2 keys that Prefect 3 ignores or rejects).

Prefect 3 reads deployment entries with ``extra="ignore"``: every key below is dropped without
a word, so the setting the author wrote has no effect. Each rule names the worker-era
replacement; fixes move the text into place without re-dumping the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import LintContext, describe, rule
from linter.prefect import agent_era, versions
from linter.prefect.pools import AGENT_POOL_TYPE, PoolCatalog, catalog_for
from linter.source.document import Document, find_key
from linter.source.edit import (
    anchored_between,
    child_indent,
    column,
    delete_entry,
    entry_end,
    indent_unit,
    is_block_mapping,
    is_empty_value,
    is_inline,
    key_owns_line,
    line_end,
    line_start,
    render_entries,
    value_end,
)
from linter.target_version import Target

SAFE = Applicability.SAFE
UNSAFE = Applicability.UNSAFE
STEP_SECTIONS = ("build", "push", "pull")


# -- navigation -------------------------------------------------------------------------------


def deployment_nodes(document: Document) -> Iterator[tuple[int, MappingNode]]:
    """Each deployment entry that is a mapping node, with its index."""
    _, deployments = document.locate(("deployments",))
    if not isinstance(deployments, SequenceNode):
        return
    for index, entry in enumerate(deployments.value):
        if isinstance(entry, MappingNode):
            yield index, entry


def pair(mapping: Node | None, key: str) -> tuple[Node, Node] | None:
    if not isinstance(mapping, MappingNode):
        return None
    return find_key(mapping, key)


def editable(document: Document, owner: Node, key: Node, value: Node) -> bool:
    """Can the entry ``key: value`` of ``owner`` be edited as text in place?"""
    return (
        is_block_mapping(owner)
        and is_inline(owner, text=document.text)
        and owner.start_mark.index <= key.start_mark.index <= owner.end_mark.index
        and is_inline(value, key)
        and not anchored_between(document, key, value)
    )


def deletion_fix(document: Document, owner: MappingNode, key: Node, value: Node, message: str,
                 applicability: Applicability = SAFE) -> Fix | None:
    if not editable(document, owner, key, value):
        return None
    edit = delete_entry(document, owner, key, value)
    return Fix(message, (edit,), applicability) if edit is not None else None


# -- L001 infra_overrides ---------------------------------------------------------------------


def _all_keys_named(node: Node | None, name: str) -> Iterator[tuple[MappingNode, Node, Node]]:
    """Every ``name:`` key anywhere under ``node`` (each written key once)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, MappingNode):
            for key, value in current.value:
                if isinstance(key, ScalarNode) and key.value == name:
                    yield current, key, value
                stack.append(value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def _merge_into_job_variables(
    document: Document, job_variables: tuple[Node, Node], overrides: MappingNode, unit: int,
    comment: str = "",
) -> tuple[list[Edit], bool] | None:
    """Edits that add the override entries to an existing ``job_variables``, and whether
    some keys collided (those keep the value in job_variables). ``comment`` (from the
    ``infra_overrides:`` line) is carried along."""
    key, value = job_variables
    if not is_inline(value, key) or anchored_between(document, key, value):
        return None
    indent = column(document, key.start_mark.index) + unit
    newline = document.newline
    if is_empty_value(value):
        if value_end(document, value) > line_end(document.text, key.end_mark.index):
            return None
        rendered = render_entries(document, overrides, indent, unit)
        if rendered is None:
            return None
        start = key.end_mark.index
        end = max(start, value_end(document, value))
        trailing = "  " + comment if comment else ""
        return [Edit(start, end, ":" + trailing + newline + rendered.text)], False
    if not is_block_mapping(value):
        return None
    assert isinstance(value, MappingNode)
    existing = frozenset(str(k.value) for k, _ in value.value if isinstance(k, ScalarNode))
    rendered_all = render_entries(document, overrides, child_indent(document, value), unit)
    if rendered_all is None:
        return None
    collisions = existing & set(rendered_all.keys)
    rendered = render_entries(document, overrides, child_indent(document, value), unit,
                              skip=collisions)
    if rendered is None:
        return [], bool(collisions)
    at = entry_end(document, value)
    carried = newline + " " * child_indent(document, value) + comment if comment else ""
    return [Edit.insert(at, carried + newline + rendered.text)], bool(collisions)


def _key_line_comment(document: Document, key: Node, value: Node) -> str:
    """The comment written after ``infra_overrides:`` on its own line (with the spaces before
    it), so a fix that moves the entries carries it along instead of dropping it."""
    text = document.text
    line_end = text.find("\n", key.end_mark.index)
    line_end = len(text) if line_end < 0 else line_end
    if value.start_mark.index < line_end:
        return ""  # a flow mapping on the same line: no comment of the key's own
    rest = text[key.end_mark.index : line_end].rstrip("\r")
    hash_at = rest.find("#")
    if hash_at < 0:
        return ""
    return "  " + rest[hash_at:].rstrip()


def _infra_overrides_fix(
    document: Document, owner: MappingNode, key: Node, value: Node, in_work_pool: bool
) -> Fix | None:
    if not editable(document, owner, key, value):
        return None
    if is_empty_value(value):
        return deletion_fix(document, owner, key, value,
                            "remove the empty `infra_overrides` (it sets nothing)")
    if not isinstance(value, MappingNode):
        return None
    unit = indent_unit(document, key, value)
    newline = document.newline
    key_column = column(document, key.start_mark.index)
    replace_end = entry_end(document, value)
    comment = _key_line_comment(document, key, value)
    if in_work_pool:
        work_pool: MappingNode | None = owner
        job_variables = pair(owner, "job_variables")
    else:
        found = pair(owner, "work_pool")
        work_pool = None
        job_variables = None
        if found is not None:
            wp_key, wp_value = found
            if not editable(document, owner, wp_key, wp_value) or not is_block_mapping(wp_value):
                return None
            assert isinstance(wp_value, MappingNode)
            work_pool = wp_value
            job_variables = pair(wp_value, "job_variables")
    if work_pool is None:
        rendered = render_entries(document, value, key_column + 2 * unit, unit)
        if rendered is None:
            return None
        text = ("work_pool:" + newline + " " * (key_column + unit) + "job_variables:" + comment
                + newline + rendered.text)
        return Fix("move the entries to `work_pool.job_variables`",
                   (Edit(key.start_mark.index, replace_end, text),), UNSAFE)
    if job_variables is None:
        if in_work_pool:
            rendered = render_entries(document, value, key_column + unit, unit)
            if rendered is None:
                return None
            text = "job_variables:" + comment + newline + rendered.text
            return Fix("rename `infra_overrides` to `job_variables`",
                       (Edit(key.start_mark.index, replace_end, text),), UNSAFE)
        pool_indent = child_indent(document, work_pool)
        rendered = render_entries(document, value, pool_indent + unit, unit)
        deletion = delete_entry(document, owner, key, value)
        if rendered is None or deletion is None:
            return None
        insert = Edit.insert(entry_end(document, work_pool),
                             newline + " " * pool_indent + "job_variables:" + comment + newline
                             + rendered.text)
        return Fix("move the entries to `work_pool.job_variables`", (insert, deletion), UNSAFE)
    merged = _merge_into_job_variables(document, job_variables, value, unit,
                                       comment.strip())
    deletion = delete_entry(document, owner, key, value)
    if merged is None or deletion is None:
        return None
    edits, collided = merged
    if collided:
        return Fix("merge the entries into `work_pool.job_variables`; keys already set there "
                   "keep their job_variables value", (*edits, deletion), UNSAFE)
    return Fix("merge the entries into `work_pool.job_variables`", (*edits, deletion), UNSAFE)


@rule(
    "L001",
    "infra-overrides",
    Severity.ERROR,
    "`infra_overrides` is the agent-era name of `work_pool.job_variables`",
    fix=UNSAFE,
)
def infra_overrides(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an `infra_overrides` key, anywhere in the file.

    **Why**: Prefect 2.17 renamed `infra_overrides` to `job_variables`, and in a prefect.yaml
    job variables live under `work_pool:`. Prefect 3 ignores `infra_overrides` without a word
    (verified with 3.9.1: the effective job variables are `{}`), so the image, env or
    resources you set never reach the worker.

    **Example**:

        deployments:
          - name: etl
            infra_overrides:
              env.LOG_LEVEL: DEBUG
            work_pool:
              name: k8s

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: k8s-prod
              job_variables:
                env:
                  LOG_LEVEL: DEBUG

    **Fix**: the entries move to `work_pool.job_variables`, and dotted keys such as
    `env.LOG_LEVEL` become nested mappings (`env:` / `LOG_LEVEL: DEBUG`); a comment on the
    `infra_overrides` line moves to the `job_variables` line. Unsafe: the settings Prefect
    ignored until now take effect (runs start using that image); when keys collide, the
    values already in `job_variables` win. An empty `infra_overrides` is removed (safe).
    """
    document = context.document
    deployment_owners = {id(entry) for _, entry in deployment_nodes(document)}
    pool_owners: set[int] = set()
    for _, entry in deployment_nodes(document):
        found = pair(entry, "work_pool")
        if found is not None and isinstance(found[1], MappingNode):
            pool_owners.add(id(found[1]))
    for owner, key, value in _all_keys_named(document.root, "infra_overrides"):
        fix = None
        where = "here"
        if id(owner) in deployment_owners:
            fix = _infra_overrides_fix(document, owner, key, value, in_work_pool=False)
            where = "on a deployment"
        elif id(owner) in pool_owners:
            fix = _infra_overrides_fix(document, owner, key, value, in_work_pool=True)
            where = "under work_pool"
        yield Finding(
            document.node_span(key),
            f"`infra_overrides` {where} is ignored by Prefect 3; write these settings under "
            "`work_pool.job_variables`",
            help="job variables override the work pool's base job template (image, env, ...)",
            fix=fix,
        )


# -- L002 / L003 schedule ---------------------------------------------------------------------


def _schedule_fix(document: Document, owner: MappingNode, key: Node, value: Node) -> Fix | None:
    if not editable(document, owner, key, value):
        return None
    rename = Edit(key.start_mark.index, key.end_mark.index, "schedules")
    if isinstance(value, MappingNode) and value.flow_style and value.value:
        end = value_end(document, value)
        return Fix("write the schedule as a one-entry `schedules:` list",
                   (rename, Edit.insert(value.start_mark.index, "["), Edit.insert(end, "]")),
                   SAFE)
    if not is_block_mapping(value):
        return None
    assert isinstance(value, MappingNode)
    text = document.text
    first_key = value.value[0][0]
    if not key_owns_line(document, first_key):
        return None
    edits = [rename, Edit.insert(first_key.start_mark.index, "- ")]
    last = line_start(text, value_end(document, value))
    offset = line_end(text, first_key.start_mark.index)
    while offset < last:
        offset += 2 if text.startswith("\r\n", offset) else 1
        end = line_end(text, offset)
        if text[offset:end].strip():
            edits.append(Edit.insert(offset, "  "))
        offset = end
    return Fix("write the schedule as a one-entry `schedules:` list", tuple(edits), SAFE)


@rule(
    "L002",
    "singular-schedule",
    Severity.WARNING,
    "The singular `schedule:` key is deprecated; use a `schedules:` list",
    fix=SAFE,
)
def singular_schedule(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment with the agent-era `schedule:` key (one schedule) instead of
    `schedules:` (a list).

    **Why**: Prefect 2.16 deprecated `schedule` ("It will not be available after Sep 2024").
    Prefect 3 still turns a mapping into `schedules: [<it>]`, silently, but an empty
    `schedule: {}` or `schedule: null` does nothing at all, and nothing warns about it.

    **Example**:

        deployments:
          - name: nightly
            schedule:
              cron: "0 3 * * *"
              timezone: Europe/Berlin

    **Use instead**:

        deployments:
          - name: nightly
            entrypoint: flows/etl.py:etl
            schedules:
              - cron: "0 3 * * *"
                timezone: Europe/Berlin
            work_pool:
              name: k8s-prod

    **Target**: before Prefect 2.16 `schedule:` is the only form Prefect reads (a `schedules:` list
    is ignored), so on such a target this rule is silent.

    **Fix**: `schedule:` becomes a one-entry `schedules:` list (exactly what Prefect does with
    it); an empty `schedule` is removed. Safe.
    """
    document = context.document
    if not versions.schedules_list_read(context.project.settings.target_version):
        return  # before 2.16 `schedule:` is the only form Prefect reads
    for _, entry in deployment_nodes(document):
        found = pair(entry, "schedule")
        if found is None:
            continue
        key, value = found
        plural = pair(entry, "schedules")
        empty = is_empty_value(value)
        if plural is not None and not empty:
            continue  # L003
        if empty:
            fix = deletion_fix(document, entry, key, value, "remove the empty `schedule`")
            message = ("an empty `schedule:` is ignored by Prefect 3; remove it, or write the "
                       "schedule as a `schedules:` list")
        else:
            fix = _schedule_fix(document, entry, key, value)
            message = ("`schedule:` is the deprecated agent-era key; write a `schedules:` list "
                       "(`schedules:` / `  - cron: ...`)")
        yield Finding(document.node_span(key), message, fix=fix)


@rule(
    "L003",
    "schedule-and-schedules",
    Severity.ERROR,
    "A deployment has both `schedule` and `schedules`; Prefect rejects it",
)
def schedule_and_schedules(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment sets the deprecated `schedule:` and also `schedules:`.

    **Why**: `prefect deploy` stops with "Both 'schedule' and 'schedules' keys are present in
    the deployment configuration. Please use only use `schedules`." (only an empty `schedule`
    is let through).

    **Example**:

        deployments:
          - name: nightly
            schedule:
              cron: "0 3 * * *"
            schedules:
              - interval: 3600

    **Use instead**:

        deployments:
          - name: nightly
            entrypoint: flows/etl.py:etl
            schedules:
              - cron: "0 3 * * *"
              - interval: 3600
            work_pool:
              name: k8s-prod

    **Target**: before Prefect 2.16 `schedules` is ignored rather than refused; V001 reports it.

    **Fix**: move the `schedule` entry into the `schedules` list and delete `schedule`.
    prefect-lint does not do it for you: the two may describe the same schedule.
    """
    document = context.document
    if not versions.schedules_list_read(context.project.settings.target_version):
        return  # before 2.16 `schedules` is ignored (V001), not refused
    for _, entry in deployment_nodes(document):
        found = pair(entry, "schedule")
        if found is None or pair(entry, "schedules") is None or is_empty_value(found[1]):
            continue
        plural_key = pair(entry, "schedules")
        assert plural_key is not None
        row = document.position(plural_key[0].start_mark.index).row
        yield Finding(
            document.node_span(found[0]),
            f"`schedule` and `schedules` (line {row}) are both set, and Prefect refuses to "
            "deploy this; move this schedule into the `schedules` list",
        )


# -- L004 is_schedule_active ------------------------------------------------------------------


def _deactivate_schedules_fix(document: Document, entry: MappingNode, key: Node,
                              value: Node) -> Fix | None:
    found = pair(entry, "schedules")
    if found is None or not editable(document, entry, key, value):
        return None
    schedules_key, schedules = found
    if not isinstance(schedules, SequenceNode) or schedules.flow_style or not is_inline(
        schedules, schedules_key
    ):
        return None
    edits: list[Edit] = []
    for item in schedules.value:
        if not is_block_mapping(item) or not is_inline(item, text=document.text):
            return None
        assert isinstance(item, MappingNode)
        if find_key(item, "active") is not None:
            continue
        edits.append(Edit.insert(entry_end(document, item), document.newline
                                 + " " * child_indent(document, item) + "active: false"))
    deletion = delete_entry(document, entry, key, value)
    if deletion is None:
        return None
    return Fix("set `active: false` on each schedule and remove `is_schedule_active`",
               (*edits, deletion), UNSAFE)


@rule(
    "L004",
    "is-schedule-active",
    Severity.ERROR,
    "`is_schedule_active` is ignored by Prefect 3; use `active` on each schedule",
    fix=UNSAFE,
)
def is_schedule_active(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment sets the agent-era `is_schedule_active`.

    **Why**: Prefect 3 drops the key without a word. `is_schedule_active: false` was meant to
    keep the schedules from running; in Prefect 3 they run (error). `true` or `null` was the
    default anyway (warning).

    **Example**:

        deployments:
          - name: nightly
            is_schedule_active: false
            schedules:
              - cron: "0 3 * * *"

    **Use instead**:

        deployments:
          - name: nightly
            entrypoint: flows/etl.py:etl
            schedules:
              - cron: "0 3 * * *"
                active: false
            work_pool:
              name: k8s-prod

    **Target**: Prefect 2.14 to 2.20 read the key: there it is a warning that it goes away in
    3.0; before 2.14 it is ignored.

    **Fix**: `true`, `null`, or `false` on a deployment without schedules: the key is removed
    (safe: Prefect ignores it). `false` with schedules: `active: false` is added to each
    schedule entry (unsafe: the schedules stop running). Use `paused: true` instead if the
    whole deployment should be paused.
    """
    document = context.document
    target = context.project.settings.target_version
    for index, entry in deployment_nodes(document):
        found = pair(entry, "is_schedule_active")
        if found is None:
            continue
        key, value = found
        if target is not None and target.major == 2:
            yield _is_schedule_active_2x(document, entry, key, value, target)
            continue
        data = document.data["deployments"][index]
        flag = data.get("is_schedule_active") if isinstance(data, dict) else None
        has_schedules = bool(data.get("schedules") or data.get("schedule")) if isinstance(
            data, dict) else False
        if flag is False and has_schedules:
            fix = None if pair(entry, "schedule") is not None else _deactivate_schedules_fix(
                document, entry, key, value)
            yield Finding(
                document.node_span(key),
                "`is_schedule_active: false` is ignored by Prefect 3, so these schedules run; "
                "set `active: false` on each schedule (or `paused: true` on the deployment)",
                fix=fix,
            )
            continue
        fix = deletion_fix(document, entry, key, value, "remove `is_schedule_active`")
        yield Finding(
            document.node_span(key),
            f"`is_schedule_active: {describe(flag)}` is ignored by Prefect 3; remove it "
            "(schedules are active unless an entry says `active: false`)",
            fix=fix,
            severity=Severity.WARNING,
        )


def _is_schedule_active_2x(document: Document, entry: MappingNode, key: Node, value: Node,
                           target: Target) -> Finding:
    """`is_schedule_active` on a Prefect 2 target: read from 2.14 (a warning: it goes in 3.0),
    ignored before (an error when `false`, whose schedules then run)."""
    words = versions.target_words(target)
    if versions.is_schedule_active_read(target):
        return Finding(document.node_span(key),
                       f"`is_schedule_active` works in {words} but is ignored from Prefect "
                       "3.0; before upgrading, set `active: false` on each schedule instead "
                       "(read from 2.14)", severity=Severity.WARNING)
    return Finding(document.node_span(key),
                   f"`is_schedule_active` is ignored before Prefect 2.14 (checking for "
                   f"{words}): it has no effect; pause the deployment on the server instead",
                   severity=Severity.WARNING if is_empty_value(value) else Severity.ERROR)


# -- L005 / L006 storage and infrastructure ---------------------------------------------------


@rule(
    "L005",
    "storage-block",
    Severity.ERROR,
    "A 2.x `storage:` block on a deployment; Prefect 3 uses pull steps",
    fix=UNSAFE,
)
def storage_block(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `storage:` key.

    **Why**: Prefect 3 has no storage blocks on deployments (`S3`, `GCS`, `Azure` and `GitHub`
    were removed in 3.0) and ignores the key: the worker never fetches the code from there,
    and the run fails with a missing flow file.

    **Example**:

        deployments:
          - name: etl
            storage:
              repository: https://github.com/acme/etl
              _block_type_slug: github

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            pull:
              - prefect.deployments.steps.git_clone:
                  repository: https://github.com/acme/etl
            work_pool:
              name: k8s-prod

    **Fix**: write a `pull:` step on the deployment instead: GitHub, GitLab or Bitbucket ->
    `git_clone`, S3/GCS/Azure -> `pull_from_s3` / `pull_from_gcs` /
    `pull_from_azure_blob_storage` or `pull_from_remote_storage`, a saved block ->
    `pull_with_block`, a local folder -> `set_working_directory`. An empty `storage:` is
    removed (safe). Otherwise, when the deployment has no `pull:` of its own, an unsafe fix
    replaces the block with that pull step (unsafe: the worker starts fetching code from
    there); a comment on the `storage:` line moves to the `pull:` line.
    """
    document = context.document
    for index, entry in deployment_nodes(document):
        found = pair(entry, "storage")
        if found is None:
            continue
        key, value = found
        if is_empty_value(value):
            yield _empty_block(document, entry, key, value, "storage")
            continue
        data = document.data["deployments"][index]
        storage = data.get("storage") if isinstance(data, dict) else None
        converted = agent_era.storage_to_pull_steps(storage, data.get("path"))
        replacement = agent_era.describe_pull_step(converted.value)
        fix = None
        if isinstance(data, dict) and "pull" not in data and converted.value:
            fix = _replace_entry_fix(
                document, entry, key, value, "pull", converted.value,
                f"replace `storage:` with the equivalent pull step ({replacement})")
        notes = "; ".join(converted.notes)
        yield Finding(
            document.node_span(key),
            "`storage:` is an agent-era block that Prefect 3 ignores, so the worker never "
            f"fetches this code; write a `pull:` step instead ({replacement})",
            help=notes or "`prefect-lint migrate` shows the pull step for a legacy "
                          "deployment.yaml",
            fix=fix,
        )


@rule(
    "L006",
    "infrastructure-block",
    Severity.ERROR,
    "A 2.x `infrastructure:` block on a deployment; Prefect 3 uses a work pool",
    fix=UNSAFE,
)
def infrastructure_block(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `infrastructure:` key.

    **Why**: infrastructure blocks (`Process`, `DockerContainer`, `KubernetesJob`, `ECSTask`,
    `CloudRunJob`, ...) were removed in Prefect 3.0; the key is ignored, so the image, env
    and resources in it are never used. A work pool of the matching type does this job now.

    **Example**:

        deployments:
          - name: etl
            infrastructure:
              type: docker-container
              image: acme/etl:1.4

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: docker-prod
              job_variables:
                image: acme/etl:1.4

    **Fix**: use a work pool of the matching type (`docker` here) and move the fields it has a
    variable for into `work_pool.job_variables` (`image: acme/etl:1.4`). An empty
    `infrastructure:` is removed (safe). When the deployment already names its work pool and
    that pool has no `job_variables` yet, an unsafe fix moves the fields there (unsafe: they
    take effect); without a pool name there is no fix, since a made-up name would deploy to a
    pool that does not exist. Fields with no variable in the pool's template are listed in
    the help text.
    """
    document = context.document
    for index, entry in deployment_nodes(document):
        found = pair(entry, "infrastructure")
        if found is None:
            continue
        key, value = found
        if is_empty_value(value):
            yield _empty_block(document, entry, key, value, "infrastructure")
            continue
        data = document.data["deployments"][index]
        infrastructure = data.get("infrastructure") if isinstance(data, dict) else None
        pool_type = agent_era.pool_type_for(infrastructure)
        fix = None
        notes: list[str] = []
        if pool_type is None:
            advice = "use a work pool and `work_pool.job_variables` instead"
        else:
            conversion = agent_era.infrastructure_to_job_variables(infrastructure or {})
            variables, notes = conversion.value, conversion.notes
            moved = ", ".join(sorted(variables)) or "nothing to carry over"
            advice = (f"use a `{pool_type}` work pool and put these fields in "
                      f"`work_pool.job_variables` ({moved})")
            fix = _infrastructure_fix(document, entry, key, value, variables, pool_type)
        yield Finding(
            document.node_span(key),
            f"`infrastructure:` is an agent-era block that Prefect 3 ignores; {advice}",
            help="; ".join(notes) or None,
            fix=fix,
        )


def _replace_entry_fix(
    document: Document, owner: MappingNode, key: Node, value: Node, new_key: str,
    new_value: Any, message: str,
) -> Fix | None:
    """An unsafe fix that replaces ``key: value`` (a block entry owning its lines) with
    ``new_key:`` and ``new_value`` written as block YAML at the same indentation."""
    from linter.prefect.migrate import emit

    if not editable(document, owner, key, value) or not key_owns_line(document, key):
        return None
    indent = column(document, key.start_mark.index)
    lines = [*_inner_comments(document, key, value, indent + 2), *emit(new_value, indent + 2)]
    comment = _key_line_comment(document, key, value)  # kept, not dropped with the old key
    text = new_key + ":" + comment + document.newline + document.newline.join(lines)
    return Fix(message, (Edit(key.start_mark.index, entry_end(document, value), text),),
               UNSAFE)


def _inner_comments(document: Document, key: Node, value: Node, indent: int) -> list[str]:
    """The comment lines inside the block ``key: value`` (which a fix replaces), indented to
    ``indent``: a fix keeps every comment."""
    text = document.text
    inside = text[line_end(text, key.end_mark.index) : entry_end(document, value)]
    return [" " * indent + line.strip() for line in inside.splitlines()
            if line.strip().startswith("#")]


def _infrastructure_fix(
    document: Document, entry: MappingNode, key: Node, value: Node,
    variables: dict[str, Any], pool_type: str,
) -> Fix | None:
    """Move the converted fields into a named `work_pool` that has no `job_variables` yet
    (unsafe: the settings take effect). Without a pool name there is nothing safe to write:
    a made-up name would deploy to a pool that does not exist."""
    from linter.prefect.migrate import emit

    found_pool = pair(entry, "work_pool")
    if found_pool is None or not variables:
        return None
    pool_key, pool_value = found_pool
    if (not isinstance(pool_value, MappingNode) or not is_block_mapping(pool_value)
            or pair(pool_value, "job_variables") is not None
            or not editable(document, entry, pool_key, pool_value)):
        return None
    name = pair(pool_value, "name")
    if name is None or not isinstance(name[1], ScalarNode) or not name[1].value:
        return None
    deletion = delete_entry(document, entry, key, value)
    if deletion is None:
        return None
    indent = child_indent(document, pool_value)
    comment = _key_line_comment(document, key, value)
    lines = [" " * indent + "job_variables:" + comment,
             *_inner_comments(document, key, value, indent + 2), *emit(variables, indent + 2)]
    insert = Edit.insert(entry_end(document, pool_value),
                         document.newline + document.newline.join(lines))
    return Fix(f"move the fields into `work_pool.job_variables` (for a `{pool_type}` pool)",
               (insert, deletion), UNSAFE)


def _empty_block(document: Document, entry: MappingNode, key: Node, value: Node,
                 name: str) -> Finding:
    """The finding (with its safe removal) for an agent-era block left empty."""
    return Finding(document.node_span(key),
                   f"an empty `{name}:` is an agent-era leftover that Prefect 3 ignores; "
                   "remove it",
                   fix=deletion_fix(document, entry, key, value, f"remove `{name}`"))

# -- L007 work_pool_name / work_queue_name ----------------------------------------------------

POOL_KEYS = {"work_pool_name": "name", "work_queue_name": "work_queue_name"}


def _pool_key_fixes(document: Document, entry: MappingNode) -> dict[str, Fix | None]:
    """One fix per deployment-level pool key; when there is no `work_pool` yet, one combined
    fix (shared by both findings) creates it with both keys."""
    present: dict[str, tuple[Node, Node]] = {}
    for name in POOL_KEYS:
        found = pair(entry, name)
        if found is not None:
            present[name] = found
    fixes: dict[str, Fix | None] = dict.fromkeys(present)
    if not present or not is_block_mapping(entry) or not is_inline(entry, text=document.text):
        return fixes
    newline = document.newline
    found_pool = pair(entry, "work_pool")
    if found_pool is None:
        movable = {n: f for n, f in present.items() if not is_empty_value(f[1])
                   and editable(document, entry, *f) and isinstance(f[1], ScalarNode)}
        if not movable:  # removing a value someone wrote is unsafe; an empty one, safe
            for name, (key, value) in present.items():
                fixes[name] = deletion_fix(document, entry, key, value, f"remove `{name}`",
                                           SAFE if is_empty_value(value) else UNSAFE)
            return fixes
        first_name = min(movable, key=lambda n: movable[n][0].start_mark.index)
        first_key, first_value = movable[first_name]
        indent = column(document, first_key.start_mark.index)
        unit = 2
        lines = ["work_pool:"]
        for name, (_, value) in movable.items():
            written = document.text[value.start_mark.index : entry_end(document, value)]
            lines.append(" " * (indent + unit) + f"{POOL_KEYS[name]}: {written}")
        edits = [Edit(first_key.start_mark.index, entry_end(document, first_value),
                      newline.join(lines))]
        for name, (key, value) in present.items():
            if name == first_name:
                continue
            deletion = delete_entry(document, entry, key, value)
            if deletion is None:
                return fixes
            edits.append(deletion)
        shared = Fix("move to `work_pool`", tuple(edits), UNSAFE)
        return dict.fromkeys(present, shared)
    pool_key, pool = found_pool
    if not editable(document, entry, pool_key, pool) or not is_block_mapping(pool):
        return fixes
    assert isinstance(pool, MappingNode)
    pool_data = {str(k.value): v for k, v in pool.value if isinstance(k, ScalarNode)}
    for name, (key, value) in present.items():
        target = POOL_KEYS[name]
        if not editable(document, entry, key, value):
            continue
        deletion = delete_entry(document, entry, key, value)
        if deletion is None:
            continue
        if is_empty_value(value):
            fixes[name] = Fix(f"remove the empty `{name}`", (deletion,), SAFE)
        elif target in pool_data:
            same = isinstance(pool_data[target], ScalarNode) and isinstance(
                value, ScalarNode) and pool_data[target].value == value.value
            fixes[name] = Fix(
                f"remove `{name}`; `work_pool.{target}` is already set",
                (deletion,), SAFE if same else UNSAFE)
        elif isinstance(value, ScalarNode):
            written = document.text[value.start_mark.index : entry_end(document, value)]
            insert = Edit.insert(entry_end(document, pool), newline
                                 + " " * child_indent(document, pool) + f"{target}: {written}")
            fixes[name] = Fix(f"move to `work_pool.{target}`", (insert, deletion), UNSAFE)
    return fixes


@rule(
    "L007",
    "deployment-level-pool-keys",
    Severity.ERROR,
    "`work_pool_name` / `work_queue_name` on a deployment belong under `work_pool:`",
    fix=UNSAFE,
)
def deployment_level_pool_keys(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the agent-era `work_pool_name` or `work_queue_name` written directly on a
    deployment entry.

    **Why**: in a prefect.yaml they are `work_pool.name` and `work_pool.work_queue_name`.
    Prefect 3 ignores the deployment-level keys without a word, so the deployment goes to
    another pool or queue (or `prefect deploy` asks for a pool).

    **Example**:

        deployments:
          - name: etl
            work_pool_name: k8s
            work_queue_name: critical

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: k8s-prod
              work_queue_name: critical

    **Fix**: the values move under `work_pool:` (`name:` and `work_queue_name:`). Unsafe:
    the deployment then goes to that pool or queue, which Prefect 3 ignored until now. When
    `work_pool` already sets the same value, or the key is empty, the key is removed (safe);
    when `work_pool` sets another value, the fix removes the deployment-level key (unsafe).
    """
    document = context.document
    for _, entry in deployment_nodes(document):
        fixes = _pool_key_fixes(document, entry)
        for name, fix in fixes.items():
            found = pair(entry, name)
            assert found is not None
            target = POOL_KEYS[name]
            yield Finding(
                document.node_span(found[0]),
                f"`{name}` on a deployment is ignored by Prefect 3; write it as "
                f"`work_pool.{target}`",
                fix=fix,
            )


# -- L008 manifest_path / path ----------------------------------------------------------------


@rule(
    "L008",
    "legacy-path-keys",
    Severity.ERROR,
    "`path` / `manifest_path` on a deployment are agent-era keys Prefect 3 ignores",
    fix=SAFE,
)
def legacy_path_keys(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `path` (where the flow code lived inside
    the storage) or `manifest_path` (the 2.0-2.5 flow manifest).

    **Why**: Prefect 3 ignores both. A `path` meant "run from this folder": without a pull
    step that goes there, the entrypoint is looked up in the wrong folder.

    **Example**:

        deployments:
          - name: etl
            path: /opt/prefect/flows
            entrypoint: flows/etl.py:etl

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: k8s-prod

    **Fix**: for `path`, add a pull step `prefect.deployments.steps.set_working_directory`
    with `directory: /opt/prefect/flows`. `manifest_path`, and an empty `path`, are removed
    (safe: nothing reads them).
    """
    document = context.document
    for _, entry in deployment_nodes(document):
        for name in ("manifest_path", "path"):
            found = pair(entry, name)
            if found is None:
                continue
            key, value = found
            if name == "manifest_path" or is_empty_value(value) or (
                isinstance(value, ScalarNode) and value.value in ("", ".")
            ):
                yield Finding(
                    document.node_span(key),
                    f"`{name}` is an agent-era key that Prefect 3 ignores; remove it",
                    fix=deletion_fix(document, entry, key, value, f"remove `{name}`"),
                    severity=Severity.WARNING,
                )
                continue
            shown = value.value if isinstance(value, ScalarNode) else "..."
            yield Finding(
                document.node_span(key),
                "`path` is an agent-era key that Prefect 3 ignores; add a pull step "
                f"`prefect.deployments.steps.set_working_directory` with directory: {shown}",
            )


# -- L009 prefect-agent pools -----------------------------------------------------------------

DEFAULT_AGENT_POOL = "default-agent-pool"


class _PoolTypes:
    """The type of a pool as the project knows it: mapped in ``[tool.prefect-lint.pools]`` or
    read from a pool snapshot (``prefect-lint pools pull``); None when unknown. The catalog is
    looked up once per file, and only when a deployment names a pool."""

    def __init__(self, context: LintContext) -> None:
        self.context = context
        self.catalog: PoolCatalog | None = None

    def of(self, name: str) -> str | None:
        if self.catalog is None:
            self.catalog = catalog_for(self.context.project.settings)
        template = self.catalog.template_for(name)
        return template.pool_type if template is not None else None


class _AgentPool(NamedTuple):
    path: tuple[str | int, ...]
    reason: str
    certain: bool  # the type is known to be prefect-agent, not guessed from the name


def _agent_pool(types: _PoolTypes, index: int, pool: dict[str, Any]) -> _AgentPool | None:
    name = pool.get("name")
    base = ("deployments", index, "work_pool")
    if pool.get("type") == AGENT_POOL_TYPE:
        return _AgentPool((*base, "type"), "it says `type: prefect-agent`", True)
    if not isinstance(name, str) or not name:
        return None
    known = types.of(name)
    if known == AGENT_POOL_TYPE:
        return _AgentPool((*base, "name"), f"`{name}` is a prefect-agent pool in this "
                          "project's pool configuration", True)
    if known is None and name == DEFAULT_AGENT_POOL:
        return _AgentPool((*base, "name"), "`default-agent-pool` is the name of the pool "
                          "Prefect 2 made for agents", False)
    return None


@rule(
    "L009",
    "agent-work-pool",
    Severity.ERROR,
    "The deployment targets a `prefect-agent` work pool, which workers cannot serve",
)
def agent_work_pool(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `work_pool.name` is an agent pool: a `work_pool` that says `type: prefect-agent`,
    or a pool whose type is `prefect-agent` in a pool snapshot (`prefect-lint pools pull`).
    `default-agent-pool` (the name of the pool Prefect 2 created for agents) is probably one:
    a warning, unless `[tool.prefect-lint.pools]` or a snapshot gives the pool another type.

    **Why**: `prefect deploy` refuses a `prefect-agent` pool ("Cannot create a project-style
    deployment with work pool of type 'prefect-agent'"), and `prefect worker start` refuses to
    poll it. Agents no longer exist in Prefect 3.

    **Example**:

        deployments:
          - name: etl
            work_pool:
              name: default-agent-pool

    **Use instead**:

        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: k8s-prod

    **Fix**: create a pool of a worker type (`prefect work-pool create etl --type process`)
    and name it here; or, if `default-agent-pool` is already such a pool, say so with
    `default-agent-pool = "process"` in `[tool.prefect-lint.pools]`.
    """
    document = context.document
    types = _PoolTypes(context)
    for index, _ in deployment_nodes(document):
        data = document.data["deployments"][index]
        pool = data.get("work_pool") if isinstance(data, dict) else None
        if not isinstance(pool, dict):
            continue
        found = _agent_pool(types, index, pool)
        span = document.value_span_at(found.path) if found is not None else None
        if found is None or span is None:
            continue
        if found.certain:
            yield Finding(
                span,
                f"this work pool is for Prefect 2 agents ({found.reason}); `prefect deploy` "
                "refuses it and no worker polls it: use a pool of a worker type (process, "
                "docker, kubernetes, ...)",
            )
        else:
            yield Finding(
                span,
                f"this work pool is probably for Prefect 2 agents ({found.reason}): if its "
                "type is `prefect-agent`, `prefect deploy` refuses it and no worker polls it",
                help="use a pool of a worker type; if this pool is one, map it in "
                '[tool.prefect-lint.pools] (default-agent-pool = "process")',
                severity=Severity.WARNING,
            )


# -- L010 projects-era step names -------------------------------------------------------------


def _old_step_works(name: str, target: Target | None) -> bool:
    """Whether the target still resolves this projects-era name (the alias until 2.16,
    `git_clone_project` until 2.20)."""
    if name.startswith(OLD_STEP_PREFIX) and not versions.projects_alias_resolves(target):
        return False
    return versions.agent_commands_work(target)  # git_clone_project goes with 3.0, too


def _old_step_finding(span: Span, name: str, new: str, fix: Fix | None,
                      target: Target | None) -> Finding:
    """The finding for a projects-era step; a warning where the target still resolves it
    (the new name, offered by the fix, works on every release from 2.10)."""
    if not _old_step_works(name, target):
        return Finding(span, f"step `{name}` no longer exists in Prefect 3; use `{new}`",
                       fix=fix)
    ends = "2.17" if name.startswith(OLD_STEP_PREFIX) else "3.0"
    return Finding(span, f"step `{name}` still resolves in {versions.target_words(target)} "
                         f"but not from Prefect {ends}; use `{new}`",
                   fix=fix, severity=Severity.WARNING)

OLD_STEP_PREFIX = "prefect.projects.steps."
NEW_STEP_PREFIX = "prefect.deployments.steps."


def modern_step_name(name: str) -> str | None:
    """The Prefect 3 name of a projects-era step, or None when the name is current."""
    new = name
    if new.startswith(OLD_STEP_PREFIX):
        new = NEW_STEP_PREFIX + new[len(OLD_STEP_PREFIX):]
    if new.endswith(".git_clone_project") and new.startswith(NEW_STEP_PREFIX):
        new = new[: -len("_project")]
    return new if new != name else None


def _step_key_nodes(document: Document) -> Iterator[ScalarNode]:
    roots: list[Node | None] = [document.root]
    roots.extend(entry for _, entry in deployment_nodes(document))
    seen: set[int] = set()
    for root in roots:
        if not isinstance(root, MappingNode):
            continue
        for section in STEP_SECTIONS:
            found = find_key(root, section)
            if found is None:
                continue
            steps = found[1]
            items = steps.value if isinstance(steps, SequenceNode) else [steps]
            for step in items:
                if not isinstance(step, MappingNode):
                    continue
                for key, _ in step.value:
                    if isinstance(key, ScalarNode) and id(key) not in seen:
                        seen.add(id(key))
                        yield key


@rule(
    "L010",
    "projects-step-name",
    Severity.ERROR,
    "A step uses the removed `prefect.projects.steps` name or `git_clone_project`",
    fix=SAFE,
)
def projects_step_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a build, push or pull step named `prefect.projects.steps.*` (the 2.10 "projects"
    beta) or `git_clone_project`.

    **Why**: the `prefect.projects` alias was removed in 2.17 and `git_clone_project` in 3.0:
    the step fails on the worker with a ModuleNotFoundError or AttributeError, when the flow
    run starts (pull steps are never imported by `prefect deploy`).

    **Example**:

        pull:
          - prefect.projects.steps.git_clone_project:
              repository: https://github.com/acme/etl.git

    **Use instead**:

        pull:
          - prefect.deployments.steps.git_clone:
              repository: https://github.com/acme/etl.git
        deployments:
          - name: nightly
            entrypoint: flows/etl.py:etl
            work_pool:
              name: k8s-prod

    **Target**: where the old name still resolves (the `prefect.projects` alias until 2.16,
    `git_clone_project` until 2.20) the finding is a warning that it goes away.

    **Fix**: `prefect.deployments.steps.git_clone` (and
    `prefect.deployments.steps.set_working_directory`). Safe: same arguments, same outputs.
    """
    document = context.document
    target = context.project.settings.target_version
    for key in _step_key_nodes(document):
        name = str(key.value)
        new = modern_step_name(name)
        if new is None:
            continue
        span = document.node_span(key)
        start, end = span.start, span.end
        if key.style in ("'", '"'):
            start, end = start + 1, end - 1
        fix = None
        if document.text[start:end] == name:
            fix = Fix(f"rename the step to `{new}`", (Edit(start, end, new),), SAFE)
        yield _old_step_finding(span, name, new, fix, target)
