"""One linted file: its exact text, its YAML node tree with positions, and a plain-data view.

The text is kept exactly as read (a UTF-8 or UTF-16 BOM and the line-ending style are
remembered, so the fixer can write the file back byte for byte). Parsing uses ruamel.yaml's
C composer when it is installed (about eight times faster than the pure-Python one); both give
nodes whose marks carry character offsets, which is all the rules need for precise spans.
"""

from __future__ import annotations

import bisect
import codecs
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.source.errors import ParseError, YamlSyntaxError
from linter.source.spans import Position, Span
from linter.source.view import MERGE_TAG, PlainView, build_plain_view, tag_of

PathPart = str | int
T = TypeVar("T")
NodePath = tuple[PathPart, ...]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


#: kinds of file that are not YAML: no YAML tree is built for them (their rules read the text)
NOT_YAML_KINDS = frozenset({"python"})


class DecodeError(Exception):
    """The bytes are not text in an encoding YAML allows."""


class DecodedText(NamedTuple):
    text: str
    encoding: str
    bom: bytes


def decode(raw: bytes) -> DecodedText:
    """Decode file bytes as YAML requires: UTF-8, or UTF-16 with a byte-order mark."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                return DecodedText(body.decode(encoding), encoding, bom)
            except UnicodeDecodeError as error:
                raise DecodeError(_describe_decode_error(error, len(bom))) from None
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8", b"")
    except UnicodeDecodeError as error:
        raise DecodeError(_describe_decode_error(error, 0)) from None


def encode(text: str, encoding: str, bom: bytes) -> bytes:
    return bom + text.encode(encoding)


def _describe_decode_error(error: UnicodeDecodeError, skipped: int) -> str:
    return (
        f"not valid {error.encoding.upper()} text: byte 0x{error.object[error.start]:02x} "
        f"at offset {error.start + skipped} ({error.reason})"
    )


def detect_newline(text: str) -> str:
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    if index < 0 and "\r" in text:
        return "\r"
    return "\n"


class LineIndex:
    """Maps character offsets to 1-based rows and columns and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        index = 0
        length = len(text)
        while index < length:
            char = text[index]
            if char == "\n":
                starts.append(index + 1)
            elif char == "\r":
                if index + 1 < length and text[index + 1] == "\n":
                    index += 1
                starts.append(index + 1)
            index += 1
        self.starts = starts
        self.length = length

    @classmethod
    def fast(cls, text: str) -> LineIndex:
        """Build the index with str methods when the text has no lone ``\\r``."""
        if "\r" in text.replace("\r\n", ""):
            return cls(text)
        index = cls.__new__(cls)
        index.text = text
        starts = [0]
        position = text.find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        index.starts = starts
        index.length = len(text)
        return index

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, self.length))
        row = bisect.bisect_right(self.starts, offset) - 1
        return Position(row + 1, offset - self.starts[row] + 1)

    def offset(self, row: int, column: int) -> int:
        """Offset of a 1-based row and column (clamped to the text)."""
        if row > len(self.starts):
            return self.length
        return min(self.starts[max(row, 1) - 1] + max(column, 1) - 1, self.length)

    def line_span(self, row: int) -> Span:
        """The span of a 1-based row, without its line break."""
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else self.length
        return Span(start, start + len(self.text[start:end].rstrip("\r\n")))

    @property
    def row_count(self) -> int:
        return len(self.starts)


