"""Y: YAML that Prefect cannot read, or reads differently from what the author meant.

Prefect reads the file with PyYAML's ``safe_load``: when that fails, ``prefect deploy`` prints
a warning and carries on as if the file were empty, so every one of these is an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Needs, Scope, describe, rule
from linter.project.context import LintContext
from linter.source.document import Document

YAML_KINDS = ("prefect", "legacy")


def token_span(document: Document, offset: int) -> Span:
    """The span of the token at ``offset``: up to the next whitespace, at least one character
    (empty at the very end of the text)."""
    text = document.text
    offset = max(0, min(offset, len(text)))
    end = offset
    while end < len(text) and not text[end].isspace():
        end += 1
    if end == offset and offset < len(text) and text[offset] not in "\r\n":
        end = offset + 1
    return Span(offset, end)


@rule("Y001", "yaml-syntax-error", Severity.ERROR, "The file is not valid YAML", kinds=YAML_KINDS,
      needs=Needs.TEXT, scope=Scope.DEPLOYMENT)
def yaml_syntax_error(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the YAML parser stopped at this position. A document nested more than 5,000
    levels deep is reported here too: it is not parsed further (PyYAML, and so Prefect, gives
    up after a few hundred levels).

    **Why**: `prefect deploy` prints "Unable to read the specified config file ... Skipping."
    and carries on as if the file were empty, so no deployment in it is created or updated.

    **Fix**: quote the value, `image: "{{ build-image.image }}-slim"`, or correct the
    indentation or bracket the message points at.
    """
    error = context.document.parse_error
    if error is None:
        return
    help_text = None
    if error.context and error.context_offset is not None:
        position = context.document.position(error.context_offset)
        help_text = f"{error.context} that starts at line {position.row}, column {position.column}"
    yield Finding(token_span(context.document, error.offset), f"invalid YAML: {error.message}",
                  help=help_text)


@rule("Y002", "duplicate-key", Severity.ERROR,
      "A key appears twice in the same mapping; the last one silently wins", kinds=YAML_KINDS,
      needs=Needs.TREE, scope=Scope.DEPLOYMENT)
