"""Helpers several rule families share: where things are in a document and how to name them.

Rule modules import each other never; what two families need lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Applicability, Finding, Fix, Span
from linter.prefect.pools import PoolCatalog, catalog_for
from linter.prefect.steps import (
    RESERVED_KEYWORDS,
    StepItem,
    all_step_items,
    normalize_function_path,
)
from linter.prefect.templating import ScalarPath, string_scalars
from linter.project.context import LintContext
from linter.project.filekinds import PYTHON
from linter.schema.check import SchemaIssue
from linter.source.document import Document, NodePath, find_key, mapping_pairs
from linter.source.edit import anchored_between, delete_entry, is_block_mapping, is_inline


def is_plain_scalar(document: Document, path: NodePath) -> bool:
    _, node = document.locate(path)
    return isinstance(node, ScalarNode) and node.style in (None, "")


ContextCheck = Callable[[LintContext], Iterator[Finding]]


def by_kind(context: LintContext, yaml_check: ContextCheck,
            python_check: ContextCheck) -> Iterator[Finding]:
    """The findings of a rule that checks YAML files and Python scripts differently:
    ``python_check``'s for a Python script, ``yaml_check``'s for any other document."""
    if context.document.kind == PYTHON:
        return python_check(context)
    return yaml_check(context)


def unique_items(document: Document) -> Iterator[StepItem]:
    """Every step item once, even when an anchor makes it appear in several lists."""
    seen: set[int] = set()
    for item in all_step_items(document):
        if id(item.node) in seen:
            continue
        seen.add(id(item.node))
        yield item


def unique_findings(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[Span, str]] = set()
    for finding in findings:
        key = (finding.span, finding.message)
        if key not in seen:
            seen.add(key)
            yield finding


def short(function: str) -> str:
    return normalize_function_path(function).rpartition(".")[2] or function


def entry_schedules(
    entry: dict[Any, Any], index: int
) -> Iterator[tuple[NodePath, dict[Any, Any]]]:
    """The schedule mappings of the deployment at ``index`` (``schedules`` items, then the
    legacy singular ``schedule`` when it is set)."""
    schedules = entry.get("schedules")
    if isinstance(schedules, list):
        for position, item in enumerate(schedules):
            if isinstance(item, dict):
                yield ("deployments", index, "schedules", position), item
    single = entry.get("schedule")
    if isinstance(single, dict) and single:
        yield ("deployments", index, "schedule"), single


def schedule_items(data: Any) -> Iterator[tuple[NodePath, dict[Any, Any]]]:
    """(path, entry) of every schedule mapping: ``schedules`` items and the legacy
    ``schedule``."""
    for index, entry in deployment_entries(data):
        yield from entry_schedules(entry, index)


def deployment_entries(data: Any) -> Iterator[tuple[int, dict[Any, Any]]]:
    """The (index, mapping) of every deployment entry that is a mapping."""
    if not isinstance(data, dict):
        return
    deployments = data.get("deployments")
    if not isinstance(deployments, list):
        return
    for index, entry in enumerate(deployments):
        if isinstance(entry, dict):
            yield index, entry


def pool_catalog(context: LintContext) -> PoolCatalog:
    """The pool catalog of the file's settings, looked up once per document: seven rules ask
    for it, and each look-up checks the snapshot folder and the template files for changes
    (a language server lives for hours)."""
    key = "linter.rules._shared.pool_catalog"
    cache = context.document.cache
    if key not in cache:
        cache[key] = catalog_for(context.project.settings.pools)
    catalog: PoolCatalog = cache[key]
    return catalog


def deployment_number(document: Document, index: int) -> int:
    """Deployment ``index``'s number in the file, counting from 1 (a partial document of the
    language server holds one deployment of the file: see ``Document.item_offset``)."""
    return document.item_offset + index + 1


def item_label(document: Document, path: NodePath) -> str:
    """Words for the last step of ``path``: a key, or an item's number."""
    key = path[-1]
    if isinstance(key, str):
        return f"`{key}`"
    return f"item #{deployment_number(document, key) if path[:-1] == ('deployments',) else key + 1}"


