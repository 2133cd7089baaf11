"""Value completion from the schema: what the language server offers after `key: `."""

from __future__ import annotations

from typing import Any

import pytest

from linter.lsp.editor_support import (
    ANY_ITEM,
    completion_context,
    schema_values,
    typed_placeholder,
    value_completions,
    yaml_scalar,
)
from linter.resources import load_json
from linter.source.document import Document


@pytest.fixture(scope="module")
def schema() -> Any:
    return load_json("prefect.yaml.schema.json")


@pytest.mark.parametrize(("path", "expected"), [
    (("deployments", ANY_ITEM, "paused"), ["true", "false"]),
    (("deployments", ANY_ITEM, "concurrency_limit", "collision_strategy"),
     ["ENQUEUE", "CANCEL_NEW"]),
    (("deployments", ANY_ITEM, "triggers", ANY_ITEM, "type"),
     ["event", "metric", "compound", "sequence"]),
    (("deployments", ANY_ITEM, "name"), []),
])
def test_values_come_from_enums_consts_and_booleans(schema: Any, path: tuple[str, ...],
                                                    expected: list[str]) -> None:
    assert list(value_completions(schema, path)) == expected


def test_a_boolean_that_may_also_be_a_quoted_word_offers_true_and_false(schema: Any) -> None:
    path = ("deployments", ANY_ITEM, "schedules", ANY_ITEM, "active")
    assert list(value_completions(schema, path)) == ["true", "false"]


@pytest.mark.parametrize("value", ["plain", "yes", "1.0", "a: b", "-x", " padded", "#tag",
                                   "null", "2024-01-01", "", "{{ x }}", None, True, 3, 1.5])
def test_a_written_value_reads_back_as_itself(value: object) -> None:
    text = f"key: {yaml_scalar(value)}\n"
    assert Document.from_text(text, "x.yaml").data == {"key": value}


def test_schema_values_of_one_subschema() -> None:
    assert schema_values({"enum": ["a", "on", None]}) == ["a", '"on"', "null"]
    assert schema_values({"type": ["boolean", "null"]}) == ["true", "false"]
    assert schema_values({"const": 3}) == ["3"]
    assert schema_values({"type": "string"}) == []


def test_the_cursor_after_a_key_asks_for_its_values() -> None:
    text = "deployments:\n  - name: x\n    concurrency_limit:\n      collision_strategy: \n"
    context = completion_context(text, 3, len("      collision_strategy: "))
    assert context.value_of == "collision_strategy"
    assert context.parent == ("deployments", ANY_ITEM, "concurrency_limit",
                              "collision_strategy")


HALF_TYPED = """\
deployments:
  - name: etl
    work_pool:
      name: "k8s-prod"  # the cluster
      job_variables:
        image: x
        env:
          A
        cp
  - name: other
    work_pool:
      job_variables:
        me
      name: docker-dev
  - name: none
    job_variables:
      cp
"""


@pytest.mark.parametrize(("line", "pool"), [(5, "k8s-prod"), (7, "k8s-prod"), (8, "k8s-prod"),
                                            (12, "docker-dev"), (16, None), (0, None)])
def test_pool_name_at_reads_the_work_pool_block_around_the_cursor(line: int,
                                                                  pool: str | None) -> None:
    from linter.lsp.editor_support import pool_name_at

    assert Document.from_text(HALF_TYPED, "prefect.yaml").parse_error is not None
    assert pool_name_at(HALF_TYPED, line) == pool


@pytest.mark.parametrize(("before", "typed"), [
    ('image: "org/etl:{{ prefect.var', "prefect.var"),
    ("token: '{{prefect.blocks.secret.db", "prefect.blocks.secret.db"),
    ('x: "{{ ', ""),
    ('x: "{{ pre', "pre"),
    ('x: "{{ build-image.image }} {{ prefect.variables.', "prefect.variables."),
    ('x: "{{ build-image.ima', None),  # a step output, not a block or variable
    ('x: "{{ prefect.variables.a }} tail', None),  # closed
    ("x: plain text", None),
])
def test_typed_placeholder(before: str, typed: str | None) -> None:
    assert typed_placeholder(before) == typed
