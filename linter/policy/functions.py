"""The functions a policy rule's ``then`` applies to the values its ``given`` picks.

Each function takes the value (``present`` says whether the ``field`` exists at all) and the
rule's ``functionOptions``, and returns the problems it finds: an explanation, and for the
``schema`` function the path inside the value where the problem sits. ``options_error``
checks the options once, when the policy file is loaded, so a bad regex or a missing
``values`` list is a configuration error, not a crash in the middle of a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from linter.core.registry import describe
from linter.schema.check import SchemaIssue, expected_words, type_word
from linter.source.document import NodePath


class Problem(NamedTuple):
    """What a function found wrong: the sentence for ``{{error}}``, and where inside the
    checked value (empty: the value itself)."""

    error: str
    inner: NodePath = ()
    #: a key is missing from the mapping at ``inner``: reported on that mapping's key
    missing: bool = False


Function = Callable[[Any, bool, Mapping[str, Any]], list[Problem]]

CASES = {
    "flat": r"^[a-z][a-z0-9]*$",
    "camel": r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$",
    "pascal": r"^[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$",
    "kebab": r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$",
    "snake": r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$",
    "macro": r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$",
}


def _defined(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    return [] if present else [Problem("it is not set")]


def _undefined(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    return [Problem("it must not be set")] if present else []


def _truthy(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return [Problem("it is not set")]
    return [] if value else [Problem(f"{describe(value)} is empty or false")]


def _falsy(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    return [Problem(f"{describe(value)} must be empty or false")] if present and value else []


def _pattern(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return []
    if not isinstance(value, str):
        return [Problem(f"{describe(value)} is {type_word(value)}, not a string")]
    problems = []
    match, not_match = options.get("match"), options.get("notMatch")
    if match is not None and re.search(match, value) is None:
        problems.append(Problem(f"{describe(value)} does not match {match!r}"))
    if not_match is not None and re.search(not_match, value) is not None:
        problems.append(Problem(f"{describe(value)} matches {not_match!r}"))
    return problems


def _enumeration(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    allowed: Sequence[Any] = options["values"]
    if not present or value in allowed:
        return []
    shown = ", ".join(describe(item) for item in allowed)
    return [Problem(f"{describe(value)} is not one of {shown}")]


def _length(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return []
    size: float
    if isinstance(value, str):
        size, what = len(value), f"{len(value)} characters long"
    elif isinstance(value, (list, dict)):
        size, what = len(value), f"{len(value)} items long"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        size, what = value, f"{value}"
    else:
        return [Problem(f"{describe(value)} is {type_word(value)}, which has no length")]
    low, high = options.get("min"), options.get("max")
    if low is not None and size < low:
        return [Problem(f"{describe(value)} is {what}, below the minimum {low}")]
    if high is not None and size > high:
        return [Problem(f"{describe(value)} is {what}, above the maximum {high}")]
    return []


def _casing(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return []
    case = options["type"]
    if isinstance(value, str) and re.match(CASES[case], value):
        return []
    return [Problem(f"{describe(value)} is not {case} case")]


def _xor(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return []
    names: Sequence[str] = options["properties"]
    if not isinstance(value, dict):
        return [Problem(f"{describe(value)} is {type_word(value)}, not a mapping")]
    given = [name for name in names if name in value]
    if len(given) == 1:
        return []
    listed = " or ".join(f"`{name}`" for name in names)
    if not given:
        return [Problem(f"exactly one of {listed} must be set; none is")]
    both = " and ".join(f"`{name}`" for name in given)
    return [Problem(f"exactly one of {listed} must be set, not {both}")]


def _schema(value: Any, present: bool, options: Mapping[str, Any]) -> list[Problem]:
    if not present:
        return []
    from linter.schema.check import explain_error

    validator = options["_validator"]
    problems: list[Problem] = []
    seen: set[SchemaIssue] = set()
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path))):
        for issue in explain_error(error):
            if issue not in seen:
                seen.add(issue)
                problems.append(Problem(explain_issue(issue), issue.path,
                                        missing=issue.kind == "missing"))
    return problems


def explain_issue(issue: SchemaIssue) -> str:
    """A schema mistake in a sentence, worded as the S rules word them."""
    if issue.kind == "unknown_key":
        from linter.suggest import did_you_mean

        guess = did_you_mean(str(issue.key), issue.known)
        hint = f" (did you mean `{guess}`?)" if guess else ""
        return f"unknown key `{issue.key}`{hint}"
    if issue.kind == "missing":
        return f"`{issue.key}` is required but missing"
    if issue.kind == "type":
        return (f"expected {expected_words(issue.expected)}, got "
                f"{type_word(issue.instance)} {describe(issue.instance)}")
    return issue.message


FUNCTIONS: dict[str, Function] = {
    "defined": _defined,
    "undefined": _undefined,
    "truthy": _truthy,
    "falsy": _falsy,
    "pattern": _pattern,
    "enumeration": _enumeration,
    "length": _length,
    "casing": _casing,
    "schema": _schema,
    "xor": _xor,
}


#: The options each function takes (a misspelt option is an error, not ignored).
OPTIONS: dict[str, tuple[str, ...]] = {
    "pattern": ("match", "notMatch"),
    "enumeration": ("values",),
    "length": ("min", "max"),
    "casing": ("type",),
    "schema": ("schema",),
    "xor": ("properties",),
}


def options_error(function: str, options: Mapping[str, Any]) -> str | None:
    """Why ``options`` do not suit ``function`` (None when they do). ``schema`` options get
    their compiled validator under ``_validator`` (the caller passes a mutable dict)."""
    known = OPTIONS.get(function, ())
    unknown = [str(key) for key in options if key not in known]
    if unknown:
        takes = f"takes {', '.join(known)}" if known else "takes no options"
        return f"unknown option `{unknown[0]}` for {function} ({function} {takes})"
    if function == "pattern":
        return _pattern_options(options)
    if function == "enumeration":
        values = options.get("values")
        return None if isinstance(values, list) else "enumeration needs `values`, a list"
    if function == "length":
        bounds = [options.get(name) for name in ("min", "max")]
        if all(bound is None for bound in bounds):
            return "length needs `min` or `max`"
        if any(bound is not None and (isinstance(bound, bool) or not isinstance(
                bound, (int, float))) for bound in bounds):
            return "length `min` and `max` must be numbers"
        return None
    if function == "casing":
        case = options.get("type")
        return None if case in CASES else f"casing needs `type`, one of {', '.join(CASES)}"
    if function == "xor":
        names = options.get("properties")
        if not isinstance(names, list) or len(names) < 2 or not all(
                isinstance(name, str) for name in names):
            return "xor needs `properties`, a list of at least two keys"
        return None
    if function == "schema":
        return _schema_options(options)
    return None


def _pattern_options(options: Mapping[str, Any]) -> str | None:
    regexes = {name: options.get(name) for name in ("match", "notMatch")}
    if all(regex is None for regex in regexes.values()):
        return "pattern needs `match` or `notMatch`"
    for name, regex in regexes.items():
        if regex is None:
            continue
        if not isinstance(regex, str):
            return f"pattern `{name}` must be a string"
        try:
            re.compile(regex)
        except re.error as error:
            return f"pattern `{name}` {regex!r} is not a valid regular expression: {error}"
    return None


def _schema_options(options: Mapping[str, Any]) -> str | None:
    schema = options.get("schema")
    if not isinstance(schema, (dict, bool)):
        return "schema needs `schema`, a JSON Schema (a mapping)"
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return f"schema `schema` is not a valid JSON Schema: {error.message}"
    if isinstance(options, dict):
        options["_validator"] = Draft202012Validator(schema)
    return None
