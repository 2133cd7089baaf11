"""Text edits on block-style YAML: delete, move and re-indent mapping entries.

Fixes never re-dump the YAML tree. These helpers compute edits on the original text so that
everything they do not touch (comments, quoting, anchors elsewhere, line endings) survives.
They refuse (return None) whenever the shape is one they cannot edit with certainty: flow
style, aliases, anchors, merge keys, or keys that share a line with other content.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.lazy_regex import lazy_compile
from linter.source.document import Document
from linter.source.spans import Edit
from linter.source.view import MERGE_TAG, tag_of

_PLAIN_KEY = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def column(document: Document, offset: int) -> int:
    """0-based column of ``offset``."""
    return document.position(offset).column - 1


def line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def line_end(text: str, offset: int) -> int:
    """Offset of the line break ending the line that holds ``offset`` (or the text end)."""
    for index in range(offset, len(text)):
        if text[index] in "\r\n":
            return index
    return len(text)


def after_line_break(text: str, offset: int) -> int:
    """The offset just past the line break at ``offset`` (if there is one)."""
    if text.startswith("\r\n", offset):
        return offset + 2
    if offset < len(text) and text[offset] in "\r\n":
        return offset + 1
    return offset


def is_inline(node: Node, key: Node | None = None, text: str | None = None) -> bool:
    """Is ``node`` written where it is used (not reached through an alias, not anchored)?
    With ``text``, a node whose text starts with an ``&anchor`` is shared, so not inline."""
    if key is not None and node.start_mark.index < key.end_mark.index:
        return False  # an alias: the node's text is elsewhere
    if text is not None and text.startswith(("&", "*"), node.start_mark.index):
        return False
    return getattr(node, "anchor", None) is None


def is_block_mapping(node: Node | None) -> bool:
    return (
        isinstance(node, MappingNode)
        and not node.flow_style
        and bool(node.value)
        and all(tag_of(key) != MERGE_TAG for key, _ in node.value)
    )


def is_empty_value(node: Node | None) -> bool:
    """``null``, ``~``, an empty value, ``{}`` or ``[]``."""
    if node is None:
        return True
    if isinstance(node, ScalarNode):
        return str(node.tag).endswith(":null") or (node.value == "" and not node.style)
    if isinstance(node, (MappingNode, SequenceNode)):
        return not node.value
    return False


def anchored_between(document: Document, key: Node, value: Node) -> bool:
    """An ``&anchor`` or ``*alias`` written between a key and its value."""
    between = document.text[key.end_mark.index : value.start_mark.index]
    return "&" in between or "*" in between


def value_end(document: Document, value: Node) -> int:
    """Where a value's own text ends: trailing blank lines and comments of block collections
    are not part of it; a block scalar ends before its final line break."""
    end = document.trimmed_node_span(value).end
    text = document.text
    while end > value.start_mark.index and text[end - 1] in "\r\n":
        end -= 1
    return end


def entry_end(document: Document, value: Node) -> int:
    """End of the line holding the value's last character (a trailing comment included)."""
    return line_end(document.text, value_end(document, value))


def key_owns_line(document: Document, key: Node) -> bool:
    """Only indentation precedes the key on its line."""
    text = document.text
    start = line_start(text, key.start_mark.index)
    return text[start : key.start_mark.index].strip() == ""


def delete_entry(document: Document, parent: MappingNode, key: Node, value: Node) -> Edit | None:
    """An edit removing ``key: value`` from a block mapping, whole lines at a time."""
    text = document.text
    end = entry_end(document, value)
    if key_owns_line(document, key):
        start = line_start(text, key.start_mark.index)
        stop = after_line_break(text, end)
        if stop == end and start > 0:  # the last line, without a final line break: keep it so
            start -= 2 if text.startswith("\r\n", start - 2) else 1
        return Edit.delete(start, stop)
    # the first key after a list dash: pull the next key up onto the dash's line
    keys = [k for k, _ in parent.value]
    index = next((i for i, k in enumerate(keys) if k is key), -1)
    if index < 0 or index + 1 >= len(keys):
        return None
    following = keys[index + 1]
    if not key_owns_line(document, following):
        return None
    return Edit.delete(key.start_mark.index, following.start_mark.index)


def child_indent(document: Document, mapping: MappingNode) -> int:
    """The column of a block mapping's keys."""
    return column(document, mapping.value[0][0].start_mark.index)


