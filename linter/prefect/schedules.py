"""The values of a schedule entry (interval, rrule, time zone, anchor date), judged the way
Prefect 3.9 judges them, without importing Prefect.

* ``interval``: Prefect's model reads it as a pydantic ``timedelta`` *before* it fills in
  placeholders: seconds as a number, an ISO 8601 duration (``PT10M``, ``P1DT2H``), ``HH:MM[:SS]``
  or ``1 day, 02:00:00``; then ``IntervalSchedule`` wants it above zero. ``duration_seconds``
  follows pydantic-core's parser (speedate), including its quirks: ``"600"`` is not accepted,
  ``"1d"`` is.
* ``rrule``: first tried as JSON (a mapping of ``RRuleSchedule`` fields), else parsed by
  ``dateutil.rrule.rrulestr`` (imported only here, only when a file has an rrule), at most 6500
  characters.
* ``timezone``: cron and interval schedules accept the names of ``zoneinfo``; rrule schedules
  the names of ``pytz``; both lists ship in ``schemas/timezones.json``.
* ``anchor_date``: parsed by pendulum (strict ISO 8601) on the Pythons Prefect 3.9 supports
  below 3.13.

Every function returns None when Prefect accepts the value, else a sentence saying why not.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache

from linter.lazy_regex import lazy_compile
from linter.resources import load_json
from linter.suggest import did_you_mean

MAX_RRULE_LENGTH = 6500
MAX_DAYS = 999_999_999
INTERVAL_FORMS = ("seconds as a number (`interval: 600`), an ISO 8601 duration (`PT10M`, "
                  "`P1D`) or `HH:MM:SS`")


def is_templated(value: object) -> bool:
    """A value Prefect fills in at deploy time (``{{ ... }}``): never guessed at."""
    return isinstance(value, str) and "{{" in value and "}}" in value


# -- interval ----------------------------------------------------------------------------------


def interval_problem(value: object) -> str | None:
    """Why Prefect rejects ``interval: value`` (numbers and strings; other types are the S
    rules' business)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str):
        if is_templated(value):
            return ("Prefect reads `interval` as a duration before it fills in placeholders, "
                    "so a templated interval makes it reject the whole file; write the "
                    "value itself")
        seconds = duration_seconds(value)
        if seconds is None:
            if re.fullmatch(r"[+-]?\d+(\.\d*)?", value.strip()):
                return (f'"{value}" is a quoted number, which Prefect does not read as '
                        f"seconds (it rejects the whole file); write it without quotes")
            return f'"{value}" is not a duration Prefect can read; write {INTERVAL_FORMS}'
    else:
        if math.isnan(value) or math.isinf(value):
            return f"{value} is not a number of seconds; write {INTERVAL_FORMS}"
        seconds = float(value)
        if abs(seconds) > MAX_DAYS * 86400:
            return "the interval is longer than 999,999,999 days, which Prefect cannot read"
    if seconds <= 0:
        return (f"the interval must be more than 0 seconds (it is {_show_seconds(seconds)}); "
                "Prefect's IntervalSchedule rejects it")
    return None


def _show_seconds(seconds: float) -> str:
    return f"{seconds:g} seconds" if seconds else "0"


_NUMBER = r"\d+(?:[.,]\d*)?"
_ISO_PART = lazy_compile(rf"({_NUMBER})([A-Z])")
_DATE_UNITS = {"Y": 365 * 86400.0, "M": 30 * 86400.0, "W": 7 * 86400.0, "D": 86400.0}
_TIME_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0}
_CLOCK = lazy_compile(r"(\d+):(\d\d)(?::(\d\d)([.,]\d+)?)?")
_DAYS = lazy_compile(r"(\d+) ?[dD](?:ays|ay)?,? ?")


def duration_seconds(text: str) -> float | None:
    """Seconds in a duration string as pydantic-core reads a ``timedelta``; None when it
    cannot read it. Microseconds beyond six digits are dropped, as pydantic does."""
    sign = 1.0
    body = text
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if not body:
        return None
    if body[0] == "P":
        seconds = _iso_duration(body[1:])
    elif "d" in body or "D" in body or len(body) < 5:
        seconds = _days_and_clock(body)
    else:
        seconds = _clock(body, days_mode=False)
    if seconds is None or seconds > MAX_DAYS * 86400.0:
        return None
    return sign * math.floor(seconds * 1_000_000) / 1_000_000


def _iso_duration(body: str) -> float | None:
    if body in ("", "T"):
        return None
    date_part, _, time_part = body.partition("T")
    total = 0.0
    for part, units in ((date_part, _DATE_UNITS), (time_part, _TIME_UNITS)):
        position = 0
        while position < len(part):
            match = _ISO_PART.match(part, position)
            if not match or match.group(2) not in units:
                return None
            total += float(match.group(1).replace(",", ".")) * units[match.group(2)]
            position = match.end()
    return total


def _days_and_clock(body: str) -> float | None:
    match = _DAYS.match(body)
    if not match:
        return None
    days = int(match.group(1))
    rest = body[match.end():]
    if not rest:
        return days * 86400.0
    clock = _clock(rest, days_mode=True)
    return None if clock is None else days * 86400.0 + clock


