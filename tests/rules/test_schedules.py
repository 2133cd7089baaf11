"""C rules: the values inside schedule entries."""

from __future__ import annotations

from linter.core.diagnostics import Fix, Severity
from linter.core.fixer import apply_edits
from tests.conftest import codes, lint, spans


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    import textwrap

    return apply_edits(textwrap.dedent(text), [e for fix in fixes for e in fix.edits])


def schedules(*items: str) -> str:
    body = "".join(f"      - {item}\n" for item in items)
    return "deployments:\n  - name: a\n    schedules:\n" + body


def test_c001_hit_position_and_message() -> None:
    text = schedules('cron: "61 * * * *"', 'cron: "0 9 * * MON-FRI"')
    found = lint(text, select=["C001"])
    assert codes(found) == ["C001"]
    assert (found[0].start.row, found[0].start.column) == (4, 15)
    assert spans(text, found) == ['"61 * * * *"']
    assert "minute 61 is out of range (0-59)" in found[0].message


def test_c001_singular_schedule_templates_and_random_warning() -> None:
    text = """\
    deployments:
      - name: a
        schedule:
          cron: "@daily "
      - name: b
        schedules:
          - cron: "{{ $CRON }}"
          - cron: "R/10 * * * *"
    """
    found = lint(text, select=["C001"])
    assert [(d.start.row, d.severity) for d in found] == [
        (4, Severity.ERROR), (8, Severity.WARNING)]


def test_c001_anchored_schedule_is_reported_once() -> None:
    text = """\
    definitions:
      nightly: &nightly {cron: "0 25 * * *"}
    deployments:
      - name: a
        schedules: [*nightly]
      - name: b
        schedules: [*nightly]
    """
    found = lint(text, select=["C001"])
    assert [d.start.row for d in found] == [2]


def test_c002_quoted_number_with_unsafe_fix() -> None:
    text = schedules('interval: "600"', "interval: 600", "interval: PT10M",
                     'interval: "01:00:00"', "interval: 1 day, 02:00:00")
    found = lint(text, select=["C002"])
    assert codes(found) == ["C002"] and spans(text, found) == ['"600"']
    fix = found[0].fix
    assert fix is not None and not fix.is_safe
    assert "interval: 600\n      - interval: 600" in apply_fixes(text, [fix])


def test_c002_zero_negative_words_and_templates() -> None:
    text = schedules("interval: 0", "interval: -5", 'interval: "ten minutes"',
                     'interval: "{{ $EVERY }}"', "interval: pt10m")
    found = lint(text, select=["C002"])
    assert [d.start.row for d in found] == [4, 5, 6, 7, 8]
    assert "more than 0 seconds" in found[0].message
    assert "before it fills in placeholders" in found[3].message
    assert all(d.fix is None for d in found)


def test_c003_rrule() -> None:
    text = schedules('rrule: "FREQ=SOMETIMES"', 'rrule: "RRULE:FREQ=WEEKLY;BYDAY=MO"',
                     """rrule: '{"rrule": "FREQ=DAILY", "x": 1}'""",
                     'rrule: "FREQ=DAILY;BYHOUR=25"')
    found = lint(text, select=["C003"])
    assert [d.start.row for d in found] == [4, 6, 7]
    assert "invalid 'FREQ': SOMETIMES" in found[0].message
    assert "`x`" in found[1].message
    assert spans(text, found)[0] == '"FREQ=SOMETIMES"'


def test_c004_timezone_with_case_fix_and_rrule_list() -> None:
    text = """\
    deployments:
      - name: a
        schedules:
          - cron: "0 6 * * *"
            timezone: europe/berlin
          - cron: "0 6 * * *"
            timezone: "America/New_York"
          - rrule: "FREQ=DAILY"
            timezone: Factory
          - interval: 60
            timezone: Mars/Olympus
    """
    found = lint(text, select=["C004"])
    assert [d.start.row for d in found] == [5, 9, 11]
    assert spans(text, found) == ["europe/berlin", "Factory", "Mars/Olympus"]
    assert found[0].help == "did you mean `Europe/Berlin`?"
    fix = found[0].fix
    assert fix is not None and not fix.is_safe
    assert "timezone: Europe/Berlin\n" in apply_fixes(text, [fix])
    assert "pytz" in found[1].message and found[2].fix is None


def test_c005_anchor_date() -> None:
    text = schedules('interval: 60\n        anchor_date: "January 1 2024"',
                     'interval: 60\n        anchor_date: "2024-01-01T09:00:00+02:00"',
                     'interval: 60\n        anchor_date: "2024-02-30"')
    found = lint(text, select=["C005"])
    assert [d.start.row for d in found] == [5, 9]
    assert spans(text, found)[0] == '"January 1 2024"'


def test_c006_duplicate_slug() -> None:
    text = schedules('cron: "0 6 * * *"\n        slug: daily',
                     'cron: "0 18 * * *"\n        slug: daily',
                     'cron: "0 12 * * *"\n        slug: noon')
    found = lint(text, select=["C006"])
    assert [(d.start.row, d.start.column) for d in found] == [(7, 15)]
    assert "line 5" in found[0].message
