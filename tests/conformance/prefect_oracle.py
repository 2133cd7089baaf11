#!/usr/bin/env python
"""Ask Prefect itself what it makes of prefect.yaml files.

This is a stand-alone helper for the conformance tests of prefect-lint. It is
NOT part of the prefect-lint package and must not import it. Run it with an
interpreter that has ``prefect==3.9.1`` installed, from a directory that does
not shadow standard-library modules (``cd /tmp`` is fine)::

    /tmp/p391/bin/python prefect_oracle.py path/to/prefect.yaml ...

For every file one JSON object is printed on its own line::

    {"file": ..., "verdict": ..., "errors": [...], "dropped": [...],
     "ignored": [...], "deploy_errors": [...], "deploy_dropped": [...],
     "notes": [...]}

``verdict`` describes what ``prefect deploy`` does with the file *before* it
needs an API server:

* ``skip_parse``  -- ``yaml.safe_load`` failed, or the document is not a
  mapping. Prefect prints "Unable to read/parse the specified config file.
  Skipping." and carries on as if the file were empty.
* ``reject``      -- ``PrefectYamlModel.model_validate`` raised (Prefect then
  discards the whole file), or the legacy ``schedule``/``schedules`` handling
  raised "Both 'schedule' and 'schedules' keys are present ...".
* ``drops_key``   -- the model accepted the file, but at least one key that is
  present in the YAML is not carried by the validated model (Prefect drops it
  without a message). The paths are listed in ``dropped``.
* ``accept``      -- accepted, nothing dropped.

``ignored`` lists top-level keys that Prefect ignores on purpose and that are
harmless: ``definitions`` (a parking place for YAML anchors) and the recipe
keys ``description`` / ``required_inputs`` (read only by ``prefect init``).
They do not turn the verdict into ``drops_key``.

``deploy_errors`` / ``deploy_dropped`` come from an *extra*, offline replay of
the parts of ``prefect deploy`` that run later (after the server look-ups) but
need no server themselves: building the schedule objects, validating the
triggers, building the concurrency options, and constructing the
``RunnerDeployment`` model (version_type, tags, paused, ...). They do not
change ``verdict``. Items that still contain ``{{ placeholders }}`` are not
replayed (Prefect would template them first); a note says so.

Wherever Prefect has a function for a stage, this script calls it rather than
re-implementing it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

try:
    import yaml
    from prefect.cli.deploy._config import (
        _handle_deprecated_schedule_fields,
        _merge_with_default_deploy_config,
    )
    from prefect.cli.deploy._models import (
        ConcurrencyLimitSpec,
        DeploymentConfig,
        PrefectYamlModel,
        WorkPoolConfig,
    )
    from pydantic import BaseModel, ValidationError
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(
        f"prefect_oracle.py needs prefect==3.9.1 importable ({exc}). "
        "Hint: run it from a directory that does not shadow stdlib modules."
    )

# Top-level keys Prefect ignores by design; not counted as "dropped".
HARMLESS_TOP_LEVEL = ("definitions", "description", "required_inputs")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _pointer(*parts: Any) -> str:
    out = []
    for p in parts:
        out.append(str(p).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(out)


def _accepted_keys(model: type[BaseModel]) -> set[str]:
    """Field names plus aliases a pydantic model reads from its input."""
    keys: set[str] = set()
    populate_by_name = bool(model.model_config.get("populate_by_name"))
    for name, field in model.model_fields.items():
        if field.alias:
            keys.add(field.alias)
            if populate_by_name:
                keys.add(name)
        else:
            keys.add(name)
    return keys


def _format_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = _pointer(*err.get("loc", ())) if err.get("loc") else "/"
        lines.append(f"{loc}: {err.get('msg')}")
    return lines


def _has_placeholder(value: Any) -> bool:
    from prefect.utilities.templating import find_placeholders

    if isinstance(value, dict):  # find_placeholders of 3.6/3.7 raises on a None value
        value = {key: item for key, item in value.items() if item is not None}
    try:
        return bool(find_placeholders(value))
    except Exception:
        return False


# --------------------------------------------------------------------------
# load stage (what _load_deploy_configs_and_actions does)
# --------------------------------------------------------------------------


def _dropped_keys(raw: dict[str, Any], model: PrefectYamlModel) -> tuple[list, list]:
    dropped: list[str] = []
    ignored: list[str] = []

    top_keys = _accepted_keys(PrefectYamlModel)
    for key in raw:
        if key in top_keys:
            continue
        (ignored if key in HARMLESS_TOP_LEVEL else dropped).append(_pointer(key))
    # both spellings of prefect-version: the alias wins, the other is lost
    if "prefect-version" in raw and "prefect_version" in raw:
        dropped.append(_pointer("prefect_version"))

    dep_keys = _accepted_keys(DeploymentConfig)
    pool_keys = _accepted_keys(WorkPoolConfig)
    conc_keys = _accepted_keys(ConcurrencyLimitSpec)
    for i, dep in enumerate(raw.get("deployments") or []):
        if not isinstance(dep, dict):
            continue
        for key in dep:
            if key not in dep_keys:
                dropped.append(_pointer("deployments", i, key))
        pool = dep.get("work_pool")
        if isinstance(pool, dict):
            for key in pool:
                if key not in pool_keys:
                    dropped.append(_pointer("deployments", i, "work_pool", key))
        conc = dep.get("concurrency_limit")
        if isinstance(conc, dict):
            for key in conc:
                if key not in conc_keys:
                    dropped.append(_pointer("deployments", i, "concurrency_limit", key))
        # SLA objects are typed at load time with extra="ignore"
        slas = dep.get("sla")
        validated = model.deployments[i].sla if i < len(model.deployments) else None
        if isinstance(slas, list) and validated:
            for j, (raw_sla, sla_obj) in enumerate(zip(slas, validated, strict=False)):
                if isinstance(raw_sla, dict):
                    known = _accepted_keys(type(sla_obj))
                    for key in raw_sla:
                        if key not in known:
                            dropped.append(_pointer("deployments", i, "sla", j, key))
    return dropped, ignored


# --------------------------------------------------------------------------
# offline replay of later deploy stages
# --------------------------------------------------------------------------


def _replay_deploy_stages(idx: int, cfg: dict[str, Any], raw_dep: dict[str, Any]):
    from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
    from prefect.cli.deploy._triggers import _initialize_deployment_triggers
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.objects import ConcurrencyOptions
    from prefect.deployments.runner import RunnerDeployment

    errors: list[str] = []
    dropped: list[str] = []
    notes: list[str] = []
    name = cfg.get("name") or f"deployments[{idx}]"

    # schedules (_construct_schedules -> apply() -> DeploymentScheduleCreate)
    schedules = cfg.get("schedules")
    if isinstance(schedules, list):
        for j, item in enumerate(schedules):
            where = _pointer("deployments", idx, "schedules", j)
            if _has_placeholder(item):
                notes.append(f"{where}: templated, not replayed")
                continue
            try:
                obj = _schedule_config_to_deployment_schedule(dict(item or {}))
                DeploymentScheduleCreate(**obj)
            except ValidationError as exc:
                errors.extend(f"{where}{e}" for e in _format_errors(exc))
            except Exception as exc:  # ValueError etc.
                errors.append(f"{where}: {type(exc).__name__}: {exc}")

    # triggers (_initialize_deployment_triggers on the templated specs)
    triggers = raw_dep.get("triggers")
    if isinstance(triggers, list):
        for j, spec in enumerate(triggers):
            where = _pointer("deployments", idx, "triggers", j)
            probe = {k: v for k, v in spec.items() if k != "parameters"}
            if _has_placeholder(probe):
                notes.append(f"{where}: templated, not replayed")
                continue
            try:
                (trig,) = _initialize_deployment_triggers(name, [dict(spec)])
            except ValidationError as exc:
                errors.extend(f"{where}{e}" for e in _format_errors(exc))
                continue
            except Exception as exc:
                errors.append(f"{where}: {type(exc).__name__}: {exc}")
                continue
            dropped.extend(_trigger_drops(spec, trig, where))

    # concurrency_limit object -> concurrency_options
    conc = cfg.get("concurrency_limit")
    options = None
    if isinstance(conc, dict):
        where = _pointer("deployments", idx, "concurrency_limit")
        if _has_placeholder(conc):
            notes.append(f"{where}: templated, not replayed")
        else:
            options = {"collision_strategy": conc.get("collision_strategy")}
            if conc.get("grace_period_seconds") is not None:
                options["grace_period_seconds"] = conc["grace_period_seconds"]
            try:
                ConcurrencyOptions(**options)
            except ValidationError as exc:
                errors.extend(f"{where}{e}" for e in _format_errors(exc))
                options = None

    # RunnerDeployment construction (version_type, tags, paused, ...)
    probe = {
        "version_type": cfg.get("version_type"),
        "tags": cfg.get("tags"),
        "paused": cfg.get("paused"),
    }
    if _has_placeholder(probe):
        notes.append(
            _pointer("deployments", idx) + ": templated fields, RunnerDeployment not replayed"
        )
    else:
        try:
            RunnerDeployment(
                name=cfg.get("name") or "unnamed",
                flow_name=cfg.get("flow_name"),
                entrypoint=cfg.get("entrypoint"),
                description=cfg.get("description"),
                version=cfg.get("version"),
                version_type=cfg.get("version_type"),
                tags=cfg.get("tags"),
                concurrency_limit=(conc.get("limit") if isinstance(conc, dict) else conc),
                concurrency_options=options,
                paused=cfg.get("paused"),
                parameters=cfg.get("parameters") or {},
                work_pool_name=(cfg.get("work_pool") or {}).get("name"),
                work_queue_name=(cfg.get("work_pool") or {}).get("work_queue_name"),
                job_variables=(cfg.get("work_pool") or {}).get("job_variables") or {},
            )
        except ValidationError as exc:
            errors.extend(f"{_pointer('deployments', idx)}{e}" for e in _format_errors(exc))
        except Exception as exc:
            errors.append(f"{_pointer('deployments', idx)}: {type(exc).__name__}: {exc}")
    return errors, dropped, notes


def _trigger_drops(spec: dict, trig: BaseModel, where: str) -> list[str]:
    """Keys of a trigger spec (and its nested triggers) the trigger model ignores."""
    out = []
    known = _accepted_keys(type(trig))
    for key in spec:
        if key not in known:
            out.append(f"{where}/{key}")
    subs = spec.get("triggers")
    if isinstance(subs, list) and hasattr(trig, "triggers"):
        for k, (raw_sub, sub) in enumerate(zip(subs, trig.triggers, strict=False)):
            if isinstance(raw_sub, dict):
                out.extend(_trigger_drops(raw_sub, sub, f"{where}/triggers/{k}"))
    return out


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------


def check_file(path: str, replay: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {
        "file": path,
        "verdict": "accept",
        "errors": [],
        "dropped": [],
        "ignored": [],
        "deploy_errors": [],
        "deploy_dropped": [],
        "notes": [],
    }
    try:
        with open(path) as fh:
            raw = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        result["verdict"] = "skip_parse"
        result["errors"].append(f"Unable to read the specified config file. Reason: {exc}")
        return result
    if not isinstance(raw, dict):
        result["verdict"] = "skip_parse"
        result["errors"].append(
            "Unable to parse the specified config file (top level is "
            f"{type(raw).__name__}, not a mapping)"
        )
        return result

    try:
        model = PrefectYamlModel.model_validate(raw)
    except ValidationError as exc:
        result["verdict"] = "reject"
        result["errors"] = _format_errors(exc)
        return result

    # What _load_deploy_configs_and_actions hands on, then what
    # _run_single_deploy does first (merge defaults, legacy schedule).
    configs = []
    for i, dep in enumerate(model.deployments):
        dumped = dep.model_dump(exclude_unset=True, mode="json")
        try:
            cfg = _handle_deprecated_schedule_fields(_merge_with_default_deploy_config(dumped))
        except ValueError as exc:
            result["errors"].append(f"{_pointer('deployments', i)}: {exc}")
            continue
        configs.append((i, cfg))
    if result["errors"]:
        result["verdict"] = "reject"
        return result

    dropped, ignored = _dropped_keys(raw, model)
    result["dropped"], result["ignored"] = dropped, ignored
    if dropped:
        result["verdict"] = "drops_key"

    if replay:
        raw_deps = raw.get("deployments") or []
        for i, cfg in configs:
            errs, drops, notes = _replay_deploy_stages(i, cfg, raw_deps[i])
            result["deploy_errors"].extend(errs)
            result["deploy_dropped"].extend(drops)
            result["notes"].extend(notes)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument(
        "--no-replay",
        action="store_true",
        help="skip the offline replay of later deploy stages",
    )
    args = parser.parse_args(argv)
    for path in args.files:
        try:
            res = check_file(path, replay=not args.no_replay)
        except Exception as exc:  # never die on one file
            res = {"file": path, "verdict": "error", "errors": [repr(exc)]}
        print(json.dumps(res, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