def where(document: Document, path: NodePath) -> str:
    """Words for the mapping at ``path``: 'at the top level', 'in deployment "etl"'."""
    if path == ():
        return "at the top level"
    if len(path) >= 2 and path[0] == "deployments" and isinstance(path[1], int):
        data = document.data
        entry = data["deployments"][path[1]] if isinstance(data, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        label = (f'deployment "{name}"' if isinstance(name, str)
                 else f"deployment #{deployment_number(document, path[1])}")
        if len(path) == 2:
            return f"in {label}"
        return f"under `{dotted(path[2:])}` of {label}"
    return f"under `{dotted(path)}`"


def dotted(path: NodePath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def value_span(document: Document, path: NodePath) -> Span:
    span = document.value_span_at(path)
    return span if span is not None else Span(0, 0)


def is_yaml_typed_string(document: Document, issue: SchemaIssue) -> bool:
    """A plain scalar that YAML typed as a number, boolean or date where a string is wanted:
    the Y008 rule reports those, with a quoting fix."""
    return (
        "string" in issue.expected
        and not isinstance(issue.instance, (str, list, dict))
        and issue.instance is not None
        and is_plain_scalar(document, issue.path)
    )


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


SAFE = Applicability.SAFE
#: Where a value is resolved, besides a step section: a deployment's fields.
DEPLOYMENT = "deployment"


def deletion_fix(document: Document, owner: MappingNode, key: Node, value: Node, message: str,
                 applicability: Applicability = SAFE) -> Fix | None:
    if not editable(document, owner, key, value):
        return None
    edit = delete_entry(document, owner, key, value)
    return Fix(message, (edit,), applicability) if edit is not None else None


def key_line_comment(document: Document, key: Node, value: Node) -> str:
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


def argument_nodes(item: StepItem) -> dict[str, tuple[Node, Node]]:
    """Key and value nodes of a step's arguments, by name."""
    node = item.arguments_node
    if not isinstance(node, MappingNode):
        return {}
    return {
        key.value: (key, value)
        for key, value in mapping_pairs(node)
        if isinstance(key, ScalarNode) and isinstance(key.value, str)
    }


def _skip_reserved(path: ScalarPath) -> bool:
    """``id`` and ``requires`` are taken out of a step's arguments before templating."""
    return len(path) == 1 and path[0] in RESERVED_KEYWORDS


def step_scalars(item: StepItem) -> Iterator[tuple[ScalarPath, ScalarNode]]:
    """String scalars of a step's arguments. For a mis-indented step (T006: the function key
    holds nothing and the arguments sit beside it), the keys beside it are checked as the
    arguments they are meant to be, so a bad reference there is found before T006's fix."""
    if isinstance(item.arguments, dict):
        yield from string_scalars(item.arguments_node, (), _skip_reserved)
    elif item.arguments is None and item.function is not None:
        for key_node, value_node in item.pairs[1:]:
            if isinstance(key_node, ScalarNode) and isinstance(key_node.value, str):
                yield from string_scalars(value_node, (key_node.value,), _skip_reserved)


def _skip_in_deployment(path: ScalarPath) -> bool:
    """Step lists are resolved as steps; trigger parameters are kept for the event engine's
    own (Jinja) templating, so Prefect does not touch them."""
    if len(path) == 1 and path[0] in ("build", "push", "pull"):
        return True
    return len(path) == 3 and path[0] == "triggers" and path[2] == "parameters"


def deployment_scalars(
    document: Document, index: int, done: set[int] | None = None
) -> Iterator[tuple[ScalarPath, ScalarNode]]:
    """String scalars of one deployment entry; with ``done`` (shared between calls),
    subtrees already walked for an earlier deployment are skipped."""
    node = document.value_node(("deployments", index))
    if isinstance(node, MappingNode):
        yield from string_scalars(node, (), _skip_in_deployment, done)