class Document:
    """A parsed file; ``root`` is None when the file is empty or did not parse."""

    filename: str
    text: str
    path: Path | None
    root: Node | None
    parse_error: ParseError | None
    extra_documents: list[Node]
    kind: str
    #: per-document memo for analyses that several rules share (e.g. schema validation)
    cache: dict[str, Any]
    #: a partial document (``linter.source.splice``) holds one item of the whole file's
    #: top-level list, the item at this index there: messages that number items count from it
    item_offset: int

    def __init__(self, filename: str, text: str, path: Path | None = None,
                 kind: str = "prefect") -> None:
        """The document before parsing (``from_text`` parses it): no root, no error."""
        self.filename = filename
        self.text = text
        self.path = path
        self.kind = kind
        self.root = None
        self.parse_error = None
        self.extra_documents = []
        self.cache = {}
        self.item_offset = 0

    @classmethod
    def assembled(cls, filename: str, text: str, root: Node, plain: PlainView, *,
                  path: Path | None = None, kind: str = "prefect") -> Document:
        """A document whose tree and plain view were built from another's (see
        ``linter.source.splice``) rather than by parsing ``text``."""
        document = cls(filename, text, path=path, kind=kind)
        document.root = root
        vars(document)["plain"] = plain  # the cached property, already known
        return document

    @classmethod
    def from_text(cls, text: str, filename: str, *, path: Path | None = None,
                  kind: str = "prefect") -> Document:
        """The parsed document (Python files, which are not YAML, are left unparsed)."""
        document = cls(filename, text, path=path, kind=kind)
        if kind not in NOT_YAML_KINDS:
            document._parse()
        return document

    # -- parsing ----------------------------------------------------------------------------
    def _parse(self) -> None:
        from linter.source.parse import compose_documents

        try:
            roots = compose_documents(self.text)
        except YamlSyntaxError as error:
            self.parse_error = error.detail
            return
        if roots:
            self.root = roots[0]
            self.extra_documents = roots[1:]

    # -- positions --------------------------------------------------------------------------
    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex.fast(self.text)

    @cached_property
    def newline(self) -> str:
        return detect_newline(self.text)

    def position(self, offset: int) -> Position:
        return self.lines.position(offset)

    def line_text(self, row: int) -> str:
        span = self.lines.line_span(row)
        return self.text[span.start : span.end]

    @staticmethod
    def node_span(node: Node) -> Span:
        """The span of a node's own text (for a block mapping or list: from its first key or
        dash to the end of its last value, without trailing blank lines)."""
        start = node.start_mark.index
        end = node.end_mark.index
        return Span(start, max(start, end))

    def trimmed_node_span(self, node: Node) -> Span:
        """Like ``node_span`` but without trailing whitespace and comments of block nodes:
        the span ends where its last scalar (or flow collection) ends. Iterative, so a
        document nested ten thousand levels deep costs no stack."""
        span = self.node_span(node)
        current = node
        while isinstance(current, (MappingNode, SequenceNode)) and not current.flow_style:
            last = _last_descendant(current)
            if last is None:
                break
            current = last
        if current is node:
            return span
        end = self.node_span(current).end
        return Span(span.start, max(span.start, min(span.end, end)))

    def key_span(self, key_node: Node) -> Span:
        return self.node_span(key_node)

    # -- the plain-data view ----------------------------------------------------------------
    @cached_property
    def plain(self) -> PlainView:
        return build_plain_view(self.root, self.text)

    @property
    def data(self) -> Any:
        return self.plain.data

    # -- navigation -------------------------------------------------------------------------
    def memo(self, analysis: Callable[[Document], T]) -> T:
        """``analysis(self)``, computed once per document: several rules share the walks
        behind them (entrypoints, schema issues, step references, ...). Kept in ``cache``
        under the function's qualified name."""
        key = f"{analysis.__module__}.{analysis.__qualname__}"
        if key not in self.cache:
            self.cache[key] = analysis(self)
        return cast(T, self.cache[key])

    def locate(self, path: NodePath) -> tuple[Node | None, Node | None]:
        """Key node and value node at ``path`` (keys and list indices), following aliases and
        merge keys like the loader does; ``(None, None)`` when the path is absent."""
        cache: dict[NodePath, tuple[Node | None, Node | None]] = self.cache.setdefault(
            "locate", {})
        found = cache.get(path)
        if found is None:
            found = cache[path] = self._locate(path)
        return found

    def _locate(self, path: NodePath) -> tuple[Node | None, Node | None]:
        key_node: Node | None = None
        node = self.root
        for part in path:
            if node is None:
                return None, None
            if isinstance(part, int):
                if not isinstance(node, SequenceNode) or not -len(node.value) <= part < len(
                    node.value
                ):
                    return None, None
                key_node, node = None, node.value[part]
            else:
                if not isinstance(node, MappingNode):
                    return None, None
                found = find_key(node, part)
                if found is None:
                    return None, None
                key_node, node = found
        return key_node, node

    def value_node(self, path: NodePath) -> Node | None:
        return self.locate(path)[1]

    def key_span_at(self, path: NodePath) -> Span | None:
        """Span of the key at ``path`` (of the list item's value for an index)."""
        key_node, value_node = self.locate(path)
        node = key_node if key_node is not None else value_node
        return self.node_span(node) if node is not None else None

    def value_span_at(self, path: NodePath) -> Span | None:
        """Span of the value at ``path``; a block mapping or list spans its first line only
        (a finding about a whole block should not underline fifty lines)."""
        _, node = self.locate(path)
        if node is None:
            return None
        return self.head_span(node)

    def head_span(self, node: Node) -> Span:
        """A node's span, cut at the end of its first line for multi-line collections."""
        span = self.trimmed_node_span(node)
        if isinstance(node, ScalarNode):
            return span
        first_row = self.position(span.start).row
        line = self.lines.line_span(first_row)
        return Span(span.start, max(span.start, min(span.end, line.end)))


#: id(node) -> (node, {key: pair}); holding the node keeps its id from being reused, and the
#: memo is cleared when it grows, so a long-running process (the language server) stays small.
_PAIRS: dict[int, tuple[MappingNode, dict[Any, tuple[Node, Node]]]] = {}
_PAIRS_LIMIT = 500_000


def _pairs_index(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    """The loader's view of a mapping: merge keys expanded, last key winning, memoized."""
    cached = _PAIRS.get(id(node))
    if cached is not None and cached[0] is node:
        return cached[1]
    seen: dict[Any, tuple[Node, Node]] = {}
    merged: dict[Any, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if key_node.value == "<<" and tag_of(key_node) == MERGE_TAG:
            sources = [value_node] if isinstance(value_node, MappingNode) else (
                [item for item in value_node.value if isinstance(item, MappingNode)]
                if isinstance(value_node, SequenceNode)
                else []
            )
            for source in sources:
                for key, pair in _pairs_index(source).items():
                    merged.setdefault(key, pair)
            continue
        key = _key_of(key_node)
        seen.pop(key, None)
        seen[key] = (key_node, value_node)
    index = {key: pair for key, pair in merged.items() if key not in seen}
    index.update(seen)
    if len(_PAIRS) >= _PAIRS_LIMIT:
        _PAIRS.clear()
    _PAIRS[id(node)] = (node, index)
    return index


def mapping_pairs(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """The key/value node pairs a loader would see, merge keys expanded, last key winning
    (merged keys first, then the mapping's own keys in order)."""
    yield from _pairs_index(node).values()


def find_key(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    return _pairs_index(node).get(key)


def _key_of(key_node: Node) -> Any:
    if isinstance(key_node, ScalarNode):
        return key_node.value
    return id(key_node)


def _last_descendant(node: Node) -> Node | None:
    if isinstance(node, SequenceNode):
        return node.value[-1] if node.value else None
    if isinstance(node, MappingNode):
        return node.value[-1][1] if node.value else None
    return None
