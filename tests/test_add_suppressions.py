"""--add-suppressions: every finding gets a suppression comment that really silences it,
without changing what the YAML means; afterwards `check` reports nothing."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from linter.core.diagnostics import Diagnostic, Finding, Span
from linter.core.registry import get_rule
from linter.run.add_suppressions import add_suppressions, tree_shape
from linter.run.engine import apply_suppressions, to_diagnostic
from linter.source.document import Document
from tests.conftest import corpus_files, write


def fake_lint(text: str) -> tuple[Document, list[Diagnostic]]:
    """A D001 finding on every ``BAD`` in the text, with the engine's suppression handling
    (so the comments are honoured exactly as in a real run, M001 included)."""
    document = Document.from_text(text, "prefect.yaml")
    rule = get_rule("D001")
    assert rule is not None
    found = [to_diagnostic(rule, Finding(Span(m.start(), m.end()), "bad"), document)
             for m in re.finditer("BAD", text)]
    return document, apply_suppressions(document, found, {"D001", "M001"})


def suppressed(text: str) -> str:
    outcome = add_suppressions(textwrap.dedent(text), fake_lint)
    assert outcome.remaining == []
    return outcome.text


def test_trailing_comment_where_the_line_has_none() -> None:
    assert suppressed("""\
        a: BAD
        b: ok
    """) == "a: BAD  # prefect-lint: disable=D001\nb: ok\n"


def test_merges_into_a_directive_on_the_same_line() -> None:
    text = "a: BAD  # prefect-lint: disable=Y002 -- kept\n"
    assert add_suppressions(text, fake_lint).text == (
        "a: BAD  # prefect-lint: disable=Y002,D001 -- kept\n"
    )


def test_merges_into_an_own_line_directive_above() -> None:
    text = "top:\n  # prefect-lint: disable=Y002\n  a: BAD  # note\n"
    assert add_suppressions(text, fake_lint).text == (
        "top:\n  # prefect-lint: disable=Y002,D001\n  a: BAD  # note\n"
    )


def test_own_line_directive_above_a_line_with_a_comment() -> None:
    text = "deployments:\n  - name: BAD   # the nightly one\nother: x\n"
    assert suppressed(text) == (
        "deployments:\n  # prefect-lint: disable=D001\n  - name: BAD   # the nightly one\n"
        "other: x\n"
    )


def test_hash_in_a_value_counts_as_a_comment_risk() -> None:
    # '#' inside a quoted value: a trailing comment would be fine, but the own-line form is
    # never wrong
    assert suppressed('key: "BAD # not a comment"\n') == (
        '# prefect-lint: disable=D001\nkey: "BAD # not a comment"\n'
    )


def test_several_codes_and_rows() -> None:
    text = "a: BAD BAD\nb: fine\nc: BAD\n"
    outcome = add_suppressions(text, fake_lint)
    assert outcome.text == (
        "a: BAD BAD  # prefect-lint: disable=D001\nb: fine\nc: BAD  # prefect-lint: disable=D001\n"
    )
    assert len(outcome.suppressed) == 3


def test_inside_a_block_scalar_falls_back_to_file_wide() -> None:
    text = "run: |\n  echo BAD\n  done\nb: BAD\n"
    # a comment inside the block would be text, so the block row gets a file-wide directive;
    # the row after the block still gets its own trailing one
    assert suppressed(text) == (
        "# prefect-lint: disable-file=D001\n"
        "run: |\n  echo BAD\n  done\nb: BAD  # prefect-lint: disable=D001\n"
    )


def test_block_scalar_meaning_is_kept() -> None:
    text = "run: |\n  echo BAD\n"
    outcome = add_suppressions(text, fake_lint)
    before = Document.from_text(text, "p.yaml")
    after = Document.from_text(outcome.text, "p.yaml")
    assert tree_shape(before) == tree_shape(after)
    assert outcome.text == "# prefect-lint: disable-file=D001\nrun: |\n  echo BAD\n"


def test_multi_line_plain_scalar() -> None:
    text = "key: first\n  BAD second\nother: 1\n"
    outcome = add_suppressions(text, fake_lint)
    assert outcome.remaining == []
    assert Document.from_text(outcome.text, "p").root is not None
    assert tree_shape(Document.from_text(outcome.text, "p")) == tree_shape(
        Document.from_text(text, "p"))


def test_file_that_does_not_parse_gets_a_file_wide_directive() -> None:
    text = "a: [BAD\n"
    assert suppressed(text) == "# prefect-lint: disable-file=D001\na: [BAD\n"


def test_merges_into_an_existing_file_wide_directive() -> None:
    text = "# prefect-lint: disable-file=Y002\nrun: |\n  BAD\n"
    assert suppressed(text) == "# prefect-lint: disable-file=Y002,D001\nrun: |\n  BAD\n"


def test_crlf_is_kept() -> None:
    text = "top:\r\n  a: BAD # x\r\n"
    assert suppressed(text) == "top:\r\n  # prefect-lint: disable=D001\r\n  a: BAD # x\r\n"


def test_stale_suppression_is_removed_not_suppressed() -> None:
    text = "a: ok  # prefect-lint: disable=D001\nb: BAD\n"
    outcome = add_suppressions(text, fake_lint)
    assert outcome.text == "a: ok\nb: BAD  # prefect-lint: disable=D001\n"
    assert [d.code for d in outcome.removed_stale] == ["M001"]


def test_nothing_to_do() -> None:
    outcome = add_suppressions("a: 1\n", fake_lint)
    assert (outcome.text, outcome.suppressed) == ("a: 1\n", [])


# -- through the command line, with the real rules -----------------------------------------

#: rules added later must not change what these tests see
SELECT = '[tool.prefect-lint]\nselect = ["D001", "M001", "Y"]\n'
BROKEN = """\
deployments:
  - name: a   # the first one
    entrypoint: f.py:f
  - name: a
    entrypoint: f.py:f
    work_pool:
      name: x
      name: y