def _clock(text: str, days_mode: bool) -> float | None:
    if len(text) < 5:
        return None
    match = _CLOCK.fullmatch(text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    if minutes > 59 or seconds > 59 or (days_mode and hours > 23):
        return None
    fraction = float("0." + match.group(4)[1:]) if match.group(4) else 0.0
    return hours * 3600.0 + minutes * 60.0 + seconds + fraction


# -- time zones --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("timezones.json")
    rrule = frozenset(data["rrule"])
    return rrule, rrule | frozenset(data["cron_and_interval_extra"])


def timezone_problem(name: str, kind: str) -> str | None:
    """Why Prefect rejects ``timezone: name`` on a schedule of ``kind`` (cron, interval or
    rrule)."""
    rrule_names, other_names = _zone_names()
    names = rrule_names if kind == "rrule" else other_names
    if name in names or (name == "" and kind != "rrule"):
        return None
    if name in other_names:
        return (f'"{name}" is accepted for cron and interval schedules but not for rrule '
                "schedules (Prefect checks those against pytz)")
    return f'"{name}" is not an IANA time-zone name'


def timezone_suggestion(name: str) -> str | None:
    """The IANA name ``name`` probably means (case and small typos)."""
    _, names = _zone_names()
    by_lower = {known.lower(): known for known in names}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    if name.upper() in ("Z", "GMT+0", "UTC+0", "UTC0"):
        return "UTC"
    return did_you_mean(name, sorted(names), cutoff=0.8)


# -- rrule -------------------------------------------------------------------------------------


def rrule_problem(text: str) -> str | None:
    """Why Prefect rejects ``rrule: text``."""
    if not text:
        return 'the rrule is empty, and Prefect reports an empty rrule as "Unknown schedule type"'
    if len(text) > MAX_RRULE_LENGTH:
        return (f"the rrule is {len(text):,} characters long; Prefect allows at most "
                f"{MAX_RRULE_LENGTH:,}")
    try:
        decoded = json.loads(text)
    except ValueError:
        return _rrulestr_problem(text)
    if not isinstance(decoded, dict):
        return ("Prefect first reads an rrule as JSON, and this one is JSON but not an object, "
                "so the deploy fails; write the rule itself (`FREQ=DAILY;BYHOUR=9`)")
    unknown = sorted(set(decoded) - {"rrule", "timezone"})
    if unknown:
        return (f"an rrule written as JSON may only have `rrule` and `timezone`, not "
                f"{', '.join(f'`{key}`' for key in unknown)}")
    inner = decoded.get("rrule")
    if not isinstance(inner, str):
        return "an rrule written as JSON needs an `rrule` string"
    zone = decoded.get("timezone")
    if zone is not None:
        if not isinstance(zone, str):
            return "the `timezone` in this JSON rrule must be a string"
        problem = timezone_problem(zone, "rrule")
        if problem:
            return f"in this JSON rrule, {problem}"
    return rrule_problem(inner) if inner else "an rrule written as JSON needs an `rrule` string"


def _rrulestr_problem(text: str) -> str | None:
    import warnings

    from dateutil.rrule import rrulestr

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # COUNT with UNTIL: deprecated, still accepted
            rrulestr(text, cache=True)
    except Exception as error:  # dateutil raises ValueError, and a few others on odd input
        reason = str(error) or type(error).__name__
        return f"dateutil (which Prefect uses) cannot parse it: {reason}"
    return None


# -- anchor_date -------------------------------------------------------------------------------

_ISO_DATE = (
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?|(?P<cmonth>\d{2})(?P<cday>\d{2})"
    r"|-?W(?P<week>\d{2})(?:-?(?P<weekday>\d))?|-?(?P<ordinal>\d{3}))"
)
_ISO_TIME = (
    r"(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,]\d+)?)?)?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_ANCHOR = lazy_compile(rf"{_ISO_DATE}(?:[T ]{_ISO_TIME})?")
_TIME_ONLY = lazy_compile(r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?")


def anchor_date_problem(text: str) -> str | None:
    """Why Prefect cannot parse ``anchor_date: text`` (empty means "no anchor")."""
    if not text:
        return None
    match = _ANCHOR.fullmatch(text) or _TIME_ONLY.fullmatch(text)
    if match and _calendar_ok(match):
        return None
    return (f'"{text}" is not an ISO 8601 date-time Prefect can parse; write for example '
            '"2024-01-01T09:00:00" (add `Z` or `+02:00` for a fixed offset)')


def _calendar_ok(match: re.Match[str]) -> bool:
    import calendar

    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else 2000
    month_text = groups.get("month") or groups.get("cmonth")
    day_text = groups.get("day") or groups.get("cday")
    if month_text is not None:
        month = int(month_text)
        if not 1 <= month <= 12:
            return False
        if day_text is not None and not 1 <= int(day_text) <= calendar.monthrange(year,
                                                                                    month)[1]:
            return False
    if groups.get("week") is not None and not 1 <= int(groups["week"]) <= 53:
        return False
    if groups.get("weekday") is not None and not 1 <= int(groups["weekday"]) <= 7:
        return False
    if groups.get("ordinal") is not None and not 1 <= int(groups["ordinal"]) <= 366:
        return False
    limits = (("hour", 23), ("minute", 59), ("second", 59))
    return all(groups.get(key) is None or int(groups[key]) <= top for key, top in limits)
