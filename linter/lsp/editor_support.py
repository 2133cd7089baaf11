"""What the language server needs that does not depend on the LSP library: position
conversion, the YAML path under the cursor, and schema look-ups for hover and completion.

LSP positions are 0-based lines and columns counted in the negotiated encoding (UTF-16 code
units unless the client offers another); ours are 1-based rows and columns in code points,
so a character outside the Basic Multilingual Plane (an emoji) is one column for us and two
UTF-16 units for the editor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.lazy_regex import lazy_compile
from linter.source.document import Document, LineIndex

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ANY_ITEM = "*"  # a list item of any index, in completion paths

PathPart = str | int


# -- positions --------------------------------------------------------------------------------


def units(text: str, encoding: str = UTF16) -> int:
    """Length of ``text`` in the code units of ``encoding``."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def lsp_position(lines: LineIndex, offset: int, encoding: str = UTF16) -> tuple[int, int]:
    """(line, character) of a character offset, 0-based, in ``encoding`` units."""
    position = lines.position(offset)
    line_start = lines.starts[position.row - 1]
    return position.row - 1, units(lines.text[line_start : line_start + position.column - 1],
                                   encoding)


def offset_at(lines: LineIndex, line: int, character: int, encoding: str = UTF16) -> int:
    """The character offset of an LSP position (clamped to its line, as the spec asks)."""
    if line >= lines.row_count:
        return lines.length
    span = lines.line_span(line + 1)
    text = lines.text[span.start : span.end]
    if encoding == UTF32:
        return span.start + min(character, len(text))
    counted = 0
    for index, char in enumerate(text):
        if counted >= character:
            return span.start + index
        counted += units(char, encoding)
    return span.end


