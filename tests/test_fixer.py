"""The fixer: edits, rounds, refusal of fixes that break parsing, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.core.diagnostics import Diagnostic, Edit, Fix, Position, Severity, Span
from linter.core.fixer import (
    OverlapError,
    apply_edits,
    choose_fixes,
    fix_until_stable,
    write_atomic,
)
from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from linter.source.document import Document


def test_apply_edits_any_order() -> None:
    text = "abcdef"
    edits = [Edit(4, 5, "E"), Edit(0, 1, "A"), Edit.insert(2, "+")]
    assert apply_edits(text, edits) == "Ab+cdEf"


def test_apply_edits_overlap_rejected() -> None:
    with pytest.raises(OverlapError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


def _diag(start: int, end: int, safe: bool = True) -> Diagnostic:
    from linter.core.diagnostics import Applicability

    fix = Fix("f", (Edit(start, end, "x"),),
              Applicability.SAFE if safe else Applicability.UNSAFE)
    return Diagnostic("T001", "t", Severity.ERROR, "m", "f", Span(start, end), Position(1, 1),
                      Position(1, 1), fix=fix)


def test_choose_fixes_skips_overlaps_and_unsafe() -> None:
    chosen = choose_fixes([_diag(0, 3), _diag(2, 4), _diag(5, 6, safe=False), _diag(7, 8)],
                          unsafe=False)
    assert [(d.span.start, d.span.end) for d in chosen] == [(0, 3), (7, 8)]
    assert len(choose_fixes([_diag(5, 6, safe=False)], unsafe=True)) == 1


def test_fix_that_breaks_yaml_is_dropped() -> None:
    def lint(text: str) -> tuple[Document, list[Diagnostic]]:
        document = Document.from_text(text, "p.yaml")
        found = []
        if text.startswith("a: 1"):
            found.append(_diag(0, 1))  # would turn "a: 1" into "x: 1"? no: replace 'a' -> 'x'
            found[-1] = Diagnostic("T001", "t", Severity.ERROR, "m", "f", Span(0, 1),
                                   Position(1, 1), Position(1, 2),
                                   fix=Fix("break", (Edit(0, 4, "a: [1"),)))
        return document, found

    outcome = fix_until_stable("a: 1\n", lint, unsafe=False)
    assert outcome.text == "a: 1\n"
    assert len(outcome.dropped) == 1
    assert "no longer be valid YAML" in outcome.dropped[0][1]


def test_each_text_of_a_fix_is_linted_once() -> None:
    """The text a round produces is linted to see that it still parses; the next round reads
    that same lint instead of linting the text again (every rule runs in a lint)."""
    linted: list[str] = []

    def lint(text: str) -> tuple[Document, list[Diagnostic]]:
        linted.append(text)
        found = []
        if text.startswith("a: 1"):
            found.append(Diagnostic("T001", "t", Severity.ERROR, "m", "f", Span(0, 1),
                                    Position(1, 1), Position(1, 2),
                                    fix=Fix("rename", (Edit(0, 1, "b"),))))
        return Document.from_text(text, "p.yaml"), found

    outcome = fix_until_stable("a: 1\n", lint, unsafe=False)
    assert outcome.text == "b: 1\n"
    assert linted == ["a: 1\n", "b: 1\n"]


def test_rounds_stop_at_fixpoint() -> None:
    runner = Runner(ConfigResolver(cwd=Path("/")), fix=True)
    text = ("name: a  # prefect-lint: disable=D001\n"
            "prefect-version: 3.10  # prefect-lint: disable=Y002\n")
    result = runner.lint_text(text, "prefect.yaml", None,
                              Settings(root=Path("/"), ignore=("S001",)))
    assert result.fixed_text == "name: a\nprefect-version: \"3.10\"\n"
    assert sorted(d.code for d in result.applied) == ["M001", "M001", "Y008"]
    assert result.diagnostics == []


def test_write_atomic_keeps_mode_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "prefect.yaml"
    path.write_text("old")
    os.chmod(path, 0o600)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["prefect.yaml"]  # no temp file left


def test_write_atomic_failure_leaves_original(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "prefect.yaml"
    path.write_text("original")

    def failing_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    from linter.core.fixer import WriteError

    with pytest.raises(WriteError, match="No space left"):
        write_atomic(path, b"new")
    assert path.read_text() == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["prefect.yaml"]


# -- properties of the fixer on suppression comments -----------------------------------------

codes_strategy = st.lists(st.sampled_from(["D001", "Y002", "Y003", "Z999", "D"]), min_size=1,
                          max_size=3, unique=True)
line_strategy = st.tuples(
    st.sampled_from(["name: a", "- name: b", "key: 'x # not a comment'", "# note", ""]),
    st.one_of(st.none(), codes_strategy),
    st.sampled_from(["\n", "\r\n"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(line_strategy, min_size=1, max_size=8))
def test_fix_properties(lines: list[tuple[str, list[str] | None, str]]) -> None:
    """Fixing twice equals fixing once; lines without edits are byte-identical; the fixed
    text re-lints without the fixed findings."""
    body = []
    for content, directive, newline in lines:
        comment = f"  # prefect-lint: disable={','.join(directive)}" if directive else ""
        body.append(f"{content}{comment}{newline}")
    text = "".join(body)
    runner = Runner(ConfigResolver(cwd=Path("/")), fix=True)
    settings_ = Settings(root=Path("/"))
    once = runner.lint_text(text, "prefect.yaml", None, settings_)
    fixed = once.fixed_text if once.fixed_text is not None else text
    twice = runner.lint_text(fixed, "prefect.yaml", None, settings_)
    assert twice.fixed_text is None
    assert not [d for d in twice.diagnostics if d.code == "M001" and d.fix is not None]
    touched_rows = {d.start.row for d in once.applied}
    original_lines = text.splitlines(keepends=True)
    fixed_lines = fixed.splitlines(keepends=True)
    if not once.applied:
        assert fixed == text
    # the untouched lines survive byte for byte, in order
    kept = [line for row, line in enumerate(original_lines, 1) if row not in touched_rows]
    assert all(line in fixed_lines for line in kept)


def test_a_fix_that_would_break_a_python_file_is_dropped() -> None:
    from linter.core.diagnostics import Applicability

    text = "import os\nx = 1\n"

    def lint(current: str) -> tuple[Document, list[Diagnostic]]:
        document = Document.from_text(current, "deploy.py", kind="python")
        found = []
        if "x = 1" in current:
            start = current.index("x = 1")
            breaking = Fix("break it", (Edit(start, start + 1, "x ="),), Applicability.SAFE)
            found.append(Diagnostic(code="L030", name="t", severity=Severity.ERROR,
                                    message="m", filename="deploy.py", span=Span(start, start),
                                    start=Position(2, 1), end=Position(2, 1), fix=breaking))
        return document, found

    outcome = fix_until_stable(text, lint, unsafe=False)
    assert outcome.text == text
    assert [d.code for d, _ in outcome.dropped] == ["L030"]
