"""P006, P007, R007, R008: names the Prefect workspace does not know, found offline.

These rules read the workspace snapshot that ``prefect-lint pull`` saves
(``.prefect-lint/workspace.json``, see :mod:`linter.prefect.workspace`) and stay silent when
there is none: without it prefect-lint cannot know which pools, queues, block documents and
variables exist. A name chosen at deploy time (one holding a ``{{ }}`` placeholder) is not
judged.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect.templating import (
    BLOCK_PREFIX,
    VARIABLE_PREFIX,
    Placeholder,
    PlaceholderKind,
    ScalarPath,
    block_placeholder_problem,
    iter_placeholder_spans,
    string_scalars,
    variable_placeholder_problem,
)
from linter.prefect.workspace import Workspace, workspace_for
from linter.project.context import LintContext
from linter.source.document import Document, NodePath
from linter.suggest import did_you_mean

#: The sections whose strings Prefect templates (steps, and each deployment's fields).
TEMPLATED_SECTIONS = ("build", "push", "pull", "deployments")


def _snapshot_words(workspace: Workspace) -> str:
    when = workspace.pulled_at[:10] or "an unknown date"
    return f"the workspace snapshot of {workspace.api_host or 'the API'} ({when})"


#: At most this many names are compared for a "did you mean" (difflib compares each one).
SUGGESTION_CANDIDATES = 200


@lru_cache(maxsize=16)
def _sorted_names(names: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(names))


@lru_cache(maxsize=4096)
def _hint(word: str, names: frozenset[str]) -> str:
    """`` (did you mean "x"?)`` for a close name, or nothing. A workspace with thousands of
    names is searched among the names sorted nearest to ``word`` (a misspelling keeps most of
    its beginning), so that a file with many findings does not compare each with all names."""
    candidates: Any = names
    if len(names) > SUGGESTION_CANDIDATES:
        ordered = _sorted_names(names)
        middle = bisect_left(ordered, word)
        half = SUGGESTION_CANDIDATES // 2
        candidates = ordered[max(middle - half, 0):middle + half]
    suggestion = did_you_mean(word, candidates)
    return f' (did you mean "{suggestion}"?)' if suggestion else ""


def _named_value(entry: dict[Any, Any], key: str) -> str | None:
    """The work pool's ``key`` when it is a name written out (no placeholder)."""
    work_pool = entry.get("work_pool")
    value = work_pool.get(key) if isinstance(work_pool, dict) else None
    if not isinstance(value, str) or not value.strip() or "{{" in value:
        return None
    return value


def _work_pool_values(document: Document, key: str) -> Iterator[tuple[NodePath, str, str]]:
    """(path of the value, pool name, value) of every deployment's ``work_pool.<key>``."""
    data = document.data
    deployments = data.get("deployments") if isinstance(data, dict) else None
    if not isinstance(deployments, list):
        return
    for index, entry in enumerate(deployments):
        if not isinstance(entry, dict):
            continue
        pool_name = _named_value(entry, "name")
        value = _named_value(entry, key)
        if pool_name is not None and value is not None:
            yield ("deployments", index, "work_pool", key), pool_name, value


def _once(findings: list[Finding]) -> Iterator[Finding]:
    """Each finding once per span (deployments sharing a value through an alias)."""
    seen: set[Span] = set()
    for finding in findings:
        if finding.span not in seen:
            seen.add(finding.span)
            yield finding


@rule("P006", "work-pool-not-in-workspace", Severity.ERROR,
      "A work pool the workspace snapshot does not have; `prefect deploy` fails",
      scope=Scope.DEPLOYMENT)
