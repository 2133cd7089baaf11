"""Inline suppression comments, and the report of unused ones (M001) with its fix."""

from __future__ import annotations

import textwrap

from linter.core.fixer import apply_edits
from tests.conftest import codes, lint

DUPLICATE = """\
deployments:
  - name: a
    entrypoint: f.py:f
    work_pool: {{name: k8s}}
  - name: a{comment}
    entrypoint: f.py:f
    work_pool: {{name: k8s}}
"""


def test_trailing_comment_suppresses_its_line() -> None:
    text = DUPLICATE.format(comment="  # prefect-lint: disable=D001")
    assert lint(text) == []


def test_comment_on_line_before_suppresses_next_code_line() -> None:
    text = """\
    deployments:
      - name: a
        entrypoint: f.py:f
        work_pool: {name: k8s}
      # prefect-lint: disable=D001 -- kept on purpose

      - name: a
        entrypoint: f.py:f
        work_pool: {name: k8s}
    """
    assert lint(text) == []


def test_prefix_suppresses_family() -> None:
    assert lint(DUPLICATE.format(comment="  # prefect-lint: disable=D")) == []


def test_lower_case_codes() -> None:
    assert lint(DUPLICATE.format(comment="  # prefect-lint: disable=d001")) == []


def test_unused_code_in_list_is_reported_and_fixed() -> None:
    text = DUPLICATE.format(comment="  # prefect-lint: disable=Y002,D001")
    found = lint(text)
    assert codes(found) == ["M001"]
    assert found[0].start.row == 5
    assert "Y002" in found[0].message
    fixed = apply_edits(text, found[0].fix.edits)  # type: ignore[union-attr]
    assert "# prefect-lint: disable=D001\n" in fixed
    assert lint(fixed) == []


def test_file_wide() -> None:
    text = "# prefect-lint: disable-file=D001\n" + DUPLICATE.format(comment="")
    assert lint(text) == []


def test_unused_file_wide_and_whole_line_removal() -> None:
    text = "# prefect-lint: disable-file=Y002\ndeployments: []\n"
    found = lint(text)
    assert codes(found) == ["M001"]
    assert "file-wide" in found[0].message
    fixed = apply_edits(text, found[0].fix.edits)  # type: ignore[union-attr]
    assert fixed == "deployments: []\n"


def test_unused_trailing_comment_removed_with_its_spaces() -> None:
    text = "deployments: []   # prefect-lint: disable=D001\n"
    found = lint(text)
    assert codes(found) == ["M001"]
    assert apply_edits(text, found[0].fix.edits) == "deployments: []\n"  # type: ignore[union-attr]


def test_unknown_code_is_reported() -> None:
    found = lint("deployments: []  # prefect-lint: disable=Z999\n")
    assert codes(found) == ["M001"]
    assert "unknown rule code" in found[0].message


def test_directive_inside_block_scalar_is_not_a_comment() -> None:
    text = textwrap.dedent("""\
    deployments:
      - name: a
        description: |
          see # prefect-lint: disable=D001 in the docs
    """)
    assert lint(text, dedent=False, select=["M", "D001"]) == []


def test_hash_inside_value_is_not_a_comment() -> None:
    assert lint('name: p\ndescription: "see # prefect-lint: disable=D001"\n') == []


def test_unused_not_reported_when_rule_not_selected() -> None:
    text = "deployments: []  # prefect-lint: disable=D001\n"
    assert lint(text, select=["Y", "M"]) == []


def test_m001_can_itself_be_disabled_file_wide() -> None:
    text = "# prefect-lint: disable-file=M001\ndeployments: []  # prefect-lint: disable=D001\n"
    assert lint(text) == []
