"""Turn a composed YAML node tree into the plain data Prefect would see.

Prefect reads ``prefect.yaml`` with PyYAML's ``safe_load`` (YAML 1.1). The composer has already
resolved each scalar's tag with YAML 1.1 rules; this module constructs values the way PyYAML
does (``1:30:00`` is 5400, ``0777`` is octal, ``on`` is True, dates are ``date`` objects), follows
aliases and ``<<`` merge keys, and records what PyYAML would hide: duplicate keys (last wins),
tags it would refuse, alias expansion that would explode, and nesting too deep to walk.

Aliased nodes become one shared Python object, as in PyYAML, so memory stays proportional to
the text. The *expanded* size is computed separately, and the part of it reached through
aliases is bounded, because anything that walks the data (a schema validator, Prefect itself)
pays for every expansion.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.lazy_regex import lazy_compile

YAML_TAG = "tag:yaml.org,2002:"
STR_TAG = YAML_TAG + "str"
MERGE_TAG = YAML_TAG + "merge"
SEQ_TAG = YAML_TAG + "seq"
MAP_TAG = YAML_TAG + "map"

#: Deeper than this, a document is reported instead of walked (Python's stack is the limit).
MAX_DEPTH = 400


def tag_of(node: Node) -> str:
    """The node's resolved tag as a plain string.

    ruamel wraps tags in ``Tag`` objects whose ``str()`` goes through a translation
    property; this reads the common case (no handle, no %-escapes) directly, which matters
    because rules ask for tags millions of times on large files."""
    ctag: Any = node.ctag  # typed as Tag by ruamel, but a plain str is possible too
    if ctag is None:
        return ""
    if isinstance(ctag, str):
        return ctag
    suffix = ctag.suffix
    if ctag.handle is None and isinstance(suffix, str) and "%" not in suffix:
        return suffix
    return str(ctag)


class DuplicateKey(NamedTuple):
    """``second`` repeats ``first`` in the same mapping; PyYAML keeps the later value."""

    key: Any
    first: Node
    second: Node


class TagProblem(NamedTuple):
    node: Node
    tag: str
    reason: str


class PlainView(NamedTuple):
    """The constructed data plus what construction noticed along the way."""

    data: Any
    duplicates: list[DuplicateKey]
    tag_problems: list[TagProblem]
    #: Mapping or list keys, as ``{{ x }}`` unquoted makes; PyYAML refuses the whole file.
    unhashable_keys: list[Node]
    #: Set when the data is unusable: an alias bomb, recursion, or nesting too deep.
    fatal: str | None
    fatal_node: Node | None
    expanded_size: int  # nodes a full walk visits, aliases followed (0 when not built)
    #: how it was built, kept so that an edited tree can be built again in part
    #: (``rebuild_plain_view``); None when it failed
    builder: _Builder | None = None


class _Fatal(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


class _Builder:
    def __init__(self, max_alias_nodes: int, source: str | None) -> None:
        self.max_alias_nodes = max_alias_nodes
        self.source = source
        self.built: dict[int, Any] = {}
        self.in_progress: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self.tag_problems: list[TagProblem] = []
        self.unhashable_keys: list[Node] = []
        self.seen_mappings: set[int] = set()

    # -- construction -----------------------------------------------------------------------
    def build(self, node: Node, depth: int = 0) -> Any:
        """Construct ``node`` once (an alias reuses the object) and record how many nodes a
        full walk of it would visit, following aliases: the expansion budget."""
        key = id(node)
        if key in self.built:
            return self.built[key]
        if depth > MAX_DEPTH:
            raise _Fatal(f"nesting deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            self.sizes[key] = 1
        else:
            if key in self.in_progress:
                note = _anchor_note(node, self.source)
                raise _Fatal(f"recursive alias: a node contains itself{note}", node)
            self.in_progress.add(key)
            if isinstance(node, SequenceNode):
                self.check_collection_tag(node, YAML_TAG + "seq")
                value = [self.build(item, depth + 1) for item in node.value]
            elif isinstance(node, MappingNode):
                self.check_collection_tag(node, YAML_TAG + "map")
                value = self.mapping(node, depth)
            else:  # pragma: no cover - the composer makes no other node kinds
                raise _Fatal(f"unexpected YAML node {type(node).__name__}", node)
            self.in_progress.discard(key)
            size = 1 + sum(self.sizes.get(id(child), 1) for child in children(node))
            # every node under this one has been built, so the nodes built so far (plus this
            # one) bound how many of the walk's nodes are the document's own: the rest were
            # reached through aliases. A large file without aliases reaches none.
            through_aliases = size - (len(self.sizes) + 1)
            if through_aliases > self.max_alias_nodes:
                raise _Fatal(
                    f"aliases expand to more than {self.max_alias_nodes:,} nodes beyond the "
                    f"document's own (an alias bomb?){_anchor_note(node, self.source)}",
                    node,
                )
            self.sizes[key] = size
        self.built[key] = value
        return value

    def check_collection_tag(self, node: Node, expected: str) -> None:
        tag = tag_of(node)
        if tag not in (expected, YAML_TAG + "omap", YAML_TAG + "pairs", YAML_TAG + "set"):
            reason = (
                "PyYAML's safe loader refuses this tag"
                if tag.startswith(YAML_TAG)
                else "custom tags are not understood by Prefect's loader"
            )
            self.tag_problems.append(TagProblem(node, tag, reason))

    def mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        own: dict[Any, Any] = {}
        own_key_nodes: dict[Any, Node] = {}
        check_duplicates = id(node) not in self.seen_mappings
        self.seen_mappings.add(id(node))
        for key_node, value_node in node.value:
            if key_node.value == "<<" and tag_of(key_node) == MERGE_TAG:
                for source in _merge_sources(value_node):
                    for merged_key, merged_value in self.build(source, depth + 1).items():
                        merged.setdefault(merged_key, merged_value)
                continue
            key = self.build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                self.unhashable_keys.append(key_node)
                key = UnhashableKey(repr(key))
            if check_duplicates and key in own_key_nodes:
                self.duplicates.append(DuplicateKey(key, own_key_nodes[key], key_node))
            own_key_nodes[key] = key_node
            own.pop(key, None)  # a repeated key moves to its last position, as in PyYAML
            own[key] = self.build(value_node, depth + 1)
        if not merged:
            return own
        result = {k: v for k, v in merged.items() if k not in own}
        result.update(own)
        return result

    def scalar(self, node: ScalarNode) -> Any:
        text: str = node.value
        # The composer's resolver already typed untagged plain scalars with PyYAML's patterns
        # (linter.source.parse.PyYamlResolver); explicit tags come from the text.
        tag = tag_of(node)
        if not tag.startswith(YAML_TAG):
            self.tag_problems.append(
                TagProblem(node, tag, "custom tags are not understood by Prefect's loader")
            )
            return text
        kind = tag[len(YAML_TAG) :]
        constructor = _SCALAR_CONSTRUCTORS.get(kind)
        if constructor is None:
            self.tag_problems.append(TagProblem(node, tag, "PyYAML's safe loader refuses this tag"))
            return text
        try:
            return constructor(text)
        except (ValueError, OverflowError, binascii.Error) as error:
            self.tag_problems.append(TagProblem(node, tag, f"not a valid {kind}: {error}"))
            return text


def build_plain_view(
    root: Node | None, source: str | None = None, max_alias_nodes: int = 1_000_000
) -> PlainView:
    """Construct ``root`` as PyYAML's safe loader would, with the checks described above.
    ``max_alias_nodes`` bounds the nodes a full walk reaches through aliases, beyond the
    document's own nodes (which the file size already bounds).

    ``source`` is the text the nodes were composed from; it tells explicit tags from implicit
    ones, so plain scalars can be typed by PyYAML's own YAML 1.1 patterns."""
    builder = _Builder(max_alias_nodes, source)
    data, fatal, fatal_node, expanded_size = None, None, None, 0
    if root is not None:
        try:
            data = builder.build(root)
            expanded_size = builder.sizes.get(id(root), 1)
        except _Fatal as error:
            fatal, fatal_node = str(error), error.node
    return PlainView(data, builder.duplicates, builder.tag_problems, builder.unhashable_keys,
                     fatal, fatal_node, expanded_size, None if fatal else builder)


