"""The document model: decoding, positions, YAML 1.1 typing, aliases, merges."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable, Iterable

import pytest

from linter.source.document import DecodeError, Document, LineIndex, decode, detect_newline, encode


def doc(text: str) -> Document:
    return Document.from_text(text, "prefect.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1.10", 1.1),
        ("version: 1.0", 1.0),
        ("on: yes", True),
        ("x: off", False),
        ("x: y", "y"),  # PyYAML (unlike YAML 1.1 proper) keeps y/n as strings
        ("x: 1e3", "1e3"),  # no dot: a string for PyYAML
        ("x: 1.0e+3", 1000.0),
        ("x: 1:30:00", 5400),
        ("x: 0777", 511),
        ("x: 0x1F", 31),
        ("x: 0b101", 5),
        ("x: 1_000", 1000),
        ("x: ~", None),
        ("x:", None),
        ("x: '1.10'", "1.10"),
        ("x: !!str 1.10", "1.10"),
        ("x: 2024-05-01", dt.date(2024, 5, 1)),
        ("x: .inf", float("inf")),
    ],
)
def test_scalars_are_typed_like_pyyaml(text: str, expected: object) -> None:
    data = doc(text).data
    value = next(iter(data.values()))
    assert value == expected
    assert type(value) is type(expected)


def test_datetime_with_timezone() -> None:
    value = doc("x: 2024-05-01 03:00:00+02:00").data["x"]
    assert value == dt.datetime(2024, 5, 1, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_merge_keys_and_aliases() -> None:
    d = doc("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\n")
    assert d.data["use"] == {"a": 1, "b": 3}
    _, value = d.locate(("use", "a"))
    assert value is not None and d.position(value.start_mark.index).row == 1  # where written


def test_duplicate_keys_are_recorded_last_wins() -> None:
    d = doc("a: 1\nb: 2\na: 3\n")
    assert d.data == {"b": 2, "a": 3}
    assert [dup.key for dup in d.plain.duplicates] == ["a"]


def test_duplicate_inside_anchor_reported_once() -> None:
    d = doc("x: &a {k: 1, k: 2}\ny: *a\nz: *a\n")
    assert len(d.plain.duplicates) == 1


def test_alias_bomb_is_bounded() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    d = doc("\n".join(lines) + "\n")
    assert d.plain.fatal is not None and "alias bomb" in d.plain.fatal
    assert d.data is None


def test_recursive_alias_is_reported() -> None:
    d = doc("a: &x [1, *x]\n")
    assert d.plain.fatal is not None and "recursive" in d.plain.fatal


def test_tags_are_never_constructed() -> None:
    d = doc("a: !!python/object/apply:os.system ['echo hi']\n")
    assert d.data == {"a": ["echo hi"]}
    assert [p.tag for p in d.plain.tag_problems] == [
        "tag:yaml.org,2002:python/object/apply:os.system"
    ]


def test_unquoted_placeholder_gives_unhashable_key() -> None:
    d = doc('image: {{ build.image }}\n')
    assert len(d.plain.unhashable_keys) == 1


def test_parse_error_position() -> None:
    d = doc("a: 1\nb: [1,\n")
    assert d.parse_error is not None
    assert d.position(d.parse_error.offset).row == 3


def test_unquoted_placeholder_with_suffix_explains_quoting() -> None:
    d = doc("a:\n  image: {{ x }}-slim\n")
    assert d.parse_error is not None
    assert "must be quoted" in d.parse_error.message


def test_positions_count_characters_not_bytes() -> None:
    d = doc("é: ü\nname: x\n")
    _, node = d.locate(("name",))
    assert node is not None
    assert d.position(node.start_mark.index).column == 7


def test_crlf_positions() -> None:
    d = doc("a: 1\r\nname: x\r\n")
    _, node = d.locate(("name",))
    assert node is not None
    position = d.position(node.start_mark.index)
    assert (position.row, position.column) == (2, 7)
    assert d.newline == "\r\n"


def test_line_index_handles_lone_cr_and_crlf() -> None:
    index = LineIndex("a\rb\r\nc\nd")
    assert [index.position(o).row for o in (0, 2, 5, 7)] == [1, 2, 3, 4]
    assert index.offset(3, 1) == 5


@pytest.mark.parametrize(
    ("raw", "encoding", "bom"),
    [
        (b"a: 1\n", "utf-8", b""),
        (codecs.BOM_UTF8 + b"a: 1\n", "utf-8", codecs.BOM_UTF8),
        (codecs.BOM_UTF16_LE + "a: 1\n".encode("utf-16-le"), "utf-16-le", codecs.BOM_UTF16_LE),
        (codecs.BOM_UTF16_BE + "a: 1\n".encode("utf-16-be"), "utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_decode_round_trips(raw: bytes, encoding: str, bom: bytes) -> None:
    decoded = decode(raw)
    assert decoded.text == "a: 1\n"
    assert (decoded.encoding, decoded.bom) == (encoding, bom)
    assert encode(decoded.text, decoded.encoding, decoded.bom) == raw


def test_decode_rejects_latin1() -> None:
    with pytest.raises(DecodeError, match="byte 0xe9 at offset 3"):
        decode("a: é".encode("latin-1"))


def test_detect_newline() -> None:
    assert detect_newline("a\r\nb") == "\r\n"
    assert detect_newline("a\nb") == "\n"
    assert detect_newline("a") == "\n"


def test_multiple_documents() -> None:
    d = doc("a: 1\n---\nb: 2\n")
    assert d.data == {"a": 1}
    assert len(d.extra_documents) == 1


def _shape(node: object, seen: dict[int, int]) -> object:
    """Everything the linter reads of a node: kind, tag, offsets, anchor, style, children."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if id(node) in seen:
        return ("alias", seen[id(node)])  # the how-manieth node it repeats
    seen[id(node)] = len(seen)
    head = (type(node).__name__, node.tag, node.start_mark.index,  # type: ignore[attr-defined]
            node.end_mark.index, node.anchor, getattr(node, "style", None))  # type: ignore[attr-defined]
    if isinstance(node, ScalarNode):
        return (*head, node.value)
    if isinstance(node, MappingNode):
        return (*head, *((_shape(k, seen), _shape(v, seen)) for k, v in node.value))
    return (*head, *(_shape(child, seen) for child in node.value))  # type: ignore[attr-defined]


