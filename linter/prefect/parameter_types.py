"""Does a YAML parameter value fit a flow parameter's annotation, as Prefect's server sees it?

With ``enforce_parameter_schema`` (the Prefect 3 default) the server validates a deployment's
``parameters`` against the JSON Schema that pydantic makes from the flow's signature, with
jsonschema's strict types: ``"5"`` is not an integer, ``true`` is not an integer, ``5`` is a
number, ``5.0`` is an integer. Only simple annotations are judged (``int``, ``float``,
``bool``, ``str``, ``list``/``List[...]``, ``dict``/``Dict[...]``, ``Optional``/``| None``,
``Union`` of those, ``Literal[...]``); anything else is accepted.
"""

from __future__ import annotations

import ast
import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from linter.prefect.entrypoints import FlowFunction

from linter.core.registry import describe
from linter.source.value_types import type_words

_SIMPLE = {
    "int": "integer", "float": "number", "bool": "boolean", "str": "string",
    "list": "array", "List": "array", "Sequence": "array", "set": "array", "Set": "array",
    "dict": "object", "Dict": "object", "Mapping": "object",
    "None": "null", "NoneType": "null",
}


class Expected(NamedTuple):
    """JSON types a value may have, and the allowed values of a ``Literal``."""

    types: frozenset[str] = frozenset()
    literals: tuple[Any, ...] = ()

    def describe(self) -> str:
        words = [type_words(t) for t in sorted(self.types)]
        words += [repr(value) for value in self.literals]
        return " or ".join(words)


def expected_for(annotation: ast.expr | None) -> Expected | None:
    """What the annotation allows, or None when it is not simple enough to judge."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return Expected(frozenset({"null"}))
        if isinstance(annotation.value, str):  # a string annotation: "int"
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
            return expected_for(parsed)
        return None
    name = _name_of(annotation)
    if name in _SIMPLE:
        return Expected(frozenset({_SIMPLE[name]}))
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _union([annotation.left, annotation.right])
    if isinstance(annotation, ast.Subscript):
        outer = _name_of(annotation.value)
        inner = annotation.slice
        members = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer in _SIMPLE:
            return Expected(frozenset({_SIMPLE[outer]}))
        if outer == "Optional":
            return _union([*members, ast.Constant(None)])
        if outer == "Union":
            return _union(members)
        if outer == "Annotated" and members:
            return expected_for(members[0])
        if outer == "Literal":
            values = []
            for member in members:
                if not isinstance(member, ast.Constant):
                    return None
                values.append(member.value)
            return Expected(literals=tuple(values))
    return None


def _union(members: list[ast.expr]) -> Expected | None:
    types: set[str] = set()
    literals: list[Any] = []
    for member in members:
        expected = expected_for(member)
        if expected is None:
            return None
        types |= expected.types
        literals += expected.literals
    return Expected(frozenset(types), tuple(literals))


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # typing.Optional, t.List
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return None


def json_types(value: Any) -> set[str]:
    """The JSON Schema types ``value`` satisfies (jsonschema's rules)."""
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"integer", "number"} if value.is_integer() else {"number"}
    if isinstance(value, (str, dt.date, dt.datetime)):
        return {"string"}  # dates are sent as ISO strings
    if isinstance(value, list):
        return {"array"}
    if isinstance(value, dict):
        return {"object"}
    return set()


def fits(value: Any, expected: Expected) -> bool:
    if expected.types & json_types(value):
        return True
    return any(_same(value, literal) for literal in expected.literals)


def _same(value: Any, literal: Any) -> bool:
    if isinstance(value, bool) or isinstance(literal, bool):
        return isinstance(value, bool) and isinstance(literal, bool) and value == literal
    return bool(value == literal)


def parameter_type_problem(function: FlowFunction, key: str, value: Any
                           ) -> tuple[str, str] | None:
    """(message, help) when ``value`` contradicts the simple annotation of the flow
    parameter ``key``; shared by prefect.yaml's ``parameters`` and Python's ``parameters=``."""
    parameter = function.parameter(key)
    expected = expected_for(parameter.annotation) if parameter is not None else None
    if expected is None or fits(value, expected):
        return None
    return (f'parameter "{key}" is {describe(value)}, but flow "{function.qualified_name}" '
            f"declares it as {expected.describe()}; the server refuses the deployment",
            f"write {expected.describe()}")
