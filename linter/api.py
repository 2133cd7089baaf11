"""The stable interface for plugin rules: everything a rule needs, and nothing else.

A plugin module imports from here only (the rest of ``linter`` may change between
releases)::

    from linter.api import Finding, LintContext, Severity, rule, value_span

    @rule("ACME001", "deployment-owner", Severity.WARNING, "Deployments name an owner")
    def deployment_owner(context: LintContext):
        \"\"\"Every deployment has an `owner` parameter (the documentation of the rule).\"\"\"
        for index, deployment in deployments(context):
            if "owner" not in (deployment.get("parameters") or {}):
                yield Finding(item_span(context, ("deployments", index)), "no owner")

A rule is a function of the ``LintContext`` yielding ``Finding`` s; the span of a finding
is a range of character offsets in the file, which the helpers below find for a path of
keys and list indexes in the data (``("deployments", 0, "work_pool", "name")``). A
``Fix`` is a list of ``Edit`` s on the text; mark it ``Applicability.UNSAFE`` when it
changes what Prefect does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Check, Needs, Rule
from linter.project.context import LintContext
from linter.source.document import Document, NodePath

__all__ = [
    "Applicability",
    "Document",
    "Edit",
    "Finding",
    "Fix",
    "LintContext",
    "NodePath",
    "Severity",
    "Span",
    "deployments",
    "item_span",
    "key_span",
    "rule",
    "value_span",
]


def rule(code: str, name: str, severity: Severity, summary: str, *,
         fix: Applicability | None = None) -> Callable[[Check], Check]:
    """Register the decorated function as a plugin rule (its docstring documents it).
    Codes are 2 to 5 upper-case letters and 3 digits (``ACME001``)."""

    def register(check: Check) -> Check:
        from linter.policy.plugins import PENDING

        PENDING.append(Rule(code=code, name=name, severity=severity, summary=summary,
                            docstring=inspect.cleandoc(check.__doc__ or summary), check=check,
                            fix=fix, needs=Needs.DATA))
        return check

    return register


def deployments(context: LintContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each deployment (a mapping) of the file as Prefect reads it, with its index."""
    data = context.document.data
    items: Iterable[Any] = data.get("deployments") or () if isinstance(data, dict) else ()
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield index, item


def value_span(context: LintContext, path: NodePath) -> Span | None:
    """The text of the value at ``path`` (first line of a block); None when absent."""
    return context.document.value_span_at(path)


def key_span(context: LintContext, path: NodePath) -> Span | None:
    """The text of the key at ``path``; None when absent."""
    return context.document.key_span_at(path)


def item_span(context: LintContext, path: NodePath) -> Span:
    """Where to report about the mapping at ``path`` (a deployment: its first line); the
    file's first line when it is absent."""
    document = context.document
    key, node = document.locate(path)
    if key is not None:
        return document.node_span(key)
    if node is not None:
        return document.head_span(node)
    return Span(0, document.lines.line_span(1).end if document.text else 0)
