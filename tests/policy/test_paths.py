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
    "flags": [True, 1, 1.0, 0, False, None, "1", [1], {"a": 1}],
}


@pytest.mark.parametrize("text", [
    "$", "$.name", "$.deployments[*]", "$.deployments[*].work_pool.job_variables.image",
    "$.deployments[-1]", "$.deployments[5]", "$.deployments[0]['name','tags']",
    "$.deployments[*].*", "$.deployments[*].schedules[?@.cron || @.interval]",
    "$.deployments[?@.tags[?@ == 'prod']].name", "$..name",
    "$.deployments[?@.name == $.name]", "$.deployments[0:2].name",
    "$.deployments[?@.work_pool.name == 'k8s'].name", "$.deployments[?!@.tags]",
    "$.deployments[?@.tags && @.schedules]", "$.deployments[?@.name != 'a']",
    "$.deployments[*].schedules[?@.interval > 4]", "$.deployments[*].schedules[?@.interval < 5]",
    "$.deployments[*].schedules[?@.interval >= 5.0]", "$.deployments[*].schedules[?@.cron <= '1']",
    "$.deployments[?@.missing == null]", "$.deployments[?@.missing == @.other]",
    "$.deployments[*].work_pool.job_variables.env[?@ == true]",
    "$.deployments[*].work_pool.job_variables.env[?@ == 1]", "$.flags[?@ == 1]",
    "$.flags[?@ == true]", "$.flags[?@ == false]", "$.flags[?@ == 0]",
    "$.deployments[?match(@.name, 'a')]", "$.deployments[?@.tags[?@ == 'dev']]",
    "$.deployments[?@.work_pool]", "$.deployments[?@ == 'not a mapping']",
    "$..name", "$..*", "$..[?@.cron]", "$.deployments..image", "$..[0]",
    "$..[?match(@.name, 'a')]",
])
def test_same_matches_as_the_library(text: str) -> None:
    compiled = _environment().compile(text)
    expected = [(tuple(m.parts), m.obj) for m in compiled.finditer(DATA)]
    assert [(m.parts, m.obj) for m in finder(compiled)(DATA)] == expected


def test_booleans_are_not_numbers_in_comparisons() -> None:
    """RFC 9535: `true > 0` is false (python-jsonpath compares them as Python does)."""
    compiled = _environment().compile("$.flags[?@ > 0]")
    assert [m.obj for m in finder(compiled)(DATA)] == [1, 1.0]


def test_descendants_of_deep_data_need_no_stack() -> None:
    deep: Any = {"name": "leaf"}
    for _ in range(3000):
        deep = {"a": deep}
    compiled = _environment().compile("$..name")
    assert [m.obj for m in finder(compiled)(deep)] == ["leaf"]


def test_a_path_the_library_cannot_evaluate_is_a_path_error() -> None:
    from linter.policy.paths import PathError

    deep: Any = 1
    for _ in range(300):
        deep = {"a": deep}
    compiled = _environment().compile("$..[?match(@.a, 'x')]")
    with pytest.raises(PathError, match="recursion limit exceeded"):
        finder(compiled)(deep)


SEGMENTS = [".a", ".b", "[*]", "[0]", "[-1]", "['a','b']", "..a", "..*", "[?@.a]",
            "[?@.a == 1]", "[?@.b == 'x']", "[?!@.a]", "[?@.a && @.b]", "[?@.a || @[0]]",
            "[?@ == null]", "[?@.a != 'x']", "[?@.a == @.b]", "[?@[0] == true]",
            "[?@.a[?@ == 1]]", "[?@ == 1.0]"]


def _data_strategy():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    keys = st.sampled_from(["a", "b", "c"])
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(
        [1.0, "x", "y", ""]))
    return st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)),
        max_leaves=12)


def test_random_paths_over_random_data_match_the_library() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3), _data_strategy())
    def check(segments: list[str], data: Any) -> None:
        compiled = _environment().compile("$" + "".join(segments))
        expected = [(tuple(m.parts), m.obj) for m in compiled.finditer(data)]
        assert [(m.parts, m.obj) for m in finder(compiled)(data)] == expected

    check()
