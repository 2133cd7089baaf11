"""M: findings about prefect-lint's own comments."""

from __future__ import annotations

from collections.abc import Iterator

from linter.core.diagnostics import Applicability, Finding, Severity
from linter.core.registry import Needs, rule
from linter.project.context import LintContext


@rule("M001", "unused-suppression", Severity.WARNING, "A suppression comment that silences nothing",
      fix=Applicability.SAFE, kinds=("prefect", "legacy", "script"), needs=Needs.TEXT)
def unused_suppression(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `# prefect-lint: disable=CODE` (or `disable-file=CODE`) comment whose code
    matched no finding on its line (or in the file), or that names a code that does not exist.

    **Why**: once the problem is fixed the comment is stale; left in place it would silently
    hide the same problem if it came back. An unknown code is usually a typo.

    **Fix** (safe): the unused codes are removed from the comment, or the whole comment when
    none is left.

    The engine reports this rule itself, after every other rule has run.
    """
    return iter(())