def indent_unit(document: Document, key: Node, value: Node | None) -> int:
    """How far this document indents a nested block (2 when it cannot tell)."""
    if isinstance(value, (MappingNode, SequenceNode)) and value.value and not value.flow_style:
        first = value.value[0][0] if isinstance(value, MappingNode) else value.value[0]
        unit = column(document, first.start_mark.index) - column(document, key.start_mark.index)
        if 1 <= unit <= 8:
            return unit
    return 2


def reindent(text: str, delta: int, newline: str) -> str | None:
    """Shift every line after the first by ``delta`` columns (None if a line would lose
    characters that are not spaces)."""
    lines = text.splitlines()
    if not lines:
        return text
    out = [lines[0]]
    for line in lines[1:]:
        if not line.strip():
            out.append("")
        elif delta >= 0:
            out.append(" " * delta + line)
        else:
            if line[: -delta].strip():
                return None
            out.append(line[-delta:])
    return newline.join(out)


def comments_above(text: str, offset: int, limit: int) -> tuple[str, ...]:
    """The comment lines (stripped) right above the line at ``offset``, blank lines between
    them skipped, going no further up than ``limit``: a moved entry takes them along."""
    found: list[str] = []
    end = line_start(text, offset)
    while end > 0 and end > limit:
        stop = end - 2 if text.startswith("\r\n", end - 2) else end - 1  # the line's break
        start = line_start(text, stop)
        line = text[start:stop].strip()
        if line.startswith("#"):
            found.append(line)
        elif line:
            break
        end = start
    return tuple(reversed(found))


def key_text(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name)


class RenderedEntries(NamedTuple):
    """Mapping entries rendered as text lines at a given indentation, with their top-level
    key names (dotted keys already nested)."""

    text: str  # lines joined by the document's newline, no final line break
    keys: tuple[str, ...]


def render_entries(
    document: Document,
    mapping: MappingNode,
    indent: int,
    unit: int,
    skip: frozenset[str] = frozenset(),
) -> RenderedEntries | None:
    """The entries of ``mapping`` re-indented to ``indent``, each from its original text.

    A dotted key (``env.EXTRA: "1"``) becomes a nested mapping (``env:`` / ``EXTRA: "1"``),
    which is what Prefect 3.6.5+ workers do with it anyway. Comment lines above an entry move
    with it. Keys in ``skip`` are left out (their comments are kept, first).
    None when the mapping cannot be moved as text (flow style over several lines, merge keys,
    a dotted prefix that is also a plain key)."""
    text = document.text
    newline = document.newline
    if not isinstance(mapping, MappingNode) or any(
        tag_of(key) == MERGE_TAG for key, _ in mapping.value
    ):
        return None
    tree: dict[str, object] = {}
    orphans: list[str] = []
    previous_end = -1
    for key, value in mapping.value:
        if not isinstance(key, ScalarNode):
            return None
        comments = () if mapping.flow_style else comments_above(text, key.start_mark.index,
                                                                 previous_end)
        previous_end = entry_end(document, value)
        if mapping.flow_style:
            tail = text[key.end_mark.index : value_end(document, value)]
            if "\n" in tail or "\r" in tail:
                return None
        else:
            tail = text[key.end_mark.index : entry_end(document, value)]
        parts = key.value.split(".") if "." in key.value else [key.value]
        if any(not part for part in parts):
            parts = [key.value]
        if parts[0] in skip:  # the entry is left out, its comments are not
            orphans.extend(comments)
            continue
        node: dict[str, object] = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return None
            node = child
        if parts[-1] in node:
            return None
        original_key = text[key.start_mark.index : key.end_mark.index]
        node[parts[-1]] = (original_key if len(parts) == 1 else key_text(parts[-1]), tail,
                           column(document, key.start_mark.index), comments)
    lines: list[str] = [" " * indent + comment for comment in orphans]

    def emit(node: dict[str, object], depth: int) -> bool:
        for name, item in node.items():
            at = indent + depth * unit
            if isinstance(item, dict):
                lines.append(" " * at + key_text(name) + ":")
                if not emit(item, depth + 1):
                    return False
                continue
            assert isinstance(item, tuple)
            written_key, tail, old_column, comments = item
            moved = reindent(f"{written_key}{tail}", at - old_column, newline)
            if moved is None:
                return False
            lines.extend(" " * at + comment for comment in comments)
            lines.append(" " * at + moved)
        return True

    if not emit(tree, 0) or not tree:
        return None
    return RenderedEntries(newline.join(lines), tuple(tree))
