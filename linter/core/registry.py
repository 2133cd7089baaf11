"""The rule registry: every rule's identity, documentation and check function.

A rule is a function that takes a ``LintContext`` and yields ``Finding``s, registered with the
``@rule`` decorator. Its docstring and its examples file (``examples/<CODE>.md`` beside its
module, ``linter.core.rule_examples``) are its documentation (what it checks, why, an example,
what to write instead and its fix), shown by ``prefect-lint rule CODE``. Codes are stable
once released: a renamed code stays in ``REDIRECTS``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, NamedTuple

from linter.core.codes import BUILTIN_CODE, EXTERNAL_CODE, letters
from linter.core.diagnostics import Applicability, Finding, Severity
from linter.core.rule_examples import documentation, examples_file

CODE_PATTERN = BUILTIN_CODE


class Needs(str, Enum):
    """What a rule needs from the document before it can run."""

    TEXT = "text"  # runs on every file, even one that did not parse
    TREE = "tree"  # needs the YAML node tree
    DATA = "data"  # needs the plain data (no alias bomb, no recursion)


class Scope(str, Enum):
    """How far a rule looks (the language server re-runs deployment rules only for the
    deployments an edit changed: see ``linter.run.incremental``)."""

    FILE = "file"  # anything in the file may change its findings
    #: its findings in a deployment depend only on that deployment and on the file outside the
    #: ``deployments`` list; its findings outside that list depend on the outside alone
    DEPLOYMENT = "deployment"


#: A rule's check: it takes a ``linter.project.context.LintContext`` (the registry does not
#: name the type, so that it needs nothing of the layers above it) and yields findings.
Check = Callable[[Any], Iterable[Finding]]


class Rule(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str
    #: the documentation written with the rule: a check's docstring, a policy rule's page
    docstring: str
    check: Check
    fix: Applicability | None = None
    kinds: frozenset[str] = frozenset({"prefect"})
    needs: Needs = Needs.DATA
    default: bool = True  # selected unless the user narrows the selection
    #: where a policy or plugin rule comes from ("" for a built-in rule)
    origin: str = ""
    #: a hash of a policy rule's definition: a change to it invalidates cached results
    digest: str = ""
    #: its findings point at a secret: code frames show the span masked, never the text
    sensitive: bool = False
    #: the file of its ``**Example**`` and ``**Use instead**`` sections ("" for none: policy
    #: and plugin rules have theirs in ``docstring``)
    examples: str = ""
    #: how far it looks: see ``Scope``
    scope: Scope = Scope.FILE

    @property
    def family(self) -> str:
        return letters(self.code)

    @property
    def doc(self) -> str:
        """The rule's documentation: its docstring, with its examples file (read the first
        time it is asked for) after the ``**Why**`` section."""
        if not self.examples:
            return self.docstring
        return documentation(self.docstring, self.examples)


_RULES: dict[str, Rule] = {}

#: Old code -> current code, for codes that were renamed after a release.
REDIRECTS: dict[str, str] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    fix: Applicability | None = None,
    kinds: Iterable[str] = ("prefect",),
    needs: Needs = Needs.DATA,
    default: bool = True,
    sensitive: bool = False,
    scope: Scope = Scope.FILE,
) -> Callable[[Check], Check]:
    """Register the decorated function as a rule."""

    def register(check: Check) -> Check:
        if not CODE_PATTERN.match(code):
            raise ValueError(f"rule code {code!r} must look like X000")
        if code in _RULES:
            raise ValueError(f"rule code {code} is registered twice")
        _RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            docstring=inspect.cleandoc(check.__doc__ or summary),
            check=check,
            fix=fix,
            kinds=frozenset(kinds),
            needs=needs,
            default=default,
            sensitive=sensitive,
            examples=_examples_file(check, code),
            scope=scope,
        )
        return check

    return register


def _examples_file(check: Check, code: str) -> str:
    """Where a built-in rule's examples are: ``examples/<CODE>.md`` beside the module that
    defines it (the path only; nothing is read until its documentation is asked for)."""
    module_file = getattr(sys.modules.get(check.__module__), "__file__", None)
    if not module_file:
        return ""
    return examples_file(module_file, code)


#: Policy and plugin rules loaded in this process, by code: known to ``get_rule`` (for
#: ``prefect-lint rule``, SARIF and suppressions) although which files they check depends
#: on the configuration that loaded them.
_EXTERNAL: dict[str, Rule] = {}


def register_external(rules: Iterable[Rule]) -> None:
    """Make policy or plugin rules known by code (their codes are checked by their loader)."""
    for external in rules:
        if not EXTERNAL_CODE.match(external.code):
            raise ValueError(f"rule code {external.code!r} must look like ABC000")
        _EXTERNAL[external.code] = external


def external_rules() -> list[Rule]:
    """The policy and plugin rules loaded so far, sorted by code."""
    return sorted(_EXTERNAL.values(), key=lambda r: r.code)


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by code. The registry knows no rule module: whoever
    runs rules imports ``linter.rules`` first (the runner, the commands that list rules)."""
    _require_rules()
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(code: str) -> Rule | None:
    _require_rules()
    code = code.upper()
    code = REDIRECTS.get(code, code)
    return _RULES.get(code) or _EXTERNAL.get(code)


def _require_rules() -> None:
    if not _RULES:
        raise RuntimeError("no rule is registered: import linter.rules before asking for rules")


def rule_url(code: str, docs_url: str | None) -> str:
    """The link to a rule's page under the configured ``docs-url`` base: ``{code}`` in it is
    replaced by the code, else the code is appended as a path segment. Without a base there
    is no link ("" everywhere), so none can lead nowhere."""
    if not docs_url:
        return ""
    if "{code}" in docs_url:
        return docs_url.replace("{code}", code)
    return f"{docs_url.rstrip('/')}/{code}"


def describe(value: Any) -> str:
    """A short, readable rendering of a YAML value for messages."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."
