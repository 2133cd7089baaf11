"""Cron strings checked the way Prefect checks them, without croniter.

Prefect (``CronSchedule`` -> ``validate_cron_string``) accepts a cron string when its vendored
croniter can expand it (``croniter.is_valid``) and no field is exactly ``R`` or ``H``. This
module re-implements that verdict: 5 fields (minute hour day month weekday), 6 (plus seconds)
or 7 (plus year); ``*``, numbers, ``a-b`` ranges (wrapping when ``a > b``), ``/step``,
lists, month and weekday names, ``?`` in the day fields, ``L`` for the last day of the month,
``L5`` and ``5#2`` in the weekday field, and the ``@daily``-style aliases. The quirks are
croniter's: ``7`` means Sunday only in 5-field strings, ``0`` means the 1st of the month only
in 6-field strings, a range ``a-a`` means the whole field. The conformance test compares this
verdict with Prefect's own for a table of strings.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from linter.lazy_regex import lazy_compile

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week", "second", "year")
MINUTE, HOUR, DAY, MONTH, WEEKDAY, SECOND, YEAR = range(7)
RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6), (0, 59), (1970, 2099))
MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
WEEKDAY_NAMES = {
    name: number
    for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
}
ALIASES = {
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}

_STEP = lazy_compile(r"^([^-]+)-([^-/]+)(/(\d+))?$")
_INT = lazy_compile(r"^\d+$")
_STAR_OR_INT = lazy_compile(r"^(\d+|\*)$")
_WEEKDAYS = "|".join(WEEKDAY_NAMES)
_MONTHS = "|".join(MONTH_NAMES)
_SPECIAL_WEEKDAY = lazy_compile(
    rf"^(?P<pre>((?P<he>(({_WEEKDAYS})(-({_WEEKDAYS}))?)|(({_MONTHS})(-({_MONTHS}))?)|\w+)#)|l)"
    r"(?P<last>\d+)$"
)
_HASHED = lazy_compile(
    r"^(?P<kind>h|r)(\((?P<begin>\d+)-(?P<end>\d+)\))?(/(?P<divisor>\d+))?$"
)


class CronVerdict(NamedTuple):
    """``problem`` is why Prefect rejects the string; ``caution`` is advice about a string
    Prefect accepts (a random ``R`` field)."""

    problem: str | None = None
    caution: str | None = None


class _Invalid(Exception):
    pass


def check_cron(expression: str) -> CronVerdict:
    """Prefect's verdict on a cron string (``day_or`` does not change validity)."""
    if not expression:
        return CronVerdict("the cron string is empty, and Prefect reports an empty cron as "
                           "\"Unknown schedule type\"")
    lowered = expression.lower()
    fields = ALIASES.get(lowered, lowered).split()
    if len(fields) not in (5, 6, 7):
        return CronVerdict(_count_problem(expression, len(fields)))
    if any(field in ("r", "h") for field in expression.lower().split()):
        return CronVerdict("Prefect does not support random (`R`) or hashed (`H`) fields; "
                           "write the minute or hour you want")
    caution = None
    try:
        expanded: list[set[int | str]] = []
        nth_by_day: dict[int | str, set[int | str]] = {}
        for index, field in enumerate(fields):
            field, random = _expand_random(field, index, len(fields))
            if random:
                caution = (f"the {FIELD_NAMES[index]} field `{random}` is random: Prefect "
                           "accepts it, but croniter draws a new value each time the schedule "
                           "is evaluated, so run times are unpredictable")
            expanded.append(_field_values(field, index, len(fields), nth_by_day))
        _check_nth_mix(fields, expanded, nth_by_day)
    except _Invalid as error:
        return CronVerdict(str(error))
    return CronVerdict(caution=caution)


