"""Compose YAML text into ruamel.yaml nodes, resolving scalar tags by YAML 1.1 rules.

Only composition happens here: no Python object is constructed, so no tag in the file
(``!!python/object/apply`` included) can run code. Errors become ``YamlSyntaxError`` with a
character offset and a message written for people.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from linter.lazy_regex import lazy_compile
from linter.source.errors import ParseError, YamlSyntaxError
from linter.source.view import MAP_TAG, SEQ_TAG, STR_TAG, implicit_tag


@lru_cache(maxsize=1)
def has_c_composer() -> bool:
    try:
        import _ruamel_yaml  # noqa: F401
    except ImportError:
        return False
    return True


class PyYamlResolver:
    """Resolves the tags of untagged nodes exactly as PyYAML (YAML 1.1) does.

    ruamel's own 1.1 mode differs from PyYAML in details (it reads `y` as a boolean and
    `1e3` as a float) and is slow: it looks up the processing version for every scalar. This
    one uses PyYAML's patterns behind a first-character shortcut, and composes large files
    about a third faster."""

    def __init__(self, version: object = None, loadumper: object = None,
                 loader: object = None) -> None:
        self.loadumper = loadumper
        # ruamel.yaml 0.19's pure-Python loader compares it with the version it reads
        self._loader_version = version

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return implicit_tag(str(value)) if implicit[0] else STR_TAG
        if kind is SequenceNode:
            return SEQ_TAG
        return MAP_TAG

    @property
    def processing_version(self) -> None:
        return None


class _PureResolver(PyYamlResolver):
    """For ruamel's pure-Python composer, which wants its own ``Tag`` objects."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> Any:
        from ruamel.yaml.tag import Tag

        return Tag(suffix=super().resolve(kind, value, implicit))

    @property
    def processing_version(self) -> tuple[int, int]:  # type: ignore[override]
        return (1, 1)  # as PyYAML reads files; the parser compares it with (1, 1)


def _loader() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _PureResolver
    return yaml


@lru_cache(maxsize=1)
def _c_composer() -> type | None:
    """libyaml's parser with ruamel's composer (both in C) and our resolver, as one class.

    ``YAML().compose_all`` builds this same combination anew for every call (a new class, a
    constructor it does not need): a quarter of a millisecond per file, which is a tenth of
    checking a small one."""
    if not has_c_composer():
        return None
    from _ruamel_yaml import CParser

    class Composer(CParser, PyYamlResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self

    return Composer


def _compose_all(text: str) -> Iterator[Node]:
    composer_class = _c_composer()
    if composer_class is None:
        yield from _loader().compose_all(text)
        return
    composer = composer_class(text)
    try:
        while composer.check_node():
            yield composer.get_node()
    finally:
        composer.dispose()


#: Deeper than this, a document is not composed: the C composer recurses once per level and
#: a few tens of thousands of levels overflow the C stack (the process dies, exit 139, and
#: every other file's results with it). Real files nest a dozen levels; PyYAML, and so
#: Prefect, gives up after a few hundred.
MAX_NESTING = 5_000


def compose_documents(text: str) -> list[Node]:
    """All documents of the stream (an empty stream gives an empty list)."""
    try:
        if has_c_composer():
            _refuse_deep_nesting(text)
        return [root for root in _compose_all(text) if root is not None]
    except MarkedYAMLError as error:
        raise YamlSyntaxError(_marked_error(error, text)) from None
    except YAMLError as error:
        raise YamlSyntaxError(_plain_error(error, text)) from None
    except RecursionError:
        raise YamlSyntaxError(
            ParseError("the document is nested too deeply for the YAML parser", 0)
        ) from None


def _refuse_deep_nesting(text: str) -> None:
    """Raise ``YamlSyntaxError`` when a document nests deeper than ``MAX_NESTING``.

    Cheap first (``_surely_shallow``); when that cannot tell, libyaml's parser, which keeps
    its own stack on the heap, gives the exact depth event by event (about half the cost of
    composing)."""
    if _surely_shallow(text):
        return
    offset = _first_offset_deeper_than(text, MAX_NESTING)
    if offset is not None:
        raise YamlSyntaxError(ParseError(
            f"too deeply nested to read: more than {MAX_NESTING:,} levels (Prefect's YAML "
            "loader fails on it too)", offset))


#: Flow collections with nothing inside that could hide or be a bracket: no nested
#: collection, quote, comment, tag or line break. Such a ``[`` is either a real opener whose
#: ``]`` is its real closer (a leaf collection), or not an opener at all.
_FLOW_LEAF = lazy_compile(r"\[[^\[\]{}'\"#!\r\n]*\]|\{[^\[\]{}'\"#!\r\n]*\}")
_LEAF_PASSES = 3


def _surely_shallow(text: str) -> bool:
    """A bound on the depth, sure to be at or above it, in a few passes of C string code.

    Flow nesting needs one ``[`` or ``{`` per level; each pass that removes leaf collections
    lowers the depth by at most one, so the openers left plus the passes bound the flow
    depth. Block nesting moves at least one column to the right every two levels, so twice
    the longest line bounds it."""
    openers = text.count("[") + text.count("{")
    if openers > MAX_NESTING // 2:
        remaining = text
        for _ in range(_LEAF_PASSES):
            remaining, removed = _FLOW_LEAF.subn("", remaining)
            openers -= removed
            if not removed:
                break
        openers += _LEAF_PASSES
    if openers > MAX_NESTING // 2:
        return False
    return max(map(len, text.split("\n"))) < MAX_NESTING // 4


def _first_offset_deeper_than(text: str, limit: int) -> int | None:
    """Where the first collection deeper than ``limit`` starts; None when there is none or
    the text does not parse (composing it then reports the error, no deeper than here)."""
    from _ruamel_yaml import CParser
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > limit:
                    return _mark_offset(event.start_mark, text)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None
    finally:
        parser.dispose()
    return None


def _mark_offset(mark: object, text: str) -> int:
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index <= len(text):
        return index
    return 0


def _marked_error(error: MarkedYAMLError, text: str) -> ParseError:
    problem = (error.problem or "invalid YAML").strip()
    offset = _mark_offset(error.problem_mark, text) if error.problem_mark else 0
    context = error.context.strip() if error.context else None
    context_offset = _mark_offset(error.context_mark, text) if error.context_mark else None
    message = problem
    if context:
        message = f"{problem} ({context})"
    return ParseError(_readable(message, text, offset), offset, context, context_offset)


def _plain_error(error: YAMLError, text: str) -> ParseError:
    position = getattr(error, "position", None)
    offset = position if isinstance(position, int) and 0 <= position <= len(text) else 0
    reason = getattr(error, "reason", None)
    character = getattr(error, "character", None)
    if reason and character is not None:
        code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
        message = f"{reason}: character #x{code:04x} is not allowed in YAML"
    else:
        message = str(error).strip().splitlines()[0] if str(error).strip() else "invalid YAML"
    return ParseError(message, offset)


def _readable(message: str, text: str, offset: int) -> str:
    """Add a hint for the mistakes people make most often in prefect.yaml."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if "{{" in line and ("mapping" in message or "flow" in message or "hashable" in message):
        return f"{message}; a {{{{ placeholder }}}} must be quoted, e.g. \"{{{{ name }}}}\""
    if line.lstrip().startswith(("<<<<<<<", "=======", ">>>>>>>")):
        return f"{message}; the file contains a git merge-conflict marker"
    if "\t" in line[: len(line) - len(line.lstrip())]:
        return f"{message}; YAML does not allow tabs for indentation"
    return message
