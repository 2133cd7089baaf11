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

import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from typing import Any, NamedTuple

from linter.lazy_regex import lazy_compile

Check = Callable[[Any], bool]

#: Keywords that carry no constraint.
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "title", "description", "markdownDescription", "default",
    "examples", "deprecated", "readOnly", "writeOnly", "format", "$defs", "definitions",
    "then", "else",  # compiled together with "if"
})


#: Size keywords -> (the type they apply to, lower or upper bound, words for a failure).
_SIZES: dict[str, tuple[type[Sized], str, str]] = {
    "minItems": (list, "min", "is too short"),
    "maxItems": (list, "max", "is too long"),
    "minProperties": (dict, "min", "does not have enough properties"),
    "maxProperties": (dict, "max", "has too many properties"),
    "minLength": (str, "min", "is too short"),
    "maxLength": (str, "max", "is too long"),
}
#: Numeric bound keywords -> (what a number within the bound satisfies, words for a failure).
_BOUNDS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "minimum": (operator.ge, "less than the minimum of"),
    "maximum": (operator.le, "greater than the maximum of"),
    "exclusiveMinimum": (operator.gt, "less than or equal to the minimum of"),
    "exclusiveMaximum": (operator.lt, "greater than or equal to the maximum of"),
}


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
            entry = KEYWORDS.get(keyword)
            if entry is None:
                raise Unsupported(keyword)
            checks.append(entry.check(self, argument, schema))
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
        compiled = [(lazy_compile(pattern), self.compile(sub)) for pattern, sub in
                    argument.items()]

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(sub(item) for key, item in value.items() for pattern, sub in compiled
                       if isinstance(key, str) and pattern.search(key))

        return check

    def k_additionalProperties(self, argument: Any, schema: Mapping[str, Any]) -> Check:
        known = set(schema.get("properties", {}))
        patterns = [lazy_compile(p) for p in schema.get("patternProperties", {})]
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

    def k_uniqueItems(self, argument: bool, schema: Mapping[str, Any]) -> Check:
        if not argument:
            return lambda value: True

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            return all(not json_equal(a, b) for i, a in enumerate(value) for b in value[i + 1:])

        return check

    def k_pattern(self, argument: str, schema: Mapping[str, Any]) -> Check:
        pattern = lazy_compile(argument)
        return lambda value: not isinstance(value, str) or pattern.search(value) is not None

    def size(self, keyword: str, argument: int) -> Check:
        """``minItems``, ``maxLength``, ...: the size of a value of the keyword's type."""
        kind, bound, _ = _SIZES[keyword]
        if bound == "min":
            return lambda value: not isinstance(value, kind) or len(value) >= argument
        return lambda value: not isinstance(value, kind) or len(value) <= argument

    def bound(self, keyword: str, argument: float) -> Check:
        """``minimum``, ``exclusiveMaximum``, ...: a number (not a boolean) against a bound."""
        holds = _BOUNDS[keyword][0]
        return lambda value: (isinstance(value, bool) or not isinstance(value, (int, float))
                              or holds(value, argument))

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


# -- explaining failures without jsonschema ---------------------------------------------------


class Failure(NamedTuple):
    """One failed keyword, with the attributes of a jsonschema ``ValidationError`` that the
    explanation in ``linter.schema.check`` reads: ``validator`` (the keyword),
    ``validator_value``, ``schema`` (the schema holding the keyword), ``instance``,
    ``absolute_path``, ``schema_path`` (from the root, or from the union branch for the
    ``context`` of an ``anyOf``/``oneOf``), ``message`` and ``context``."""

    validator: str
    validator_value: Any
    schema: Mapping[str, Any]
    instance: Any
    absolute_path: tuple[Any, ...]
    schema_path: list[Any]
    message: str
    context: Sequence[Failure] = ()


