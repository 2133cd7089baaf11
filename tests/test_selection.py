"""Rule selection by code and prefix, with specificity."""

from __future__ import annotations

import pytest

from linter.core.selection import Selection, SelectorError, normalize_selectors, unknown_selectors


def selected(select: tuple[str, ...] | None, extend: tuple[str, ...] = (),
             ignore: tuple[str, ...] = ()) -> set[str]:
    return set(Selection(select, extend, ignore).codes())


def test_default_selects_all_default_rules() -> None:
    assert {"Y001", "Y002", "D001", "M001"} <= selected(None)


def test_prefixes() -> None:
    y00 = selected(("Y00",))
    assert {"Y000", "Y001", "Y008"} <= y00
    assert all(code.startswith("Y00") for code in y00)
    assert "D001" in selected(("D",))
    assert all(code.startswith("D") for code in selected(("D",)))
    assert selected(("ALL",)) >= {"D001", "Y001", "M001"}


def test_more_specific_ignore_wins() -> None:
    assert "Y002" not in selected(("Y",), ignore=("Y002",))
    assert "Y001" in selected(("Y",), ignore=("Y002",))


def test_more_specific_select_wins_over_family_ignore() -> None:
    assert selected(None, extend=("Y002",), ignore=("Y",)) & {"Y001", "Y002"} == {"Y002"}


def test_normalize_splits_and_uppercases() -> None:
    assert normalize_selectors(["y001,d", " all "], "test") == ["Y001", "D", "ALL"]


@pytest.mark.parametrize("bad", ["Y01234", "1Y", "yamllint", "Y-1", "ABCDEF001"])
def test_bad_selector(bad: str) -> None:
    with pytest.raises(SelectorError, match="not a rule code"):
        normalize_selectors([bad], "test")


def test_unknown_selectors() -> None:
    assert unknown_selectors(["Y001", "Q", "ALL", "Z999"]) == ["Q", "Z999"]


def test_policy_families_are_selectors_and_one_letter_families_stay_built_in() -> None:
    from linter.core.codes import prefix_names

    assert normalize_selectors(["org,acme042"], "test") == ["ORG", "ACME042"]
    assert prefix_names("ORG", "ORG001") and prefix_names("ORG00", "ORG001")
    assert not prefix_names("O", "ORG001")  # the one-letter family O is not ORG
    assert not prefix_names("S", "SEC001") and prefix_names("S", "S001")
