"""Run one policy rule over a document: pick values with ``given``, test them with ``then``,
and place each finding on the exact text of the value (or of the mapping missing a field).

The data is the document's plain view, as Prefect reads the file: aliases and ``<<`` merges
resolved, so a value inherited from ``definitions`` is checked in every deployment using
it (the finding sits where the value is written).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.diagnostics import Finding, Span
from linter.core.registry import describe
from linter.errors import ConfigError
from linter.lazy_regex import lazy_compile
from linter.policy.functions import FUNCTIONS, Problem
from linter.policy.load import PolicyRule, Then
from linter.policy.paths import Match, PathError
from linter.policy.views import effective_data, written_at
from linter.project.context import LintContext
from linter.source.document import Document, NodePath

PLACEHOLDER = lazy_compile(r"\{\{\s*(value|path|property|error|description)\s*\}\}")
#: Keys whose values are never shown in a message (``{{value}}`` prints "***").
SECRET_KEY = lazy_compile(r"(?i)(token|password|passwd|secret|key|credential)")


class Target:
    """A value a check applies to: where it is, what it is, and whether it exists."""

    __slots__ = ("parts", "present", "value")

    def __init__(self, parts: NodePath, value: Any, present: bool) -> None:
        self.parts = parts
        self.value = value
        self.present = present


def policy_findings(policy: PolicyRule, context: LintContext) -> Iterator[Finding]:
    document = context.document
    if not isinstance(document.data, dict):
        return
    data = effective_data(document) if policy.effective else document.data
    view = "effective" if policy.effective else "file"
    seen: set[tuple[Span, str]] = set()
    known: dict[tuple[int, int], list[Problem]] = {}
    matches: dict[str, list[Match]] = document.cache.setdefault("policy-given", {})
    for text, find in policy.given:
        found = matches.get(view + text)
        if found is None:  # rules with the same `given` share its matches
            try:
                found = matches[view + text] = find(data)
            except PathError as error:
                raise ConfigError(f"{policy.origin}: rule {policy.code}: {error} in "
                                  f"{document.filename}") from None
        for match in found:
            parts: NodePath = match.parts
            for index, then in enumerate(policy.then):
                for target in _targets(parts, match.obj, then):
                    problems = _problems(then, index, target, known)
                    for problem in problems:
                        finding = _finding(policy, document, parts, target, problem)
                        key = (finding.span, finding.message)
                        if key not in seen:
                            seen.add(key)
                            yield finding


def _problems(then: Then, index: int, target: Target,
              known: dict[tuple[int, int], list[Problem]]) -> list[Problem]:
    """The problems ``then`` finds in ``target``; a mapping or list reached through an alias
    is the same object in every deployment using it, and is checked once."""
    value = target.value
    if not target.present or not isinstance(value, (dict, list)):
        return FUNCTIONS[then.function](value, target.present, then.options)
    key = (index, id(value))
    problems = known.get(key)
    if problems is None:
        problems = known[key] = FUNCTIONS[then.function](value, True, then.options)
    return problems


def _targets(parts: NodePath, value: Any, then: Then) -> Iterator[Target]:
    if then.field_path is not None:
        matches = then.field_path(value)
        if not matches:
            yield Target(parts, None, False)
        for match in matches:
            yield Target((*parts, *match.parts), match.obj, True)
        return
    if then.field is None:
        yield Target(parts, value, True)
        return
    if isinstance(value, dict) and then.field in value:
        yield Target((*parts, then.field), value[then.field], True)
    else:
        yield Target((*parts, then.field), None, False)


def _finding(policy: PolicyRule, document: Document, given_parts: NodePath, target: Target,
             problem: Problem) -> Finding:
    inner = (*target.parts, *problem.inner)
    effective = policy.effective
    if problem.missing:
        span: Span | None = _holder_span(document, inner, effective)
    else:
        span = _span(document, inner, effective) if target.present else None
    if span is None:
        holder = target.parts[:-1] if len(target.parts) > len(given_parts) else given_parts
        span = _holder_span(document, holder, effective)
    shown = inner if problem.inner else target.parts
    message = render(policy, shown, target.value if not problem.inner else None, problem)
    return Finding(span=span, message=message)


def _written(document: Document, parts: NodePath, effective: bool) -> NodePath:
    return written_at(document, parts) if effective else parts


def _span(document: Document, parts: NodePath, effective: bool) -> Span | None:
    _key, node = document.locate(_written(document, parts, effective))
    return document.head_span(node) if node is not None else None


def _holder_span(document: Document, parts: NodePath, effective: bool) -> Span:
    """Where to report a missing field: the key of the mapping that lacks it, or for a
    list item (a deployment) its first line, or the file's first line."""
    key, node = document.locate(_written(document, parts, effective))
    if key is not None:
        return document.node_span(key)
    if node is not None:
        return document.head_span(node)
    return Span(0, document.lines.line_span(1).end if document.text else 0)


def render(policy: PolicyRule, parts: NodePath, value: Any, problem: Problem) -> str:
    """The rule's message with its placeholders filled in."""
    property_name = next((str(part) for part in reversed(parts) if isinstance(part, str)), "")
    if value is None:
        shown_value = ""
    elif SECRET_KEY.search(property_name):
        shown_value = "***"
    else:
        shown_value = value if isinstance(value, str) else describe(value)
    values = {
        "value": str(shown_value),
        "path": path_text(parts),
        "property": property_name,
        "error": problem.error,
        "description": policy.description,
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], policy.message)


def path_text(parts: NodePath) -> str:
    """``deployments[0].work_pool.name``: where a value is, as a user would write it."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(the file)"