def _count_problem(expression: str, count: int) -> str:
    if expression.strip().startswith("@"):
        known = ", ".join(f"`{alias}`" for alias in ALIASES)
        if expression.strip().lower() in ALIASES:
            return (f"`{expression.strip()}` is only recognised without surrounding "
                    "spaces")
        return f"`{expression.strip()}` is not an alias croniter knows ({known})"
    return (f"it has {count} field{'s' if count != 1 else ''}; a cron string has 5 "
            "(minute hour day-of-month month day-of-week), 6 with seconds or 7 with years")


def _expand_random(field: str, index: int, count: int) -> tuple[str, str | None]:
    """croniter's ``H``/``R`` expander: hashed fields need a hash id Prefect never gives, and
    a random field becomes a random value (checked here at both ends of its range)."""
    match = _HASHED.match(field)
    if not match:
        return field, None
    name = FIELD_NAMES[index]
    shown = field.upper()
    if match["kind"] == "h":
        raise _Invalid(f"the {name} field `{shown}` is a hashed (`H`) value, which Prefect "
                       "does not support")
    low, high = RANGES[index]
    begin, end, divisor = match["begin"], match["end"], match["divisor"]
    if begin and end and int(begin) >= int(end):
        raise _Invalid(f"in the {name} field `{shown}` the end of the range must be greater "
                       "than its start")
    if divisor and int(divisor) == 0:
        raise _Invalid(f"the {name} field `{shown}` has a step of 0")
    if begin and end and divisor:
        firsts = (int(begin), int(divisor) - 1 + int(begin))
        candidates = [f"{first}-{end}/{divisor}" for first in firsts]
    elif begin and end:
        candidates = [begin, end]
    elif divisor:
        candidates = [f"{first}-{high}/{divisor}" for first in (low, int(divisor) - 1 + low)]
    else:
        candidates = [str(low), str(high)]
    for candidate in candidates:
        try:
            _field_values(candidate, index, count, {})
        except _Invalid:
            raise _Invalid(f"the random {name} field `{shown}` can produce a value outside "
                           f"{low}-{high}") from None
    return candidates[0], shown


def _field_values(
    field: str, index: int, count: int, nth_by_day: dict[int | str, set[int | str]]
) -> set[int | str]:
    """The values of one field; raises ``_Invalid`` where croniter's ``expand`` fails."""
    name = FIELD_NAMES[index]
    low_bound, high_bound = RANGES[index]
    if "?" in field:
        if field != "?":
            raise _Invalid(f"`?` cannot be combined with anything else (the {name} field is "
                           f"`{field}`)")
        if index not in (DAY, WEEKDAY):
            raise _Invalid(f"`?` is only allowed in the day-of-month and day-of-week fields, "
                           f"not the {name} field")
        field = "*"
    values: set[int | str] = set()
    pending: list[str] = field.split(",")
    while pending:
        element = pending.pop()
        nth: int | str | None = None
        if index == WEEKDAY:
            special = _SPECIAL_WEEKDAY.match(element)
            if special:
                if special["he"]:
                    element = special["he"]
                    nth = int(special["last"])
                    if not 1 <= nth <= 5:
                        raise _Invalid(f"`{special.group(0)}`: the week number after `#` must "
                                       "be 1-5")
                elif special["last"]:
                    element = special["last"]
                    nth = "l"
        text = re.sub(r"^\*(/.+)$", rf"{low_bound}-{high_bound}\1", element)
        match = _STEP.search(text)
        if not match:
            text = re.sub(r"^(.+)/(.+)$", rf"\1-{high_bound}/\2", element)
            match = _STEP.search(text)
        if match:
            pending.extend(_range_items(match, element, index, count, nth))
            continue
        if text.startswith("-"):
            raise _Invalid(f"negative numbers are not allowed (the {name} field has "
                           f"`{element}`)")
        value: int | str = text
        if not _STAR_OR_INT.search(text):
            value = _name_value(text, index, element)
        if isinstance(value, str) and _INT.search(value):
            value = int(value)
        value = _alias(value, index, count)
        if value not in ("*", "l") and not (
            isinstance(value, int) and low_bound <= value <= high_bound
        ):
            raise _Invalid(f"{name} {value} is out of range ({low_bound}-{high_bound})")
        values.add(value)
        if index == WEEKDAY and nth is not None:
            nth_by_day.setdefault(value, set()).add(nth)
    return values


