"""Each ``then`` function: a hit, a miss, and its options checked when the policy loads."""

from __future__ import annotations

from typing import Any

import pytest

from linter.policy.functions import FUNCTIONS, options_error


def problems(function: str, value: Any, present: bool = True, **options: Any) -> list[str]:
    assert options_error(function, options) is None
    return [p.error for p in FUNCTIONS[function](value, present, options)]


def test_defined_and_undefined() -> None:
    assert problems("defined", None, present=False) == ["it is not set"]
    assert problems("defined", None) == []  # `key:` with no value is set
    assert problems("undefined", 1) == ["it must not be set"]
    assert problems("undefined", None, present=False) == []


def test_truthy_and_falsy() -> None:
    assert problems("truthy", []) == ["[] is empty or false"]
    assert problems("truthy", None, present=False) == ["it is not set"]
    assert problems("truthy", ["x"]) == []
    assert problems("falsy", True) == ["True must be empty or false"]
    assert problems("falsy", 0) == []


def test_pattern_match_and_not_match() -> None:
    assert problems("pattern", "app:1", match=r":\d+$", notMatch="latest") == []
    assert problems("pattern", "app:latest", notMatch=":latest$") == [
        "\"app:latest\" matches ':latest$'"]
    assert problems("pattern", "app", match=":") == ["\"app\" does not match ':'"]
    assert problems("pattern", 3, match=":") == ["3 is an integer, not a string"]


def test_enumeration() -> None:
    assert problems("enumeration", "b", values=["a"]) == ['"b" is not one of "a"']
    assert problems("enumeration", "a", values=["a"]) == []


def test_length() -> None:
    assert problems("length", "abcd", max=3) == ['"abcd" is 4 characters long, above the '
                                                 'maximum 3']
    assert problems("length", [], min=1) == ["[] is 0 items long, below the minimum 1"]
    assert problems("length", 5, min=1, max=10) == []


@pytest.mark.parametrize(("case", "good", "bad"), [
    ("flat", "abc1", "aBc"), ("camel", "fooBar", "FooBar"), ("pascal", "FooBar", "fooBar"),
    ("kebab", "foo-bar", "foo_bar"), ("snake", "foo_bar", "foo-bar"),
    ("macro", "FOO_BAR", "Foo_Bar"),
])
def test_casing(case: str, good: str, bad: str) -> None:
    assert problems("casing", good, type=case) == []
    assert problems("casing", bad, type=case) == [f'"{bad}" is not {case} case']


def test_xor() -> None:
    properties = ["cron", "interval"]
    assert problems("xor", {"cron": "x"}, properties=properties) == []
    assert problems("xor", {}, properties=properties) == [
        "exactly one of `cron` or `interval` must be set; none is"]
    assert problems("xor", {"cron": 1, "interval": 2}, properties=properties) == [
        "exactly one of `cron` or `interval` must be set, not `cron` and `interval`"]


def test_schema_explains_like_the_s_rules() -> None:
    options: dict[str, Any] = {"schema": {"type": "object", "additionalProperties": False,
                                          "properties": {"memory": {"type": "string"}}}}
    assert options_error("schema", options) is None
    found = FUNCTIONS["schema"]({"memroy": "1Gi", "memory": 1}, True, options)
    assert sorted((p.error, p.inner) for p in found) == [
        ("expected a string, got an integer 1", ("memory",)),
        ("unknown key `memroy` (did you mean `memory`?)", ("memroy",)),
    ]


@pytest.mark.parametrize(("function", "options", "expected"), [
    ("pattern", {}, "pattern needs `match` or `notMatch`"),
    ("pattern", {"match": "("}, "is not a valid regular expression"),
    ("enumeration", {"values": "a"}, "enumeration needs `values`"),
    ("length", {}, "length needs `min` or `max`"),
    ("casing", {"type": "title"}, "casing needs `type`"),
    ("xor", {"properties": ["a"]}, "xor needs `properties`"),
    ("schema", {"schema": {"type": 3}}, "not a valid JSON Schema"),
    ("pattern", {"match": "a", "notmatch": "b"},
     "unknown option `notmatch` for pattern (pattern takes match, notMatch)"),
    ("defined", {"values": [1]}, "unknown option `values` for defined (defined takes no "
                                 "options)"),
])
def test_bad_options_are_refused(function: str, options: dict[str, Any], expected: str
                                 ) -> None:
    error = options_error(function, options)
    assert error is not None and expected in error
