"""Splicing a re-parsed deployment into the previous tree gives exactly the tree, positions
and plain data that parsing the whole edited text gives (linter.source.splice)."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.source.document import Document
from linter.source.splice import Items, common_affixes, nodes_before, sequence_items, splice
from linter.source.view import tag_of
from tests.conftest import REPO, corpus_params

sys.path.insert(0, str(REPO / "benchmarks"))
from run import generated_file

KEY = "deployments"
LETTERS = "abz019 _."
SPECIALS = ":-'\"{}[]#&*!,|>%@`"


def _marks(node: Node) -> tuple[int, int, int, int, int, int]:
    s, e = node.start_mark, node.end_mark
    return (s.index, s.line, s.column, e.index, e.line, e.column)


def same_tree(parsed: Node | None, spliced: Node | None) -> None:
    """The two trees are alike node for node (kind, tag, value, anchor, style, positions),
    and share nodes (aliases) in the same places."""
    pairs: dict[int, int] = {}
    stack: list[tuple[Any, Any, str]] = [(parsed, spliced, "root")]
    while stack:
        a, b, where = stack.pop()
        if a is None or b is None:
            assert a is b, where
            continue
        if id(a) in pairs:
            assert pairs[id(a)] == id(b), f"{where}: shared differently"
            continue
        pairs[id(a)] = id(b)
        assert type(a) is type(b), where
        assert tag_of(a) == tag_of(b), where
        assert a.anchor == b.anchor, where
        assert _marks(a) == _marks(b), f"{where}: {_marks(a)} != {_marks(b)}"
        if isinstance(a, ScalarNode):
            assert (a.value, a.style) == (b.value, b.style), where
        elif isinstance(a, SequenceNode):
            assert a.flow_style == b.flow_style and len(a.value) == len(b.value), where
            stack.extend((x, y, f"{where}[{i}]") for i, (x, y) in enumerate(
                zip(a.value, b.value, strict=True)))
        elif isinstance(a, MappingNode):
            assert a.flow_style == b.flow_style and len(a.value) == len(b.value), where
            for i, ((ka, va), (kb, vb)) in enumerate(zip(a.value, b.value, strict=True)):
                stack.append((ka, kb, f"{where}.key{i}"))
                stack.append((va, vb, f"{where}.{getattr(ka, 'value', i)}"))


def same_view(parsed: Document, spliced: Document) -> None:
    a, b = parsed.plain, spliced.plain
    assert a.fatal == b.fatal
    assert a.data == b.data
    assert a.expanded_size == b.expanded_size

    def where(nodes: list[Node]) -> list[tuple[int, int]]:
        return sorted((n.start_mark.index, n.end_mark.index) for n in nodes)

    assert where([d.second for d in a.duplicates]) == where([d.second for d in b.duplicates])
    assert where([t.node for t in a.tag_problems]) == where([t.node for t in b.tag_problems])
    assert where(a.unhashable_keys) == where(b.unhashable_keys)


def random_edit(text: str, items: Items, rng: random.Random) -> str:
    """Insert, delete or replace a few characters (never a line break) inside a deployment,
    after its ``-``."""
    region = items.regions[rng.randrange(len(items.regions))]
    start = text.find("-", region.start) + 1
    if start >= region.end - 1:
        return text
    at = rng.randrange(start, region.end - 1)
    if text[at] == "\n":
        return text
    line_end = text.find("\n", at)
    length = rng.randrange(0, max(1, min(4, line_end - at)))
    alphabet = SPECIALS if rng.random() < 0.15 else LETTERS
    inserted = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 4)))
    return text[:at] + inserted + text[at + length:]


def edit_session(text: str, seed: int, edits: int = 25) -> int:
    """Apply random edits one after another, splicing where possible, and compare each
    spliced document with a full parse; returns how many edits were spliced."""
    rng = random.Random(seed)
    document = Document.from_text(text, "prefect.yaml")
    document.plain  # built before the tree is spliced, as the checker's is  # noqa: B018
    items = sequence_items(document, KEY)
    spliced_count = 0
    for _ in range(edits):
        if items is None:
            return spliced_count
        new_text = random_edit(document.text, items, rng)
        anchors = nodes_before(document.root, items.regions[0].start)  # type: ignore[arg-type]
        result = splice(document, items, new_text, KEY, anchors)
        parsed = Document.from_text(new_text, "prefect.yaml")
        if result is None:
            if sequence_items(parsed, KEY) is not None:
                document, items = parsed, sequence_items(parsed, KEY)
            else:  # undo the edit that broke the file's shape
                document = Document.from_text(document.text, "prefect.yaml")
                items = sequence_items(document, KEY)
            document.plain  # noqa: B018
            continue
        spliced_count += 1
        same_tree(parsed.root, result.document.root)
        same_view(parsed, result.document)
        assert sequence_items(parsed, KEY) == (result.items._replace(
            sequence=parsed.root.value[[k.value for k, _ in parsed.root.value]  # type: ignore
                                       .index(KEY)][1]))
        document, items = result.document, result.items
    return spliced_count


def test_common_affixes() -> None:
    assert common_affixes("abcdef", "abXdef") == (2, 3)
    assert common_affixes("aaaa", "aaaaa") == (4, 0)
    assert common_affixes("", "x") == (0, 0)
    assert common_affixes("abab", "ab") == (2, 0)


def test_typing_in_a_generated_file_is_spliced_exactly() -> None:
    spliced = sum(edit_session(generated_file(12), seed) for seed in range(12))
    assert spliced > 150  # most edits keep the shape; every spliced one was compared


def test_typing_in_the_example_project_is_spliced_exactly() -> None:
    text = (REPO / "examples" / "prefect.yaml").read_text()
    assert sum(edit_session(text, seed) for seed in range(8)) > 40


def test_an_edit_outside_the_deployments_is_not_spliced() -> None:
    text = generated_file(3)
    document = Document.from_text(text, "prefect.yaml")
    items = sequence_items(document, KEY)
    assert items is not None
    edited = text.replace("name: generated", "name: generatedX")
    assert splice(document, items, edited, KEY, {}) is None


def test_a_new_line_or_a_moved_dash_is_not_spliced() -> None:
    text = generated_file(3)
    for edited in (text.replace("description: Deployment number 1",
                                "description: Deployment\n    number: 1"),
                   text.replace("  - name: flow-1", "   - name: flow-1")):
        document = Document.from_text(text, "prefect.yaml")
        items = sequence_items(document, KEY)
        assert items is not None
        anchors = nodes_before(document.root, items.regions[0].start)  # type: ignore[arg-type]
        assert splice(document, items, edited, KEY, anchors) is None


@pytest.mark.parametrize("path", corpus_params("prefect_yaml"),
                         ids=lambda p: getattr(p, "name", str(p)))
def test_typing_in_corpus_files_is_spliced_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    edit_session(text, seed=len(text), edits=15)


def spliced_or_none(text: str, edited: str) -> Document | None:
    """``edited`` spliced from ``text``'s tree, compared with a full parse; None when
    splicing refused."""
    document = Document.from_text(text, "prefect.yaml")
    items = sequence_items(document, KEY)
    assert items is not None and document.root is not None
    assert document.plain.fatal is None  # built before splicing, as the checker's is
    result = splice(document, items, edited, KEY,
                    nodes_before(document.root, items.regions[0].start))
    if result is None:
        return None
    parsed = Document.from_text(edited, "prefect.yaml")
    same_tree(parsed.root, result.document.root)
    same_view(parsed, result.document)
    return result.document


def test_a_block_scalar_that_ends_a_deployment_does_not_take_the_blanked_lines() -> None:
    """In the partial text the next deployments are spaces: a block scalar at the end of
    the edited deployment would take them as content lines (its value and end differ)."""
    text = ("deployments:\n  - name: a\n    description: |-\n      text\n\n"
            "  - name: b\n    entrypoint: flows/b.py:f\n")
    assert spliced_or_none(text, text.replace("name: a", "name: z")) is None
    # the last deployment's block scalar is followed by the real text: spliced
    last = text + "  - name: c\n    description: |\n      x\n"
    assert spliced_or_none(last, last.replace("name: c", "name: z")) is not None


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85", "\r"])
def test_a_line_break_other_than_newline_typed_in_a_deployment(brk: str) -> None:
    """YAML counts these as line breaks (in a quoted string they are content), so the lines
    of everything after the edit change: not spliced."""
    text = 'deployments:\n  - name: a\n    description: "hello world"\n  - name: b\n'
    edited = text.replace("hello world", f"hello{brk}world")
    assert Document.from_text(edited, "prefect.yaml").parse_error is None
    assert spliced_or_none(text, edited) is None


def test_an_alias_as_a_key_in_a_deployment_is_not_spliced() -> None:
    """A duplicate (or unhashable) key is recorded under the key's node, here the head's
    node that the alias names: removing the duplicate left the record in the spliced view."""
    text = ("definitions:\n  k: &k tags\n  m: &m {x: 1}\ndeployments:\n"
            "  - name: a\n    *k : [a]\n    *k : [b]\n  - name: b\n    *m : 1\n")
    for old, new in (("*k : [b]", "kx : [b]"), ("*m : 1", "mm : 1"), ("name: a", "name: c")):
        assert spliced_or_none(text, text.replace(old, new)) is None
        assert spliced_or_none(text.replace(old, new), text) is None


def test_text_typed_after_the_last_line_break() -> None:
    """The parser ends a text whose last line has no line break as if it had one: the end
    of the stream (and of every collection open there) moves a line down."""
    text = "deployments:\n  - name: a\n  - name: b\n"
    assert spliced_or_none(text, text + " ") is None
    assert spliced_or_none(text + " ", text) is None
    assert spliced_or_none(text[:-1], text[:-1] + "c") is not None


def test_the_partial_tree_shares_the_head_with_the_spliced_tree() -> None:
    """The re-parsed item's aliases name the previous tree's nodes; the partial document's
    head and the aliases after the list name the same nodes, as in a parsed tree."""
    text = ("defs:\n  pool: &pool {name: p}\ndeployments:\n  - name: a\n    work_pool: *pool\n"
            "  - name: b\nafter: *pool\n")
    document = Document.from_text(text, "prefect.yaml")
    items = sequence_items(document, KEY)
    assert items is not None and document.root is not None
    result = splice(document, items, text.replace("name: a", "name: c"), KEY,
                    nodes_before(document.root, items.regions[0].start))
    assert result is not None
    partial_root, root = result.partial.root, result.document.root
    assert isinstance(partial_root, MappingNode) and isinstance(root, MappingNode)
    pool = root.value[0][1].value[0][1]
    item = partial_root.value[1][1].value[0]
    assert partial_root.value[0][1].value[0][1] is pool
    assert item.value[1][1] is pool and partial_root.value[2][1] is pool
