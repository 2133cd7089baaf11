"""Y: YAML that parses, but not into what the author wrote (or not into what Prefect takes).

YAML 1.1, which Prefect's PyYAML follows, types unquoted scalars by their look: `1.10` is the
number 1.1, `3.9` a float, `2024-05-01` a date, `on` a boolean, `1:30` the number 90. And an
unquoted `{{ name }}` is not a template at all but a flow mapping inside a flow mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Needs, Scope, rule
from linter.lazy_regex import lazy_compile
from linter.project.context import LintContext
from linter.rules._shared import is_yaml_typed_string, item_label, value_span, where
from linter.schema.check import schema_issues, type_word
from linter.source.document import Document
from linter.source.view import iter_nodes

YAML_KINDS = ("prefect", "legacy")


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar with the same value."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@rule("Y008", "unquoted-string-value", Severity.ERROR,
      "YAML reads an unquoted value as a number, boolean or date where Prefect wants a string",
      fix=Applicability.SAFE, scope=Scope.DEPLOYMENT)
def unquoted_string_value(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value Prefect needs as a string, written so that YAML reads it as something
    else: `version: 1.10` (the float 1.1), `prefect-version: 3.9`, `name: 123`,
    `anchor_date: 2024-05-01T00:00:00` (a datetime), `name: on` (true).

    **Why**: Prefect rejects the whole file when such a field is not a string (`version: 1.0`
    and `prefect-version: 3.1` are classic causes of a silently skipped prefect.yaml), and
    where it converts the value, the text is not what you wrote (`1.10` becomes `1.1`).

    **Fix** (safe): quote the original text exactly, `version: "1.10"`. For `tags` the fix is
    a one-item list, `tags: ["123"]`: a quoted string there would be split into characters.
    """
    document = context.document
    for issue in schema_issues(document):
        if issue.kind != "type" or not is_yaml_typed_string(document, issue):
            continue
        span = value_span(document, issue.path)
        original = document.text[span.start : span.end]
        label = item_label(document, issue.path)
        read_as = (f"{label} {where(document, issue.path[:-1])} is read as "
                   f"{type_word(issue.instance)} ({issue.instance!r})")
        if _is_deployment_tags(issue.path):
            # a quoted string would be split into characters (S005): one tag is a list
            tag_list = f"[{double_quoted(original)}]"
            yield Finding(span, f"{read_as}, but Prefect needs a list of tags",
                          help=f"write a list: `tags: {tag_list}`",
                          fix=Fix(f"make it the one tag {double_quoted(original)}",
                                  (Edit(span.start, span.end, tag_list),)))
            continue
        yield Finding(
            span,
            f"{read_as}, but Prefect needs a string",
            help=f"quote it: {double_quoted(original)}",
            fix=Fix(f"quote {original}", (Edit(span.start, span.end, double_quoted(original)),)),
        )


def _is_deployment_tags(path: tuple[str | int, ...]) -> bool:
    return len(path) == 3 and path[0] == "deployments" and path[2] == "tags"


#: A `{{` where a YAML value or item can start (after `key:`, `- `, `[`, `,` or `?`, maybe
#: behind an anchor or tag): a cheap pre-filter; quoted placeholders never match it.
_MAYBE_UNQUOTED = lazy_compile(r"(?:^|[:\-\[,?])[ \t]*(?:[&!]\S*[ \t]+)*\{\{", re.MULTILINE)


def _placeholder_mappings(root: Node) -> Iterator[MappingNode]:
    """Flow mappings that are an unquoted ``{{ name }}``: a one-key mapping whose key is
    itself a flow mapping."""
    for node in iter_nodes(root):
        if (
            isinstance(node, MappingNode)
            and node.flow_style
            and len(node.value) == 1
            and isinstance(node.value[0][0], MappingNode)
            and node.value[0][0].flow_style
        ):
            yield node


@rule("Y009", "unquoted-placeholder", Severity.ERROR,
      "An unquoted {{ placeholder }} is a YAML mapping, not a template", fix=Applicability.SAFE,
      kinds=YAML_KINDS, needs=Needs.TREE, scope=Scope.DEPLOYMENT)
def unquoted_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value written as `{{ build-image.image }}` without quotes.

    **Why**: to YAML, `{` starts a flow mapping, so `{{ x }}` is a mapping whose key is
    another mapping. PyYAML refuses that ("found unhashable key") and Prefect skips the whole
    file. (When text follows, as in `{{ x }}-slim`, the file does not even parse: Y001.)
    Two docstrings in Prefect's own step functions show the unquoted form, which is how it
    spreads.

    **Fix** (safe): quote it, `image: "{{ build-image.image }}"`.
    """
    document = context.document
    if document.root is None or not _MAYBE_UNQUOTED.search(document.text):
        return  # every `{{` is inside a quoted string: no need to walk the tree
    for node in _placeholder_mappings(document.root):
        span = Document.node_span(node)
        original = document.text[span.start : span.end]
        if "\n" in original:
            continue
        quoted = double_quoted(original)
        yield Finding(
            span,
            f"{original} is not quoted, so YAML reads a nested mapping and Prefect refuses "
            "the file",
            help=f"write {quoted}",
            fix=Fix("quote the placeholder", (Edit(span.start, span.end, quoted),)),
        )


CONFLICT_MARKER = lazy_compile(r"^(<{7}|={7}|>{7})(?: .*)?$", re.MULTILINE)


@rule("Y010", "merge-conflict-marker", Severity.ERROR, "A git merge-conflict marker",
      kinds=YAML_KINDS, needs=Needs.TEXT)
def merge_conflict_marker(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a line `<<<<<<< HEAD`, `=======` or `>>>>>>> branch` left by an unresolved
    git merge.

    **Why**: the file is not valid YAML (or, worse, a marker lands inside a block scalar and
    the file parses into something nobody wrote); Prefect skips it.

    **Fix**: resolve the conflict: keep one side and delete the three marker lines.
    """
    text = context.document.text
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return
    for match in CONFLICT_MARKER.finditer(text):
        marker = match.group(1)
        what = {"<": "start", "=": "middle", ">": "end"}[marker[0]]
        yield Finding(
            Span(match.start(), match.end()),
            f"git merge-conflict marker ({what} of a conflict): the merge was not resolved",
            help="keep one side of the conflict and delete the marker lines",
        )


def _is_scalar(node: Node | None) -> bool:
    return isinstance(node, ScalarNode)