class Explainer:
    """Finds every failed keyword the way jsonschema's ``iter_errors`` does (same keywords,
    same order, same paths), for the draft 2020-12 subset that ``Compiler`` supports. It is
    asked only after the compiled check said "not valid", and it never imports jsonschema,
    whose import and validator set-up cost more than checking a typical file."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.compiler = Compiler(root)
        self.checks: dict[int, Check] = {}

    def valid(self, schema: Any, instance: Any) -> bool:
        check = self.checks.get(id(schema))
        if check is None:
            check = self.checks[id(schema)] = self.compiler.compile(schema)
        return check(instance)

    def resolve(self, pointer: str) -> Any:
        target: Any = self.root
        for part in pointer[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def failures(self, schema: Any, instance: Any, path: tuple[Any, ...] = (),
                 schema_path: list[Any] | None = None) -> Iterator[Failure]:
        spath = schema_path or []
        if schema is True:
            return
        if schema is False:
            yield Failure("false", False, {}, instance, path, spath,
                          f"False schema does not allow {instance!r}")
            return
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            entry = KEYWORDS[keyword]
            if entry.applies_to is None or isinstance(instance, entry.applies_to):
                yield from entry.explain(self, value, schema, instance, path, spath)

    def _one(self, keyword: str, value: Any, schema: Mapping[str, Any], instance: Any,
             path: tuple[Any, ...], spath: list[Any], message: str) -> Failure:
        return Failure(keyword, value, schema, instance, path, [*spath, keyword], message)

    # -- keywords ------------------------------------------------------------------------
    def f_ref(self, value: str, schema: Any, instance: Any, path: Any, spath: Any
              ) -> Iterator[Failure]:
        yield from self.failures(self.resolve(value), instance, path, spath)

    def f_type(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
               ) -> Iterator[Failure]:
        kinds = [value] if isinstance(value, str) else list(value)
        if not any(_is_type(instance, kind) for kind in kinds):
            shown = repr(value) if isinstance(value, str) else ", ".join(map(repr, value))
            yield self._one("type", value, schema, instance, path, spath,
                            f"{instance!r} is not of type {shown}")

    def f_enum(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
               ) -> Iterator[Failure]:
        if not any(json_equal(instance, option) for option in value):
            yield self._one("enum", value, schema, instance, path, spath,
                            f"{instance!r} is not one of {value!r}")

    def f_const(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
                ) -> Iterator[Failure]:
        if not json_equal(instance, value):
            yield self._one("const", value, schema, instance, path, spath,
                            f"{value!r} was expected")

    def f_properties(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
                     ) -> Iterator[Failure]:
        for name, sub in value.items():
            if name in instance:
                yield from self.failures(sub, instance[name], (*path, name),
                                         [*spath, "properties", name])

    def f_patternProperties(self, value: Any, schema: Any, instance: Any, path: Any,
                            spath: Any) -> Iterator[Failure]:
        for pattern, sub in value.items():
            for key, item in instance.items():
                if isinstance(key, str) and re.search(pattern, key):
                    yield from self.failures(sub, item, (*path, key),
                                             [*spath, "patternProperties", pattern])

    def f_additionalProperties(self, value: Any, schema: Any, instance: Any, path: Any,
                               spath: Any) -> Iterator[Failure]:
        known = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [key for key in instance if key not in known and not (
            isinstance(key, str) and any(re.search(p, key) for p in patterns))]
        if value is False:
            if extras:
                shown = ", ".join(repr(key) for key in sorted(extras, key=str))
                verb = "was" if len(extras) == 1 else "were"
                yield self._one("additionalProperties", value, schema, instance, path, spath,
                                f"Additional properties are not allowed ({shown} {verb} "
                                "unexpected)")
            return
        for key in extras:
            yield from self.failures(value, instance[key], (*path, key),
                                     [*spath, "additionalProperties"])

    def f_required(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
                   ) -> Iterator[Failure]:
        for name in value:
            if name not in instance:
                yield self._one("required", value, schema, instance, path, spath,
                                f"{name!r} is a required property")

    def f_propertyNames(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
                        ) -> Iterator[Failure]:
        for key in instance:
            yield from self.failures(value, key, path, [*spath, "propertyNames"])

    def f_dependentSchemas(self, value: Any, schema: Any, instance: Any, path: Any,
                           spath: Any) -> Iterator[Failure]:
        for name, sub in value.items():
            if name in instance:
                yield from self.failures(sub, instance, path, [*spath, "dependentSchemas", name])

    def f_items(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
                ) -> Iterator[Failure]:
        for index, item in enumerate(instance):
            yield from self.failures(value, item, (*path, index), [*spath, "items"])

    def size(self, keyword: str, value: int, schema: Any, instance: Any, path: Any,
             spath: Any) -> Iterator[Failure]:
        kind, bound, words = _SIZES[keyword]
        if not isinstance(instance, kind):
            return
        size = len(instance)
        if size < value if bound == "min" else size > value:
            if bound == "min" and value == 1:
                message = f"{instance!r} should be non-empty"
            elif bound == "max" and value == 0:
                message = f"{instance!r} is expected to be empty"
            else:
                message = f"{instance!r} {words}"
            yield self._one(keyword, value, schema, instance, path, spath, message)

    def f_uniqueItems(self, value: bool, schema: Any, instance: Any, path: Any, spath: Any
                      ) -> Iterator[Failure]:
        if value and isinstance(instance, list) and not self.compiler.k_uniqueItems(
                value, schema)(instance):
            yield self._one("uniqueItems", value, schema, instance, path, spath,
                            f"{instance!r} has non-unique elements")

    def f_dependentRequired(self, value: Any, schema: Any, instance: Any, path: Any,
                            spath: Any) -> Iterator[Failure]:
        for name, needs in value.items():
            if name in instance:
                for need in needs:
                    if need not in instance:
                        yield self._one("dependentRequired", value, schema, instance, path,
                                        spath, f"{need!r} is a dependency of {name!r}")

    def f_pattern(self, value: str, schema: Any, instance: Any, path: Any, spath: Any
                  ) -> Iterator[Failure]:
        if isinstance(instance, str) and re.search(value, instance) is None:
            yield self._one("pattern", value, schema, instance, path, spath,
                            f"{instance!r} does not match {value!r}")

    def bound(self, keyword: str, value: Any, schema: Any, instance: Any, path: Any,
              spath: Any) -> Iterator[Failure]:
        holds, words = _BOUNDS[keyword]
        if isinstance(instance, (int, float)) and not isinstance(instance, bool) and not holds(
                instance, value):
            yield self._one(keyword, value, schema, instance, path, spath,
                            f"{instance!r} is {words} {value!r}")

    def _branches(self, value: list[Any], instance: Any, path: Any
                  ) -> tuple[list[Failure], int | None]:
        """Failures of each branch (schema paths relative to the branch) and the index of
        the first branch that holds."""
        collected: list[Failure] = []
        for index, sub in enumerate(value):
            found = list(self.failures(sub, instance, path, [index]))
            if not found:
                return collected, index
            collected.extend(found)
        return collected, None

    def _none_holds(self, keyword: str, value: list[Any], schema: Any, instance: Any,
                    path: Any, spath: Any, collected: list[Failure]) -> Failure:
        """The failure of a union none of whose branches holds (their failures as context)."""
        return Failure(keyword, value, schema, instance, path, [*spath, keyword],
                       f"{instance!r} is not valid under any of the given schemas", collected)

    def f_anyOf(self, value: list[Any], schema: Any, instance: Any, path: Any, spath: Any
                ) -> Iterator[Failure]:
        collected, holds = self._branches(value, instance, path)
        if holds is None:
            yield self._none_holds("anyOf", value, schema, instance, path, spath, collected)

    def f_oneOf(self, value: list[Any], schema: Any, instance: Any, path: Any, spath: Any
                ) -> Iterator[Failure]:
        collected, holds = self._branches(value, instance, path)
        if holds is None:
            yield self._none_holds("oneOf", value, schema, instance, path, spath, collected)
            return
        more = [sub for sub in value[holds + 1 :] if self.valid(sub, instance)]
        if more:
            more.append(value[holds])
            shown = ", ".join(repr(sub) for sub in more)
            yield Failure("oneOf", value, schema, instance, path, [*spath, "oneOf"],
                          f"{instance!r} is valid under each of {shown}")

    def f_allOf(self, value: list[Any], schema: Any, instance: Any, path: Any, spath: Any
                ) -> Iterator[Failure]:
        for index, sub in enumerate(value):
            yield from self.failures(sub, instance, path, [*spath, "allOf", index])

    def f_not(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
              ) -> Iterator[Failure]:
        if self.valid(value, instance):
            yield self._one("not", value, schema, instance, path, spath,
                            f"{instance!r} should not be valid under {value!r}")

    def f_if(self, value: Any, schema: Any, instance: Any, path: Any, spath: Any
             ) -> Iterator[Failure]:
        if self.valid(value, instance):
            if "then" in schema:
                yield from self.failures(schema["then"], instance, path, [*spath, "then"])
        elif "else" in schema:
            yield from self.failures(schema["else"], instance, path, [*spath, "else"])


class Keyword(NamedTuple):
    """How the compiler checks a keyword and how the explainer says why it failed: kept
    together so that no keyword can be compiled without an explanation."""

    check: Callable[[Compiler, Any, Mapping[str, Any]], Check]
    explain: Callable[[Explainer, Any, Any, Any, Any, Any], Iterator[Failure]]
    #: The type of value the keyword speaks of (it passes any other); None for every type.
    applies_to: type | None = None


def _size_keyword(keyword: str) -> Keyword:
    """The compiled check and the explanation of a size keyword of ``_SIZES``."""
    return Keyword(lambda compiler, argument, schema: compiler.size(keyword, argument),
                   lambda explainer, value, schema, instance, path, spath: explainer.size(
                       keyword, value, schema, instance, path, spath))


def _bound_keyword(keyword: str) -> Keyword:
    """The compiled check and the explanation of a numeric bound keyword of ``_BOUNDS``."""
    return Keyword(lambda compiler, argument, schema: compiler.bound(keyword, argument),
                   lambda explainer, value, schema, instance, path, spath: explainer.bound(
                       keyword, value, schema, instance, path, spath))


#: Every constraint keyword of the supported subset (annotations are in ``_ANNOTATIONS``).
KEYWORDS: dict[str, Keyword] = {
    "$ref": Keyword(Compiler.k_ref, Explainer.f_ref),
    "type": Keyword(Compiler.k_type, Explainer.f_type),
    "enum": Keyword(Compiler.k_enum, Explainer.f_enum),
    "const": Keyword(Compiler.k_const, Explainer.f_const),
    "properties": Keyword(Compiler.k_properties, Explainer.f_properties, dict),
    "patternProperties": Keyword(Compiler.k_patternProperties, Explainer.f_patternProperties, dict),
    "additionalProperties": Keyword(Compiler.k_additionalProperties,
                                    Explainer.f_additionalProperties, dict),
    "required": Keyword(Compiler.k_required, Explainer.f_required, dict),
    "propertyNames": Keyword(Compiler.k_propertyNames, Explainer.f_propertyNames, dict),
    "minProperties": _size_keyword("minProperties"),
    "maxProperties": _size_keyword("maxProperties"),
    "dependentRequired": Keyword(Compiler.k_dependentRequired, Explainer.f_dependentRequired, dict),
    "dependentSchemas": Keyword(Compiler.k_dependentSchemas, Explainer.f_dependentSchemas, dict),
    "items": Keyword(Compiler.k_items, Explainer.f_items, list),
    "minItems": _size_keyword("minItems"),
    "maxItems": _size_keyword("maxItems"),
    "uniqueItems": Keyword(Compiler.k_uniqueItems, Explainer.f_uniqueItems),
    "pattern": Keyword(Compiler.k_pattern, Explainer.f_pattern),
    "minLength": _size_keyword("minLength"),
    "maxLength": _size_keyword("maxLength"),
    "minimum": _bound_keyword("minimum"),
    "maximum": _bound_keyword("maximum"),
    "exclusiveMinimum": _bound_keyword("exclusiveMinimum"),
    "exclusiveMaximum": _bound_keyword("exclusiveMaximum"),
    "anyOf": Keyword(Compiler.k_anyOf, Explainer.f_anyOf),
    "allOf": Keyword(Compiler.k_allOf, Explainer.f_allOf),
    "oneOf": Keyword(Compiler.k_oneOf, Explainer.f_oneOf),
    "not": Keyword(Compiler.k_not, Explainer.f_not),
    "if": Keyword(Compiler.k_if, Explainer.f_if),
}
