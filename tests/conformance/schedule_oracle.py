"""Run inside a venv with prefect==3.9.1: Prefect's verdict on schedule entries.

Reads JSON lines (one schedule entry each) on stdin and prints one JSON line each:
{"ok": bool, "reason": str}. An entry is put through what `prefect deploy` does: the
prefect.yaml model (`PrefectYamlModel`), then `_schedule_config_to_deployment_schedule`,
which builds Prefect's CronSchedule / IntervalSchedule / RRuleSchedule.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

from prefect.cli.deploy._models import PrefectYamlModel  # noqa: E402
from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule  # noqa: E402


def verdict(item):
    try:
        model = PrefectYamlModel.model_validate(
            {"deployments": [{"name": "x", "schedules": [item]}]})
        dumped = model.deployments[0].model_dump(exclude_unset=True, mode="json")
        _schedule_config_to_deployment_schedule(dumped["schedules"][0])
    except Exception as error:  # every failure is a rejection
        return {"ok": False, "reason": f"{type(error).__name__}: {error}"[:300]}
    return {"ok": True, "reason": ""}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(verdict(json.loads(line))), flush=True)
