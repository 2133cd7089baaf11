"""Y008-Y010: YAML typing hazards, unquoted placeholders, merge-conflict markers."""

from __future__ import annotations

import textwrap

import pytest

from linter.core.fixer import apply_edits
from tests.conftest import codes, lint, spans

FAMILIES = ["Y", "S"]  # other families (D: entrypoint files) need files these tests lack


@pytest.mark.parametrize(
    ("line", "quoted", "word"),
    [
        ("version: 1.10", 'version: "1.10"', "a number (1.1)"),
        ("version: 2", 'version: "2"', "an integer (2)"),
        ("version: 2024-05-01", 'version: "2024-05-01"', "a date"),
        ("name: on", 'name: "on"', "a boolean (True)"),
        ("version: 1:30", 'version: "1:30"', "an integer (90)"),
        ("version: 0777", 'version: "0777"', "an integer (511)"),
    ],
)
def test_y008_hit_fix_and_message(line: str, quoted: str, word: str) -> None:
    text = f"deployments:\n  - {line}\n    entrypoint: f.py:f\n"
    found = lint(text, select=FAMILIES)
    assert codes(found) == ["Y008"]
    assert word in found[0].message
    assert (found[0].start.row, found[0].start.column) == (2, line.index(":") + 7)
    fixed = apply_edits(text, found[0].fix.edits)  # type: ignore[union-attr]
    assert fixed == f"deployments:\n  - {quoted}\n    entrypoint: f.py:f\n"
    assert lint(fixed, select=FAMILIES) == []


def test_y008_top_level_prefect_version_and_anchor_date() -> None:
    text = textwrap.dedent("""\
    prefect-version: 3.9   # pinned
    deployments:
      - name: a
        schedules:
          - interval: 600
            anchor_date: 2024-01-01T00:00:00
            active: true
    """)
    found = lint(text, select=FAMILIES, dedent=False)
    assert codes(found) == ["Y008", "Y008"]
    assert spans(text, found) == ["3.9", "2024-01-01T00:00:00"]
    fixed = text
    for d in reversed(found):
        fixed = apply_edits(fixed, d.fix.edits)  # type: ignore[union-attr]
    assert 'prefect-version: "3.9"   # pinned\n' in fixed
    assert 'anchor_date: "2024-01-01T00:00:00"' in fixed


def test_y008_miss_quoted_and_free_form_parameters() -> None:
    text = 'deployments:\n  - version: "1.10"\n    parameters: {ratio: 1.10, day: 2024-01-01}\n'
    assert lint(text, select=FAMILIES) == []


def test_y009_unquoted_placeholder_fix() -> None:
    text = textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables:
            image: {{ build-image.image }}   # from the build step
    """)
    found = lint(text, select=["Y009"], dedent=False)
    assert codes(found) == ["Y009"]
    assert spans(text, found) == ["{{ build-image.image }}"]
    fixed = apply_edits(text, found[0].fix.edits)  # type: ignore[union-attr]
    assert '      image: "{{ build-image.image }}"   # from the build step\n' in fixed
    assert lint(fixed, select=FAMILIES, dedent=False) == []


def test_y009_in_list_and_miss() -> None:
    text = "deployments:\n  - name: a\n    tags:\n      - {{ $TAG }}\n"
    assert codes(lint(text, select=["Y009"])) == ["Y009"]
    assert lint('deployments:\n  - name: a\n    tags: ["{{ $TAG }}"]\n', select=["Y009"]) == []
    assert lint("a: {b: {c: 1}}\n", select=["Y009"]) == []


def test_y010_conflict_markers() -> None:
    text = textwrap.dedent("""\
    deployments:
    <<<<<<< HEAD
      - name: a
    =======
      - name: b
    >>>>>>> feature/x
    """)
    found = lint(text, select=["Y010"], dedent=False)
    assert codes(found) == ["Y010", "Y010", "Y010"]
    assert [d.start.row for d in found] == [2, 4, 6]
    assert spans(text, found) == ["<<<<<<< HEAD", "=======", ">>>>>>> feature/x"]
    assert lint("a: |\n  =======\n", select=["Y010"]) == []


def test_y009_behind_anchor_and_in_flow_list() -> None:
    assert codes(lint("name: p\na: &x {{ y }}\n", select=["Y009"])) == ["Y009"]
    assert codes(lint("name: p\na: [b, {{ y }}]\n", select=["Y009"])) == ["Y009"]
    assert lint('a: "x: {{ y }}"\nb: "{{ z }}"\n', select=["Y009"]) == []
