"""R: placeholders Prefect cannot read or resolve by their form alone: a malformed ``{{ }}``
(R003), block and variable names that cannot exist (R004, R005), and ``$ENV`` placeholders
with nothing set (R006).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Scope, rule
from linter.lazy_regex import lazy_compile
from linter.prefect.templating import (
    Placeholder,
    PlaceholderKind,
    block_placeholder_problem,
    find_malformed,
    iter_placeholder_spans,
    source_span,
    variable_placeholder_problem,
)
from linter.project.context import LintContext
from linter.rules._shared import (
    DEPLOYMENT,
    deployment_scalars,
    step_scalars,
    unique_findings,
    unique_items,
)
from linter.source.document import Document


@rule("R003", "malformed-placeholder", Severity.WARNING,
      "Double braces that Prefect does not read as a placeholder", scope=Scope.DEPLOYMENT)
def malformed_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: text between `{{` and `}}` that is not a bare name: spaces inside the name,
    Jinja filters (`{{ x | upper }}`), quoted literals (`{{ 'text' }}`), calls, or nothing.
    Prefect's templating is not Jinja: a placeholder is a name made of letters, digits, `_`,
    `.`, `-`, `[`, `]` and `$`.

    **Why**: Prefect leaves such text as it is, braces included, so the value that reaches the
    step or the deployment is the literal template.

    **Fix**: write a bare name, `{{ build-image.image }}`. Go/Docker templates
    (`{{ json .Config }}`) and trigger `parameters` (templated later by Prefect's event
    engine) are not reported.
    """
    document = context.document
    findings: list[Finding] = []
    for _section, node in all_templated_scalars(document):
        value: str = node.value
        if "{{" not in value:
            continue
        malformed = [m for m in find_malformed(value) if not _GO_TEMPLATE.search(m.inner)
                     and not (m.start > 0 and value[m.start - 1] == "$")]
        spans = source_span(node, document.text, [(m.start, m.end) for m in malformed])
        for item, span in zip(malformed, spans, strict=True):
            findings.append(Finding(
                span,
                f"`{_clip(item.text)}` is not a Prefect placeholder (a placeholder is a bare "
                "name such as `{{ step-id.output }}`): Prefect leaves this text as it is",
                help=_malformed_help(item.inner),
            ))
    yield from unique_findings(findings)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "..."


def _malformed_help(inner: str) -> str:
    stripped = inner.strip()
    if not stripped:
        return "write a name between the braces, or remove them"
    if "|" in stripped:
        name = stripped.split("|", 1)[0].strip()
        if _NAME.match(name):
            return f"Prefect has no filters: write `{{{{ {name} }}}}`"
        return "Prefect has no filters: write a bare name"
    if stripped[0] in "'\"" and stripped[-1] == stripped[0]:
        return "write the text itself, without braces"
    words = stripped.split()
    if len(words) > 1 and all(_NAME.match(word) for word in words):
        return f"a name cannot contain spaces: did you mean `{{{{ {'-'.join(words)} }}}}`?"
    return "write a bare name between the braces"


def _typed_placeholders(
    document: Document, kind: PlaceholderKind
) -> Iterator[tuple[str, Placeholder, Span]]:
    for section, node in all_templated_scalars(document):
        if "{{" not in node.value:
            continue
        for placeholder, span in iter_placeholder_spans(node, document.text):
            if placeholder.kind is kind:
                yield section, placeholder, span


@rule("R004", "invalid-block-placeholder", Severity.ERROR,
      "A block placeholder that cannot name a block", scope=Scope.DEPLOYMENT)