"""


def test_cli_adds_then_check_is_clean(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    result = cli("check", "--add-suppressions")
    assert result.exit_code == 0, result.output
    assert "Added suppressions for 2 findings in 1 file." in result.output
    assert path.read_text() == BROKEN.replace(
        "  - name: a\n    entrypoint", "  - name: a  # prefect-lint: disable=D001\n    entrypoint"
    ).replace("name: y\n", "name: y  # prefect-lint: disable=Y002\n")
    assert cli("check").exit_code == 0
    again = cli("check", "--add-suppressions")
    assert "Added suppressions for 0 findings in 0 files." in again.output


def test_cli_diff_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    result = cli("check", "--add-suppressions", "--diff")
    assert result.exit_code == 1
    assert "+  - name: a  # prefect-lint: disable=D001" in result.output
    assert "Would add suppressions for 2 findings in 1 file." in result.output
    assert path.read_text() == BROKEN


def test_cli_stdin_prints_the_new_text(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--add-suppressions", "--stdin-filename", "prefect.yaml",
                 "--select", "D001,M001,Y", input=BROKEN)
    assert "name: y  # prefect-lint: disable=Y002\n" in result.output


def test_cli_refuses_fix_with_add_suppressions(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    result = cli("check", "--fix", "--add-suppressions")
    assert result.exit_code == 2
    assert "cannot be combined with --fix" in result.output


@pytest.mark.slow
def test_corpus_copies_are_clean_afterwards(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = corpus_files("prefect_yaml")
    assert sources
    for index, source in enumerate(sources):
        folder = tmp_path / f"case{index:02d}"
        folder.mkdir()
        shutil.copyfile(source, folder / "prefect.yaml")
    before = cli("check", "--output-format", "concise", "--select", "ALL")
    assert before.exit_code == 1  # the corpus has findings to suppress
    result = cli("check", "--add-suppressions", "--select", "ALL")
    assert result.exit_code == 0, result.output
    after = cli("check", "--output-format", "concise", "--select", "ALL")
    assert after.exit_code == 0, after.output
    assert after.output.startswith("All checks passed!")


ENTRY = """\
  - name: flow-{i}
    version: 1.{i}
    schedule:
      cron: "61 * * * *"
    description: |
      a block scalar # not a comment
    tag: oops  # a comment already
"""


@pytest.mark.parametrize("count", [1, 40])
def test_all_rows_at_once_gives_what_row_by_row_gives(tmp_path: Path, count: int) -> None:
    """The one-parse path must write exactly what the careful row-by-row search writes."""
    from collections import defaultdict

    from linter.project.config import ConfigResolver
    from linter.run.add_suppressions import _suppress_rows_at_once, _suppress_rows_one_by_one
    from linter.run.runner import Runner

    path = write(tmp_path, "prefect.yaml",
                 "deployments:\n" + "".join(ENTRY.format(i=i) for i in range(count)))
    lint = Runner(ConfigResolver(cwd=tmp_path)).linter(path.read_text(), "prefect.yaml", path)
    document, diagnostics = lint(path.read_text())
    by_row: dict[int, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_row[diagnostic.start.row].append(diagnostic)
    assert len(by_row) >= 4 * count
    at_once = _suppress_rows_at_once(document, by_row)
    assert at_once is not None
    assert (at_once, []) == _suppress_rows_one_by_one(document, by_row)
    assert lint(at_once)[1] == []


def test_inside_a_block_scalar_the_one_parse_path_declines() -> None:
    """A comment added to a block scalar's line would become part of the text: the combined
    edit changes the YAML, so the rows are tried one by one (which then fall back to a
    file-wide directive)."""
    from collections import defaultdict

    from linter.run.add_suppressions import _suppress_rows_at_once

    text = "a: ok\nscript: |\n  echo BAD\nb: BAD\n"
    document, diagnostics = fake_lint(text)
    by_row: dict[int, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_row[diagnostic.start.row].append(diagnostic)
    assert _suppress_rows_at_once(document, by_row) is None
    outcome = add_suppressions(text, fake_lint)
    assert outcome.remaining == []
    assert Document.from_text(outcome.text, "x").data == document.data


def test_python_comments_never_break_a_continued_line_or_enter_a_string(
        tmp_path: Path) -> None:
    from linter.project.config import ConfigResolver, Overrides
    from linter.run.runner import Runner

    text = ('from prefect.deployments import Deployment\n'
            'x = Deployment.build_from_flow(flow=etl, name="a") \\\n'
            '    .apply()\n'
            'y = """\n'
            '${Deployment}""" + str(Deployment(name="b"))\n')
    runner = Runner(ConfigResolver(Overrides(select=("L03",)), cwd=tmp_path))
    lint = runner.linter(text, "deploy.py", tmp_path / "deploy.py")
    outcome = add_suppressions(text, lint)
    assert outcome.remaining == []
    assert outcome.text == ('from prefect.deployments import Deployment  '
                            '# prefect-lint: disable=L030\n'
                            '# prefect-lint: disable=L031\n'
                            'x = Deployment.build_from_flow(flow=etl, name="a") \\\n'
                            '    .apply()  # prefect-lint: disable=L032\n'
                            'y = """\n'
                            '${Deployment}""" + str(Deployment(name="b"))  '
                            '# prefect-lint: disable=L031\n')
    assert tree_shape(Document.from_text(outcome.text, "deploy.py", kind="python")) == \
        tree_shape(Document.from_text(text, "deploy.py", kind="python"))
