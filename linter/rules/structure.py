"""S: the structure of prefect.yaml against the strict schema (schemas/prefect.yaml.schema.json).

Prefect's models ignore unknown keys almost everywhere, and one invalid field makes Prefect
skip the whole file with a warning. These rules say where, what, and what to write instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect import versions
from linter.project.context import LintContext
from linter.project.filekinds import is_foreign_configuration
from linter.rules._shared import (
    deployment_number,
    is_plain_scalar,
    is_yaml_typed_string,
    item_label,
    value_span,
    where,
)
from linter.schema.check import SchemaIssue, expected_words, schema_issues, type_word
from linter.source.document import Document, NodePath
from linter.source.view import iter_nodes
from linter.suggest import did_you_mean

#: Where people put keys that belong elsewhere: (level, key) -> advice. Levels: "top",
#: "deployment", "work_pool", "schedule", "trigger".
MISPLACED: dict[tuple[str, str], str] = {
    ("deployment", "job_variables"): "`job_variables` belongs under `work_pool:`",
    ("deployment", "variables"): "job variables belong under `work_pool: job_variables:`",
    ("deployment", "image"): "`image` is a job variable: put it under "
                             "`work_pool: job_variables:`",
    ("deployment", "env"): "`env` is a job variable: put it under `work_pool: job_variables:`",
    ("deployment", "working_dir"): "`working_dir` is a job variable: put it under "
                                   "`work_pool: job_variables:`",
    ("deployment", "is_paused"): "the key is `paused`",
    ("deployment", "flow"): "the flow is named by `entrypoint: path/to/file.py:function`",
    ("work_pool", "variables"): "the key is `job_variables`",
    ("work_pool", "type"): "the pool's type is set when the pool is created "
                           "(`prefect work-pool create --type ...`), not here",
    ("schedule", "max_active_runs"): "`max_active_runs` was removed in Prefect 3.1; Prefect "
                                     "3.4.21 and later reject the whole file because of it",
    ("schedule", "catchup"): "`catchup` was removed in Prefect 3.1; Prefect 3.4.21 and later "
                             "reject the whole file because of it",
    ("schedule", "schedule"): "write the schedule's fields directly in the list item "
                              "(`- cron: ...`), not under a nested `schedule:`",
    ("trigger", "metric"): "a metric trigger needs `type: metric` (or `posture: Metric`); "
                           "without it Prefect reads an event trigger and drops `metric`",
    ("top", "project"): "the project's name is the top-level `name:`",
    ("top", "version"): "`version` belongs in a deployment entry",
}

DEPLOYMENT_KEYS_AT_TOP = (
    "entrypoint", "parameters", "schedules", "schedule", "work_pool", "tags", "triggers",
    "concurrency_limit", "flow_name", "enforce_parameter_schema", "paused",
)

JOB_VARIABLE_HINTS = ("image", "env", "cpu", "memory", "namespace", "command",
                      "image_pull_policy", "working_dir", "volumes", "networks",
                      "service_account_name", "labels", "stream_output")


def level_of(path: NodePath) -> str:
    """What kind of mapping ``path`` (the path of the mapping itself) is."""
    if path == ():
        return "top"
    if len(path) == 2 and path[0] == "deployments":
        return "deployment"
    if path[-1] == "work_pool":
        return "work_pool"
    if (len(path) >= 2 and path[-2] == "schedules" and isinstance(path[-1], int)) or (
        path[-1] == "schedule"
    ):
        return "schedule"
    if len(path) >= 2 and path[-2] == "triggers" and isinstance(path[-1], int):
        return "trigger"
    return "other"


def key_span(document: Document, path: NodePath) -> Span:
    span = document.key_span_at(path)
    return span if span is not None else value_span(document, path[:-1])




def _issues(context: LintContext, kind: str) -> Iterator[SchemaIssue]:
    for issue in schema_issues(context.document):
        if issue.kind == kind:
            yield issue


def _unknown_key_advice(issue: SchemaIssue, document: Document) -> tuple[str, str | None]:
    """(help text, a key to rename to if the rename is a plain typo fix)."""
    assert issue.key is not None
    parent = issue.path[:-1]
    level = level_of(parent)
    advice = MISPLACED.get((level, issue.key))
    if advice is not None:
        return advice, None
    if level == "top" and issue.key in DEPLOYMENT_KEYS_AT_TOP:
        return (f"`{issue.key}` belongs inside a deployment entry under `deployments:`", None)
    if level == "work_pool" and issue.key in JOB_VARIABLE_HINTS:
        return (f"`{issue.key}` is a job variable: put it under `job_variables:`", None)
    suggestion = did_you_mean(issue.key, issue.known)
    if suggestion is not None:
        return f"did you mean `{suggestion}`?", suggestion
    if issue.known:
        shown = ", ".join(f"`{key}`" for key in issue.known[:12])
        more = ", ..." if len(issue.known) > 12 else ""
        return f"the keys allowed here are {shown}{more}", None
    return "remove the key", None


def holds_only_used_anchors(document: Document, key: str) -> bool:
    """
    True when top-level ``key`` only holds YAML anchors that are aliased elsewhere.

    Either its value is aliased (`common_pool: &pool {...}` then `work_pool: *pool`), or each
    value inside it is (`templates: {pool: &pool {...}}`): the documented `definitions:`
    pattern under another name. Prefect ignores the key itself, which is what the author
    meant. An alias shares the anchored node, so an aliased node is one that is the value
    or item of more than one parent.
    """
    root = document.root
    if not isinstance(root, MappingNode):
        return False
    holder = next((value for key_node, value in root.value
                   if isinstance(key_node, ScalarNode) and key_node.value == key), None)
    if holder is None:
        return False
    uses = _uses(document)
    if uses.get(id(holder), 0) > 1:
        return True
    if not isinstance(holder, MappingNode) or not holder.value:
        return False
    return all(uses.get(id(value), 0) > 1 for _, value in holder.value)


def _uses(document: Document) -> dict[int, int]:
    """How many times each node is a value or an item (more than once: it is aliased);
    one walk per document."""
    return document.memo(_count_uses)


def _count_uses(document: Document) -> dict[int, int]:
    uses: dict[int, int] = {}
    for node in iter_nodes(document.root):
        if isinstance(node, MappingNode):
            children: list[Node] = [value for _, value in node.value]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            continue
        for child in children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    return uses


def _anchor_holder_finding(document: Document, issue: SchemaIssue) -> Finding:
    assert issue.key is not None
    return Finding(
        key_span(document, issue.path),
        f"top-level key `{issue.key}` only holds YAML anchors used elsewhere: Prefect "
        "ignores the key itself and keeps what the aliases bring in",
        help="nothing is lost; `definitions:` is the name Prefect's documentation uses for "
             "such a key",
        severity=Severity.INFO,
    )


@rule("S001", "unknown-key", Severity.ERROR, "A key Prefect does not know (and drops silently)",
      fix=Applicability.UNSAFE, scope=Scope.DEPLOYMENT)
def unknown_key(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a key that Prefect's models do not have at this place: a typo
    (`entrypont`), a key at the wrong level (`job_variables` directly in a deployment instead
    of under `work_pool`, `image` directly under `work_pool` instead of under
    `job_variables`), or a key from another tool.

    **Why**: Prefect ignores unknown keys in deployments, work pools, triggers and at the top
    level without a word, so the setting is silently lost; inside a schedule an unknown key
    makes Prefect skip the whole file. A top-level key that only holds YAML anchors aliased
    elsewhere (`common_pool: &pool {...}`, the `definitions:` pattern under another name)
    loses nothing: that is only info.

    **Target**: keys whose meaning changed between releases (`max_active_runs`, `catchup`) are
    left to the V rules where the targeted release reads or ignores them; an unknown key in a
    schedule rejects the file only from Prefect 3.4.21 (before, it is ignored).

    **Fix** (unsafe, offered for plain typos only): rename the key to the one it resembles
    (`entrypoint`). It is unsafe because the setting then takes effect. Misplaced keys are
    explained, not moved.
    """
    document = context.document
    parent_data: dict[NodePath, Any] = {}
    for issue in _issues(context, "unknown_key"):
        assert issue.key is not None
        parent = issue.path[:-1]
        if parent == () and holds_only_used_anchors(document, issue.key):
            yield _anchor_holder_finding(document, issue)
            continue
        if _versioned_not_rejected(context, parent, issue.key):
            continue  # read, or ignored, by the target: the V rules speak for it
        help_text, rename = _unknown_key_advice(issue, document)
        consequence = ("Prefect rejects the whole file because of it"
                       if level_of(parent) == "schedule"
                       and versions.schedule_rejects_unknown_keys(
                           context.project.settings.target_version)
                       else "Prefect ignores it silently")
        message = f"unknown key `{issue.key}` {where(document, parent)}: {consequence}"
        fix = None
        key_node, _ = document.locate(issue.path)
        if rename is not None and isinstance(key_node, ScalarNode) and key_node.style in (
            None, ""
        ):
            siblings = parent_data.setdefault(parent, _data_at(document, parent))
            if isinstance(siblings, dict) and rename not in siblings:
                span = document.node_span(key_node)
                fix = Fix(f"rename `{issue.key}` to `{rename}`",
                          (Edit(span.start, span.end, rename),), Applicability.UNSAFE)
        yield Finding(key_span(document, issue.path), message, help=help_text, fix=fix)