def rebuild_plain_view(previous: PlainView, root: Node, replaced: Sequence[Node],
                       changed: Sequence[Node], source: str) -> PlainView | None:
    """The view of a tree that is ``previous``'s tree with the nodes in ``replaced`` (whole
    subtrees, aliases to nodes outside them aside) swapped for new ones, ``changed`` being
    the collections that hold them (root first): only those are constructed again, the rest
    is reused. None when ``previous`` cannot be reused (it failed, or a changed collection
    has a tag or key that construction reports), or when the new nodes fail. ``previous``
    must not be used afterwards: its builder now describes the new tree.

    The view is the one ``build_plain_view`` gives for the new tree, but for the order of its
    problem lists: the new nodes' problems come last."""
    builder = previous.builder
    if builder is None:
        return None
    for node in changed:
        if tag_of(node) not in (SEQ_TAG, MAP_TAG) or (
                isinstance(node, MappingNode)
                and any(not isinstance(key, ScalarNode) for key, _ in node.value)):
            return None
    gone = {id(node) for node in replaced}
    for key in gone | {id(node) for node in changed}:
        builder.built.pop(key, None)
        builder.sizes.pop(key, None)
    builder.seen_mappings -= gone
    builder.source = source
    builder.duplicates = [d for d in builder.duplicates if id(d.second) not in gone]
    builder.tag_problems = [t for t in builder.tag_problems if id(t.node) not in gone]
    builder.unhashable_keys = [n for n in builder.unhashable_keys if id(n) not in gone]
    try:
        data = builder.build(root)
    except _Fatal:
        return None
    return PlainView(data, builder.duplicates, builder.tag_problems, builder.unhashable_keys,
                     None, None, builder.sizes.get(id(root), 1), builder)