def invalid_block_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `{{ prefect.blocks.<type>.<name> }}` placeholder without both a block type
    slug and a block document name, or with characters those names cannot have (they are
    lowercase letters, digits and dashes).

    **Why**: with fewer than two parts Prefect fails with "Invalid block placeholder format";
    a name with capitals or underscores can never match a block, so Prefect fails with "Block
    not found" (at deploy time, or on the worker for a pull step).

    **Fix**: use the block's real slug and name as shown by `prefect block ls`:
    `{{ prefect.blocks.github-credentials.my-creds }}`.
    """
    document = context.document
    findings = []
    for _section, placeholder, span in _typed_placeholders(document, PlaceholderKind.BLOCK):
        problem = block_placeholder_problem(placeholder.name)
        if problem is not None:
            findings.append(Finding(span, f"`{placeholder.text}`: {problem}",
                                    help="check the block's type slug and name with "
                                    "`prefect block ls`"))
    yield from unique_findings(findings)


@rule("R005", "invalid-variable-placeholder", Severity.ERROR,
      "A variable placeholder whose name no Prefect variable can have", scope=Scope.DEPLOYMENT)
def invalid_variable_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `{{ prefect.variables.<name> }}` placeholder whose name is empty, longer than
    255 characters, or has characters other than lowercase letters, digits, `-` and `_`.

    **Why**: no variable can have such a name, and Prefect replaces a variable it cannot find
    with empty text, without any error.

    **Fix**: use the variable's real name, as shown by `prefect variable ls`.
    """
    document = context.document
    findings = []
    for _section, placeholder, span in _typed_placeholders(document, PlaceholderKind.VARIABLE):
        problem = variable_placeholder_problem(placeholder.name)
        if problem is not None:
            findings.append(Finding(
                span,
                f"`{placeholder.text}`: {problem}, so Prefect finds no such variable and "
                "puts empty text in its place",
                help="check the name with `prefect variable ls`",
            ))
    yield from unique_findings(findings)


@rule("R006", "unset-env-placeholder", Severity.WARNING,
      "An environment-variable placeholder names a variable that is not set", default=False,
      scope=Scope.DEPLOYMENT)
def unset_env_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `{{ $NAME }}` in a build or push step or a deployment field, where `NAME` is
    not set in the environment prefect-lint runs in. Off by default: select `R006` where
    the linter runs with the same environment as `prefect deploy` (in CI, say). Pull steps
    are not checked, because the worker resolves what is unset at deploy time.

    **Why**: Prefect resolves these at deploy time and puts empty text in place of an unset
    variable, without an error.

    **Fix**: set the variable before running `prefect deploy`, or write the value.
    """
    document = context.document
    findings = []
    for section, placeholder, span in _typed_placeholders(document, PlaceholderKind.ENV):
        if section == "pull":
            continue
        variable = placeholder.name.lstrip("$")
        if variable and variable not in os.environ:
            findings.append(Finding(
                span,
                f"environment variable `{variable}` is not set: Prefect replaces "
                f"`{placeholder.text}` with empty text",
                help=f"set `{variable}` before `prefect deploy`",
            ))
    yield from unique_findings(findings)


def all_templated_scalars(document: Document) -> Iterator[tuple[str, ScalarNode]]:
    """(section, scalar) of every templated string once: step arguments, deployment fields
    (computed once per document: four rules walk them)."""
    return iter(document.memo(_templated_scalar_list))


def _templated_scalar_list(document: Document) -> list[tuple[str, ScalarNode]]:
    return list(_all_templated_scalars(document))


def _all_templated_scalars(document: Document) -> Iterator[tuple[str, ScalarNode]]:
    seen: set[int] = set()
    for item in unique_items(document):
        for _, node in step_scalars(item):
            if id(node) not in seen:
                seen.add(id(node))
                yield item.section, node
    data = document.data
    deployments = data.get("deployments") if isinstance(data, dict) else None
    if isinstance(deployments, list):
        walked: set[int] = set()
        for index, entry in enumerate(deployments):
            if not isinstance(entry, dict):
                continue
            for _, node in deployment_scalars(document, index, walked):
                if id(node) not in seen:
                    seen.add(id(node))
                    yield DEPLOYMENT, node


_GO_TEMPLATE = lazy_compile(r"(^|[\s(|])\.[A-Za-z_]")


_NAME = lazy_compile(r"^[\w.\-\[\]$]+$")
