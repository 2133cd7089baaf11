"""The placeholder grammar (Prefect's regex), kinds, malformed groups and source offsets."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml.nodes import ScalarNode

from linter.prefect.templating import (
    PLACEHOLDER_CAPTURE_REGEX,
    PlaceholderKind,
    block_placeholder_problem,
    find_malformed,
    find_placeholders,
    is_whole_value,
    iter_placeholder_spans,
    variable_placeholder_problem,
)
from linter.source.document import Document


def test_grammar_is_prefects_regex() -> None:
    assert PLACEHOLDER_CAPTURE_REGEX.pattern == r"({{\s*([\w\.\-\[\]$]+)\s*}})"


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("{{ build-image.image }}", ["build-image.image"]),
        ("{{build_image.tag}}", ["build_image.tag"]),
        ("a {{ x }} b {{ $HOME }}", ["x", "$HOME"]),
        ("{{ a.b[0].c }}", ["a.b[0].c"]),
        ("{{ a b }}", []),
        ("{{ x | upper }}", []),
        ("{{ 'lit' }}", []),
        ("{{}}", []),
        ("no braces", []),
    ],
)
def test_find_placeholders_names(value: str, names: list[str]) -> None:
    assert [p.name for p in find_placeholders(value)] == names


def test_kinds_offsets_and_path() -> None:
    value = "x{{ prefect.blocks.secret.tok }}-{{ prefect.variables.v }}{{ $E }}{{ s.a[1] }}"
    found = find_placeholders(value)
    assert [p.kind for p in found] == [
        PlaceholderKind.BLOCK, PlaceholderKind.VARIABLE, PlaceholderKind.ENV,
        PlaceholderKind.STANDARD,
    ]
    assert value[found[0].start:found[0].end] == "{{ prefect.blocks.secret.tok }}"
    assert found[3].path == ["s", "a", "1"]
    assert found[3].head == "s"


def test_whole_value() -> None:
    assert is_whole_value("{{ a }}", find_placeholders("{{ a }}"))
    assert not is_whole_value(" {{ a }}", find_placeholders(" {{ a }}"))
    assert not is_whole_value("{{ a }}{{ a }}", find_placeholders("{{ a }}{{ a }}"))


def test_find_malformed() -> None:
    value = "{{ ok }} {{ a b }} {{ x | upper }} {{ 'lit' }} {{}}"
    assert [m.text for m in find_malformed(value)] == [
        "{{ a b }}", "{{ x | upper }}", "{{ 'lit' }}", "{{}}"]
    assert find_malformed("{{ ok }}") == []


def test_block_and_variable_name_rules() -> None:
    assert block_placeholder_problem("prefect.blocks.secret.my-token") is None
    assert block_placeholder_problem("prefect.blocks.secret.my-token.value") is None
    assert "needs a block type and a block name" in (
        block_placeholder_problem("prefect.blocks.secret") or "")
    assert "lowercase" in (block_placeholder_problem("prefect.blocks.secret.My_Token") or "")
    assert variable_placeholder_problem("prefect.variables.my_var-1") is None
    assert "lowercase" in (variable_placeholder_problem("prefect.variables.MyVar") or "")
    assert "empty" in (variable_placeholder_problem("prefect.variables.") or "")
    assert "255" in (variable_placeholder_problem("prefect.variables." + "a" * 256) or "")


def _scalar(text: str) -> tuple[Document, ScalarNode]:
    document = Document.from_text(text, "prefect.yaml")
    assert document.root is not None
    node = document.root.value[0][1]
    assert isinstance(node, ScalarNode)
    return document, node


@pytest.mark.parametrize(
    "text",
    [
        'k: pre {{ a.b }} mid {{ c }}\n',
        "k: 'it''s {{ a.b }} mid {{ c }}'\n",
        'k: "pre {{ a.b }} mid {{ c }}"\n',
        "k: |\n  line\n  x {{ a.b }} and {{ c }}\n",
        "k: >\n  folded\n  x {{ a.b }} and {{ c }}\n",
    ],
)
def test_source_offsets_exact_in_every_style(text: str) -> None:
    document, node = _scalar(text)
    found = [(p.text, document.text[s.start:s.end]) for p, s in
             iter_placeholder_spans(node, document.text)]
    assert found == [("{{ a.b }}", "{{ a.b }}"), ("{{ c }}", "{{ c }}")]


def test_source_offsets_fall_back_to_whole_scalar_when_escaped() -> None:
    text = 'k: "\\x7b{ a }} then {{ b }}"\n'
    document, node = _scalar(text)
    spans = [s for _, s in iter_placeholder_spans(node, document.text)]
    whole = document.text[spans[0].start:spans[0].end]
    assert re.fullmatch(r'"\\x7b\{ a \}\} then \{\{ b \}\}"', whole)
    assert spans[0] == spans[1]


def test_source_offsets_across_a_folded_line_break_underline_whole_scalar() -> None:
    document, node = _scalar('k: "x {{\n  a }}"\n')
    assert node.value == "x {{ a }}"
    spans = [s for _, s in iter_placeholder_spans(node, document.text)]
    assert document.text[spans[0].start:spans[0].end] == '"x {{\n  a }}"'