def duplicate_key(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the same key is written twice in one mapping.

    **Why**: PyYAML, which Prefect uses, keeps only the last value without a word, so the
    first one is silently lost. That is rarely what the author meant: usually a block was
    copied, or two edits of the same setting collided.

    **Fix**: delete the copy you do not want; prefect-lint cannot know which one it is.
    """
    document = context.document
    for duplicate in document.plain.duplicates:
        first = document.position(duplicate.first.start_mark.index)
        yield Finding(
            document.node_span(duplicate.second),
            f"duplicate key {describe(duplicate.key)}: it was already set on line {first.row}, "
            "and Prefect keeps only this last value",
            help=f"remove one of the two {describe(duplicate.key)} keys",
        )


@rule("Y003", "empty-file", Severity.WARNING, "The file has no content (or only comments)",
      kinds=YAML_KINDS, needs=Needs.TEXT, scope=Scope.DEPLOYMENT)
def empty_file(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the file is empty, or holds only comments and blank lines.

    **Why**: Prefect reads it as nothing at all: no deployments, no steps. An empty
    `prefect.yaml` is usually a file that was emptied by mistake or never filled in.

    **Fix**: add the deployments (see `prefect init`), or delete the file.
    """
    document = context.document
    if document.parse_error is None and document.root is None:
        yield Finding(Span(0, 0), "the file is empty: Prefect finds no deployments in it")


@rule("Y004", "top-level-not-mapping", Severity.ERROR, "The top level of the file is not a mapping",
      kinds=YAML_KINDS, needs=Needs.TREE, scope=Scope.DEPLOYMENT)
def top_level_not_mapping(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the file's top level is a list or a single value instead of `key: value` pairs.

    **Why**: Prefect prints "Unable to parse the specified config file. Skipping." and uses
    none of it.

    **Fix**: put the list under `deployments:`.
    """
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    root = context.document.root
    if root is None or isinstance(root, MappingNode):
        return
    what = "a list" if isinstance(root, SequenceNode) else "a single value"
    help_text = "put the deployments under a `deployments:` key" if isinstance(
        root, SequenceNode
    ) else None
    yield Finding(
        context.document.head_span(root),
        f"the top level is {what}, but Prefect needs a mapping of keys such as "
        "`deployments:`; it skips the whole file",
        help=help_text,
    )


@rule("Y005", "multiple-documents", Severity.ERROR, "The file holds more than one YAML document",
      kinds=YAML_KINDS, needs=Needs.TREE, scope=Scope.DEPLOYMENT)
def multiple_documents(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `---` line starts a second YAML document in the same file.

    **Why**: Prefect loads one document; PyYAML refuses a stream of several ("expected a
    single document in the stream"), and Prefect then skips the whole file.

    **Fix**: merge the documents into one, or split them into separate files.
    """
    document = context.document
    for extra in document.extra_documents:
        start = extra.start_mark.index
        # point at the `---` that opened the document when there is one
        marker = document.text.rfind("---", 0, start + 1)
        if marker >= 0 and document.text[marker:start].strip("-\r\n\t ") == "":
            start = marker
        row = document.position(start).row
        yield Finding(
            document.lines.line_span(row),
            "a second YAML document starts here; Prefect reads only files with one document "
            "and skips this whole file",
            help="merge the documents or move this one into its own file",
        )


@rule("Y006", "unbounded-aliases", Severity.ERROR,
      "Aliases expand without bound, or a node contains itself", kinds=YAML_KINDS, needs=Needs.TREE,
      scope=Scope.DEPLOYMENT)
def unbounded_aliases(context: LintContext) -> Iterator[Finding]:
    """
    **What**: YAML aliases that expand to an enormous document (a "billion laughs" alias
    bomb), an anchor that contains an alias to itself, or nesting too deep to walk.

    **Why**: whatever reads the data afterwards, Prefect included, runs out of memory or
    recursion. prefect-lint stops here and checks nothing else in the file.

    **Fix**: define the data without aliases that multiply, or without self-reference.
    """
    document = context.document
    view = document.plain
    if view.fatal is None:
        return
    node = view.fatal_node
    span = token_span(document, node.start_mark.index) if node is not None else Span(0, 0)
    yield Finding(span, view.fatal)


@rule("Y007", "unsupported-tag", Severity.ERROR, "A YAML tag that Prefect's safe loader refuses",
      kinds=YAML_KINDS, needs=Needs.TREE, scope=Scope.DEPLOYMENT)
def unsupported_tag(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an explicit tag such as `!!python/object/apply:...` or a custom `!Ref`.

    **Why**: Prefect uses PyYAML's `safe_load`, which refuses any tag it does not know and
    then skips the whole file. prefect-lint never constructs tagged values, so a hostile tag
    cannot run code here either.

    **Fix**: remove the tag and write the plain value, or use a `{{ }}` placeholder.
    """
    document = context.document
    for problem in document.plain.tag_problems:
        yield Finding(
            token_span(document, problem.node.start_mark.index),
            f"tag {problem.tag} is refused: {problem.reason}",
            help="write the value without a tag",
        )


@rule("Y000", "unreadable-file", Severity.ERROR, "The file cannot be read as text",
      kinds=("prefect", "legacy", "script"), needs=Needs.TEXT, scope=Scope.DEPLOYMENT)
def unreadable_file(context: LintContext) -> Iterator[Finding]:
    """
    **What**: prefect-lint could not read the file: it does not exist, is not a regular file
    (a FIFO or a device), cannot be opened, is larger than `max-file-size` (10 MiB unless
    configured), or is not text in an encoding YAML allows (UTF-8, or UTF-16 with a BOM).

    **Why**: if prefect-lint cannot read it, Prefect most likely cannot either, and a linter
    that skipped it silently would report a clean result it never checked.

    **Fix**: save the file as UTF-8, or exclude it in the configuration.

    Reported by the file reader before any rule runs.
    """
    return iter(())
