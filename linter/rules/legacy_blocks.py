"""L: Prefect 2 blocks and pool settings left in prefect.yaml: storage and infrastructure
blocks, deployment-level ``work_pool_name`` / ``work_queue_name``, ``manifest_path`` /
``path``, and pools meant for agents.

Prefect 3 ignores the first four without a word and refuses the last. Fixes move the text into
place without re-dumping the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect import agent_era
from linter.prefect.pools import AGENT_POOL_TYPE, AgentPool, PoolTypes, agent_pool
from linter.prefect.python_code import module_of
from linter.prefect.python_deploy import pool_arguments
from linter.project.context import LintContext
from linter.project.filekinds import PREFECT, PYTHON
from linter.rules._shared import (
    by_kind,
    deletion_fix,
    deployment_nodes,
    editable,
    key_line_comment,
    pair,
    pool_catalog,
)
from linter.source.document import Document, NodePath
from linter.source.edit import (
    child_indent,
    column,
    delete_entry,
    entry_end,
    is_block_mapping,
    is_empty_value,
    is_inline,
    key_owns_line,
    line_end,
)

SAFE = Applicability.SAFE
UNSAFE = Applicability.UNSAFE


@rule("L005", "storage-block", Severity.ERROR,
      "A 2.x `storage:` block on a deployment; Prefect 3 uses pull steps", fix=UNSAFE,
      scope=Scope.DEPLOYMENT)
def storage_block(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `storage:` key.

    **Why**: Prefect 3 has no storage blocks on deployments (`S3`, `GCS`, `Azure` and `GitHub`
    were removed in 3.0) and ignores the key: the worker never fetches the code from there,
    and the run fails with a missing flow file.

    **Fix**: write a `pull:` step on the deployment instead: GitHub, GitLab or Bitbucket ->
    `git_clone`, S3/GCS/Azure -> `pull_from_s3` / `pull_from_gcs` /
    `pull_from_azure_blob_storage` or `pull_from_remote_storage`, a saved block ->
    `pull_with_block`, a local folder -> `set_working_directory`. An empty `storage:` is
    removed (safe). Otherwise, when the deployment has no `pull:` of its own, an unsafe fix
    replaces the block with that pull step (unsafe: the worker starts fetching code from
    there); a comment on the `storage:` line moves to the `pull:` line.
    """
    return _agent_era_blocks(context.document, "storage", _storage_finding)


def _storage_finding(document: Document, entry: MappingNode, key: Node, value: Node,
                     data: Any) -> Finding:
    """A written ``storage:`` block, with the pull step that replaces it when one can."""
    storage = data.get("storage") if isinstance(data, dict) else None
    converted = agent_era.storage_to_pull_steps(storage, data.get("path"))
    replacement = agent_era.describe_pull_step(converted.value)
    fix = None
    if isinstance(data, dict) and "pull" not in data and converted.value:
        fix = _replace_entry_fix(
            document, entry, key, value, "pull", converted.value,
            f"replace `storage:` with the equivalent pull step ({replacement})")
    notes = "; ".join(converted.notes)
    return Finding(
        document.node_span(key),
        "`storage:` is an agent-era block that Prefect 3 ignores, so the worker never "
        f"fetches this code; write a `pull:` step instead ({replacement})",
        help=notes or "`prefect-lint migrate` shows the pull step for a legacy "
                      "deployment.yaml",
        fix=fix,
    )


@rule("L006", "infrastructure-block", Severity.ERROR,
      "A 2.x `infrastructure:` block on a deployment; Prefect 3 uses a work pool", fix=UNSAFE,
      scope=Scope.DEPLOYMENT)
