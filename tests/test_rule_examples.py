"""A rule's examples file joins its docstring in ``Rule.doc``: after the **Why** section, read
only when the documentation is asked for, and only for rules that have one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from linter.core.diagnostics import Finding, Severity
from linter.core.registry import Rule
from linter.core.rule_examples import documentation, examples_file, read_examples, with_examples
from tests.conftest import run_python, write

DOCSTRING = "**What**: a thing.\n\n**Why**: because.\n\nMore why.\n\n**Fix**: do it."
EXAMPLES = "**Example**:\n\n    bad: 1\n\n**Use instead**:\n\n    good: 1\n"


def test_examples_follow_the_why_section() -> None:
    assert with_examples(DOCSTRING, EXAMPLES) == (
        "**What**: a thing.\n\n**Why**: because.\n\nMore why.\n\n"
        "**Example**:\n\n    bad: 1\n\n**Use instead**:\n\n    good: 1\n\n**Fix**: do it.")


def test_examples_close_a_doc_with_nothing_after_why() -> None:
    assert with_examples("**Why**: because.", EXAMPLES) == (
        "**Why**: because.\n\n**Example**:\n\n    bad: 1\n\n**Use instead**:\n\n    good: 1")
    assert with_examples("Just a line.", EXAMPLES).startswith("Just a line.\n\n**Example**:")


def test_no_examples_leave_the_doc_as_it_is() -> None:
    assert with_examples(DOCSTRING, "") == DOCSTRING
    assert with_examples(DOCSTRING, "\n\n") == DOCSTRING


def test_an_examples_file_is_beside_the_module_and_may_be_missing(tmp_path: Path) -> None:
    module = tmp_path / "rules" / "family.py"
    assert examples_file(str(module), "Z001") == str(tmp_path / "rules" / "examples" / "Z001.md")
    assert read_examples(str(tmp_path / "nowhere.md")) == ""


def _rule(docstring: str, examples: str) -> Rule:
    return Rule(code="Z001", name="z", severity=Severity.ERROR, summary="Z",
                docstring=docstring, check=lambda context: iter(()), examples=examples)


def test_rule_doc_joins_the_file_and_reads_it_once(tmp_path: Path) -> None:
    path = tmp_path / "Z001.md"
    path.write_bytes(EXAMPLES.encode())
    rule = _rule(DOCSTRING, str(path))
    assert rule.doc == with_examples(DOCSTRING, EXAMPLES)
    assert rule.docstring == DOCSTRING
    path.write_text("**Example**:\n\n    changed: 1\n", encoding="utf-8")
    assert rule.doc == with_examples(DOCSTRING, EXAMPLES), "read on first access only"
    documentation.cache_clear()
    assert "changed: 1" in rule.doc


def test_a_rule_without_an_examples_file_keeps_its_docstring(tmp_path: Path) -> None:
    assert _rule(DOCSTRING, "").doc == DOCSTRING
    assert _rule(DOCSTRING, str(tmp_path / "missing.md")).doc == DOCSTRING


def test_a_check_reads_no_examples_file(tmp_path: Path) -> None:
    """Start-up stays lean: importing the rules and checking a file (JSON output, which shows
    no rule page) reads none of the examples."""
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n    name: b\n")
    script = (
        "import sys\n"
        "from linter.cli.main import main\n"
        "try:\n"
        "    main(['check', '--no-cache', 'prefect.yaml', '--output-format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "from linter.core.rule_examples import documentation\n"
        "print(documentation.cache_info().currsize, file=sys.stderr)\n"
    )
    done = run_python(script, tmp_path)
    assert '"code": "Y002"' in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "0"


def test_a_plugin_rule_is_documented_by_its_docstring_alone() -> None:
    """A plugin's module may have an examples/ folder of its own: it is not looked at."""
    from linter.api import rule
    from linter.policy.plugins import PENDING

    def owner(context: object) -> Iterator[Finding]:
        """**What**: an owner.\n\n**Why**: someone to ask.\n\n**Fix**: name one."""
        return iter(())

    rule("ACME001", "owner", Severity.WARNING, "Deployments name an owner")(owner)
    try:
        registered = PENDING[-1]
    finally:
        PENDING.clear()
    assert registered.examples == ""
    assert registered.doc == "**What**: an owner.\n\n**Why**: someone to ask.\n\n**Fix**: name one."