def minimal_edit(old: str, new: str) -> tuple[int, int, str]:
    """One replacement ``(start, end, content)`` on ``old`` that gives ``new``."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]


# -- the node under the cursor ----------------------------------------------------------------


class KeyAtCursor(NamedTuple):
    path: tuple[PathPart, ...]  # the path of the key (its mapping's path + the key)
    start: int
    end: int


def key_at(document: Document, offset: int) -> KeyAtCursor | None:
    """The mapping key whose text contains ``offset``, with its path."""
    root = document.root
    if root is None:
        return None
    path: list[PathPart] = []
    node: Node = root
    seen: set[int] = set()
    while id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                key_span = Document.node_span(key)
                if key_span.start <= offset <= key_span.end and isinstance(key, ScalarNode):
                    return KeyAtCursor((*path, str(key.value)), key_span.start, key_span.end)
                if _contains(value, offset):
                    path.append(str(key.value) if isinstance(key, ScalarNode) else "?")
                    node = value
                    break
            else:
                return None
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                if _contains(item, offset):
                    path.append(index)
                    node = item
                    break
            else:
                return None
        else:
            return None
    return None


def _contains(node: Node, offset: int) -> bool:
    span = Document.node_span(node)
    return span.start <= offset <= span.end


# -- schema look-ups --------------------------------------------------------------------------


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any],
             depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """``schema`` with ``$ref`` followed and ``allOf``/``anyOf``/``oneOf`` spread out."""
    if depth > 20 or not isinstance(schema, Mapping):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        if isinstance(target, Mapping):
            yield from _resolve(target, root, depth + 1)
    yield schema
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, ()) or ():
            yield from _resolve(branch, root, depth + 1)
    for keyword in ("then", "else"):
        if isinstance(schema.get(keyword), Mapping):
            yield from _resolve(schema[keyword], root, depth + 1)


def schemas_at(root: Mapping[str, Any], path: Sequence[PathPart]) -> list[Mapping[str, Any]]:
    """Every subschema that may describe the value at ``path`` (best effort)."""
    current: list[Mapping[str, Any]] = [root]
    for part in path:
        following: list[Mapping[str, Any]] = []
        for schema in current:
            for candidate in _resolve(schema, root):
                if isinstance(part, int) or part == ANY_ITEM:
                    items = candidate.get("items")
                    if isinstance(items, Mapping):
                        following.append(items)
                    continue
                properties = candidate.get("properties")
                if isinstance(properties, Mapping) and part in properties:
                    following.append(properties[part])
                    continue
                for pattern, sub in (candidate.get("patternProperties") or {}).items():
                    if re.search(pattern, part):
                        following.append(sub)
        current = following
        if not current:
            break
    return current


def describe_key(root: Mapping[str, Any], path: Sequence[PathPart]) -> str | None:
    """Markdown for a hover on the key at ``path``: title, description, type, allowed values."""
    parts: list[str] = []
    seen: set[str] = set()
    for schema in schemas_at(root, path):
        for candidate in _resolve(schema, root):
            title, description = candidate.get("title"), candidate.get("description")
            for text, shown in ((title, f"**{title}**"), (description, description)):
                if isinstance(text, str) and text not in seen:
                    seen.add(text)
                    parts.append(str(shown))
            kind = candidate.get("type")
            if kind and f"type:{kind}" not in seen:
                seen.add(f"type:{kind}")
                kinds = kind if isinstance(kind, list) else [kind]
                parts.append("Type: " + " or ".join(f"`{k}`" for k in kinds))
            enum = candidate.get("enum")
            if isinstance(enum, list) and "enum" not in seen:
                seen.add("enum")
                parts.append("One of: " + ", ".join(f"`{v}`" for v in enum))
    return "\n\n".join(parts) if parts else None


def key_completions(root: Mapping[str, Any],
                    parent: Sequence[PathPart]) -> dict[str, str]:
    """Key name -> short description, for the mapping at ``parent``."""
    found: dict[str, str] = {}
    for schema in schemas_at(root, parent):
        for candidate in _resolve(schema, root):
            for name, sub in (candidate.get("properties") or {}).items():
                if name in found:
                    continue
                text = ""
                for resolved in _resolve(sub, root):
                    text = resolved.get("description") or resolved.get("title") or ""
                    if text:
                        break
                found[name] = str(text)
    return found


def value_completions(root: Mapping[str, Any], path: Sequence[PathPart]) -> dict[str, str]:
    """Value as written in YAML -> description, for the value at ``path``: the allowed values
    of an ``enum`` or ``const``, and ``true``/``false`` for a boolean."""
    found: dict[str, str] = {}
    for schema in schemas_at(root, path):
        for candidate in _resolve(schema, root):
            found.update((text, "") for text in schema_values(candidate) if text not in found)
    return found


def schema_values(schema: Mapping[str, Any]) -> list[str]:
    """The values one (resolved) subschema allows by itself, written as YAML scalars."""
    values: list[Any] = list(schema.get("enum") or ())
    if "const" in schema:
        values.append(schema["const"])
    kinds = schema.get("type")
    if kinds == "boolean" or (isinstance(kinds, list) and "boolean" in kinds):
        values += [True, False]
    return [yaml_scalar(value) for value in values
            if value is None or isinstance(value, (str, int, float, bool))]


#: A plain scalar may not start with these (or would mean something else).
_QUOTE_STARTS = frozenset("!&*{}[]|>'\"%@`#,?:-~ ")


def yaml_scalar(value: Any) -> str:
    """How to write ``value`` so that YAML (1.1, as Prefect loads it) reads it back."""
    import json

    from linter.source.view import STR_TAG, implicit_tag

    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        plain = (value and value[0] not in _QUOTE_STARTS and value == value.strip()
                 and ": " not in value and " #" not in value
                 and implicit_tag(value) == STR_TAG)
        return value if plain else json.dumps(value)
    return json.dumps(value)


# -- completion context from the text (works while the file does not parse) ------------------

_LINE = lazy_compile(r"^(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)(?P<rest>.*)$")
_KEY = lazy_compile(r"""^(?P<key>[^\s#:'"{}\[\],&*!|>%@`][^#:]*?|"[^"]*"|'[^']*')\s*:(?:\s|$)""")


class CompletionContext(NamedTuple):
    parent: tuple[PathPart, ...]  # path of the mapping (or list) the cursor is in
    prefix: str  # what is typed of the key so far
    list_item: bool  # the cursor follows a `- `
    siblings: frozenset[str]  # keys already in that mapping (before the cursor)
    value_of: str | None = None  # the key whose value is being typed (`key: |`)


def _key_of(rest: str) -> str | None:
    match = _KEY.match(rest)
    if match is None:
        return None
    return match.group("key").strip().strip("'\"")


def completion_context(text: str, line: int, character_codepoints: int) -> CompletionContext:
    """Where the cursor is, judged by indentation: the keys of the lines above it with less
    indentation (and the list items between) make the parent path."""
    lines = text.splitlines()
    current = lines[line] if line < len(lines) else ""
    before = current[:character_codepoints]
    match = _LINE.match(before)
    assert match is not None
    content_indent = len(match.group("indent")) + len(match.group("dashes"))
    rest = match.group("rest")
    list_item = bool(match.group("dashes"))
    value_of = None
    key = _key_of(rest)
    if key is not None:
        value_of = key
        prefix = rest.split(":", 1)[1].strip()
    else:
        prefix = rest.strip()
    parent: list[PathPart] = []
    target = content_indent
    siblings: set[str] = set()
    collecting_siblings = True
    if list_item:  # a new item: its parent is the list, found above at the dash's indent
        parent.append(ANY_ITEM)
        target = len(match.group("indent"))
        collecting_siblings = False
    for above in reversed(lines[:line]):
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        above_match = _LINE.match(above)
        assert above_match is not None
        dash_indent = len(above_match.group("indent"))
        key_indent = dash_indent + len(above_match.group("dashes"))
        above_key = _key_of(above_match.group("rest"))
        if key_indent == target and above_key is not None and collecting_siblings:
            siblings.add(above_key)
        if key_indent < target and above_key is not None:
            parent.insert(0, above_key)
            target = key_indent
            collecting_siblings = False
        if above_match.group("dashes") and dash_indent < target:
            parent.insert(0, ANY_ITEM)
            target = dash_indent
            collecting_siblings = False
        if target == 0:
            break
    if value_of is not None:
        parent.append(value_of)
    return CompletionContext(tuple(parent), prefix, list_item, frozenset(siblings), value_of)


def pool_name_at(text: str, line: int) -> str | None:
    """The ``name:`` of the ``work_pool:`` block that holds ``line``, judged by indentation:
    a half-typed document does not parse, and completion must still know the pool."""
    lines = text.splitlines()
    if line >= len(lines):
        return None
    pool_line, pool_indent = _ancestor(lines, line, "work_pool")
    if pool_line is None:
        return None
    child_indent: int | None = None
    for index in range(pool_line + 1, len(lines)):
        match = _LINE.match(lines[index])
        if index == line or match is None or not lines[index].strip() or lines[
                index].lstrip().startswith("#"):
            continue
        indent = len(match.group("indent")) + len(match.group("dashes"))
        if indent <= pool_indent or match.group("dashes"):
            break
        child_indent = indent if child_indent is None else child_indent
        rest = match.group("rest")
        if indent == child_indent and _key_of(rest) == "name":
            return _plain_value(rest.split(":", 1)[1])
    return None


def _ancestor(lines: Sequence[str], line: int, key: str) -> tuple[int | None, int]:
    """The line and key indentation of the nearest enclosing ``key:`` above ``line``."""
    match = _LINE.match(lines[line])
    assert match is not None
    target = len(match.group("indent")) + len(match.group("dashes"))
    for index in range(line - 1, -1, -1):
        above = lines[index]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        above_match = _LINE.match(above)
        assert above_match is not None
        indent = len(above_match.group("indent")) + len(above_match.group("dashes"))
        if indent < target:
            if _key_of(above_match.group("rest")) == key:
                return index, indent
            target = indent
            if above_match.group("dashes"):
                target = len(above_match.group("indent"))
        if target == 0:
            break
    return None, 0


def _plain_value(written: str) -> str | None:
    """A scalar as written after ``key:`` (quotes and a trailing comment removed); None for
    nothing, a template placeholder, or a flow collection."""
    value = written.split(" #", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if not value or "{{" in value or value[0] in "[{&*!|>":
        return None
    return value


# -- placeholders being typed ---------------------------------------------------------------------

#: An unclosed ``{{`` before the cursor and the name typed after it so far.
_OPEN_PLACEHOLDER = lazy_compile(r"\{\{\s*(?P<name>[A-Za-z0-9_.\-]*)$")
PLACEHOLDER_ROOTS = ("prefect.blocks.", "prefect.variables.")


def typed_placeholder(before_cursor: str) -> str | None:
    """The name typed so far inside an unclosed ``{{`` just before the cursor, when it can
    still become a block or variable placeholder (``pre``, ``prefect.blocks.se``); else None."""
    match = _OPEN_PLACEHOLDER.search(before_cursor)
    if match is None:
        return None
    name = match.group("name")
    if any(root.startswith(name) or name.startswith(root) for root in PLACEHOLDER_ROOTS):
        return name
    return None
