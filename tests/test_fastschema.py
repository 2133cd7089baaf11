"""The fast yes/no schema check must agree with jsonschema, which it only short-cuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from linter.document import Document
from linter.fastschema import Unsupported, compile_check, json_equal
from linter.resources import load_json
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

from linter import schema_check  # noqa: E402
from linter.fastschema import Explainer  # noqa: E402

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
