"""A built-in rule's examples: its ``**Example**`` and ``**Use instead**`` sections, kept in a
Markdown file of their own (``examples/<CODE>.md`` beside the module that defines the rule,
so ``linter/rules/examples/``) instead of in its docstring.

The file holds the two sections exactly as the rule's page shows them (lead-in, indented
blocks, notes between them). ``Rule.doc`` places them after the docstring's ``**Why**``
section; the file is read the first time a rule's documentation is asked for, never at
import or during a check. Plain paths (as ``linter.resources``), not ``importlib.resources``.
"""

from __future__ import annotations

import os
from functools import cache

EXAMPLE = "**Example**"
USE_INSTEAD = "**Use instead**"
#: the section the examples follow
WHY = "**Why**"
FOLDER = "examples"


def examples_file(module_file: str, code: str) -> str:
    """Where the examples of rule ``code`` defined in ``module_file`` are."""
    return os.path.join(os.path.dirname(module_file), FOLDER, f"{code}.md")


def read_examples(path: str) -> str:
    """The text of an examples file ("" when there is none)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def with_examples(doc: str, examples: str) -> str:
    """``doc`` with ``examples`` as the sections after its ``**Why**`` section (before the
    section that follows, else at the end); ``doc`` unchanged when there are none."""
    examples = examples.strip("\n")
    if not examples:
        return doc
    why = doc.find(WHY)
    after_why = doc.find("\n\n**", why) if why >= 0 else -1
    if after_why < 0:
        return f"{doc}\n\n{examples}"
    cut = after_why + 2
    return f"{doc[:cut]}{examples}\n\n{doc[cut:]}"


@cache
def documentation(docstring: str, path: str) -> str:
    """A rule's whole documentation: its docstring with its examples file, read once."""
    return with_examples(docstring, read_examples(path))
