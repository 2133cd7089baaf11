"""A fix never trades one finding for another.

For every fix the rules offer (safe and unsafe) on the rules' own examples, a set of typical
hazards and the real-world corpus (when ``../shared`` is there), the fixed text is linted
again: no Y or S rule (how the file is written and shaped) may report, on the lines the fix
changed, a finding the original did not have. (``tags: 123`` quoted to ``tags: "123"`` was such
a case: S005 then said Prefect splits it into ``1``, ``2``, ``3``.) Findings of the other
families may appear once a fix lets Prefect read a value at all (a quoted ``{{ x }}`` is then
checked as a reference), so they are not compared.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from linter.core.diagnostics import Diagnostic, Fix
from linter.core.fixer import apply_edits
from linter.core.registry import all_rules
from linter.project.config import ConfigResolver
from linter.run.runner import Runner
from linter.source.document import Document
from tests.conftest import CORPUS, corpus_params, lint

HAZARDS = [
    "deployments:\n  - name: a\n    tags: 123\n  - name: b\n    tags: yes\n",
    "deployments:\n  - name: a\n    tags: 1.5\n    version: 1.10\n",
    "prefect-version: 3.9\nname: 123\ndeployments:\n  - name: on\n    version: 2\n",
    "deployments:\n  - name: a\n    tags: prod\n    entrypont: f.py:f\n",
    "deployments:\n  - name: a\n    schedules:\n      - interval: 60\n"
    "        anchor_date: 2024-05-01T00:00:00\n",
    "deployments:\n  - name: a\n    work_pool:\n      name: p\n"
    "      job_variables:\n        image: {{ build.image }}\n",
    "deployments:\n  - name: a  # prefect-lint: disable=D001\n    entrypoint: f.py:f\n",
    "deployments:\n  - name: a\n    wrok_pool:\n      name: p\n",
]


def _examples() -> list[str]:
    """The **Example** block of every rule's documentation."""
    found = []
    for rule in all_rules():
        _, marker, rest = rule.doc.partition("**Example**:")
        if not marker:
            continue
        block = []
        for line in rest.splitlines()[1:]:
            if line.startswith("**"):
                break
            block.append(line)
        found.append(textwrap.dedent("\n".join(block)).strip("\n") + "\n")
    return found


def _rows(document: Document, start: int, end: int) -> set[int]:
    return set(range(document.position(start).row, document.position(end).row + 1))


COMPARED = ("Y", "S")


def _new_findings(text: str, before: list[Diagnostic], fix: Fix) -> list[str]:
    """Y/S findings on the lines ``fix`` changes that the fixed text has and ``text`` had not
    (a finding that only moved, same code and message, is not new)."""
    fixed = apply_edits(text, fix.edits)
    start = min(edit.start for edit in fix.edits)
    end = max(edit.end for edit in fix.edits)
    grown = sum(len(edit.content) - (edit.end - edit.start) for edit in fix.edits)
    old_rows = _rows(Document.from_text(text, "prefect.yaml"), start, end)
    new_rows = _rows(Document.from_text(fixed, "prefect.yaml"), start, max(start, end + grown))
    had = {d.code for d in before if d.start.row in old_rows}
    had_anywhere = {(d.code, d.message) for d in before}
    after = lint(fixed, dedent=False)
    return [f"{d.code} at {d.start.row}:{d.start.column}: {d.message}" for d in after
            if d.code.startswith(COMPARED) and d.start.row in new_rows and d.code not in had
            and (d.code, d.message) not in had_anywhere]


def _check(text: str) -> int:
    before = lint(text, dedent=False)
    checked = 0
    for diagnostic in before:
        if diagnostic.fix is None:
            continue
        new = _new_findings(text, before, diagnostic.fix)
        assert not new, (f"the fix of {diagnostic.code} ({diagnostic.fix.message}) brings "
                         f"{new} into:\n{text}")
        checked += 1
    return checked


def test_tags_number_fix_is_a_one_item_list_that_nothing_flags() -> None:
    text = HAZARDS[0]
    before = lint(text, dedent=False)
    fixes = [d.fix for d in before if d.code == "Y008" and d.fix is not None]
    assert len(fixes) == 2
    fixed = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    assert 'tags: ["123"]' in fixed and 'tags: ["yes"]' in fixed
    assert not [d for d in lint(fixed, dedent=False) if d.code.startswith(("Y", "S"))]


@pytest.mark.parametrize("text", HAZARDS, ids=[f"hazard{i}" for i in range(len(HAZARDS))])
def test_fixes_on_hazards_bring_no_new_finding(text: str) -> None:
    assert _check(text) >= 1  # every hazard here has a fix


def test_fixes_on_rule_examples_bring_no_new_finding() -> None:
    examples = _examples()
    assert len(examples) > 40
    assert sum(_check(text) for text in examples) >= 5


@pytest.mark.parametrize("path", corpus_params(suffixes=(".yaml", ".yml")),
                         ids=lambda p: p.relative_to(CORPUS).as_posix() if p else "no-corpus")
def test_fixes_on_corpus_bring_no_new_finding(path: Path) -> None:
    result = Runner(ConfigResolver(cwd=path.parent)).lint_path(path)
    if result is None or result.source is None:
        return
    text = result.source
    for diagnostic in result.diagnostics:
        if diagnostic.fix is not None:
            new = _new_findings(text, lint(text, dedent=False), diagnostic.fix)
            assert not new, f"the fix of {diagnostic.code} brings {new}"
