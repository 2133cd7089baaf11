"""The shape of rule codes and how a prefix names them.

Built-in rules have a one-letter family and three digits (``L001``); policy and plugin rules
have two to five letters and three digits (``ORG001``, ``ACME042``), so the one-letter
prefixes stay reserved for the built-in families. A prefix names a code when its letters are
the code's letters and its digits begin the code's digits: ``S`` names ``S001`` but not
``SEC001``, ``SEC`` and ``SEC0`` name ``SEC001``.
"""

from __future__ import annotations

from linter.lazy_regex import lazy_compile

BUILTIN_CODE = lazy_compile(r"^[A-Z][0-9]{3}$")
EXTERNAL_CODE = lazy_compile(r"^[A-Z]{2,5}[0-9]{3}$")
#: ``ALL``, a family (one to five letters) with up to three digits
SELECTOR = lazy_compile(r"^(ALL|[A-Z]{1,5}[0-9]{0,3})$")


def letters(code: str) -> str:
    """The family letters of a code or prefix (``ORG`` of ``ORG001``)."""
    end = 0
    while end < len(code) and code[end].isalpha():
        end += 1
    return code[:end]


def prefix_names(prefix: str, code: str) -> bool:
    """Whether ``prefix`` (a family, a partial code or a code) names ``code``."""
    if not code.startswith(prefix):
        return False
    return len(letters(prefix)) == len(letters(code))
