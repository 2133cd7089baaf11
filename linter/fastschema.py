"""A yes/no JSON Schema check compiled to closures, to skip the slow path on valid data.

jsonschema explains failures well but walks valid data slowly (it builds a validator object
per keyword and per level): on a file with 10,000 deployments it spent most of the run
confirming that valid deployments are valid. This module compiles the subset of draft
2020-12 that our schemas use into nested closures that only answer "valid or not"; when the
answer is "not", jsonschema is asked for the details. A schema using a keyword this module
does not know is refused at compile time (``Unsupported``), and the caller falls back to
jsonschema for everything, so the answer is never wrong, only sometimes slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that carry no constraint.
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "title", "description", "markdownDescription", "default",
    "examples", "deprecated", "readOnly", "writeOnly", "format", "$defs", "definitions",
    "then", "else",  # compiled together with "if"
})


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


def _is_type(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float))
    raise Unsupported(f"type {kind}")


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1, lists and objects compare deeply."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    return bool(left == right)


class Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#/"):
            raise Unsupported(f"$ref {pointer}")
        slot: list[Check] = []
        self.refs[pointer] = lambda value: slot[0](value)  # recursion-safe forward reference
        target: Any = self.root
        for part in pointer[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        slot.append(self.compile(target))
        return self.refs[pointer]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise Unsupported(f"schema {schema!r}")
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            builder = getattr(self, "k_" + keyword.lstrip("$"), None)
            if builder is None:
                raise Unsupported(keyword)
            checks.append(builder(argument, schema))
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    # -- keywords (each returns a check; objects-only keywords pass non-objects) -----------
    def k_ref(self, argument: str, schema: Mapping[str, Any]) -> Check:
        return self.ref(argument)

    def k_type(self, argument: str | list[str], schema: Mapping[str, Any]) -> Check:
        kinds = [argument] if isinstance(argument, str) else list(argument)
        for kind in kinds:
            _is_type(None, kind)  # refuse unknown type names now
        return lambda value: any(_is_type(value, kind) for kind in kinds)

    def k_enum(self, argument: list[Any], schema: Mapping[str, Any]) -> Check:
        return lambda value: any(json_equal(value, option) for option in argument)

    def k_const(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: json_equal(value, argument)

    def k_properties(self, argument: Mapping[str, Any], schema: Mapping[str, Any]) -> Check:
        compiled = {name: self.compile(sub) for name, sub in argument.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, sub in compiled.items():
                if name in value and not sub(value[name]):
                    return False
            return True

        return check

    def k_patternProperties(self, argument: Mapping[str, Any],
                            schema: Mapping[str, Any]) -> Check:
        compiled = [(re.compile(pattern), self.compile(sub)) for pattern, sub in
                    argument.items()]

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(sub(item) for key, item in value.items() for pattern, sub in compiled
                       if isinstance(key, str) and pattern.search(key))

        return check

    def k_additionalProperties(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        known = set(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        sub = self.compile(argument)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                if key in known:
                    continue
                if patterns and isinstance(key, str) and any(p.search(key) for p in patterns):
                    continue
                if not sub(item):
                    return False
            return True

        return check

    def k_required(self, argument: list[str], schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or all(key in value for key in argument)

    def k_propertyNames(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        sub = self.compile(argument)
        return lambda value: not isinstance(value, dict) or all(sub(key) for key in value)

    def k_minProperties(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) >= argument

    def k_maxProperties(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) <= argument

    def k_dependentRequired(self, argument: Mapping[str, list[str]],
                            schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or all(
            all(need in value for need in needs) for key, needs in argument.items()
            if key in value)

    def k_dependentSchemas(self, argument: Mapping[str, Any],
                           schema: Mapping[str, Any]) -> Check:
        compiled = {key: self.compile(sub) for key, sub in argument.items()}
        return lambda value: not isinstance(value, dict) or all(
            sub(value) for key, sub in compiled.items() if key in value)

    def k_items(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise Unsupported("prefixItems")
        sub = self.compile(argument)
        return lambda value: not isinstance(value, list) or all(sub(item) for item in value)

    def k_minItems(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) >= argument

    def k_maxItems(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) <= argument

    def k_uniqueItems(self, argument: bool, schema: Mapping[str, Any]) -> Check:
        if not argument:
            return lambda value: True

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            return all(not json_equal(a, b) for i, a in enumerate(value) for b in value[i + 1:])

        return check

    def k_pattern(self, argument: str, schema: Mapping[str, Any]) -> Check:
        pattern = re.compile(argument)
        return lambda value: not isinstance(value, str) or pattern.search(value) is not None

    def k_minLength(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) >= argument

    def k_maxLength(self, argument: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) <= argument

    def _number(self, test: Callable[[float], bool]) -> Check:
        return lambda value: (isinstance(value, bool) or not isinstance(value, (int, float))
                              or test(value))

    def k_minimum(self, argument: float, schema: Mapping[str, Any]) -> Check:
        return self._number(lambda value: value >= argument)

    def k_maximum(self, argument: float, schema: Mapping[str, Any]) -> Check:
        return self._number(lambda value: value <= argument)

    def k_exclusiveMinimum(self, argument: float, schema: Mapping[str, Any]) -> Check:
        return self._number(lambda value: value > argument)

    def k_exclusiveMaximum(self, argument: float, schema: Mapping[str, Any]) -> Check:
        return self._number(lambda value: value < argument)

    def k_anyOf(self, argument: list[Any], schema: Mapping[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in argument]
        return lambda value: any(sub(value) for sub in subs)

    def k_allOf(self, argument: list[Any], schema: Mapping[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in argument]
        return lambda value: all(sub(value) for sub in subs)

    def k_oneOf(self, argument: list[Any], schema: Mapping[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in argument]
        return lambda value: sum(1 for sub in subs if sub(value)) == 1

    def k_not(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        sub = self.compile(argument)
        return lambda value: not sub(value)

    def k_if(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        condition = self.compile(argument)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda value: then(value) if condition(value) else otherwise(value)


def compile_check(root: Mapping[str, Any], pointer: str | None = None) -> Check:
    """A yes/no check for ``root`` (or for the sub-schema at ``pointer`` inside it)."""
    compiler = Compiler(root)
    return compiler.ref(pointer) if pointer else compiler.compile(root)