def test_our_composer_gives_the_nodes_ruamels_yaml_class_gives() -> None:
    """yamlparse builds its C composer class once instead of letting ``YAML().compose_all``
    build one per file; the trees must be the same."""
    from ruamel.yaml import YAML

    from linter.source import parse as yamlparse
    from tests.conftest import corpus_files

    if yamlparse._c_composer() is None:
        pytest.skip("ruamel.yaml's C extension is not installed here")
    files = [p for p in corpus_files("prefect_yaml") if p.suffix == ".yaml"]
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        reference = YAML(typ="safe", pure=False)
        reference.Resolver = yamlparse.PyYamlResolver
        assert _trees(yamlparse._compose_all, text) == _trees(reference.compose_all, text), path


def _trees(compose: Callable[[str], Iterable[object]], text: str) -> object:
    try:
        return [_shape(root, {}) for root in compose(text)]
    except Exception as error:  # a file that does not parse must fail the same way
        return (type(error).__name__, str(error))


def test_memo_computes_an_analysis_once_per_document() -> None:
    calls: list[str] = []

    def keys(document: Document) -> list[str]:
        calls.append(document.text)
        return sorted(document.data)

    first = Document.from_text("b: 1\na: 2\n", "p.yaml")
    assert first.memo(keys) == ["a", "b"] and first.memo(keys) == ["a", "b"]
    second = Document.from_text("c: 1\n", "p.yaml")
    assert second.memo(keys) == ["c"]
    assert len(calls) == 2  # once per document, not once per call


def test_the_pure_python_composer_reads_files_as_the_c_one_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ruamel.yaml.clib (PyPy, or a failed build) the pure-Python composer is used; with
    ruamel.yaml 0.19 it failed on every file (our resolver lacked what its loader asks for).
    The findings must be the C composer's."""
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner
    from linter.source import parse as yamlparse
    from tests.conftest import REPO

    if yamlparse._c_composer() is None:
        pytest.skip("ruamel.yaml's C extension is not installed here: nothing to compare")
    examples = REPO / "examples"
    texts = [(path, path.read_text(encoding="utf-8"))
             for path in [examples / "prefect.yaml", *sorted((examples / "legacy").glob("*"))]
             if path.suffix in (".yaml", ".yml")]
    texts.append((examples / "aliases.yaml", "a: &x {b: [1, 2.5, on, 0o17, ~]}\nc: *x\n"))
    texts.append((examples / "broken.yaml", "a: [1, 2\nb: 3\n"))
    runner = Runner(ConfigResolver(cwd=examples))

    def findings() -> list[list[tuple[str, int, int, str]]]:
        # a syntax error is worded by the scanner at hand (libyaml's or ruamel's): its place
        # must agree, not its words
        return [[(d.code, d.span.start, d.span.end, "" if d.code == "Y001" else d.message)
                 for d in runner.lint_text(text, path.name, path).diagnostics]
                for path, text in texts]

    with_c = findings()
    monkeypatch.setattr(yamlparse, "_c_composer", lambda: None)
    assert findings() == with_c
    assert any(with_c)