def infrastructure_block(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `infrastructure:` key.

    **Why**: infrastructure blocks (`Process`, `DockerContainer`, `KubernetesJob`, `ECSTask`,
    `CloudRunJob`, ...) were removed in Prefect 3.0; the key is ignored, so the image, env
    and resources in it are never used. A work pool of the matching type does this job now.

    **Fix**: use a work pool of the matching type (`docker` here) and move the fields it has a
    variable for into `work_pool.job_variables` (`image: acme/etl:1.4`). An empty
    `infrastructure:` is removed (safe). When the deployment already names its work pool and
    that pool has no `job_variables` yet, an unsafe fix moves the fields there (unsafe: they
    take effect); without a pool name there is no fix, since a made-up name would deploy to a
    pool that does not exist. Fields with no variable in the pool's template are listed in
    the help text.
    """
    return _agent_era_blocks(context.document, "infrastructure", _infrastructure_finding)


def _infrastructure_finding(document: Document, entry: MappingNode, key: Node, value: Node,
                            data: Any) -> Finding:
    """A written ``infrastructure:`` block, with the work pool and job variables it becomes
    when its type is known."""
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
    return Finding(
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
    comment = key_line_comment(document, key, value)  # kept, not dropped with the old key
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
    comment = key_line_comment(document, key, value)
    lines = [" " * indent + "job_variables:" + comment,
             *_inner_comments(document, key, value, indent + 2), *emit(variables, indent + 2)]
    insert = Edit.insert(entry_end(document, pool_value),
                         document.newline + document.newline.join(lines))
    return Fix(f"move the fields into `work_pool.job_variables` (for a `{pool_type}` pool)",
               (insert, deletion), UNSAFE)


#: the finding for a written agent-era block: (document, entry, key, value, entry data)
BlockFinding = Callable[[Document, MappingNode, Node, Node, Any], Finding]


def _agent_era_blocks(document: Document, name: str, finding: BlockFinding) -> Iterator[Finding]:
    """A finding for each deployment's ``name:`` block: the removal of an empty one, else
    what ``finding`` says of the block."""
    for index, entry in deployment_nodes(document):
        found = pair(entry, name)
        if found is None:
            continue
        key, value = found
        if is_empty_value(value):
            yield _empty_block(document, entry, key, value, name)
        else:
            yield finding(document, entry, key, value, document.data["deployments"][index])


def _empty_block(document: Document, entry: MappingNode, key: Node, value: Node,
                 name: str) -> Finding:
    """The finding (with its safe removal) for an agent-era block left empty."""
    return Finding(document.node_span(key),
                   f"an empty `{name}:` is an agent-era leftover that Prefect 3 ignores; "
                   "remove it",
                   fix=deletion_fix(document, entry, key, value, f"remove `{name}`"))


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
    found_pool = pair(entry, "work_pool")
    if found_pool is None:
        return _new_pool_fixes(document, entry, present, fixes)
    return _existing_pool_fixes(document, entry, present, found_pool, fixes)


def _new_pool_fixes(document: Document, entry: MappingNode,
                    present: dict[str, tuple[Node, Node]],
                    fixes: dict[str, Fix | None]) -> dict[str, Fix | None]:
    """No `work_pool` yet: one fix, shared by every finding, writes it with the keys in."""
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
                  document.newline.join(lines))]
    for name, (key, value) in present.items():
        if name == first_name:
            continue
        deletion = delete_entry(document, entry, key, value)
        if deletion is None:
            return fixes
        edits.append(deletion)
    shared = Fix("move to `work_pool`", tuple(edits), UNSAFE)
    return dict.fromkeys(present, shared)


def _existing_pool_fixes(document: Document, entry: MappingNode,
                         present: dict[str, tuple[Node, Node]], found_pool: tuple[Node, Node],
                         fixes: dict[str, Fix | None]) -> dict[str, Fix | None]:
    """`work_pool` exists: each key moves under it, or goes when it repeats what is there."""
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
            insert = Edit.insert(entry_end(document, pool), document.newline
                                 + " " * child_indent(document, pool) + f"{target}: {written}")
            fixes[name] = Fix(f"move to `work_pool.{target}`", (insert, deletion), UNSAFE)
    return fixes


@rule("L007", "deployment-level-pool-keys", Severity.ERROR,
      "`work_pool_name` / `work_queue_name` on a deployment belong under `work_pool:`", fix=UNSAFE,
      scope=Scope.DEPLOYMENT)
def deployment_level_pool_keys(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the agent-era `work_pool_name` or `work_queue_name` written directly on a
    deployment entry.

    **Why**: in a prefect.yaml they are `work_pool.name` and `work_pool.work_queue_name`.
    Prefect 3 ignores the deployment-level keys without a word, so the deployment goes to
    another pool or queue (or `prefect deploy` asks for a pool).

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


@rule("L008", "legacy-path-keys", Severity.ERROR,
      "`path` / `manifest_path` on a deployment are agent-era keys Prefect 3 ignores", fix=SAFE,
      scope=Scope.DEPLOYMENT)
def legacy_path_keys(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment entry with the agent-era `path` (where the flow code lived inside
    the storage) or `manifest_path` (the 2.0-2.5 flow manifest).

    **Why**: Prefect 3 ignores both. A `path` meant "run from this folder": without a pull
    step that goes there, the entrypoint is looked up in the wrong folder.

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


def _agent_pool(types: PoolTypes, index: int, pool: dict[str, Any]
                ) -> tuple[NodePath, AgentPool] | None:
    name = pool.get("name")
    known = types.of(name) if isinstance(name, str) and name else None
    found = agent_pool(name, known, pool.get("type"))
    if found is None:
        return None
    field = "type" if pool.get("type") == AGENT_POOL_TYPE else "name"
    return ("deployments", index, "work_pool", field), found


@rule("L009", "agent-work-pool", Severity.ERROR,
      "The deployment targets a `prefect-agent` work pool, which workers cannot serve",
      kinds=(PREFECT, PYTHON), scope=Scope.DEPLOYMENT)
def agent_work_pool(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `work_pool.name` is an agent pool: a `work_pool` that says `type: prefect-agent`,
    or a pool whose type is `prefect-agent` in a pool snapshot (`prefect-lint pools pull`).
    `default-agent-pool` (the name of the pool Prefect 2 created for agents) is probably one:
    a warning, unless `[tool.prefect-lint.pools]` or a snapshot gives the pool another type.
    In a Python deployment script, the literal `work_pool_name=` of `flow.deploy()`,
    `to_deployment()` and `prefect.deploy()` is checked the same way.

    **Why**: `prefect deploy` refuses a `prefect-agent` pool ("Cannot create a project-style
    deployment with work pool of type 'prefect-agent'"), and `prefect worker start` refuses to
    poll it. Agents no longer exist in Prefect 3.

    **Fix**: create a pool of a worker type (`prefect work-pool create etl --type process`)
    and name it here; or, if `default-agent-pool` is already such a pool, say so with
    `default-agent-pool = "process"` in `[tool.prefect-lint.pools]`.
    """
    return by_kind(context, _agent_pools, _python_agent_pools)


def _agent_pools(context: LintContext) -> Iterator[Finding]:
    """The ``work_pool`` mapping of each deployment entry in a prefect.yaml."""
    document = context.document
    types = PoolTypes(lambda: pool_catalog(context))
    for index, _ in deployment_nodes(document):
        data = document.data["deployments"][index]
        pool = data.get("work_pool") if isinstance(data, dict) else None
        if not isinstance(pool, dict):
            continue
        found = _agent_pool(types, index, pool)
        span = document.value_span_at(found[0]) if found is not None else None
        if found is None or span is None:
            continue
        yield _agent_pool_finding(span, found[1])


def _agent_pool_finding(span: Span, found: AgentPool) -> Finding:
    return Finding(span, found.message, help=found.help,
                   severity=None if found.certain else Severity.WARNING)


def _python_agent_pools(context: LintContext) -> Iterator[Finding]:
    """``work_pool_name="..."`` of a deploy call in a Python script."""
    types = PoolTypes(lambda: pool_catalog(context))
    module = module_of(context.document)
    if module is None:
        return
    seen: set[Span] = set()  # prefect.deploy(...)'s pool serves the deployments it is given
    for argument in pool_arguments(module):
        if argument.pool_span in seen:
            continue
        seen.add(argument.pool_span)
        found = agent_pool(argument.pool_name, types.of(argument.pool_name))
        if found is not None:
            yield _agent_pool_finding(argument.pool_span, found)
