#!/usr/bin/env python
"""Ask a Prefect release without the prefect.yaml model (2.16 to 3.3) what it makes of files.

A stand-alone helper for the per-release conformance tests; it must not import prefect-lint.
Run it with the interpreter of a venv holding that release (2.20.27 and 3.3.7 are tested),
from a directory that does not shadow standard-library modules. It prints one JSON object per
file, with the same fields and verdicts as ``prefect_oracle.py`` (the 3.9.1 oracle), but what
it calls is what these releases do:

* ``_load_deploy_configs_and_actions`` (Prefect's own loader: ``yaml.safe_load``, plain
  dicts): a file it cannot read or that is not a mapping is ``skip_parse``; a loader crash
  is ``reject``;
* per deployment, ``_merge_with_default_deploy_config`` then
  ``_handle_deprecated_schedule_fields`` (Prefect's functions; "Both 'schedule' and
  'schedules'" is ``reject``, any crash too);
* keys the release's deploy code never reads are ``dropped`` (``drops_key``). These releases
  have no model to introspect, so the keys read are listed below per release, as the code
  scan in VERSIONS.md ("keys the deploy CLI reads") found them;
* ``deploy_errors``: each schedule entry through the release's own
  ``_schedule_config_to_deployment_schedule`` (a string interval raises ``TypeError`` here);
  each build/push step as ``run_steps`` reads it (``_get_step_fully_qualified_name_and_inputs``
  on every item of the section, nothing run); the pull steps the deployment would store
  through the release's ``DeploymentCreate`` model (what the API call validates).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

try:
    import prefect
    import yaml
    from prefect.cli.deploy import (
        _handle_deprecated_schedule_fields,
        _load_deploy_configs_and_actions,
        _merge_with_default_deploy_config,
        _schedule_config_to_deployment_schedule,
    )
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(f"prefect_oracle_dicts.py needs a Prefect 2.16 to 3.3 importable ({exc})")

MINOR = tuple(int(part) for part in prefect.__version__.split(".")[:2])


def _give_the_cli_a_console() -> None:
    """The deploy functions print through ``app.console``, which only a CLI run sets up
    (2.16 and 2.19); a console on standard error keeps their notes out of the answers."""
    from prefect.cli import deploy as deploy_module

    app = getattr(deploy_module, "app", None)
    if app is not None and not hasattr(app, "console"):
        from rich.console import Console

        app.console = Console(file=sys.stderr)


_give_the_cli_a_console()

TOP_LEVEL = {"build", "push", "pull", "deployments", "name", "prefect-version",
             "prefect_version"}
HARMLESS_TOP_LEVEL = ("definitions", "description", "required_inputs")
DEPLOYMENT = {"build", "description", "entrypoint", "flow_name", "name",
              "parameter_openapi_schema", "parameters", "pull", "push", "schedule", "tags",
              "triggers", "version", "work_pool", "enforce_parameter_schema", "paused",
              "schedules"}
if MINOR < (3, 0):
    DEPLOYMENT |= {"is_schedule_active"}
else:
    DEPLOYMENT |= {"concurrency_limit"}
if MINOR >= (3, 1):
    DEPLOYMENT |= {"sla"}
if MINOR >= (3, 3):
    DEPLOYMENT |= {"version_type"}
WORK_POOL = {"name", "work_queue_name", "job_variables"}
SCHEDULE = {"cron", "interval", "rrule", "timezone", "anchor_date", "active"}
if MINOR >= (3, 2):
    SCHEDULE |= {"parameters", "slug"}
if MINOR == (3, 0):
    SCHEDULE |= {"max_active_runs", "catchup"}
CONCURRENCY = {"limit", "collision_strategy"}


def _pointer(*parts: Any) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _dropped(raw: dict[str, Any]) -> tuple[list[str], list[str]]:
    dropped: list[str] = []
    ignored: list[str] = []
    for key in raw:
        if key not in TOP_LEVEL:
            (ignored if key in HARMLESS_TOP_LEVEL else dropped).append(_pointer(key))
    for index, entry in enumerate(raw.get("deployments") or []):
        if not isinstance(entry, dict):
            continue
        dropped += [_pointer("deployments", index, key) for key in entry if key not in DEPLOYMENT]
        for section, known in (("work_pool", WORK_POOL), ("concurrency_limit", CONCURRENCY)):
            value = entry.get(section)
            if isinstance(value, dict) and section in DEPLOYMENT:
                dropped += [_pointer("deployments", index, section, key)
                            for key in value if key not in known]
        schedules = entry.get("schedules")
        for number, schedule in enumerate(schedules if isinstance(schedules, list) else []):
            if isinstance(schedule, dict):
                dropped += [_pointer("deployments", index, "schedules", number, key)
                            for key in schedule if key not in SCHEDULE]
    return dropped, ignored


def _replay_steps(index: int, config: dict[str, Any], raw: dict[str, Any]) -> list[str]:
    """Errors Prefect meets reading the deployment's steps (without running them)."""
    from uuid import uuid4

    from prefect.client.schemas.actions import DeploymentCreate
    from prefect.deployments.steps.core import _get_step_fully_qualified_name_and_inputs

    errors = []
    where = _pointer("deployments", index)
    for section in ("build", "push"):
        steps = config.get(section) or raw.get(section) or []
        try:
            for step in steps:
                if step:
                    _get_step_fully_qualified_name_and_inputs(step)
        except Exception as exc:
            errors.append(f"{where}/{section}: {type(exc).__name__}: {exc}"[:300])
    pull = config.get("pull") or raw.get("pull")
    if pull:
        try:
            DeploymentCreate(name="probe", flow_id=uuid4(), pull_steps=pull)
        except Exception as exc:
            errors.append(f"{where}/pull: {type(exc).__name__}: {exc}"[:300])
    return errors


