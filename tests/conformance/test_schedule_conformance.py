"""Schedule values: our C verdict against Prefect 3.9.1's schedule classes (slow).

Each entry of the table is linted as a schedule of one deployment (C rules only) and handed
to Prefect's own code path (tests/conformance/schedule_oracle.py). They must agree: an error
from us exactly when Prefect refuses the entry. A seeded random sample of cron strings is
compared the same way, to catch what a hand-written table misses.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from linter.core.diagnostics import Severity
from tests.conftest import lint

ORACLE = Path(__file__).parent / "schedule_oracle.py"

TABLE: list[dict[str, Any]] = [
    # cron
    {"cron": "0 0 * * *"}, {"cron": "61 * * * *"}, {"cron": "*/15 8-18 * * MON-FRI"},
    {"cron": "0 9 * * MON-FRY"}, {"cron": "@daily"}, {"cron": "@daily "}, {"cron": "@every 5m"},
    {"cron": "0 0 L * *"}, {"cron": "0 0 * * L5"}, {"cron": "0 0 * * 1#2"},
    {"cron": "0 0 * * 1#2,3"}, {"cron": "0 0 ? * *"}, {"cron": "0 ? * * *"},
    {"cron": "0 0 * * 7"}, {"cron": "0 0 * * 7 0"}, {"cron": "0 0 0 * * 0"},
    {"cron": "0 0 0 * *"}, {"cron": "R * * * *"}, {"cron": "H * * * *"}, {"cron": ""},
    {"cron": "* * * *"}, {"cron": "0 0 * * * 0 2030"}, {"cron": "*/0 * * * *"},
    {"cron": "0 0 * * *", "day_or": False}, {"cron": "0 0 1 * MON", "day_or": "false"},
    # interval
    {"interval": 600}, {"interval": 0.5}, {"interval": 0}, {"interval": -5},
    {"interval": "600"}, {"interval": "PT10M"}, {"interval": "P1DT2H"}, {"interval": "pt10m"},
    {"interval": "01:00:00"}, {"interval": "1:00:00"}, {"interval": "1:02"},
    {"interval": "1 day, 02:00:00"}, {"interval": "1d"}, {"interval": "ten minutes"},
    {"interval": "PT0S"}, {"interval": "-PT10M"}, {"interval": "00:60:00"},
    {"interval": "PT10M "}, {"interval": "P1D1Y"}, {"interval": "{{ $EVERY }}"},
    # anchor_date
    {"interval": 3600, "anchor_date": "2024-01-01T00:00:00"},
    {"interval": 3600, "anchor_date": "2024-01-01"},
    {"interval": 3600, "anchor_date": "2024-01-01T00:00:00+02:00"},
    {"interval": 3600, "anchor_date": "20240101T000000"},
    {"interval": 3600, "anchor_date": "January 1 2024"},
    {"interval": 3600, "anchor_date": "2024-13-01"},
    {"interval": 3600, "anchor_date": "not a date"},
    # rrule
    {"rrule": "FREQ=DAILY"}, {"rrule": "RRULE:FREQ=WEEKLY;BYDAY=MO"},
    {"rrule": "DTSTART:20240101T000000\nRRULE:FREQ=DAILY"}, {"rrule": "FREQ=SOMETIMES"},
    {"rrule": "FREQ=DAILY;BYHOUR=25"}, {"rrule": "FREQ=DAILY;UNTIL=xyz"}, {"rrule": ""},
    {"rrule": '{"rrule": "FREQ=DAILY"}'}, {"rrule": '{"rrule": "FREQ=DAILY", "x": 1}'},
    {"rrule": "123"}, {"rrule": "FREQ=DAILY;COUNT=3;UNTIL=20250101"},
    # timezone
    {"cron": "0 6 * * *", "timezone": "Europe/Berlin"},
    {"cron": "0 6 * * *", "timezone": "europe/berlin"},
    {"cron": "0 6 * * *", "timezone": "Factory"}, {"cron": "0 6 * * *", "timezone": "EST"},
    {"cron": "0 6 * * *", "timezone": "CEST"}, {"cron": "0 6 * * *", "timezone": "UTC+2"},
    {"interval": 60, "timezone": "Mars/Olympus"}, {"interval": 60, "timezone": "US/Eastern"},
    {"rrule": "FREQ=DAILY", "timezone": "America/New_York"},
    {"rrule": "FREQ=DAILY", "timezone": "Factory"}, {"rrule": "FREQ=DAILY", "timezone": ""},
    {"cron": "0 6 * * *", "timezone": ""},
]

#: Entries Prefect accepts at deploy time but where we report an error on purpose.
STRICTER: dict[str, str] = {}


def ask_prefect(python: Path, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run([str(python), str(ORACLE)], input="\n".join(map(json.dumps, items)),
                          capture_output=True, text=True, check=True, timeout=600)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def our_errors(item: dict[str, Any]) -> list[str]:
    text = "deployments:\n  - name: x\n    schedules:\n      - " + json.dumps(item) + "\n"
    return [f"{d.code}: {d.message}" for d in lint(text, select=["C"], dedent=False)
            if d.severity is Severity.ERROR]


@pytest.mark.slow
def test_schedule_values_agree_with_prefect(prefect_python: Path) -> None:
    assert len(TABLE) >= 40
    answers = ask_prefect(prefect_python, TABLE)
    disagreements = []
    for item, answer in zip(TABLE, answers, strict=True):
        ours = our_errors(item)
        if bool(ours) == (not answer["ok"]) or json.dumps(item) in STRICTER:
            continue
        disagreements.append(f"{json.dumps(item)}: prefect={answer}, ours={ours}")
    assert disagreements == []


ATOMS = ["*", "0", "5", "7", "12", "13", "23", "24", "31", "32", "59", "60", "l", "?", "jan",
         "dec", "mon", "sun", "foo", "-1", "0-0", "5-0", "1-5", "*/5", "*/0", "10/5", "1-5/2",
         "mon-fri", "jan-mar", "1#2", "5#6", "l5", "0-7", "1-l", "l-5", "1,2", "1,,2", "05"]


@pytest.mark.slow
def test_random_cron_strings_agree_with_prefect(prefect_python: Path) -> None:
    generator = random.Random(20260)
    strings = []
    for _ in range(1500):
        count = generator.choice([4, 5, 5, 5, 6, 7])
        strings.append(" ".join(generator.choice(ATOMS) for _ in range(count)))
    answers = ask_prefect(prefect_python, [{"cron": s} for s in strings])
    disagreements = [s for s, answer in zip(strings, answers, strict=True)
                     if bool(our_errors({"cron": s})) == answer["ok"]]
    assert disagreements == []
