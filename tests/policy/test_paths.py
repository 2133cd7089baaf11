"""The fast JSONPath walk gives exactly what python-jsonpath gives."""

from __future__ import annotations

from typing import Any

import pytest

from linter.policy.load import _environment
from linter.policy.paths import finder

DATA: dict[str, Any] = {
    "name": "x",
    "deployments": [
        {"name": "a", "tags": ["prod"], "schedules": [{"cron": "1"}, {"interval": 5}, "bad"],
         "work_pool": {"name": "k8s", "job_variables": {"image": "i:1", "env": {"A": 1}}}},
        {"name": "b", "tags": ["dev"], "work_pool": "not a mapping"},
        "not a mapping",
    ],
}


@pytest.mark.parametrize("text", [
    "$", "$.name", "$.deployments[*]", "$.deployments[*].work_pool.job_variables.image",
    "$.deployments[-1]", "$.deployments[5]", "$.deployments[0]['name','tags']",
    "$.deployments[*].*", "$.deployments[*].schedules[?@.cron || @.interval]",
    "$.deployments[?@.tags[?@ == 'prod']].name", "$..name",
    "$.deployments[?@.name == $.name]", "$.deployments[0:2].name",
])
def test_same_matches_as_the_library(text: str) -> None:
    compiled = _environment().compile(text)
    expected = [(tuple(m.parts), m.obj) for m in compiled.finditer(DATA)]
    assert [(m.parts, m.obj) for m in finder(compiled)(DATA)] == expected
