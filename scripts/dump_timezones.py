#!/usr/bin/env python3
"""Write ``schemas/timezones.json``: the time-zone names Prefect accepts in a schedule.

Prefect checks a cron or interval schedule's ``timezone`` against
``zoneinfo.available_timezones()`` and an rrule schedule's against ``pytz.all_timezones``.
The two lists differ by a couple of names (``Factory``, and ``localtime`` on most Linux
systems). Run this by hand with a Python that has Prefect's dependencies (``pytz`` and
``tzdata``), for example the venv the slow tests build:

    /tmp/prefect-lint-test-venvs/prefect-3.9.1-base/bin/python scripts/dump_timezones.py

The linter only reads the JSON file; it needs neither pytz nor tzdata at lint time.
"""

from __future__ import annotations

import json
import zoneinfo
from pathlib import Path

import pytz  # type: ignore[import-untyped]

OUTPUT = Path(__file__).resolve().parent.parent / "schemas" / "timezones.json"


def main() -> None:
    rrule_names = sorted(pytz.all_timezones)
    cron_names = sorted(zoneinfo.available_timezones())
    data = {
        "source": f"pytz {pytz.__version__} (IANA {pytz.OLSON_VERSION}) and zoneinfo",
        "rrule": rrule_names,
        "cron_and_interval_extra": sorted(set(cron_names) - set(rrule_names)),
    }
    OUTPUT.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(rrule_names)} names)")


if __name__ == "__main__":
    main()
