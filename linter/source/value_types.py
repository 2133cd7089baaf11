"""One vocabulary for the types of YAML values in messages: what JSON Schema type a value
read from YAML has, and the words every family uses for a type ("an integer", "a mapping",
"true or false"), so S, P, T and D findings say the same thing the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

#: JSON Schema type (and ``date``) -> the words for "a value of that type".
TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "date": "a date",
    "placeholder": "a {{ placeholder }}",
}


#: Python type -> JSON Schema type, in the order they are tried (bool before int: a bool is
#: an int to Python).
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
    (dt.date, "date"),  # datetime is a date
)


def json_type(value: Any) -> str:
    """The JSON Schema type of a value as YAML read it (``date`` for YAML dates and
    timestamps, ``other`` for anything else)."""
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "other"


def type_words(kind: str) -> str:
    """The words for one JSON Schema type (the type's own name when it has none)."""
    return TYPE_WORDS.get(kind, kind)


def value_words(value: Any) -> str:
    """What a YAML value is, in words: "an integer", "a date and time", "a mapping"."""
    if value is None:
        return "empty (null)"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, bool):
        return "a boolean"  # the value itself is true or false: say what kind it is
    kind = json_type(value)
    return TYPE_WORDS[kind] if kind in TYPE_WORDS else type(value).__name__


def either(kinds: Iterable[str]) -> str:
    """The words for several allowed types: "a string or an integer"."""
    return " or ".join(type_words(kind) for kind in kinds)
