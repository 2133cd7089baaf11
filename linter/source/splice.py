"""Build the tree of an edited document from the previous version's tree, re-parsing only
the one item of a top-level block sequence that the edit touched.

The language server checks a file on every keystroke; parsing a file of a thousand
deployments and constructing its plain data takes longer than everything else a keystroke
needs. When an edit stays inside one item of the top-level sequence (a deployment), keeps the
number of lines, and leaves the item's ``-`` where it was, the new tree is the old one with
that item replaced, and with every position after it moved by the edit's change in length.
The item is parsed from a *partial* text: the new text with every other item blanked out
(spaces, line breaks kept), so the item's positions are those of the whole file and the
aliases in it resolve against the same anchors before the sequence.

Every condition under which splicing could give a tree other than a full parse's is checked,
and ``None`` returned for it (the caller then parses the whole text): see ``splice``.
``tests/source/test_splice.py`` compares spliced trees with parsed ones after random edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.source.document import Document
from linter.source.view import MAP_TAG, SEQ_TAG, children, rebuild_plain_view, tag_of

#: What YAML 1.1 counts as line breaks besides ``\n``: a text without them has the line
#: numbers that ``\n`` gives, which splicing keeps for everything after the edit.
OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class Region(NamedTuple):
    """One item's text: from the start of its ``-`` line to the start of the next item's
    (the last one: to the end of the sequence)."""

    start: int
    end: int


class Items(NamedTuple):
    """The top-level block sequence under one key, and its items' regions."""

    sequence: SequenceNode
    regions: tuple[Region, ...]


def sequence_items(document: Document, key: str) -> Items | None:
    """The items of the block sequence at top-level ``key``, or None when the document's shape
    does not allow splicing: one YAML document, no ``\\r`` (YAML line breaks are then only
    ``\\n``), a block mapping at the top with plain scalar keys, ``key`` once, its value a
    non-empty block sequence, every item starting on its own ``-`` line, and no ``&`` in the
    items (an anchor in one item may be aliased by another: the C composer does not say)."""
    text = document.text
    root = document.root
    if (document.parse_error is not None or document.extra_documents or root is None
            or any(c in text for c in OTHER_BREAKS)
            or not isinstance(root, MappingNode) or root.flow_style or tag_of(root) != MAP_TAG
            or any(not isinstance(k, ScalarNode) or k.value == "<<" for k, _ in root.value)):
        return None
    values = [value for name, value in root.value if name.value == key]
    if len(values) != 1:
        return None
    sequence = values[0]
    if (not isinstance(sequence, SequenceNode) or sequence.flow_style or not sequence.value
            or tag_of(sequence) != SEQ_TAG):
        return None
    starts: list[int] = []
    for item in sequence.value:
        line_start = text.rfind("\n", 0, item.start_mark.index) + 1
        if text[line_start:item.start_mark.index].strip() != "-":
            return None
        starts.append(line_start)
    end = sequence.end_mark.index
    if end != len(text) and (end == 0 or text[end - 1] != "\n"):
        return None
    bounds = [*starts, end]
    if (any(later <= earlier for earlier, later in pairwise(bounds))
            or "&" in text[bounds[0]:end]):
        return None
    return Items(sequence, tuple(Region(a, b) for a, b in pairwise(bounds)))


def blank(text: str) -> str:
    """``text`` with every character but line breaks replaced by a space."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def head_text(text: str, regions: Sequence[Region]) -> str:
    """The whole text with every item blanked out."""
    first, last = regions[0].start, regions[-1].end
    return text[:first] + blank(text[first:last]) + text[last:]


def partial_text(text: str, head: str, region: Region) -> str:
    """The head with one item's text back in place."""
    return head[:region.start] + text[region.start:region.end] + head[region.end:]


def partial_document(whole: Document, text: str, index: int) -> Document:
    """The partial text of item ``index`` of ``whole``'s list, parsed."""
    partial = Document.from_text(text, whole.filename, path=whole.path, kind=whole.kind)
    partial.item_offset = index
    return partial


def common_affixes(old: str, new: str) -> tuple[int, int]:
    """The lengths of the longest common prefix and, of what remains, the longest common
    suffix (binary searches over slices: the comparisons run at memcmp speed)."""
    limit = min(len(old), len(new))
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    prefix = low
    low, high = 0, limit - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle:] == new[len(new) - middle:]:
            low = middle
        else:
            high = middle - 1
    return prefix, low


def region_of(regions: Sequence[Region], start: int, end: int) -> int | None:
    """The index of the region holding all of ``[start, end)``, the later one when the range
    is empty on the border of two."""
    for index in range(len(regions) - 1, -1, -1):
        region = regions[index]
        if region.start <= start:
            return index if end <= region.end else None
    return None


