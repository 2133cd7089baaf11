"""T: what identifies and installs a step, and what it must not hold: duplicate and invalid
``id`` values (T008, T010), invalid ``requires`` (T009), and plain-text secrets in step
arguments (T011).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Finding, Severity
from linter.core.registry import Scope, rule
from linter.lazy_regex import lazy_compile
from linter.prefect.steps import (
    RESERVED_KEYWORDS,
    StepItem,
    StepSignature,
    signature_for,
    step_runs,
)
from linter.prefect.templating import find_malformed, find_placeholders
from linter.project.context import LintContext
from linter.rules._shared import argument_nodes, unique_findings, unique_items
from linter.source.document import Document, find_key, mapping_pairs
from linter.source.view import STR_TAG, tag_of


@rule("T008", "duplicate-step-id", Severity.WARNING, "Two steps that run together share an id",
      scope=Scope.DEPLOYMENT)
def duplicate_step_id(context: LintContext) -> Iterator[Finding]:
    """
    **What**: two steps of the same run have the same `id`: the build and push steps of a
    deployment run together, and the pull steps run together on the worker.

    **Why**: Prefect stores each step's outputs under its id, so the later step silently
    replaces the earlier one's outputs, and `{{ id.key }}` refers to whichever ran last.

    **Fix**: give each step its own id.
    """
    document = context.document
    findings: list[Finding] = []
    for run in step_runs(document):
        first_row: dict[str, int] = {}
        for item in run:
            step_id = item.step_id
            if not isinstance(step_id, str) or not step_id:
                continue
            _, value_node = _id_nodes(item)
            if value_node is None:
                continue
            if step_id in first_row:
                findings.append(Finding(
                    document.node_span(value_node),
                    f"step id `{step_id}` is already used on line {first_row[step_id]}: this "
                    "step's outputs replace that one's",
                    help="give each step its own id",
                ))
            else:
                first_row[step_id] = document.position(value_node.start_mark.index).row
    yield from unique_findings(findings)


def _id_nodes(item: StepItem) -> tuple[Node | None, Node | None]:
    if not isinstance(item.arguments_node, MappingNode):
        return None, None
    found = find_key(item.arguments_node, "id")
    return found if found is not None else (None, None)


def _keyword_values(document: Document, keyword: str) -> Iterator[tuple[StepItem, Any]]:
    """(step, value) of each step (once, however many lists an anchor puts it in) that is
    given the keyword ``keyword`` (``requires``, ``id``)."""
    for item in unique_items(document):
        if isinstance(item.arguments, dict) and keyword in item.arguments:
            yield item, item.arguments[keyword]


@rule("T009", "invalid-requires", Severity.ERROR,
      "A step's `requires` is not a string or a list of strings", scope=Scope.DEPLOYMENT)
def invalid_requires(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `requires` is neither a pip requirement string nor a list of them.

    **Why**: Prefect splits each requirement at its version specifier to import-test it; any
    other value (a mapping, a number, a list holding one) makes the step crash with a
    TypeError before it runs.

    **Fix**: `requires: prefect-aws>=0.5` or `requires: [prefect-aws>=0.5, s3fs]`.
    """
    document = context.document
    findings: list[Finding] = []
    for item, value in _keyword_values(document, "requires"):
        if value is None or value == "" or isinstance(value, str):
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            continue
        node = argument_nodes(item).get("requires", (None, None))[1]
        if node is None:
            continue
        findings.append(Finding(
            document.head_span(node),
            "`requires` must be a pip requirement string or a list of them: Prefect crashes "
            "on this value before the step runs",
            help="e.g. `requires: prefect-aws>=0.5` or `requires: [prefect-aws, s3fs]`",
        ))
    yield from unique_findings(findings)


@rule("T010", "invalid-step-id", Severity.ERROR, "A step's `id` is not a string",
      scope=Scope.DEPLOYMENT)
