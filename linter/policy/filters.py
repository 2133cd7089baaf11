"""RFC 9535 filter expressions (``[?@.tags[?@ == 'prod']]``) as Python predicates.

python-jsonpath parses the filter; for the common forms (existence tests and comparisons of
relative singular queries with literals, joined by ``&&``, ``||`` and ``!``) the parsed
expression is turned here into a predicate over the current value, which the fast walk of
:mod:`linter.policy.paths` calls directly. Anything else (function extensions, the root
``$``, regular expressions) returns None and the library evaluates the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]
Operand = Callable[[Any], Any]

#: An operand that selected no value (RFC 9535's "Nothing").
NOTHING = object()


def compile_filter(expression: Any, finder_of: Callable[[Any], Any]) -> Predicate | None:
    """A predicate for a ``FilterExpression``; ``finder_of`` turns a query's JSONPath into
    a function giving its matches (the walk's own, so nested filters are fast too)."""
    from jsonpath.filter import FilterExpression

    if type(expression) is not FilterExpression:
        return None
    return _logical(expression.expression, finder_of)


def _logical(node: Any, finder_of: Callable[[Any], Any]) -> Predicate | None:
    from jsonpath.filter import InfixExpression, PrefixExpression, RelativeFilterQuery

    if type(node) is RelativeFilterQuery:  # an existence test
        find = finder_of(node.path)
        return None if find is None else (lambda value: bool(find(value)))
    if type(node) is PrefixExpression and node.operator == "!":
        inner = _logical(node.right, finder_of)
        return None if inner is None else (lambda value: not inner(value))
    if type(node) is InfixExpression and node.logical:
        left, right = _logical(node.left, finder_of), _logical(node.right, finder_of)
        if left is None or right is None:
            return None
        if node.operator == "&&":
            return lambda value: left(value) and right(value)
        return lambda value: left(value) or right(value)
    if type(node) is InfixExpression and node.operator in _COMPARISONS:
        left_operand = _operand(node.left, finder_of)
        right_operand = _operand(node.right, finder_of)
        if left_operand is None or right_operand is None:
            return None
        compare = _COMPARISONS[node.operator]
        return lambda value: compare(left_operand(value), right_operand(value))
    return None


def _operand(node: Any, finder_of: Callable[[Any], Any]) -> Operand | None:
    from jsonpath.filter import (
        BooleanLiteral,
        FloatLiteral,
        IntegerLiteral,
        Nil,
        RelativeFilterQuery,
        StringLiteral,
    )

    if type(node) in (StringLiteral, IntegerLiteral, FloatLiteral, BooleanLiteral):
        constant = node.value
        return lambda _value: constant
    if type(node) is Nil:
        return lambda _value: None
    if type(node) is RelativeFilterQuery and node.path.singular_query():
        find = finder_of(node.path)
        if find is None:
            return None

        def single(value: Any) -> Any:
            found = find(value)
            return found[0].obj if len(found) == 1 else NOTHING

        return single
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if left is NOTHING or right is NOTHING:
        return left is right
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    if type(left) is not type(right) and not (isinstance(left, type(right)) or isinstance(
            right, type(left))):
        return False
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return bool(left == right)


def _less(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return bool(left < right)
    if isinstance(left, str) and isinstance(right, str):
        return left < right
    return False


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda left, right: not _equal(left, right),
    "<": _less,
    "<=": lambda left, right: _less(left, right) or _equal(left, right),
    ">": lambda left, right: _less(right, left),
    ">=": lambda left, right: _less(right, left) or _equal(left, right),
}
