"""The fast yes/no schema check must agree with jsonschema, which it only short-cuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from linter.resources import load_json
from linter.schema.fast import Unsupported, compile_check, json_equal
from linter.source.document import Document
from tests.conftest import corpus_params

SCHEMA = load_json("prefect.yaml.schema.json")
FAST = compile_check(SCHEMA)
SLOW = Draft202012Validator(SCHEMA)
CASES = Path(__file__).parent / "conformance" / "cases"


def documents() -> list[Any]:
    return [*sorted(CASES.glob("*.yaml")), *corpus_params("prefect_yaml")]


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_agrees_on_real_files(path: Path) -> None:
    data = Document.from_text(path.read_text(encoding="utf-8"), path.name).data
    if isinstance(data, dict):
        assert FAST(data) == SLOW.is_valid(data)


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-2, 2),
                    st.sampled_from(["", "x", "ENQUEUE", "0 3 * * *", "PT10M", "{{ $X }}",
                                     "prefect.deployments.steps.git_clone", "1:30:00"]))
keys = st.sampled_from(["name", "version", "tags", "schedules", "cron", "interval", "active",
                        "work_pool", "job_variables", "limit", "collision_strategy",
                        "concurrency_limit", "triggers", "type", "pull", "id", "entrypoint",
                        "parameters", "sla", "duration", "anchor_date", "x"])
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "prefect-version", "deployments", "pull",
                                         "build", "definitions", "x"]), values, max_size=4),
       st.lists(st.dictionaries(keys, values, max_size=6), max_size=3))
def test_agrees_on_generated_documents(top: dict[str, Any], deployments: list[Any]) -> None:
    document = {**top, "deployments": deployments}
    assert FAST(document) == SLOW.is_valid(document)


def test_unknown_keyword_is_refused() -> None:
    with pytest.raises(Unsupported):
        compile_check({"type": "object", "unevaluatedProperties": False})


def test_json_equality() -> None:
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal(1, 1.0)
    assert json_equal({"a": [1, "x"]}, {"a": [1, "x"]})
    assert not json_equal("1", 1)


# -- our explanation of failures equals the one built on jsonschema's errors ----------------

from linter.schema import check as schema_check  # noqa: E402
from linter.schema.fast import Explainer  # noqa: E402

EXPLAINER = Explainer(SCHEMA)


def explained(errors: Any) -> list[tuple[Any, ...]]:
    found = {(i.kind, i.path, i.message, i.key, i.expected, i.known)
             for error in errors for i in schema_check._explain(error)}
    return sorted(found, key=repr)


def assert_same_explanation(document: dict[str, Any]) -> None:
    ours = explained(EXPLAINER.failures(SCHEMA, document))
    theirs = explained(SLOW.iter_errors(document))
    assert ours == theirs


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_explanations_agree_on_real_files(path: Path) -> None:
    data = Document.from_text(path.read_text(encoding="utf-8"), path.name).data
    if isinstance(data, dict):
        assert_same_explanation(data)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "prefect-version", "deployments", "pull",
                                         "build", "definitions", "x"]), values, max_size=4),
       st.lists(st.dictionaries(keys, values, max_size=6), max_size=3))
def test_explanations_agree_on_generated_documents(top: dict[str, Any],
                                                   deployments: list[Any]) -> None:
    assert_same_explanation({**top, "deployments": deployments})


#: keyword -> (a schema using it, an instance that fails it)
FAILING: dict[str, tuple[dict[str, Any], Any]] = {
    "$ref": ({"$ref": "#/$defs/s", "$defs": {"s": {"type": "string"}}}, 1),
    "type": ({"type": ["string", "null"]}, 1),
    "enum": ({"enum": ["a", "b"]}, "c"),
    "const": ({"const": "a"}, "b"),
    "properties": ({"properties": {"a": {"type": "string"}}}, {"a": 1}),
    "patternProperties": ({"patternProperties": {"^x": {"type": "string"}}}, {"xa": 1}),
    "additionalProperties": ({"properties": {"a": {}}, "additionalProperties": False},
                             {"a": 1, "b": 2, "c": 3}),
    "required": ({"required": ["a", "b"]}, {}),
    "propertyNames": ({"propertyNames": {"maxLength": 2}}, {"abc": 1}),
    "minProperties": ({"minProperties": 1}, {}),
    "maxProperties": ({"maxProperties": 1}, {"a": 1, "b": 2}),
    "dependentRequired": ({"dependentRequired": {"a": ["b", "c"]}}, {"a": 1}),
    "dependentSchemas": ({"dependentSchemas": {"a": {"required": ["b"]}}}, {"a": 1}),
    "items": ({"items": {"type": "string"}}, ["a", 1]),
    "minItems": ({"minItems": 2}, [1]),
    "maxItems": ({"maxItems": 1}, [1, 2]),
    "uniqueItems": ({"uniqueItems": True}, [1, {"a": 1}, {"a": 1}]),
    "pattern": ({"pattern": "^a"}, "b"),
    "minLength": ({"minLength": 1}, ""),
    "maxLength": ({"maxLength": 1}, "ab"),
    "minimum": ({"minimum": 2}, 1),
    "maximum": ({"maximum": 2}, 3),
    "exclusiveMinimum": ({"exclusiveMinimum": 2}, 2),
    "exclusiveMaximum": ({"exclusiveMaximum": 2}, 2),
    "anyOf": ({"anyOf": [{"type": "string"}, {"minimum": 5}]}, 1),
    "allOf": ({"allOf": [{"type": "integer"}, {"minimum": 5}]}, 1),
    "oneOf": ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1),
    "not": ({"not": {"type": "integer"}}, 1),
    "if": ({"if": {"type": "integer"}, "then": {"minimum": 5}, "else": {"type": "null"}}, 1),
}


def failure_summary(errors: Any) -> list[tuple[Any, ...]]:
    return sorted(((e.validator, e.message, list(e.absolute_path), list(e.schema_path),
                    failure_summary(e.context)) for e in errors), key=repr)


def test_every_compiled_keyword_has_an_example() -> None:
    from linter.schema.fast import KEYWORDS

    assert set(FAILING) == set(KEYWORDS)


@pytest.mark.parametrize("keyword", sorted(FAILING))
def test_every_compiled_keyword_is_explained_as_jsonschema_does(keyword: str) -> None:
    schema, instance = FAILING[keyword]
    assert compile_check(schema)(instance) is False
    ours = list(Explainer(schema).failures(schema, instance))
    theirs = list(Draft202012Validator(schema).iter_errors(instance))
    assert ours, f"{keyword}: no failure explained"
    assert failure_summary(ours) == failure_summary(theirs)
    for failure in ours:  # the finding's wording reads these attributes
        list(schema_check._explain(failure))


#: A value of every JSON type, empty and not: a keyword about one type passes the others.
EVERY_TYPE = [None, True, 0, 2, 2.5, "", "ab", [], [1, "a"], {}, {"a": 1, "xa": "b"}]


@pytest.mark.parametrize("keyword", sorted(FAILING))
def test_every_compiled_keyword_agrees_with_jsonschema_on_every_type(keyword: str) -> None:
    schema, _ = FAILING[keyword]
    validator = Draft202012Validator(schema)
    for instance in EVERY_TYPE:
        assert compile_check(schema)(instance) is validator.is_valid(instance), instance
        ours = list(Explainer(schema).failures(schema, instance))
        assert failure_summary(ours) == failure_summary(validator.iter_errors(instance))