def invalid_step_id(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a step's `id` is a list, a mapping, a number, a boolean or empty.

    **Why**: Prefect stores the step's outputs under the id. A list or mapping cannot be a
    key, so the step crashes (error); a number or boolean works only by accident of how
    `{{ }}` paths are looked up, and an empty id stores nothing (warning).

    **Fix**: a short string: `id: build-image`.
    """
    document = context.document
    findings: list[Finding] = []
    for item, value in _keyword_values(document, "id"):
        if isinstance(value, str) and value:
            continue
        _, node = _id_nodes(item)
        if node is None:
            continue
        span = document.head_span(node)
        if span.start == span.end:
            key_node, _ = _id_nodes(item)
            span = document.node_span(key_node) if key_node is not None else span
        crashes = isinstance(value, (list, dict))
        findings.append(Finding(
            span,
            "a step id must be a string: " + (
                "Prefect crashes when it stores this step's outputs" if crashes
                else "this id cannot be referenced reliably as `{{ id.key }}`"),
            help="e.g. `id: build-image`",
            severity=Severity.ERROR if crashes else Severity.WARNING,
        ))
    yield from unique_findings(findings)


#: Token formats of GitHub, GitLab and Bitbucket/Atlassian (no value is ever echoed).
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a GitHub token", lazy_compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})")),
    ("a GitLab token", lazy_compile(r"\bgl(?:pat|dt|ptt|rt)-[A-Za-z0-9_\-]{20,}")),
    ("a Bitbucket app password", lazy_compile(r"\bATBB[A-Za-z0-9_\-=]{24,}")),
    ("an Atlassian API token", lazy_compile(r"\bATATT[A-Za-z0-9_\-=]{24,}")),
)


@rule("T011", "plain-text-secret", Severity.WARNING,
      "A token or password is written in plain text in a step", sensitive=True,
      scope=Scope.DEPLOYMENT)
def plain_text_secret(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a step argument holds a literal secret: a value shaped like a GitHub, GitLab or
    Bitbucket token anywhere in a step, or any literal value in an argument that carries a
    secret (`access_token` of `git_clone`, `password` in docker credentials, an AWS secret
    key...).

    **Why**: the file is committed, so the secret is in the repository's history; and pull
    steps are stored on the deployment, so the value is readable by anyone who can read the
    deployment. A Secret block placeholder is resolved on the worker and never stored.

    **Fix**: save the value as a Secret block and reference it:
    `access_token: "{{ prefect.blocks.secret.github-token }}"`. Then revoke the token: it
    stays in the repository's history.
    """
    document = context.document
    findings: list[Finding] = []
    for item in unique_items(document):
        if not isinstance(item.arguments, dict) or item.function is None:
            continue
        signature = signature_for(document, item.function)
        secret_paths = set(signature.secrets) if isinstance(signature, StepSignature) else set()
        for path, node in _string_scalars(item.arguments_node, ()):
            value = node.value
            if not isinstance(value, str) or not value.strip():
                continue
            if path and path[0] in RESERVED_KEYWORDS:
                continue
            kind = next((what for what, pattern in TOKEN_PATTERNS if pattern.search(value)),
                        None)
            dotted = ".".join(str(p) for p in path)
            is_secret_argument = dotted in secret_paths and not _is_templated(value)
            if kind is None and not is_secret_argument:
                continue
            what = kind or "a plain-text secret"
            findings.append(Finding(
                document.node_span(node),
                f"`{dotted}` holds {what} in plain text; reference a Secret block instead",
                help=(f'save it as a Secret block and write `{dotted.rsplit(".", 1)[-1]}: '
                      '"{{ prefect.blocks.secret.<name> }}"`; then revoke the token, it is in '
                      "the repository's history"),
            ))
    yield from unique_findings(findings)


def _is_templated(value: str) -> bool:
    """A value meant as a reference: a placeholder, or a malformed one (`{{ prefect.variables
    .get('x') }}`, which R003 reports). No secret is written in it."""
    return bool(find_placeholders(value) or find_malformed(value))


def _string_scalars(
    node: Node | None, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], ScalarNode]]:
    if isinstance(node, ScalarNode):
        if isinstance(node.value, str) and tag_of(node) == STR_TAG:
            yield path, node
    elif isinstance(node, MappingNode):
        for key, value in mapping_pairs(node):
            if isinstance(key, ScalarNode):
                yield from _string_scalars(value, (*path, key.value))
    elif isinstance(node, SequenceNode):
        for index, value in enumerate(node.value):
            yield from _string_scalars(value, (*path, index))