def iter_nodes(*roots: Node | None) -> Iterator[Node]:
    """Every distinct node under ``roots`` once (keys included), without recursion, so an
    alias is not walked twice and deep documents cost no stack."""
    stack: list[Node] = [root for root in roots if root is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(children(node))


def children(node: Node) -> Iterator[Node]:
    """A collection's items, or its keys and values in order (nothing for a scalar)."""
    if isinstance(node, SequenceNode):
        yield from node.value
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            yield key_node
            yield value_node


def _merge_sources(value_node: Node) -> list[Node]:
    if isinstance(value_node, MappingNode):
        return [value_node]
    if isinstance(value_node, SequenceNode):
        return [item for item in value_node.value if isinstance(item, MappingNode)]
    return []


def _anchor_note(node: Node, source: str | None = None) -> str:
    """' at anchor &name' for an anchored node. The C composer keeps no anchor on nodes, but
    a node's start mark is where its properties begin, so the name is read from the text."""
    anchor = getattr(node, "anchor", None)
    name = getattr(anchor, "value", anchor)
    if not name and source is not None:
        index = node.start_mark.index
        if source.startswith("&", index):
            end = index + 1
            while end < len(source) and not source[end].isspace() and source[end] not in ",[]{}":
                end += 1
            name = source[index + 1 : end]
    return f" at anchor &{name}" if name else ""


class UnhashableKey(str):
    """A mapping or list used as a key; PyYAML refuses these, we keep a readable stand-in."""


# PyYAML's implicit resolvers for YAML 1.1 (ruamel's 1.1 mode differs in small ways, e.g. it
# reads `y` and `n` as booleans and `1e3` as a float; PyYAML reads both as strings).
_IMPLICIT = (
    ("bool", lazy_compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
                        r"|on|On|ON|off|Off|OFF)$")),
    ("float", lazy_compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
                         r"|\.[0-9_]+(?:[eE][-+][0-9]+)?"
                         r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
                         r"|[-+]?\.(?:inf|Inf|INF)"
                         r"|\.(?:nan|NaN|NAN))$")),
    ("int", lazy_compile(r"^(?:[-+]?0b[0-1_]+"
                       r"|[-+]?0[0-7_]+"
                       r"|[-+]?(?:0|[1-9][0-9_]*)"
                       r"|[-+]?0x[0-9a-fA-F_]+"
                       r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")),
    ("merge", lazy_compile(r"^(?:<<)$")),
    ("null", lazy_compile(r"^(?:~|null|Null|NULL|)$")),
    ("timestamp", lazy_compile(r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
                             r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
                             r"(?:[Tt]|[ \t]+)[0-9][0-9]?"
                             r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
                             r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")),
    ("value", lazy_compile(r"^(?:=)$")),
)


#: First characters a non-string plain scalar can start with (anything else is a string).
_NON_STRING_STARTS = frozenset("0123456789+-.~<=yYnNtTfFoO")


def implicit_tag(text: str) -> str:
    """The tag PyYAML gives a plain scalar with this text."""
    if text and text[0] not in _NON_STRING_STARTS:
        return STR_TAG
    for kind, pattern in _IMPLICIT:
        if pattern.match(text):
            return YAML_TAG + kind
    return STR_TAG


# -- scalar constructors (YAML 1.1, as PyYAML's SafeConstructor) ------------------------------


def _construct_null(_: str) -> None:
    return None


_BOOL_TRUE = {"yes", "true", "on", "y"}


def _construct_bool(text: str) -> bool:
    return text.lower() in _BOOL_TRUE


def _construct_int(text: str) -> int:
    sign, value = _split_sign(text.replace("_", ""))
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value.startswith("0") and ":" not in value:
        return sign * int(value, 8)
    if ":" in value:
        return sign * int(_sexagesimal(value, int))
    return sign * int(value)


def _construct_float(text: str) -> float:
    sign, value = _split_sign(text.replace("_", "").lower())
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:
        return sign * float(_sexagesimal(value, float))
    return sign * float(value)


def _split_sign(value: str) -> tuple[int, str]:
    """The sign of a YAML number (1 or -1) and its digits without the sign."""
    if value[:1] == "-":
        return -1, value[1:]
    if value[:1] == "+":
        return 1, value[1:]
    return 1, value


def _sexagesimal(value: str, kind: type[Any]) -> Any:
    digits = [kind(part) for part in value.split(":")]
    total = kind(0)
    for digit in digits:
        total = total * 60 + digit
    return total


_TIMESTAMP = lazy_compile(
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]*))?"
    r"(?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?)?$"
)


def _construct_timestamp(text: str) -> dt.date | dt.datetime:
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a timestamp")
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"]), int(parts["day"])
    if parts["hour"] is None:
        return dt.date(year, month, day)
    fraction = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
    tzinfo: dt.tzinfo | None = None
    if parts["tz_sign"]:
        offset = dt.timedelta(
            hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0)
        )
        tzinfo = dt.timezone(-offset if parts["tz_sign"] == "-" else offset)
    elif parts["tz"]:
        tzinfo = dt.timezone.utc
    return dt.datetime(
        year,
        month,
        day,
        int(parts["hour"]),
        int(parts["minute"]),
        int(parts["second"]),
        fraction,
        tzinfo=tzinfo,
    )


def _construct_binary(text: str) -> bytes:
    return base64.decodebytes(text.encode("ascii"))


def _construct_str(text: str) -> str:
    return text


_SCALAR_CONSTRUCTORS = {
    "str": _construct_str,
    "null": _construct_null,
    "bool": _construct_bool,
    "int": _construct_int,
    "float": _construct_float,
    "timestamp": _construct_timestamp,
    "binary": _construct_binary,
    "value": _construct_str,
}
