"""linter.prefect.cron: Prefect's verdict on cron strings, without croniter."""

from __future__ import annotations

import pytest

from linter.prefect.cron import check_cron

VALID = [
    "0 0 * * *", "*/15 * * * *", "0 9 * * MON-FRI", "0 9 * * mon-fri", "0 0 1 JAN *",
    "0 0 L * *", "0 0 * * L5", "0 0 * * 1#2", "0 0 * * fri#1,mon#3", "0 0 ? * *",
    "0 0 * * ?", "@daily", "@HOURLY", "@annually", "0 0 * * 7", "0 0 * * 0-7",
    "5-0 * * * *", "0 0 0-0 * *", "10/5 * * * *", "0 0 1-l * *", "0 0 0 * * 0",
    "0 0 * * * */15", "0 0 * * * 0 2030", "0 0 * * sun-sat", "0,30 8-18/2 * * 1-5",
]
INVALID = [
    ("", "empty"),
    ("61 * * * *", "minute 61 is out of range (0-59)"),
    ("* * * *", "it has 4 fields"),
    ("* * * * * * * *", "it has 8 fields"),
    ("0 24 * * *", "hour 24 is out of range (0-23)"),
    ("0 0 0 * *", "day-of-month 0 is out of range (1-31)"),
    ("0 0 * 13 *", "month 13"),
    ("0 0 * * 8", "day-of-week 8"),
    ("0 0 * * 7 0", "day-of-week 7 is out of range (0-6)"),
    ("0 0 * * MON-FRY", "`fry` in `mon-fry` is not valid in the day-of-week field"),
    ("jan * * * *", "`jan` is not valid in the minute field"),
    ("*/0 * * * *", "the step in `*/0` is 0"),
    ("0 ? * * *", "`?` is only allowed in the day-of-month and day-of-week fields"),
    ("0 0 ?5 * *", "`?` cannot be combined"),
    ("0 0 * * 1#6", "the week number after `#` must be 1-5"),
    ("0 0 * * 1#2,3", "mixes plain days"),
    ("-5 * * * *", "negative numbers"),
    ("1,,2 * * * *", "is not valid in the minute field"),
    ("0 0 l-5 * *", "is not a valid range"),
    ("@daily ", "only recognised without surrounding spaces"),
    ("@every 5m", "not an alias croniter knows"),
    ("R * * * *", "random (`R`) or hashed (`H`)"),
    ("H 0 * * *", "random (`R`) or hashed (`H`)"),
    ("H/5 * * * *", "hashed (`H`) value"),
    ("every day at noon", "it has 4 fields"),
    ("0 0 * * * 0 1969", "year 1969 is out of range (1970-2099)"),
]


@pytest.mark.parametrize("expression", VALID)
def test_valid(expression: str) -> None:
    verdict = check_cron(expression)
    assert verdict.problem is None and verdict.caution is None


@pytest.mark.parametrize(("expression", "words"), INVALID)
def test_invalid_with_reason(expression: str, words: str) -> None:
    problem = check_cron(expression).problem
    assert problem is not None and words in problem


def test_random_field_is_accepted_with_a_caution() -> None:
    verdict = check_cron("R/5 * * * *")
    assert verdict.problem is None
    assert verdict.caution is not None and "`R/5` is random" in verdict.caution


def test_random_range_outside_the_field_is_rejected() -> None:
    problem = check_cron("0 0 * R(0-10) *").problem
    assert problem is not None and "can produce a value outside 1-12" in problem
