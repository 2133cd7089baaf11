"""C: the values inside schedule entries (cron, interval, rrule, timezone, anchor date, slug).

Prefect checks these only at deploy time, after templating, one deployment at a time; here
they are checked as Prefect's schedule classes would. The shape of an entry (unknown keys,
exactly one of cron/interval/rrule, types) belongs to the S rules. Templated values
(``{{ ... }}``) are skipped: their value is only known at deploy time. The singular, legacy
``schedule:`` key is checked too, because Prefect turns it into ``schedules: [item]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect.cron import check_cron
from linter.prefect.python_code import module_of
from linter.prefect.python_deploy import schedule_values
from linter.prefect.schedules import (
    anchor_date_problem,
    interval_problem,
    is_templated,
    rrule_problem,
    timezone_problem,
    timezone_suggestion,
)
from linter.project.context import LintContext
from linter.project.filekinds import PREFECT, PYTHON
from linter.rules._shared import deployment_entries, schedule_items
from linter.source.document import Document, NodePath

SELECTORS = ("cron", "interval", "rrule")
#: the schedule rules also read the literal schedules of Python deployment scripts
WITH_PYTHON = (PREFECT, PYTHON)


def schedule_kind(item: dict[Any, Any]) -> str | None:
    """The selector Prefect uses: the first of cron, interval, rrule with a truthy value."""
    for key in SELECTORS:
        if item.get(key):
            return key
    return None


def _string_values(
    document: Document, key: str
) -> Iterator[tuple[NodePath | None, dict[Any, Any], str, Span]]:
    """(item path, item, value, value span) for every schedule whose ``key`` is a literal
    string, each written span once (an anchored schedule shared by several deployments is
    reported where it is written)."""
    if document.kind == PYTHON:
        yield from _python_string_values(document, key)
        return
    seen: set[Span] = set()
    for path, item in schedule_items(document.data):
        value = item.get(key)
        if not isinstance(value, str) or is_templated(value):
            continue
        span = document.value_span_at((*path, key))
        if span is None or span in seen:
            continue
        seen.add(span)
        yield path, item, value, span


def _python_string_values(
    document: Document, key: str
) -> Iterator[tuple[NodePath | None, dict[Any, Any], str, Span]]:
    """The literal strings of a Python file's schedules (``cron=``, ``CronSchedule(cron=...)``,
    ``schedules=[{...}]``...), with no YAML path (so no YAML edit is offered)."""
    module = module_of(document)
    if module is None:
        return
    for found in schedule_values(module, key):
        if isinstance(found.value, str):
            yield None, {found.selector: True}, found.value, found.span


def _python_intervals(document: Document) -> Iterator[tuple[object, Span]]:
    """Literal numeric intervals of a Python file (seconds; a string is left to Prefect's
    own parsing, a timedelta is not a literal)."""
    module = module_of(document)
    if module is None:
        return
    for found in schedule_values(module, "interval"):
        if isinstance(found.value, int | float):
            yield found.value, found.span


def _replace_scalar(document: Document, path: NodePath, new_text: str) -> Edit | None:
    """An edit that replaces a plain or quoted scalar's value, keeping its quoting."""
    _, node = document.locate(path)
    if not isinstance(node, ScalarNode) or node.style not in (None, "", '"', "'"):
        return None
    span = document.node_span(node)
    quote = node.style or ""
    return Edit(span.start, span.end, f"{quote}{new_text}{quote}")


def _invalid_strings(document: Document, key: str, problem_of: Callable[[str], str | None],
                     help_text: str) -> Iterator[Finding]:
    """"invalid <key>: <problem>" for each schedule's literal ``key`` string that
    ``problem_of`` finds a problem with."""
    for _, _, value, span in _string_values(document, key):
        problem = problem_of(value)
        if problem:
            yield Finding(span, f"invalid {key}: {problem}", help=help_text)


@rule("C001", "invalid-cron", Severity.ERROR, "A cron string Prefect rejects",
      kinds=WITH_PYTHON, scope=Scope.DEPLOYMENT)
