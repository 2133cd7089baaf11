"""Data files shipped with prefect-lint: the JSON Schemas and work-pool templates.

In an installed wheel they live in the data package ``linter.schemas`` (the folder
``linter/schemas``); in a source checkout (tests run from the repo root) they are read from
the top-level ``schemas/`` folder. Plain paths, not ``importlib.resources``, whose import
alone cost a noticeable part of the start-up.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE_SCHEMAS = Path(__file__).resolve().parent / "schemas"  # in an installed wheel
_REPO_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"  # in a source checkout


def schema_path(*parts: str) -> Path:
    """The path of a shipped data file, e.g. ``schema_path("pools", "docker.json")``."""
    candidate = _PACKAGE_SCHEMAS.joinpath(*parts)
    return candidate if candidate.is_file() else _REPO_SCHEMAS.joinpath(*parts)


def schema_folder(*parts: str) -> Path:
    """A shipped data folder (installed package first, then the checkout)."""
    candidate = _PACKAGE_SCHEMAS.joinpath(*parts)
    return candidate if candidate.is_dir() else _REPO_SCHEMAS.joinpath(*parts)


@lru_cache(maxsize=32)
def load_json(*parts: str) -> Any:
    """Parse a shipped JSON file once per process."""
    with schema_path(*parts).open(encoding="utf-8") as handle:
        return json.load(handle)
