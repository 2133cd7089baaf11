"""The shipped prefect.yaml schema: well-formed, documented, and right about the cases."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from linter.resources import load_json
from linter.source.document import Document

CASES = Path(__file__).parent / "conformance" / "cases"


def schema() -> Any:
    return load_json("prefect.yaml.schema.json")


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema())


def properties(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}/properties/{name}", sub
        for key, value in node.items():
            # conditions (if/not) name properties only to test them: no help to show there
            if key not in ("properties", "if", "not"):
                yield from properties(value, f"{where}/{key}")
        for name, sub in node.get("properties", {}).items():
            yield from properties(sub, f"{where}/properties/{name}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from properties(item, f"{where}/{index}")


def test_every_property_has_title_and_description() -> None:
    missing = [where for where, sub in properties(schema())
               if isinstance(sub, dict) and not ("title" in sub and "description" in sub)
               and "$ref" not in sub]
    assert missing == []


def expectations() -> list[tuple[str, str]]:
    with (CASES / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return [(row["file"], row["expected"]) for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.parametrize(("name", "expected"), expectations())
def test_schema_verdict_matches_manifest(name: str, expected: str) -> None:
    """Files Prefect accepts cleanly validate; the rest fail (parse failures aside)."""
    document = Document.from_text((CASES / name).read_text(encoding="utf-8"), name)
    if document.parse_error is not None or not isinstance(document.data, dict):
        assert expected == "skip_parse"
        return
    errors = list(Draft202012Validator(schema()).iter_errors(document.data))
    if expected == "accept" and name.startswith("valid_"):
        assert errors == []
    elif expected != "skip_parse":
        assert errors, f"{name}: Prefect says {expected}, the schema accepts it"
