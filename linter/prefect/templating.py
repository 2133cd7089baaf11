"""Prefect's ``{{ ... }}`` placeholders: find them in a string and locate them in the source.

Prefect's grammar is one regular expression (``PLACEHOLDER_CAPTURE_REGEX`` in
``prefect/utilities/templating/__init__.py``): a name made of word characters, ``.``, ``-``,
``[``, ``]`` and ``$`` between ``{{`` and ``}}``. Anything else between braces (``{{ a b }}``,
``{{ x | upper }}``, ``{{ 'lit' }}``) is not a placeholder: Prefect leaves it as literal text.
The name's prefix decides the kind: ``prefect.blocks.`` (block document), ``prefect.variables.``
(variable), ``$`` (environment variable), anything else standard (a step output, a CLI
``--job-variable``, or ``ctx.*`` at run time).

Offsets are first computed in the scalar's *value*; ``source_span`` maps them back to the text.
That mapping is exact when the placeholder's characters appear literally in the scalar's source
(plain, quoted without escapes inside the braces, block scalars); otherwise the whole scalar is
underlined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from enum import Enum
from typing import NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Span
from linter.lazy_regex import lazy_compile
from linter.source.view import STR_TAG, tag_of

#: Prefect 3.9.1's grammar, character for character.
PLACEHOLDER_CAPTURE_REGEX = lazy_compile(r"({{\s*([\w\.\-\[\]$]+)\s*}})")

#: Anything between double braces, to find what Prefect's grammar does not accept.
_BRACES = lazy_compile(r"{{(.*?)}}", re.DOTALL)

BLOCK_PREFIX = "prefect.blocks."
VARIABLE_PREFIX = "prefect.variables."
ENV_PREFIX = "$"
RUNTIME_PREFIX = "ctx."

#: Block type slugs and block document names (prefect/types/names.py).
BLOCK_NAME_PATTERN = lazy_compile(r"^[a-z0-9-]+$")
#: Variable names (prefect/types/names.py ``VariableName``).
VARIABLE_NAME_PATTERN = lazy_compile(r"^[a-z0-9_-]*$")
MAX_VARIABLE_NAME_LENGTH = 255


class PlaceholderKind(str, Enum):
    STANDARD = "standard"
    BLOCK = "block_document"
    VARIABLE = "variable"
    ENV = "env_var"


def placeholder_kind(name: str) -> PlaceholderKind:
    """The kind Prefect's ``determine_placeholder_type`` gives a name."""
    if name.startswith(BLOCK_PREFIX):
        return PlaceholderKind.BLOCK
    if name.startswith(VARIABLE_PREFIX):
        return PlaceholderKind.VARIABLE
    if name.startswith(ENV_PREFIX):
        return PlaceholderKind.ENV
    return PlaceholderKind.STANDARD


class Placeholder(NamedTuple):
    """One ``{{ name }}`` Prefect recognises; ``start``/``end`` index the string value."""

    text: str
    name: str
    kind: PlaceholderKind
    start: int
    end: int

    @property
    def path(self) -> list[str]:
        """The name split as ``get_from_dict`` splits it (``a.b[0]`` -> ``a``, ``b``, ``0``)."""
        return self.name.replace("[", ".").replace("]", "").split(".")

    @property
    def head(self) -> str:
        return self.path[0]


class MalformedPlaceholder(NamedTuple):
    """Text between double braces that Prefect's grammar does not accept."""

    text: str
    inner: str
    start: int
    end: int


def find_placeholders(value: str) -> list[Placeholder]:
    """Every placeholder in ``value``, in order of appearance."""
    return [
        Placeholder(match.group(1), match.group(2), placeholder_kind(match.group(2)),
                    match.start(1), match.end(1))
        for match in PLACEHOLDER_CAPTURE_REGEX.finditer(value)
    ]


def is_whole_value(value: str, placeholders: list[Placeholder]) -> bool:
    """Prefect replaces a value by the referenced object itself (keeping its type) only when
    the value is exactly one placeholder; otherwise it substitutes text."""
    return len({p.text for p in placeholders}) == 1 and placeholders[0].text == value