def invalid_cron(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `cron` value that Prefect's `CronSchedule` refuses: the wrong number of
    fields, a value out of range (`61 * * * *`), an unknown month or day name, a step of 0,
    `?` outside the day fields, an alias with spaces around it (`"@daily "`), an empty
    string, or a random `R` / hashed `H` field. The rules are croniter's, as Prefect uses
    it: 5 fields, or 6 with seconds, or 7 with years; `L`, `L5` and `5#2` work; `7` means
    Sunday only in a 5-field string. A random field Prefect accepts (`R/5`) is a warning:
    croniter draws a new value each time the schedule is evaluated.

    In a Python deployment script the literal values are checked too: `cron=` / `interval=` /
    `rrule=` of `flow.deploy()`, `to_deployment()` and `serve()`, `schedules=[{...}]`, and
    every `CronSchedule(...)`, `IntervalSchedule(...)`, `RRuleSchedule(...)`, `Cron(...)`,
    `Interval(...)`, `RRule(...)` made in the file.

    **Why**: Prefect checks the string only when it creates the schedule, after templating,
    so a typo surfaces as `Invalid cron string` in the middle of `prefect deploy --all`, after
    the earlier deployments were already created.

    **Fix**: write a valid cron string (`0 9 * * MON-FRI`); crontab.guru explains each field.
    """
    document = context.document
    for _, _, value, span in _string_values(document, "cron"):
        verdict = check_cron(value)
        if verdict.problem:
            yield Finding(span, f'invalid cron string "{value}": {verdict.problem}',
                          help="a cron string is `minute hour day-of-month month "
                               "day-of-week`, e.g. `0 9 * * MON-FRI`")
        elif verdict.caution:
            yield Finding(span, verdict.caution, severity=Severity.WARNING,
                          help="write a fixed value instead of `R`")


@rule("C002", "invalid-interval", Severity.ERROR, "An interval Prefect rejects",
      fix=Applicability.UNSAFE, kinds=WITH_PYTHON, scope=Scope.DEPLOYMENT)
def invalid_interval(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an `interval` that is zero or negative, a string Prefect cannot read as a
    duration (`"ten minutes"`, `"1h"`, `"PT10M "`), a quoted number (`"600"`), or a
    `{{ placeholder }}`. Prefect 3 accepts seconds as a number, an ISO 8601 duration (`PT10M`,
    `P1DT2H`, upper case), `HH:MM:SS` and `1 day, 02:00:00`.

    In a Python deployment script the literal values are checked too: `cron=` / `interval=` /
    `rrule=` of `flow.deploy()`, `to_deployment()` and `serve()`, `schedules=[{...}]`, and
    every `CronSchedule(...)`, `IntervalSchedule(...)`, `RRuleSchedule(...)`, `Cron(...)`,
    `Interval(...)`, `RRule(...)` made in the file.

    **Why**: Prefect's model reads `interval` as a duration when it loads the file, before it
    fills in placeholders: an unreadable string or a placeholder makes it skip the whole
    file with a warning. Zero and negative intervals fail later, when the schedule is
    created.

    **Fix**: write seconds without quotes (`interval: 600`) or an ISO 8601 duration
    (`interval: PT10M`). The fix for a quoted number removes the quotes (unsafe: Prefect then
    reads the file it used to skip).
    """
    document = context.document
    if document.kind == PYTHON:
        for number, written in _python_intervals(document):
            problem = interval_problem(number)
            if problem is not None:
                yield Finding(written, f"invalid interval: {problem}",
                              help="a positive number of seconds or a timedelta")
        return
    seen: set[Span] = set()
    for path, entry in schedule_items(document.data):
        value = entry.get("interval")
        problem = interval_problem(value)
        span = document.value_span_at((*path, "interval"))
        if problem is None or span is None or span in seen:
            continue
        seen.add(span)
        fix = None
        if isinstance(value, str) and value.strip().lstrip("+").replace(".", "", 1).isdigit():
            edit = Edit(span.start, span.end, value.strip())
            fix = Fix(f"unquote {value.strip()}", (edit,), Applicability.UNSAFE)
        yield Finding(span, f"invalid interval: {problem}",
                      help="e.g. `interval: 600`, `interval: PT10M` or `interval: \"01:00:00\"`",
                      fix=fix)


@rule("C003", "invalid-rrule", Severity.ERROR, "An rrule Prefect rejects", kinds=WITH_PYTHON,
      scope=Scope.DEPLOYMENT)
def invalid_rrule(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an `rrule` that dateutil's `rrulestr` (which Prefect uses) cannot parse, an
    empty one, one longer than 6500 characters, or a JSON string with fields other than
    `rrule` and `timezone`.

    In a Python deployment script the literal values are checked too: `cron=` / `interval=` /
    `rrule=` of `flow.deploy()`, `to_deployment()` and `serve()`, `schedules=[{...}]`, and
    every `CronSchedule(...)`, `IntervalSchedule(...)`, `RRuleSchedule(...)`, `Cron(...)`,
    `Interval(...)`, `RRule(...)` made in the file.

    **Why**: Prefect parses the rule only when it creates the schedule, so the mistake stops
    `prefect deploy` part-way with `Invalid RRule string`.

    **Fix**: correct the rule (RFC 5545: `FREQ=WEEKLY;BYDAY=MO;BYHOUR=9`).
    """
    return _invalid_strings(context.document, "rrule", rrule_problem,
                            "an rrule looks like `FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9`")


@rule("C004", "invalid-timezone", Severity.ERROR, "A schedule time zone that is not an IANA name",
      fix=Applicability.UNSAFE, kinds=WITH_PYTHON, scope=Scope.DEPLOYMENT)
def invalid_timezone(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a schedule's `timezone` that is not an IANA time-zone name (`Europe/Berlin`,
    `America/New_York`, `UTC`): an abbreviation such as `CEST`, a UTC offset, a misspelling,
    or the wrong case (`utc`, `europe/berlin`). rrule schedules are checked against pytz's
    list, which lacks `Factory` and `localtime`.

    In a Python deployment script the literal values are checked too: `cron=` / `interval=` /
    `rrule=` of `flow.deploy()`, `to_deployment()` and `serve()`, `schedules=[{...}]`, and
    every `CronSchedule(...)`, `IntervalSchedule(...)`, `RRuleSchedule(...)`, `Cron(...)`,
    `Interval(...)`, `RRule(...)` made in the file.

    **Why**: Prefect checks the name only when it creates the schedule and then fails with
    `Invalid timezone`, part-way through `prefect deploy`.

    **Fix**: write the IANA name. When the intended name is clear (a difference of case or a
    small typo) the fix writes it (unsafe: the schedule then exists).
    """
    document = context.document
    for path, item, value, span in _string_values(document, "timezone"):
        kind = schedule_kind(item) or "cron"
        problem = timezone_problem(value, kind)
        if problem is None:
            continue
        suggestion = timezone_suggestion(value)
        fix = None
        help_text = "use an IANA name such as `Europe/Berlin` or `UTC`"
        if suggestion and suggestion != value and timezone_problem(suggestion, kind) is None:
            help_text = f"did you mean `{suggestion}`?"
            edit = None if path is None else _replace_scalar(
                document, (*path, "timezone"), suggestion)
            if edit is not None:
                fix = Fix(f"write {suggestion}", (edit,), Applicability.UNSAFE)
        yield Finding(span, f"invalid timezone: {problem}", help=help_text, fix=fix)


@rule("C005", "invalid-anchor-date", Severity.ERROR, "An anchor_date Prefect cannot parse",
      kinds=WITH_PYTHON, scope=Scope.DEPLOYMENT)
def invalid_anchor_date(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an interval schedule's `anchor_date` that is not an ISO 8601 date-time
    (`January 1 2024`, `2024-13-01`, `01/02/2024`).

    In a Python deployment script the literal values are checked too: `cron=` / `interval=` /
    `rrule=` of `flow.deploy()`, `to_deployment()` and `serve()`, `schedules=[{...}]`, and
    every `CronSchedule(...)`, `IntervalSchedule(...)`, `RRuleSchedule(...)`, `Cron(...)`,
    `Interval(...)`, `RRule(...)` made in the file.

    **Why**: Prefect parses it only when it creates the schedule, and then stops with
    `Unable to parse string`. (An unquoted date is reported by Y008, and `anchor_date` on a
    cron or rrule schedule, where Prefect ignores it, by S003.)

    **Fix**: write an ISO 8601 date-time in quotes: `anchor_date: "2024-01-02T09:00:00"`.
    """
    return _invalid_strings(context.document, "anchor_date", anchor_date_problem,
                            'e.g. `anchor_date: "2024-01-01T09:00:00"`')


@rule("C006", "duplicate-schedule-slug", Severity.ERROR,
      "Two schedules of one deployment share a slug", scope=Scope.DEPLOYMENT)
def duplicate_schedule_slug(context: LintContext) -> Iterator[Finding]:
    """
    **What**: two entries in one deployment's `schedules` with the same `slug`.

    **Why**: the server refuses the deployment: "Schedule slugs must be unique within a
    deployment."

    **Fix**: give each schedule its own slug (`morning`, `evening`).
    """
    document = context.document
    for index, entry in deployment_entries(document.data):
        schedules = entry.get("schedules")
        if not isinstance(schedules, list):
            continue
        first_row: dict[str, int] = {}
        for position, item in enumerate(schedules):
            if not isinstance(item, dict):
                continue
            slug = item.get("slug")
            if not isinstance(slug, str) or not slug or is_templated(slug):
                continue
            span = document.value_span_at(("deployments", index, "schedules", position, "slug"))
            if span is None:
                continue
            if slug not in first_row:
                first_row[slug] = document.position(span.start).row
                continue
            yield Finding(span, f'schedule slug "{slug}" is already used on line '
                                f"{first_row[slug]} in this deployment; the server rejects "
                                "the deployment",
                          help="give each schedule a unique slug")