def work_pool_not_in_workspace(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `work_pool.name` names a pool that the workspace snapshot (saved by
    `prefect-lint pull` in `.prefect-lint/workspace.json`) does not have. Without a snapshot
    this rule says nothing.

    **Why**: `prefect deploy` stops with "This deployment configuration references work pool
    ... which does not exist", one deployment at a time and only once the build and push
    steps have run.

    **Fix**: correct the name, or create the pool (`prefect work-pool create NAME --type
    TYPE`) and run `prefect-lint pull` again.
    """
    workspace = workspace_for(context.project.settings.workspace)
    if workspace is None:
        return
    document = context.document
    found: list[Finding] = []
    pool_names = frozenset(workspace.pools)
    for path, pool_name, _ in _work_pool_values(document, "name"):
        span = document.value_span_at(path)
        if pool_name in workspace.pools or span is None:
            continue
        found.append(Finding(
            span, f'the work pool "{pool_name}" does not exist in {_snapshot_words(workspace)}'
                  f"{_hint(pool_name, pool_names)}: `prefect deploy` fails",
            help="correct the name, or create the pool and run `prefect-lint pull` again"))
    yield from _once(found)


@rule("P007", "work-queue-not-in-pool", Severity.WARNING,
      "A work queue the pool does not have in the workspace snapshot; Prefect creates it",
      scope=Scope.DEPLOYMENT)
def work_queue_not_in_pool(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `work_pool.work_queue_name` names a queue that the pool does not have in the
    workspace snapshot (saved by `prefect-lint pull`). Without a snapshot, or for a pool the
    snapshot does not have (P006), this rule says nothing.

    **Why**: Prefect creates a missing queue on the fly, so a misspelt name passes silently:
    a worker started with `--work-queue` for the intended queue never sees the runs.

    **Fix**: use the queue's real name (`prefect work-queue ls --pool NAME`); for a new
    queue, create it first and run `prefect-lint pull` again.
    """
    workspace = workspace_for(context.project.settings.workspace)
    if workspace is None:
        return
    document = context.document
    found: list[Finding] = []
    for path, pool_name, queue in _work_pool_values(document, "work_queue_name"):
        pool = workspace.pools.get(pool_name)
        span = document.value_span_at(path)
        if pool is None or queue in pool.work_queues or span is None:
            continue
        found.append(Finding(
            span, f'the work pool "{pool_name}" has no work queue "{queue}" in '
                  f"{_snapshot_words(workspace)}{_hint(queue, pool.work_queues)}: Prefect "
                  "creates it, and workers polling the intended queue never see these runs",
            help=f'use one of the pool\'s queues ({", ".join(sorted(pool.work_queues)[:10])})'
                 if pool.work_queues else "create the queue first"))
    yield from _once(found)


# -- R007 / R008 -------------------------------------------------------------------------------


def _skip_untemplated(path: ScalarPath) -> bool:
    """Trigger parameters are templated by the event engine, not by `prefect deploy`."""
    return (len(path) == 5 and path[0] == "deployments" and path[2] == "triggers"
            and path[4] == "parameters")


def _placeholders(document: Document, kind: PlaceholderKind
                  ) -> Iterator[tuple[Placeholder, Span]]:
    """Each placeholder of ``kind`` in the strings Prefect templates, once per place."""
    data = document.data
    if not isinstance(data, dict):
        return
    done: set[int] = set()
    seen: set[Span] = set()
    for section in TEMPLATED_SECTIONS:
        node = document.value_node((section,))
        for _, scalar in string_scalars(node, (section,), _skip_untemplated, done):
            if not isinstance(scalar, ScalarNode) or "{{" not in scalar.value:
                continue
            for placeholder, span in iter_placeholder_spans(scalar, document.text):
                if placeholder.kind is kind and span not in seen:
                    seen.add(span)
                    yield placeholder, span


def _well_formed(document: Document, kind: PlaceholderKind,
                 problem_of: Callable[[str], str | None], prefix: str
                 ) -> Iterator[tuple[Placeholder, Span, str]]:
    """Each placeholder of ``kind`` that is written correctly (R004 and R005 report the
    others), with its name after ``prefix``."""
    for placeholder, span in _placeholders(document, kind):
        if problem_of(placeholder.name) is None:
            yield placeholder, span, placeholder.name[len(prefix):]


@rule("R007", "block-document-not-in-workspace", Severity.ERROR,
      "A block placeholder naming a block document the workspace snapshot does not have",
      scope=Scope.DEPLOYMENT)
def block_document_not_in_workspace(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `{{ prefect.blocks.<type>.<name> }}` placeholder whose block document is not
    in the workspace snapshot (saved by `prefect-lint pull`), or exists there under another
    block type. Without a snapshot this rule says nothing.

    **Why**: Prefect fails when it resolves the placeholder: `prefect deploy` for a deployment
    field or a build/push step, the worker (the flow run crashes) for a pull step.

    **Fix**: use the block's real type slug and name (`prefect block ls`), or create the
    block and run `prefect-lint pull` again.
    """
    workspace = workspace_for(context.project.settings.workspace)
    if workspace is None:
        return
    for placeholder, span, written in _well_formed(context.document, PlaceholderKind.BLOCK,
                                                   block_placeholder_problem, BLOCK_PREFIX):
        slug, name = written.split(".", 2)[:2]
        if name in workspace.blocks.get(slug, frozenset()):
            continue
        others = workspace.block_types_of(name)
        if others:
            where = " and ".join(f'"{other}"' for other in others)
            detail = (f'there is no "{slug}" block named "{name}", but there is one of the '
                      f"block type {where}")
            help_text = f"write `{{{{ {BLOCK_PREFIX}{others[0]}.{name} }}}}`"
        else:
            detail = (f'no "{slug}" block named "{name}" exists in {_snapshot_words(workspace)}'
                      f"{_hint(name, workspace.blocks.get(slug, frozenset()))}")
            help_text = "correct the name, or create the block and run `prefect-lint pull`"
        yield Finding(span, f"`{placeholder.text}`: {detail}; Prefect fails to resolve it",
                      help=help_text)


@rule("R008", "variable-not-in-workspace", Severity.ERROR,
      "A variable placeholder naming a variable the workspace snapshot does not have",
      scope=Scope.DEPLOYMENT)
def variable_not_in_workspace(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `{{ prefect.variables.<name> }}` placeholder whose variable is not set in the
    workspace snapshot (saved by `prefect-lint pull`). Without a snapshot this rule says
    nothing.

    **Why**: Prefect replaces a variable it cannot find with an empty string, without any
    error: an image tag, a bucket or a branch silently becomes empty.

    **Fix**: correct the name, or set the variable (`prefect variable set NAME VALUE`) and
    run `prefect-lint pull` again.
    """
    workspace = workspace_for(context.project.settings.workspace)
    if workspace is None:
        return
    for placeholder, span, name in _well_formed(context.document, PlaceholderKind.VARIABLE,
                                                variable_placeholder_problem, VARIABLE_PREFIX):
        if name in workspace.variables:
            continue
        yield Finding(
            span, f'`{placeholder.text}`: the variable "{name}" is not set in '
                  f"{_snapshot_words(workspace)}{_hint(name, workspace.variables)}: Prefect "
                  "substitutes an empty string",
            help="correct the name, or set the variable and run `prefect-lint pull` again")