def _range_items(
    match: re.Match[str], element: str, index: int, count: int, nth: int | str | None
) -> list[str]:
    """The items a ``low-high/step`` element stands for (checked again one by one)."""
    name = FIELD_NAMES[index]
    low_bound, high_bound = RANGES[index]
    low_text, high_text, step_text = match.group(1), match.group(2), match.group(4) or "1"
    if index == DAY and high_text == "l":
        high_text = "31"
    bands = []
    for band in (low_text, high_text):
        if not _INT.search(band):
            band = str(_name_value(band, index, element))
        if not _INT.search(band):
            raise _Invalid(f"`{element}` is not a valid range in the {name} field")
        bands.append(band)
    low = _alias(int(bands[0]), index, count)
    high = _alias(int(bands[1]), index, count)
    step = int(step_text)
    assert isinstance(low, int) and isinstance(high, int)
    if max(low, high) > high_bound:
        raise _Invalid(f"{name} {max(low, high)} in `{element}` is out of range "
                       f"({low_bound}-{high_bound})")
    if step == 0:
        raise _Invalid(f"the step in `{element}` is 0; use 1 or more")
    if low > high:
        whole = list(range(low_bound, high_bound + 1))
        items = list(range(low, high_bound + 1, step))
        skip = 0
        if items:
            already = list(reversed(whole)).index(items[-1]) if items[-1] in whole else 0
            position = whole.index(items[-1]) if items[-1] in whole else 0
            if position + step > len(whole) and already < step:
                skip = step - already
        items += list(range(low_bound + skip, high + 1, step))
    elif low == high:
        items = list(range(low_bound, high_bound + 1, step))
    else:
        items = list(range(low, high + 1, step))
    if index == WEEKDAY and nth is not None and nth != "l":
        return [f"{item}#{nth}" for item in items]
    return [str(item) for item in items]


def _name_value(text: str, index: int, element: str) -> int | str:
    if index == MONTH and text in MONTH_NAMES:
        return MONTH_NAMES[text]
    if index == WEEKDAY and text in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[text]
    if index == DAY and text == "l":
        return "l"
    name = FIELD_NAMES[index]
    if index == MONTH:
        expected = "a number 1-12 or a month name (jan-dec)"
    elif index == WEEKDAY:
        expected = "a number 0-7 or a day name (sun-sat)"
    else:
        low, high = RANGES[index]
        expected = f"a number {low}-{high}"
    shown = f"`{text}` in `{element}`" if text != element else f"`{element}`"
    raise _Invalid(f"{shown} is not valid in the {name} field (expected {expected})")


def _alias(value: int | str, index: int, count: int) -> int | str:
    """croniter's ``value_alias``: 7 is Sunday only with 5 fields, day 0 is the 1st only
    with 6 fields; month 0 is never accepted."""
    if not isinstance(value, int):
        return value
    if index == WEEKDAY and value == 7 and count == 5:
        return 0
    if index == DAY and value == 0 and count == 6:
        return 1
    return value


def _check_nth_mix(
    fields: list[str], expanded: list[set[int | str]], nth_by_day: dict[int | str, set[int | str]]
) -> None:
    """croniter refuses a weekday field that mixes `#`/`L` days with plain days."""
    if not nth_by_day:
        return
    days = expanded[WEEKDAY]
    if len(days) == 7 and "*" in fields[DAY]:
        days = {"*"}
    plain = set(days) - set(nth_by_day) - {"*"}
    if plain and len(days) != 7:
        raise _Invalid("the day-of-week field mixes plain days with `#` or `L` days, which "
                       "croniter does not support")