def _versioned_not_rejected(context: LintContext, parent: NodePath, key: str) -> bool:
    """True for a key whose meaning depends on the release (``max_active_runs``) when the
    targeted release reads or ignores it rather than rejecting the file."""
    level = "concurrency_limit" if parent and parent[-1] == "concurrency_limit" else \
        level_of(parent)
    history = versions.key_histories().get((level, key))
    if history is None:
        return False
    target = context.project.settings.target_version
    return versions.key_behaviour(history, target) != versions.REJECTED


def _data_at(document: Document, path: NodePath) -> Any:
    value = document.data
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


@rule("S002", "wrong-type", Severity.ERROR, "A value of the wrong type", scope=Scope.DEPLOYMENT)
def wrong_type(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value whose type Prefect does not accept here: `deployments:` as a mapping
    or null instead of a list, `work_pool: my-pool` instead of a mapping with `name`,
    `parameters` as a list, `schedules` as a mapping, `enforce_parameter_schema: maybe`.

    **Why**: Prefect validates the whole file before it deploys anything; one wrong type
    anywhere and it prints a warning and carries on as if the file did not exist, which
    usually ends in a confusing "An entrypoint must be provided".

    **Target**: only Prefect 3.4.19 and later validate the file; on older releases the
    message says that the value reaches the deploy code unchecked.

    **Fix**: write the value in the expected shape, here `work_pool: {name: k8s-prod}`.
    Numbers, booleans and dates where a string is wanted are reported by Y008 instead,
    with a fix that quotes them.
    """
    document = context.document
    nested_tags: dict[Span, list[SchemaIssue]] = {}
    for issue in _issues(context, "type"):
        if is_yaml_typed_string(document, issue):
            continue
        if _is_nested_tag(issue):
            nested_tags.setdefault(value_span(document, issue.path), []).append(issue)
            continue
        name = item_label(document, issue.path) if issue.path else "`the file`"
        message = (f"{name} {where(document, issue.path[:-1])} must be "
                   f"{expected_words(issue.expected)}, but it is {type_word(issue.instance)}")
        yield Finding(value_span(document, issue.path), message + _type_consequence(context),
                      help=_type_help(issue))
    for span, issues in nested_tags.items():
        yield _nested_tag_finding(document, span, issues)


def _is_nested_tag(issue: SchemaIssue) -> bool:
    """A list or mapping as one item of a deployment's `tags` (often an aliased list)."""
    path = issue.path
    return (len(path) == 4 and path[0] == "deployments" and path[2] == "tags"
            and isinstance(path[3], int) and isinstance(issue.instance, (list, dict)))


def _nested_tag_finding(document: Document, span: Span, issues: list[SchemaIssue]) -> Finding:
    """One finding for a nested tag, however many deployments share it through an alias.

    Prefect types `tags` as a list of anything and turns each item into text with `str()`,
    so a list inside the list is not spread out: it becomes one tag such as "['a', 'b']"."""
    odd_tag = str(issues[0].instance)
    names = []
    for issue in issues:
        entry = _data_at(document, issue.path[:2])
        name = entry.get("name") if isinstance(entry, dict) else None
        index = issue.path[1]
        number = deployment_number(document, index) if isinstance(index, int) else index
        names.append(f'"{name}"' if isinstance(name, str) and name else f"#{number}")
    shown = ", ".join(dict.fromkeys(names))
    what = "a list" if isinstance(issues[0].instance, list) else "a mapping"
    return Finding(
        span,
        f"this tag is {what}: Prefect does not spread it out but turns it into the single "
        f"tag {_clip(odd_tag)!r} (in deployment{'s' if len(set(names)) > 1 else ''} {shown})",
        help="YAML cannot splice an aliased list into another list: use `tags: *anchor` for "
             "the whole list, or write the tags out",
    )


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_consequence(context: LintContext) -> str:
    """What a release before 3.4.19 does with a wrongly typed value (nothing checks it and
    the deploy code gets it as written); from 3.4.19 the model skips the whole file, which
    the rule's documentation says."""
    target = context.project.settings.target_version
    if versions.model_validates(target):
        return ""
    return (f": {versions.target_words(target)} does not validate the file, so the deploy code "
            "gets the value as written and fails or misreads it")


def _type_help(issue: SchemaIssue) -> str | None:
    key = issue.path[-1] if issue.path else None
    if key == "deployments":
        return "write a list of entries: `deployments:` then `  - name: ...` items"
    if key == "work_pool" and isinstance(issue.instance, str):
        return f"write `work_pool:` with `name: {issue.instance}` under it"
    if key == "tags" and issue.instance is None:
        return "write `tags: []`: Prefect loads a null list of tags and then crashes deploying"
    if key in ("schedules", "triggers", "sla") and isinstance(issue.instance, dict):
        return f"make it a list: put `- ` before the first key of each `{key}` item"
    if key in ("build", "push", "pull"):
        return "write a list of steps, each `- module.function: {arguments}`"
    return None


@rule("S003", "invalid-value", Severity.ERROR, "A value outside what Prefect accepts",
      scope=Scope.DEPLOYMENT)
def invalid_value(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value of the right type that Prefect still refuses: an unknown
    `collision_strategy` or `version_type`, a trigger `type` that does not exist,
    `grace_period_seconds` outside 60-86400, an interval of zero or in words, `anchor_date`
    on a cron schedule (ignored), both `prefect-version` and `prefect_version`.

    **Why**: some of these make Prefect skip the file, others fail only when you deploy or
    when the schedule is created on the server; all of them are found here first.

    **Fix**: use one of the values the message lists (here `ENQUEUE` or `CANCEL_NEW`).
    """
    document = context.document
    for issue in _issues(context, "value"):
        if issue.path and issue.path[-1] == "tags" and isinstance(issue.instance, str):
            continue  # S005
        span = value_span(document, issue.path)
        help_text = None
        if issue.expected and isinstance(issue.instance, str):
            guess = did_you_mean(issue.instance, issue.expected, cutoff=0.6)
            if guess is not None:
                help_text = f"did you mean `{guess}`?"
        if issue.key in ("anchor_date", "day_or", "prefect_version"):
            span = key_span(document, issue.path)
        key = issue.path[-1] if issue.path else None
        label = f"`{key}`: " if isinstance(key, str) else ""
        yield Finding(span, f"{label}{issue.message}", help=help_text)


@rule("S004", "missing-required-key", Severity.ERROR, "A required key is missing",
      scope=Scope.DEPLOYMENT)
def missing_required_key(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a mapping lacks a key it needs: a `concurrency_limit` mapping without `limit`
    or `collision_strategy`, an SLA without its `duration`/`within`/`stale_after`.

    **Why**: Prefect rejects the file (SLA) or fails the deploy (a concurrency mapping
    without `collision_strategy`, which Prefect 3.9 always needs).

    **Fix**: add the key, e.g. `collision_strategy: ENQUEUE`.
    """
    document = context.document
    for issue in _issues(context, "missing"):
        path = issue.path
        span = (value_span(document, path) if path and isinstance(path[-1], int)
                else key_span(document, path))
        yield Finding(span, f"`{issue.key}` is missing {where(document, path)}",
                      help=f"add `{issue.key}:`")


@rule("S005", "tags-as-string", Severity.ERROR, "`tags` is a string instead of a list",
      fix=Applicability.UNSAFE, scope=Scope.DEPLOYMENT)
def tags_as_string(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `tags: prod` or `tags: etl, nightly`, a string where a list is meant.

    **Why**: Prefect accepts a string here only so that a `{{ }}` placeholder can turn into a
    list; a plain string is iterated character by character, so the deployment is tagged
    `p`, `r`, `o`, `d`.

    **Fix** (unsafe, since the tags change): make it a list, `tags: [etl, nightly]`.
    """
    document = context.document
    for issue in _issues(context, "value"):
        if not (issue.path and issue.path[-1] == "tags" and isinstance(issue.instance, str)):
            continue
        span = value_span(document, issue.path)
        fix = None
        original = document.text[span.start : span.end]
        if is_plain_scalar(document, issue.path) and "\n" not in original:
            fix = Fix("make `tags` a list", (Edit(span.start, span.end, f"[{original}]"),),
                      Applicability.UNSAFE)
        letters = ", ".join(dict.fromkeys(issue.instance.replace(" ", "")))[:40]
        yield Finding(
            span,
            f"`tags` is the string {original!r}: Prefect splits it into single characters "
            f"({letters})",
            help=f"write a list: `tags: [{original}]`",
            fix=fix,
        )


@rule("S006", "schedule-selector", Severity.ERROR,
      "A schedule needs exactly one of cron, interval or rrule", scope=Scope.DEPLOYMENT)
def schedule_selector(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a schedule entry with none of `cron`, `interval` and `rrule`, or with more than
    one of them (including `{}` and the nested API form `- schedule: {cron: ...}`).

    **Why**: Prefect rejects the whole file when a schedule has several kinds, and fails the
    deploy with "Unknown schedule type" when it has none.

    **Fix**: keep one kind per entry; write two entries for two schedules.
    """
    document = context.document
    for issue in _issues(context, "selector"):
        yield Finding(value_span(document, issue.path), issue.message,
                      help="write one schedule entry per cron, interval or rrule")


@rule("S007", "not-prefect-configuration", Severity.INFO,
      "A YAML file named like prefect.yaml that holds another tool's configuration",
      scope=Scope.DEPLOYMENT)
def not_prefect_configuration(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a file linted as Prefect configuration (`prefect.yml`, or a YAML file named on
    the command line) whose top level has none of Prefect's keys (`deployments`, `build`,
    `push`, `pull`, `name`, `prefect-version`, or a deployment's own keys), such as a go-task
    `Taskfile` named `prefect.yml`.

    **Why**: `prefect deploy` only reads the file it is given, and this one is not meant for
    it. Rather than report every key as unknown, prefect-lint says once that it left the file
    alone, and no other rule looks at it (as for compose and Kubernetes files).

    **Fix**: nothing to fix. Exclude the file in the configuration to silence this note.
    """
    document = context.document
    if not is_foreign_configuration(document.data) or document.root is None:
        return
    first_key = next(iter(document.data))
    span = document.key_span_at((first_key,)) or document.head_span(document.root)
    yield Finding(span, "none of Prefect's keys (`deployments`, `build`, `pull`, ...) at the "
                        "top level: this is not Prefect configuration, so prefect-lint "
                        "checks nothing else in it",
                  help="exclude the file in the configuration if this note is not wanted")
