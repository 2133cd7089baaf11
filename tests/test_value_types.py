"""One vocabulary for value types in messages, shared by every family."""

from __future__ import annotations

import datetime as dt

import pytest

from linter.source.value_types import either, json_type, type_words, value_words
from tests.conftest import lint


@pytest.mark.parametrize(("value", "kind", "words"), [
    (None, "null", "empty (null)"),
    (True, "boolean", "a boolean"),
    (3, "integer", "an integer"),
    (1.5, "number", "a number"),
    ("x", "string", "a string"),
    ([1], "array", "a list"),
    ({"a": 1}, "object", "a mapping"),
    (dt.date(2024, 1, 2), "date", "a date"),
    (dt.datetime(2024, 1, 2, 3, 4), "date", "a date and time"),
])
def test_json_type_and_words(value: object, kind: str, words: str) -> None:
    assert json_type(value) == kind
    assert value_words(value) == words


def test_expected_types_read_the_same_in_every_family() -> None:
    assert either(["string", "integer", "null"]) == "a string or an integer or null"
    assert type_words("boolean") == "true or false"
    # S (schema) and T (step arguments) word an integer where a string is wanted alike
    text = ("pull:\n  - prefect.deployments.steps.git_clone:\n      repository: 5\n"
            "deployments:\n  - name: a\n    entrypoint: f.py:f\n    concurrency_limit: x\n")
    messages = " ".join(d.message for d in lint(text, select=("S", "T")))
    assert "an integer" in messages and "whole number" not in messages
