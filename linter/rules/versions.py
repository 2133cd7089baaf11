"""V: configuration whose meaning depends on the Prefect release the project runs (the target).

Prefect changed what it reads in ``prefect.yaml`` many times between 2.10 and 3.9: keys that a
release ignores, keys that make a release skip the whole file, step arguments that do not exist
yet, values that crash older loaders. These rules say what the target does; the target is
``target-version`` in the configuration, ``--target-version``, or the project's pinned prefect
(the newest known release otherwise). The facts come from ``linter.prefect.versions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect import versions
from linter.prefect.releases import NEWEST, Target, parse_version
from linter.prefect.steps import all_step_items, load_catalogue
from linter.prefect.versions import target_words
from linter.project.context import LintContext
from linter.rules._shared import deployment_entries, entry_schedules, schedule_items
from linter.source.document import Document, NodePath

#: Keys other rules own: the L rules report `is_schedule_active` and singular `schedule`.
_OWNED_ELSEWHERE = frozenset({("deployment", "is_schedule_active")})


def target_of(context: LintContext) -> Target | None:
    return context.project.settings.target_version


def keyed_mappings(data: Any) -> Iterator[tuple[str, NodePath, dict[str, Any]]]:
    """(level, path, mapping) for each deployment, schedule entry and concurrency mapping."""
    for index, entry in deployment_entries(data):
        path: NodePath = ("deployments", index)
        yield "deployment", path, entry
        for schedule_path, schedule in entry_schedules(entry, index):
            yield "schedule", schedule_path, schedule
        if isinstance(entry.get("concurrency_limit"), dict):
            yield "concurrency_limit", (*path, "concurrency_limit"), entry["concurrency_limit"]


def _span(document: Document, path: NodePath) -> Span:
    return document.key_span_at(path) or document.value_span_at(path) or Span(0, 0)


def _keys_with_behaviour(context: LintContext, wanted: str
                         ) -> Iterator[tuple[versions.KeyHistory, NodePath, Any]]:
    target = target_of(context)
    histories = versions.key_histories()
    for level, path, mapping in keyed_mappings(context.document.data):
        if level == "concurrency_limit" and versions.key_behaviour(
                histories[("deployment", "concurrency_limit")], target) != versions.READ:
            continue  # the whole mapping is ignored: reported once, on its key
        for key, value in mapping.items():
            history = histories.get((level, key)) if isinstance(key, str) else None
            if history is None or (level, key) in _OWNED_ELSEWHERE:
                continue
            if versions.key_behaviour(history, target) == wanted:
                yield history, (*path, key), value


_LEVEL_WORDS = {"deployment": "in a deployment", "schedule": "in a schedule",
                "concurrency_limit": "in `concurrency_limit`"}


@rule("V001", "ignored-by-target", Severity.ERROR,
      "A key the targeted Prefect release does not read (it came later, or went away)",
      scope=Scope.DEPLOYMENT)
def ignored_by_target(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a key that the Prefect release you target silently ignores, because it was
    added later (`schedules` before 2.16, `concurrency_limit` before 3.0, schedule
    `parameters`/`slug` before 3.2, `day_or` before 3.4.23, `grace_period_seconds` before
    3.6.6) or because that release no longer reads it (`max_active_runs` and `catchup`
    work only in 3.0).

    **Why**: `prefect deploy` drops the key without a word, so the setting has no effect:
    the deployment has no schedule, no concurrency limit, different parameters.

    **Fix**: none; which of the two is right is your choice.
    """
    target = target_of(context)
    version = versions.version_of(target)
    for history, path, value in _keys_with_behaviour(context, versions.IGNORED):
        later, ended = versions.read_since(history, version)
        key = history.key
        if later is not None and versions.behaviour_at(history.periods, NEWEST) != versions.READ:
            message = (f"`{key}` {_LEVEL_WORDS[history.level]} is read only by Prefect "
                       f"{later}.x (checking for {target_words(target)}): the setting has no "
                       "effect; remove it")
        elif later is not None:
            message = (f"`{key}` {_LEVEL_WORDS[history.level]} is ignored before Prefect "
                       f"{later} (checking for {target_words(target)}); upgrade or remove it")
        elif ended is not None:
            message = (f"`{key}` {_LEVEL_WORDS[history.level]} is not read by Prefect "
                       f"{ended} and later (checking for "
                       f"{target_words(target)}): the setting has no effect; remove it")
        else:
            message = f"`{key}` is ignored by {target_words(target)}"
        severity = Severity(history.ignored_severity)
        if history.harmless_value and value is True:
            severity = Severity.WARNING  # day_or: true is what the release does anyway
        yield Finding(_span(context.document, path), message, severity=severity,
                      help=history.instead or "set `target-version` if the project runs "
                                              "another Prefect")


