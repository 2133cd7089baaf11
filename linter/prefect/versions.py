"""What each Prefect release does with version-dependent configuration (knowledge as data).

The facts live in ``schemas/versions/behaviour.json`` (periods of behaviour per key, with the
patch-level boundaries) and ``schemas/versions/releases.json`` (step signatures and deploy CLI
commands per release, generated from the installed packages by
``scripts/dump_prefect_versions.py``). This module answers questions about one target.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from linter.prefect.releases import (
    NEWEST,
    RELEASES,
    Target,
    Version,
    format_version,
    parse_version,
)

#: Behaviours of a key: honoured, silently not read, the whole file skipped, deploy fails.
READ, IGNORED, REJECTED, CRASH = "read", "ignored", "rejected", "crash"


class Period(NamedTuple):
    start: Version
    behaviour: str


class KeyHistory(NamedTuple):
    level: str  # "deployment", "schedule", "concurrency_limit"
    key: str
    periods: tuple[Period, ...]
    ignored_severity: str  # "error" when ignoring it loses configuration, else "warning"
    instead: str | None  # advice for a release that ignores it
    harmless_value: bool  # true: a value equal to the default loses nothing when ignored


def _version(text: str) -> Version:
    version = parse_version(text)
    assert version is not None, text
    return version


@lru_cache(maxsize=1)
def _behaviour_data() -> dict[str, Any]:
    from linter.resources import load_json

    data: dict[str, Any] = load_json("versions", "behaviour.json")
    return data


@lru_cache(maxsize=1)
def key_histories() -> dict[tuple[str, str], KeyHistory]:
    """Every version-dependent key, by (level, key)."""
    histories: dict[tuple[str, str], KeyHistory] = {}
    for level, keys in _behaviour_data()["keys"].items():
        for key, entry in keys.items():
            periods = tuple(Period(_version(start), behaviour)
                            for start, behaviour in entry["periods"])
            histories[(level, key)] = KeyHistory(level, key, periods, entry["ignored"],
                                                 entry.get("instead"),
                                                 bool(entry.get("harmless_value")))
    return histories


def _periods(name: str) -> tuple[Period, ...]:
    entry = _behaviour_data()["behaviours"][name]
    return tuple(Period(_version(start), behaviour) for start, behaviour in entry["periods"])


def version_of(target: Target | None) -> Version:
    return target.version if target is not None else NEWEST


def behaviour_at(periods: tuple[Period, ...], version: Version) -> str:
    current = periods[0].behaviour
    for period in periods:
        if period.start <= version:
            current = period.behaviour
    return current


def key_behaviour(history: KeyHistory, target: Target | None) -> str:
    return behaviour_at(history.periods, version_of(target))


def behaviour(name: str, target: Target | None) -> str:
    """The behaviour named in the data's ``behaviours`` table at the target."""
    return behaviour_at(_periods(name), version_of(target))


def first_release(name: str, value: str) -> str:
    """The first release where behaviour ``name`` is ``value`` ("3.8.0")."""
    for period in _periods(name):
        if period.behaviour == value:
            return boundary(period.start)
    raise KeyError((name, value))


def boundary(version: Version) -> str:
    """A release where a change landed, as people say it: "3.0" for 3.0.0, else "3.4.23"."""
    return f"{version[0]}.{version[1]}" if version[2] == 0 else format_version(version)


def read_since(history: KeyHistory, version: Version) -> tuple[str | None, str | None]:
    """(first release after ``version`` that reads the key, last release before it that did):
    the words for "ignored before 3.4.23" and "read only until 3.0"."""
    later = next((period.start for period in history.periods
                  if period.start > version and period.behaviour == READ), None)
    earlier_read = [index for index, period in enumerate(history.periods)
                    if period.start <= version and period.behaviour == READ]
    last = None
    if earlier_read:
        after = history.periods[earlier_read[-1] + 1:]
        end = next((period.start for period in after), None)
        if end is not None and end <= version:
            last = boundary(end)
    return (boundary(later) if later else None), last


def model_validates(target: Target | None) -> bool:
    """Whether the target validates prefect.yaml with its pydantic model (3.4.19 and later)."""
    return behaviour("prefect_yaml_model", target) == "present"


def schedule_rejects_unknown_keys(target: Target | None) -> bool:
    """Whether an unknown key in a schedule entry makes the target skip the file (3.4.21+)."""
    return behaviour("schedule_extra_forbid", target) == "yes"


@lru_cache(maxsize=1)
def _releases() -> dict[str, Any]:
    from linter.resources import load_json

    data: dict[str, Any] = load_json("versions", "releases.json")
    return data


def _release_for(target: Target | None) -> dict[str, Any] | None:
    """The dump of the supported release nearest at or below the target (the oldest for a
    target before it); None when that release was not dumped (then nothing is claimed)."""
    version = version_of(target)
    below = [release for release in RELEASES if release <= version] or [RELEASES[0]]
    release: dict[str, Any] | None = _releases()["releases"].get(format_version(below[-1]))
    return release


def step_parameters(target: Target | None, function: str) -> tuple[str, ...] | None:
    """The parameter names of built-in step ``function`` (a dotted name) in the target's
    release; None when the release has no such step."""
    release = _release_for(target)
    parameters = release["steps"].get(function) if release is not None else None
    return tuple(parameters) if parameters is not None else None


def step_known(target: Target | None) -> bool:
    """Whether the steps of the target's release are known (its release was dumped)."""
    return _release_for(target) is not None


def step_first_release(function: str, parameter: str | None = None) -> str | None:
    """The first dumped minor that has the step (or the step's ``parameter``): "3.4" (the
    dumps place a change between two minors' newest patches, not at a patch)."""
    releases = _releases()["releases"]
    for name in sorted(releases, key=_version):
        parameters = releases[name]["steps"].get(function)
        if parameters is not None and (parameter is None or parameter in parameters):
            return ".".join(name.split(".")[:2])
    return None


def has_command(target: Target | None, command: str) -> bool:
    """Whether the target's CLI has ``command`` ("prefect agent start")."""
    release = _release_for(target)
    return release is not None and command in release["commands"]


def agent_commands_work(target: Target | None) -> bool:
    """Whether ``prefect agent start`` and ``prefect deployment build`` still exist (2.x)."""
    return behaviour("agent_commands", target) == "deprecated"


def projects_alias_resolves(target: Target | None) -> bool:
    """Whether ``prefect.projects.steps.*`` names still resolve (2.10 to 2.16)."""
    return behaviour("projects_step_alias", target) == "deprecated"


def schedules_list_read(target: Target | None) -> bool:
    """Whether a deployment's ``schedules:`` list is read (2.16.1 and later)."""
    history = key_histories()[("deployment", "schedules")]
    return key_behaviour(history, target) == READ


def is_schedule_active_read(target: Target | None) -> bool:
    """Whether the deployment key ``is_schedule_active`` is read (2.14 to 2.20)."""
    return behaviour("is_schedule_active", target) == READ


def target_words(target: Target | None) -> str:
    """"Prefect 3.3 (3.3.7)": the release findings speak for."""
    return f"Prefect {target.label}" if target is not None else f"Prefect {format_version(NEWEST)}"
