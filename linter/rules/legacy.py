"""L: agent-era leftovers in prefect.yaml (Prefect 2 keys that Prefect 3 ignores or rejects).

Prefect 3 reads deployment entries with ``extra="ignore"``: every key below is dropped without
a word, so the setting the author wrote has no effect. Each rule names the worker-era
replacement; fixes move the text into place without re-dumping the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, describe, rule
from linter.prefect import versions
from linter.prefect.releases import Target
from linter.project.context import LintContext
from linter.rules._shared import deletion_fix, deployment_nodes, editable, key_line_comment, pair
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

SAFE = Applicability.SAFE
UNSAFE = Applicability.UNSAFE
STEP_SECTIONS = ("build", "push", "pull")


# -- navigation -------------------------------------------------------------------------------










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




def _override_target(
    document: Document, owner: MappingNode, in_work_pool: bool
) -> tuple[MappingNode | None, tuple[Node, Node] | None] | None:
    """Where `infra_overrides` entries go: the `work_pool` mapping (None: there is none yet)
    and its `job_variables` pair (None: not written yet); None when it cannot be edited."""
    if in_work_pool:
        return owner, pair(owner, "job_variables")
    found = pair(owner, "work_pool")
    if found is None:
        return None, None
    wp_key, wp_value = found
    if not editable(document, owner, wp_key, wp_value) or not is_block_mapping(wp_value):
        return None
    assert isinstance(wp_value, MappingNode)
    return wp_value, pair(wp_value, "job_variables")


def _new_job_variables_fix(document: Document, owner: MappingNode, key: Node,
                           value: MappingNode, work_pool: MappingNode, in_work_pool: bool,
                           comment: str) -> Fix | None:
    """`work_pool` has no `job_variables`: rename the key in place, or move the entries."""
    unit = indent_unit(document, key, value)
    newline = document.newline
    if in_work_pool:
        rendered = render_entries(document, value, column(document, key.start_mark.index)
                                  + unit, unit)
        if rendered is None:
            return None
        text = "job_variables:" + comment + newline + rendered.text
        return Fix("rename `infra_overrides` to `job_variables`",
                   (Edit(key.start_mark.index, entry_end(document, value), text),), UNSAFE)
    pool_indent = child_indent(document, work_pool)
    rendered = render_entries(document, value, pool_indent + unit, unit)
    deletion = delete_entry(document, owner, key, value)
    if rendered is None or deletion is None:
        return None
    insert = Edit.insert(entry_end(document, work_pool),
                         newline + " " * pool_indent + "job_variables:" + comment + newline
                         + rendered.text)
    return Fix("move the entries to `work_pool.job_variables`", (insert, deletion), UNSAFE)


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
    comment = key_line_comment(document, key, value)
    target = _override_target(document, owner, in_work_pool)
    if target is None:
        return None
    work_pool, job_variables = target
    if work_pool is None:
        rendered = render_entries(document, value, key_column + 2 * unit, unit)
        if rendered is None:
            return None
        text = ("work_pool:" + newline + " " * (key_column + unit) + "job_variables:" + comment
                + newline + rendered.text)
        return Fix("move the entries to `work_pool.job_variables`",
                   (Edit(key.start_mark.index, replace_end, text),), UNSAFE)
    if job_variables is None:
        return _new_job_variables_fix(document, owner, key, value, work_pool, in_work_pool,
                                      comment)
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


@rule("L001", "infra-overrides", Severity.ERROR,
      "`infra_overrides` is the agent-era name of `work_pool.job_variables`", fix=UNSAFE,
      scope=Scope.DEPLOYMENT)
def infra_overrides(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an `infra_overrides` key, anywhere in the file.

    **Why**: Prefect 2.17 renamed `infra_overrides` to `job_variables`, and in a prefect.yaml
    job variables live under `work_pool:`. Prefect 3 ignores `infra_overrides` without a word
    (verified with 3.9.1: the effective job variables are `{}`), so the image, env or
    resources you set never reach the worker.

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


@rule("L002", "singular-schedule", Severity.WARNING,
      "The singular `schedule:` key is deprecated; use a `schedules:` list", fix=SAFE)
def singular_schedule(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment with the agent-era `schedule:` key (one schedule) instead of
    `schedules:` (a list).

    **Why**: Prefect 2.16 deprecated `schedule` ("It will not be available after Sep 2024").
    Prefect 3 still turns a mapping into `schedules: [<it>]`, silently, but an empty
    `schedule: {}` or `schedule: null` does nothing at all, and nothing warns about it.

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


@rule("L003", "schedule-and-schedules", Severity.ERROR,
      "A deployment has both `schedule` and `schedules`; Prefect rejects it",
      scope=Scope.DEPLOYMENT)
def schedule_and_schedules(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment sets the deprecated `schedule:` and also `schedules:`.

    **Why**: `prefect deploy` stops with "Both 'schedule' and 'schedules' keys are present in
    the deployment configuration. Please use only use `schedules`." (only an empty `schedule`
    is let through).

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


@rule("L004", "is-schedule-active", Severity.ERROR,
      "`is_schedule_active` is ignored by Prefect 3; use `active` on each schedule", fix=UNSAFE,
      scope=Scope.DEPLOYMENT)
def is_schedule_active(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment sets the agent-era `is_schedule_active`.

    **Why**: Prefect 3 drops the key without a word. `is_schedule_active: false` was meant to
    keep the schedules from running; in Prefect 3 they run (error). `true` or `null` was the
    default anyway (warning).

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













# -- L007 work_pool_name / work_queue_name ----------------------------------------------------











# -- L008 manifest_path / path ----------------------------------------------------------------




# -- L009 prefect-agent pools -----------------------------------------------------------------









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


@rule("L010", "projects-step-name", Severity.ERROR,
      "A step uses the removed `prefect.projects.steps` name or `git_clone_project`", fix=SAFE,
      scope=Scope.DEPLOYMENT)
def projects_step_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a build, push or pull step named `prefect.projects.steps.*` (the 2.10 "projects"
    beta) or `git_clone_project`.

    **Why**: the `prefect.projects` alias was removed in 2.17 and `git_clone_project` in 3.0:
    the step fails on the worker with a ModuleNotFoundError or AttributeError, when the flow
    run starts (pull steps are never imported by `prefect deploy`).

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