def find_malformed(value: str) -> list[MalformedPlaceholder]:
    """Double-brace groups that Prefect leaves as literal text because they do not match its
    grammar: spaces inside the name, filters, quotes, calls, empty braces."""
    accepted = [(p.start, p.end) for p in find_placeholders(value)]
    found: list[MalformedPlaceholder] = []
    for match in _BRACES.finditer(value):
        start, end = match.span()
        if any(a_start <= start < a_end or start <= a_start < end for a_start, a_end in accepted):
            continue
        inner = match.group(1)
        if "{{" in inner:  # an opening brace pair inside: only judge the innermost group
            continue
        found.append(MalformedPlaceholder(match.group(0), inner, start, end))
    return found


def source_span(node: ScalarNode, text: str, pieces: list[tuple[int, int]]) -> list[Span]:
    """Spans in ``text`` of the pieces (value offsets) of the scalar ``node``'s value.

    Each piece's characters are searched for in the scalar's source, in order; a piece that
    cannot be found literally (escaped characters, a folded line break) gets the whole
    scalar's span, as do all later pieces."""
    value: str = node.value
    start = node.start_mark.index
    end = node.end_mark.index
    source = text[start:end]
    whole = Span(start, max(start, end))
    spans: list[Span] = []
    cursor = 0
    lost = False
    for piece_start, piece_end in pieces:
        wanted = value[piece_start:piece_end]
        found = -1 if lost else source.find(wanted, cursor)
        if found < 0 or not wanted:
            lost = True
            spans.append(whole)
            continue
        spans.append(Span(start + found, start + found + len(wanted)))
        cursor = found + len(wanted)
    return spans


def block_placeholder_problem(name: str) -> str | None:
    """Why a ``prefect.blocks.`` name cannot resolve, or None when its shape is fine."""
    rest = name[len(BLOCK_PREFIX):]
    parts = rest.split(".", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return (
            "a block placeholder needs a block type and a block name: "
            "`prefect.blocks.<block-type-slug>.<block-document-name>`"
        )
    slug, document_name = parts[0], parts[1]
    for what, part in (("block type slug", slug), ("block document name", document_name)):
        if not BLOCK_NAME_PATTERN.match(part):
            return (
                f'the {what} "{part}" can only contain lowercase letters, digits and dashes'
            )
    return None


def variable_placeholder_problem(name: str) -> str | None:
    """Why a ``prefect.variables.`` name cannot name a variable, or None."""
    variable = name[len(VARIABLE_PREFIX):]
    if not variable:
        return "the variable name is empty"
    if len(variable) > MAX_VARIABLE_NAME_LENGTH:
        return f"a variable name has at most {MAX_VARIABLE_NAME_LENGTH} characters"
    if not VARIABLE_NAME_PATTERN.match(variable):
        return (
            f'the variable name "{variable}" can only contain lowercase letters, digits, '
            "dashes and underscores"
        )
    return None


def iter_placeholder_spans(
    node: ScalarNode, text: str
) -> Iterator[tuple[Placeholder, Span]]:
    """Each placeholder of a string scalar with its span in the source."""
    placeholders = find_placeholders(node.value)
    spans = source_span(node, text, [(p.start, p.end) for p in placeholders])
    yield from zip(placeholders, spans, strict=True)


ScalarPath = tuple[str | int, ...]


def string_scalars(
    node: Node | None,
    path: ScalarPath = (),
    skip: Callable[[ScalarPath], bool] | None = None,
    done: set[int] | None = None,
) -> Iterator[tuple[ScalarPath, ScalarNode]]:
    """Every string scalar under ``node`` (values, not keys), with its path, following aliases
    and merge keys as the loader does. ``skip`` prunes a path and everything under it.
    ``done``, shared across calls, prunes collections an earlier call already walked (an
    aliased subtree used by thousands of deployments is walked once)."""
    from linter.source.document import mapping_pairs

    seen: set[int] = done if done is not None else set()
    pending: list[tuple[Node | None, ScalarPath]] = [(node, path)]
    while pending:
        current, current_path = pending.pop()
        if current is None or (skip is not None and skip(current_path)):
            continue
        if isinstance(current, ScalarNode):
            if isinstance(current.value, str) and tag_of(current) == STR_TAG:
                yield current_path, current
            continue
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, MappingNode):
            children = [
                (value, (*current_path, key.value))
                for key, value in mapping_pairs(current)
                if isinstance(key, ScalarNode)
            ]
        elif isinstance(current, SequenceNode):
            children = [(value, (*current_path, i)) for i, value in enumerate(current.value)]
        else:
            children = []
        pending.extend(reversed(children))
