"""Which rules run: ``select``, ``extend-select`` and ``ignore`` by code or prefix.

A selector is ``ALL``, a family (``L``, or ``ORG`` for a policy family), a partial code
(``L0``) or a code (``L001``, ``ORG001``): see :mod:`linter.core.codes`.
When a rule matches both a select and an ignore selector, the more specific one wins, so
``--select L --ignore L001`` drops one rule and ``--ignore L --extend-select L001`` keeps one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from linter.core.codes import SELECTOR, prefix_names
from linter.core.registry import REDIRECTS, Rule, all_rules, external_rules


class SelectorError(ValueError):
    pass


def normalize_selectors(values: Iterable[str], origin: str) -> list[str]:
    """Upper-case, split on commas, apply redirects and check the syntax of selectors."""
    result: list[str] = []
    for value in values:
        for part in value.split(","):
            selector = part.strip().upper()
            if not selector:
                continue
            if not SELECTOR.match(selector):
                raise SelectorError(
                    f"{origin}: {part.strip()!r} is not a rule code or prefix "
                    "(expected ALL, a family such as L or ORG, or a code such as L001 or ORG001)"
                )
            result.append(REDIRECTS.get(selector, selector))
    return result


def _specificity(selectors: Sequence[str], code: str) -> int:
    """Length of the longest selector matching ``code``; -1 when none does (ALL counts 0)."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif prefix_names(selector, code):
            best = max(best, len(selector))
    return best


class Selection(NamedTuple):
    select: tuple[str, ...] | None  # None: the default set
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def is_selected(self, rule: Rule) -> bool:
        if self.select is None:
            chosen = 0 if rule.default else -1
        else:
            chosen = _specificity(self.select, rule.code)
        chosen = max(chosen, _specificity(self.extend_select, rule.code))
        if chosen < 0:
            return False
        return chosen > _specificity(self.ignore, rule.code)

    def rules(self, extra: Sequence[Rule] = ()) -> list[Rule]:
        """The selected built-in rules, then the selected ones of ``extra`` (policy and
        plugin rules of one configuration)."""
        return [rule for rule in (*all_rules(), *extra) if self.is_selected(rule)]

    def codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.rules())

    def without(self, ignored: Sequence[str]) -> Selection:
        if not ignored:
            return self
        return Selection(self.select, self.extend_select, (*self.ignore, *ignored))


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors that match no registered rule, built-in or loaded (probably typos)."""
    codes = [rule.code for rule in (*all_rules(), *external_rules())]
    return [
        s for s in selectors if s != "ALL" and not any(prefix_names(s, code) for code in codes)
    ]