@rule("V002", "rejected-by-target", Severity.ERROR,
      "A key that makes the targeted Prefect release skip the whole file", scope=Scope.DEPLOYMENT)
def rejected_by_target(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a key that newer Prefect releases read but the release you target refuses:
    schedule `replaces` in 3.4.21 to 3.6.16, schedule `day_or` in 3.4.21 and 3.4.22.

    **Why**: these releases validate a schedule entry strictly; one key they do not know and
    `prefect deploy` prints "Skipping deployment configuration due to validation errors" and
    deploys nothing from the file.

    **Fix**: none.
    """
    target = target_of(context)
    for history, path, _ in _keys_with_behaviour(context, versions.REJECTED):
        newest = versions.behaviour_at(history.periods, NEWEST)
        if newest != versions.READ:
            continue  # unknown to the newest release too: S001 reports it
        later, _ = versions.read_since(history, versions.version_of(target))
        yield Finding(_span(context.document, path),
                      f"`{history.key}` {_LEVEL_WORDS[history.level]} makes "
                      f"{target_words(target)} skip the whole file (it is read from {later}); "
                      "upgrade or remove it",
                      help="remove the key, or upgrade Prefect and `target-version`")


@rule("V003", "prefect-version-mismatch", Severity.INFO,
      "The file's `prefect-version` disagrees with the targeted release", scope=Scope.DEPLOYMENT)
def prefect_version_mismatch(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the top-level `prefect-version` names another minor release than the one
    prefect-lint checks the file for.

    **Why**: Prefect never reads `prefect-version` (`prefect init` writes it once and it goes
    stale), so it is not used to choose the target; but a disagreement usually means one of
    the two is out of date.

    **Fix**: none.
    """
    data = context.document.data
    if not isinstance(data, dict):
        return
    target = target_of(context)
    for key in ("prefect-version", "prefect_version"):
        written = data.get(key)
        version = parse_version(str(written)) if isinstance(written, (str, float)) else None
        checked = versions.version_of(target)
        if version is None or version[:2] == checked[:2] or (version > NEWEST == checked):
            continue  # agrees, or newer than any release prefect-lint can check for
        source = target.source if target is not None else "the default"
        yield Finding(_span(context.document, (key,)),
                      f"`{key}: {written}` but the file is checked for {target_words(target)} "
                      f"(from {source})",
                      help="update the value, or set `target-version` to the Prefect the "
                           "project runs")


@rule("V004", "step-not-in-target", Severity.ERROR,
      "A built-in step, or one of its arguments, that the targeted release does not have",
      scope=Scope.DEPLOYMENT)
def step_not_in_target(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a built-in step the release you target does not have (`pull_from_remote_storage`
    before 2.14), or an argument it does not take yet (`git_clone` `directories` before 3.1,
    `commit_sha` before 3.4, `clone_directory_name` before 3.6; `run_shell_script`
    `expand_env_vars` before 2.14, `shell` before 3.6).

    **Why**: the step is called with the arguments as written; on that release the call fails
    (`TypeError: unexpected keyword argument`, or the name does not resolve) when the
    deployment is deployed or its flow run starts.

    **Fix**: none.
    """
    target = target_of(context)
    if not versions.step_known(target) or not versions.step_known(None):
        return  # no dump of that release: nothing is claimed
    catalogue = load_catalogue()
    document = context.document
    for item in all_step_items(document):
        if item.function is None or item.function_node is None:
            continue
        function = catalogue.canonical(item.function)
        if not function.startswith("prefect.deployments.steps."):
            continue
        newest = versions.step_parameters(None, function)
        if newest is None:
            continue  # not a step of the newest release: T001 or L010 reports it
        parameters = versions.step_parameters(target, function)
        if parameters is None:
            first = versions.step_first_release(function)
            yield Finding(document.node_span(item.function_node),
                          f"step `{function.rpartition('.')[2]}` does not exist in "
                          f"{target_words(target)} (it arrived in {first}); the step fails",
                          help="upgrade Prefect, or use a step the release has")
            continue
        yield from _arguments_not_in(document, item, function, parameters, newest, target)


def _arguments_not_in(document: Document, item: Any, function: str,
                      parameters: tuple[str, ...], newest: tuple[str, ...],
                      target: Target | None) -> Iterator[Finding]:
    if not isinstance(item.arguments, dict):
        return
    name = function.rpartition(".")[2]
    for argument in item.arguments:
        if argument in parameters or argument not in newest:
            continue  # known to the target, or unknown everywhere (T002 reports it)
        first = versions.step_first_release(function, argument)
        span = document.key_span_at((*item.path, item.function, argument))
        yield Finding(span or document.node_span(item.function_node),
                      f"`{name}` takes no `{argument}` in {target_words(target)} (added in "
                      f"{first}): the step fails with an unexpected keyword argument",
                      help="upgrade Prefect, or remove the argument")


@rule("V005", "interval-string-crash", Severity.ERROR,
      "A schedule `interval` written as text, which crashes Prefect before 3.4.19",
      scope=Scope.DEPLOYMENT)
def interval_string_crash(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a schedule `interval` given as a string (`"PT1H"`, `"01:00:00"`, `"3600"`)
    when the release you target is older than Prefect 3.4.19.

    **Why**: up to 3.3 Prefect builds the schedule with `timedelta(seconds=interval)`, and a
    string there raises `TypeError`: `prefect deploy` stops with a traceback. From 3.4.19 the
    file's model turns such strings into seconds.

    **Fix**: none; write the number of seconds.
    """
    target = target_of(context)
    if versions.behaviour("interval_string", target) != versions.CRASH:
        return
    works = versions.first_release("interval_string", "read")
    for path, schedule in schedule_items(context.document.data):
        interval = schedule.get("interval")
        if not isinstance(interval, str) or "{{" in interval:
            continue
        span = context.document.value_span_at((*path, "interval")) or Span(0, 0)
        yield Finding(span, f"`interval: {interval!r}` is text: {target_words(target)} crashes "
                            "deploying it (`timedelta(seconds=...)` needs a number; text works "
                            f"from {works})",
                      help="write the interval in seconds, e.g. `interval: 3600`")


@rule("V006", "empty-pull-before-3-8", Severity.WARNING,
      "`pull: []` means \"no pull steps\" only from Prefect 3.8", scope=Scope.DEPLOYMENT)
def empty_pull_before_3_8(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an explicitly empty `pull: []`, at the top level or in a deployment, when the
    release you target is older than Prefect 3.8.

    **Why**: before 3.8 an empty list is treated like a missing `pull`: a deployment's
    `pull: []` falls back to the file's top-level pull steps, and a file without any gets
    the default pull step `prefect deploy` generates (or asks for). From 3.8 the empty list
    means "run no pull steps".

    **Fix**: none.
    """
    target = target_of(context)
    if versions.behaviour("explicit_empty_pull", target) == versions.READ:
        return
    data = context.document.data
    if not isinstance(data, dict):
        return
    top = data.get("pull")
    places: list[tuple[NodePath, str]] = []
    if top == []:
        places.append((("pull",), "the default pull step `prefect deploy` generates"))
    for index, entry in deployment_entries(data):
        if entry.get("pull") == []:
            instead = ("the file's top-level pull steps" if isinstance(top, list) and top
                       else "the default pull step `prefect deploy` generates")
            places.append((("deployments", index, "pull"), instead))
    for path, instead in places:
        yield Finding(_span(context.document, path),
                      f"`pull: []` is treated as a missing `pull` before Prefect 3.8 "
                      f"(checking for {target_words(target)}): {instead} run instead",
                      help="upgrade to Prefect 3.8, or write the pull steps you want")


def _step_sections(data: Any) -> Iterator[tuple[NodePath, Any]]:
    if not isinstance(data, dict):
        return
    for section in ("build", "push", "pull"):
        yield (section,), data.get(section)
    for index, entry in deployment_entries(data):
        for section in ("build", "push", "pull"):
            yield ("deployments", index, section), entry.get(section)


@rule("V007", "single-step-mapping", Severity.ERROR,
      "`build`/`push`/`pull` written as one mapping, which Prefect before 3.7.7 cannot run",
      scope=Scope.DEPLOYMENT)
def single_step_mapping(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `build`, `push` or `pull` section that is one step mapping instead of a list
    of steps, when the release you target is older than Prefect 3.7.7.

    **Why**: Prefect 3.7.7 and later wrap such a mapping into a one-step list. 3.4.19 to
    3.7.6 crash loading the file ("Each action step must be a mapping"); older releases pass
    the mapping on, and `prefect deploy` fails with it (the deployment's API model wants a
    list of pull steps; build and push steps are read item by item).

    **Fix**: none; put `- ` before the step and indent its arguments.
    """
    target = target_of(context)
    behaviour = versions.behaviour("single_step_mapping", target)
    if behaviour == versions.READ:
        return
    works = versions.first_release("single_step_mapping", versions.READ)
    what = ("crashes loading the file" if behaviour == versions.CRASH
            else "passes the mapping on and `prefect deploy` fails with it")
    for path, value in _step_sections(context.document.data):
        if isinstance(value, dict) and value:
            yield Finding(_span(context.document, path),
                          f"`{path[-1]}` is one step mapping, not a list: {target_words(target)} "
                          f"{what} (a single mapping is accepted from {works})",
                          help="write a list: put `- ` before the step")


#: Trigger fields the 3.4/3.5 trigger models type as something other than text.
TYPED_TRIGGER_FIELDS = ("enabled", "threshold", "within", "posture", "schedule_after", "type")


def _triggers(data: Any) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    for index, entry in deployment_entries(data):
        triggers = entry.get("triggers")
        for number, trigger in enumerate(triggers if isinstance(triggers, list) else ()):
            if isinstance(trigger, dict):
                yield ("deployments", index, "triggers", number), trigger


@rule("V008", "templated-trigger-field", Severity.ERROR,
      "A `{{ }}` placeholder in a typed trigger field, which Prefect 3.4 and 3.5 reject",
      scope=Scope.DEPLOYMENT)
def templated_trigger_field(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a trigger whose `enabled`, `threshold`, `within`, `posture`, `schedule_after`
    or `type` is a `{{ }}` placeholder, when the release you target is 3.4.19 to 3.5.

    **Why**: those releases validate each trigger against its typed model when they load the
    file, before any placeholder is filled in; the placeholder text is not a boolean or a
    number, so the whole file is skipped. Earlier releases read triggers as plain data, and
    3.6 and later template them first.

    **Fix**: none; write the value, or upgrade to Prefect 3.6.
    """
    target = target_of(context)
    if versions.behaviour("typed_triggers", target) != "typed":
        return
    for path, trigger in _triggers(context.document.data):
        for field in TYPED_TRIGGER_FIELDS:
            value = trigger.get(field)
            if isinstance(value, str) and "{{" in value:
                span = context.document.value_span_at((*path, field)) or Span(0, 0)
                yield Finding(span, f"trigger `{field}` is a placeholder: {target_words(target)} "
                                    "checks triggers before filling placeholders in and skips "
                                    "the whole file (3.6 templates first)",
                              help=f"write the `{field}` value, or upgrade to Prefect 3.6")