def check_file(path: str) -> dict[str, Any]:
    result: dict[str, Any] = {"file": path, "verdict": "accept", "errors": [], "dropped": [],
                              "ignored": [], "deploy_errors": [], "deploy_dropped": [],
                              "notes": [f"prefect {prefect.__version__}"]}
    try:
        with open(path) as handle:
            raw = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raw = exc
    if not isinstance(raw, dict):
        result["verdict"] = "skip_parse"
        result["errors"].append(f"Unable to read or parse the file: {raw!r}"[:300])
        return result
    try:
        configs, _ = _load_deploy_configs_and_actions(Path(path))
        merged = [_handle_deprecated_schedule_fields(_merge_with_default_deploy_config(config))
                  for config in configs or []]
    except Exception as exc:  # the loader crashes, or refuses schedule and schedules
        result["verdict"] = "reject"
        result["errors"].append(f"{type(exc).__name__}: {exc}")
        return result
    result["dropped"], result["ignored"] = _dropped(raw)
    if result["dropped"]:
        result["verdict"] = "drops_key"
    for index, config in enumerate(merged):
        result["deploy_errors"] += _replay_steps(index, config, raw)
        schedules = config.get("schedules")
        for number, schedule in enumerate(schedules if isinstance(schedules, list) else []):
            if "{{" in json.dumps(schedule, default=str):
                result["notes"].append(f"{_pointer('deployments', index, 'schedules', number)}:"
                                       " templated, not replayed")
                continue
            try:
                _schedule_config_to_deployment_schedule(dict(schedule or {}))
            except Exception as exc:
                result["deploy_errors"].append(
                    f"{_pointer('deployments', index, 'schedules', number)}: "
                    f"{type(exc).__name__}: {exc}"[:300])
    return result


def main(argv: list[str]) -> int:
    for path in argv:
        try:
            answer = check_file(path)
        except Exception as exc:  # never die on one file
            answer = {"file": path, "verdict": "error", "errors": [repr(exc)]}
        print(json.dumps(answer, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