def _walk(node: Node, lowest: int) -> Iterator[Node]:
    """``node`` and the nodes under it, not following references to nodes that start before
    ``lowest`` (aliases to anchors before the item)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen or current.start_mark.index < lowest:
            continue
        seen.add(id(current))
        yield current
        stack.extend(children(current))


def _moved(mark: Any, delta: int) -> Any:
    return type(mark)(mark.name, mark.index + delta, mark.line, mark.column,
                      getattr(mark, "buffer", None), getattr(mark, "pointer", None))


def _shift_after(root: Node, boundary: int, delta: int, skip: Node) -> None:
    """Move every mark at or after ``boundary`` by ``delta`` (lines and columns stay: the
    edit kept the number of lines, and nothing after it shares its line), except in the
    subtree ``skip``. Subtrees that end before ``boundary`` are not walked."""
    stack = [root]
    seen = {id(skip)}
    while stack:
        node = stack.pop()
        if id(node) in seen or node.end_mark.index < boundary:
            continue
        seen.add(id(node))
        if node.start_mark.index >= boundary:
            node.start_mark = _moved(node.start_mark, delta)
        node.end_mark = _moved(node.end_mark, delta)
        stack.extend(children(node))


def _adopt_aliases(item: Node, lowest: int, anchors: dict[NodeKey, Node]) -> bool:
    """Point the item's references to nodes before it (aliases) at the previous tree's
    nodes, which the rest of the tree shares; False when one has no counterpart."""
    for node in _walk(item, lowest):
        pairs: list[Any]
        if isinstance(node, SequenceNode):
            pairs = [(i, child) for i, child in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            pairs = [(i, pair) for i, pair in enumerate(node.value)]
        else:
            continue
        for index, entry in pairs:
            if isinstance(node, SequenceNode):
                adopted = _adopt(entry, lowest, anchors)
                if adopted is None:
                    return False
                node.value[index] = adopted
            else:
                key, value = (_adopt(entry[0], lowest, anchors),
                              _adopt(entry[1], lowest, anchors))
                if key is None or value is None:
                    return False
                node.value[index] = (key, value)
    return True


def _share_the_head(partial: Document, previous: Document, key: str, lowest: int,
                    anchors: dict[NodeKey, Node]) -> bool:
    """Make the partial document's top-level values before ``key`` the previous tree's (the
    nodes its item's aliases now name), and its aliases after the list name them too: node
    identity is sharing (an anchor "used elsewhere", a step counted once), so the partial
    tree must share what the whole tree does. False when an alias has no counterpart."""
    root, old_root = partial.root, previous.root
    assert isinstance(root, MappingNode) and isinstance(old_root, MappingNode)
    position = [k.value for k, _ in root.value].index(key)
    for index, (name, value) in enumerate(root.value):
        if index < position:
            root.value[index] = old_root.value[index]
        elif index > position:
            shared_name, shared_value = _adopt(name, lowest, anchors), _adopt(value, lowest,
                                                                                anchors)
            if (shared_name is None or shared_value is None
                    or not _adopt_aliases(shared_value, lowest, anchors)):
                return False
            root.value[index] = (shared_name, shared_value)
    return True


def _aliased_key(nodes: Iterable[Node], lowest: int) -> bool:
    """Whether a mapping among ``nodes`` has a key that is an alias to a node before
    ``lowest``: construction records a duplicate or unhashable key under the key's node,
    which the rest of the tree shares, so the record would outlive the item's replacement."""
    return any(isinstance(node, MappingNode)
               and any(key.start_mark.index < lowest for key, _ in node.value)
               for node in nodes)


def _end_where_the_next_item_starts(item: Node, lowest: int, partial_end: int,
                                    full_end: Any) -> None:
    """In the partial text the item's block collections end where the text after the
    sequence starts (the next token); in the whole text, where the next item's ``-`` is."""
    if full_end.index == partial_end:
        return
    for node in _walk(item, lowest):
        if node.end_mark.index == partial_end:
            node.end_mark = full_end


def _adopt(node: Node, lowest: int, anchors: dict[NodeKey, Node]) -> Node | None:
    if node.start_mark.index >= lowest:
        return node
    return anchors.get(_key(node))


NodeKey = tuple[int, int, type]


def _key(node: Node) -> NodeKey:
    return (node.start_mark.index, node.end_mark.index, type(node))


def nodes_before(root: Node, limit: int) -> dict[NodeKey, Node]:
    """The nodes that start before ``limit`` (the first item), by position and kind: what an
    item's aliases can refer to. (The C composer does not keep anchor names on nodes.)"""
    found: dict[NodeKey, Node] = {}
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen or node.start_mark.index >= limit:
            continue
        seen.add(id(node))
        if node.end_mark.index <= limit:  # not the root, nor an anchored list of the items
            found[_key(node)] = node
        stack.extend(children(node))
    return found


class Spliced(NamedTuple):
    document: Document
    items: Items
    changed: int  # the item that was parsed again
    partial: Document  # the partial document it was parsed from


def splice(previous: Document, items: Items, text: str, key: str,
           anchors: dict[NodeKey, Node]) -> Spliced | None:
    """The document of ``text``, built from ``previous`` (whose items are ``items``, and
    whose anchors before the first item are ``anchors``) when ``text`` differs from it inside
    one item only; None when it cannot be (then parse ``text``). ``previous``'s tree is
    reused, and changed: do not use ``previous`` afterwards, whatever the result."""
    old = previous.text
    prefix, suffix = common_affixes(old, text)
    old_end, new_end = len(old) - suffix, len(text) - suffix
    index = region_of(items.regions, prefix, old_end)
    if (index is None or old.count("\n", prefix, old_end) != text.count("\n", prefix, new_end)
            or any(c in text[prefix:new_end] for c in ("&", *OTHER_BREAKS))
            or old.endswith("\n") != text.endswith("\n")):  # the parser ends a last line
        return None  # that has no line break with one: the end of the stream moves a line
    delta = len(text) - len(old)
    regions = tuple(r if i < index else Region(r.start + (i > index) * delta, r.end + delta)
                    for i, r in enumerate(items.regions))
    region = regions[index]
    head = head_text(text, regions)
    partial = partial_document(previous, partial_text(text, head, region), index)
    old_item = items.sequence.value[index]
    item = _sole_item(partial, key, region, old[items.regions[index].start:
                                                old_item.start_mark.index],
                      items.sequence.end_mark.index + delta, previous)
    if item is None:
        return None
    if (not _adopt_aliases(item, region.start, anchors)
            or not _share_the_head(partial, previous, key, region.start, anchors)):
        return None
    _end_where_the_next_item_starts(item, region.start, partial_end=items.sequence.end_mark.index
                                    + delta, full_end=_moved(old_item.end_mark, delta))
    replaced = list(_walk(old_item, items.regions[index].start))
    if (_aliased_key(replaced, items.regions[index].start)
            or _aliased_key(_walk(item, region.start), region.start)):
        return None
    root = previous.root
    assert root is not None
    if delta:
        _shift_after(root, items.regions[index].end, delta, old_item)
    items.sequence.value[index] = item
    view = rebuild_plain_view(previous.plain, root, replaced, [root, items.sequence], text)
    if view is None:
        return None
    document = Document.assembled(previous.filename, text, root, view, path=previous.path,
                                  kind=previous.kind)
    return Spliced(document, Items(items.sequence, regions), index, partial)


def _sole_item(partial: Document, key: str, region: Region, dash: str, sequence_end: int,
               previous: Document) -> Node | None:
    """The partial document's one item, when the partial document has the previous one's
    shape: the same top-level keys, one item, starting where the old one did after the same
    ``-``, ending inside its region, and the sequence ending where it did."""
    root = partial.root
    old_root = previous.root
    if (partial.parse_error is not None or partial.extra_documents
            or not isinstance(root, MappingNode) or not isinstance(old_root, MappingNode)
            or [k.value for k, _ in root.value] != [k.value for k, _ in old_root.value]):
        return None
    values = [value for name, value in root.value if name.value == key]
    sequence = values[0]
    if (not isinstance(sequence, SequenceNode) or len(sequence.value) != 1
            or sequence.end_mark.index != sequence_end):
        return None
    item: Node = sequence.value[0]
    if (partial.text[region.start:item.start_mark.index] != dash
            or item.end_mark.index != sequence_end or spills(item, region)):
        return None
    return item


def partial_spills(partial: Document, key: str, region: Region) -> bool:
    """Whether the partial document's item runs past ``region`` (see ``spills``), or the
    partial document is not one item under ``key``."""
    root = partial.root
    if not isinstance(root, MappingNode):
        return True
    values = [value for name, value in root.value if name.value == key]
    if len(values) != 1 or not isinstance(values[0], SequenceNode) or len(values[0].value) != 1:
        return True
    return spills(values[0].value[0], region)


def spills(item: Node, region: Region) -> bool:
    """Whether a scalar of the item, parsed from a partial text, runs past the item's
    region: a block scalar (``|``, ``>``) that ends the item takes the blanked lines after it
    (spaces beyond its indentation) as content, where the whole text's next ``-`` ends it."""
    return any(isinstance(node, ScalarNode) and node.end_mark.index > region.end
               for node in _walk(item, region.start))
