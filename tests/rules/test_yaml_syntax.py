"""Y rules: hit, miss and position for each."""

from __future__ import annotations

from tests.conftest import codes, lint, spans


def test_y001_parse_error_hit_and_position() -> None:
    text = "deployments:\n  - name: a\n    tags: [a, b\n"
    found = lint(text, select=["Y"])
    assert codes(found) == ["Y001"]
    assert found[0].start.row == 4  # the parser notices at the end of input
    assert "invalid YAML" in found[0].message


def test_y001_unquoted_placeholder_suffix() -> None:
    text = "deployments:\n  - name: a\n    work_pool:\n      job_variables:\n" \
           "        image: {{ build.image }}-slim\n"
    found = lint(text, select=["Y001"])
    assert codes(found) == ["Y001"]
    assert (found[0].start.row, found[0].start.column) == (5, 33)
    assert "must be quoted" in found[0].message


def test_y001_merge_conflict_marker() -> None:
    text = "deployments:\n<<<<<<< HEAD\n  - name: a\n=======\n  - name: b\n>>>>>>> main\n"
    found = lint(text, select=["Y001"])
    assert codes(found) == ["Y001"]


def test_y001_miss() -> None:
    assert lint("deployments: []\n", select=["Y001"]) == []


def test_y002_duplicate_key_hit_position() -> None:
    text = """\
    deployments:
      - name: a
        work_pool:
          name: one
          name: two
    """
    found = lint(text, select=["Y002"])
    assert codes(found) == ["Y002"]
    assert (found[0].start.row, found[0].start.column) == (5, 7)
    assert spans(text, found) == ["name"]
    assert "line 4" in found[0].message


def test_y002_miss_merge_override_is_not_duplicate() -> None:
    text = """\
    definitions:
      pool: &pool {name: a, work_queue_name: q}
    deployments:
      - name: a
        work_pool:
          <<: *pool
          name: b
    """
    assert lint(text, select=["Y002"]) == []


def test_y003_empty_and_comment_only() -> None:
    assert codes(lint("", select=["Y003"])) == ["Y003"]
    assert codes(lint("# nothing yet\n\n", select=["Y003"])) == ["Y003"]
    assert lint("deployments: []\n", select=["Y003"]) == []


def test_y004_top_level_list_and_scalar() -> None:
    found = lint("- name: a\n  entrypoint: f.py:f\n", select=["Y004"])
    assert codes(found) == ["Y004"]
    assert found[0].help and "deployments" in found[0].help
    assert codes(lint("just text\n", select=["Y004"])) == ["Y004"]
    assert lint("deployments: []\n", select=["Y004"]) == []


def test_y005_second_document_position() -> None:
    found = lint("deployments: []\n---\ndeployments: []\n", select=["Y005"])
    assert codes(found) == ["Y005"]
    assert (found[0].start.row, found[0].start.column) == (2, 1)
    assert lint("---\ndeployments: []\n", select=["Y005"]) == []


def test_y006_alias_bomb_and_recursion() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 8):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 10) + "]")
    found = lint("\n".join(lines) + "\n", select=["Y"])
    assert codes(found) == ["Y006"]
    assert codes(lint("a: &x [*x]\n", select=["Y006"])) == ["Y006"]
    assert lint("a: &x [1]\nb: *x\n", select=["Y006"]) == []


def test_y006_stops_data_rules() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 8):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 10) + "]")
    lines.append("deployments: [{name: a}, {name: a}]")
    assert "D001" not in codes(lint("\n".join(lines) + "\n"))


def test_y007_tags() -> None:
    text = "name: p\na: !!python/object/apply:os.system ['rm -rf /']\nb: !Sub x\n"
    found = lint(text, select=["Y007"])
    assert codes(found) == ["Y007", "Y007"]
    assert spans(text, found) == ["!!python/object/apply:os.system", "!Sub"]
    assert lint("a: !!str 1\nb: !!int '2'\n", select=["Y007"]) == []
