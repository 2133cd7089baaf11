"""schemas/removed_names.json (L030's table) against the real Prefect 3.9.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from linter.resources import load_json

CHECK = r'''
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
def imports(name):
    try:
        importlib.import_module(name)
        return True
    except BaseException:
        pass
    module, _, attribute = name.rpartition(".")
    try:
        getattr(importlib.import_module(module), attribute)
        return True
    except BaseException:
        return False
names = json.load(sys.stdin)
json.dump({name: imports(name) for name in names}, sys.stdout)
'''


def importable(python: Path, names: list[str]) -> dict[str, bool]:
    done = subprocess.run([str(python), "-c", CHECK], input=json.dumps(names), text=True,
                          capture_output=True, check=True, timeout=900)
    result: dict[str, bool] = json.loads(done.stdout)
    return result


def test_the_table_says_where_it_comes_from() -> None:
    table = load_json("removed_names.json")
    assert (table["old"], table["new"]) == ("2.20.27", "3.9.1")
    assert table["removed_names"]["prefect.deployments.Deployment"] is None
    assert "prefect.infrastructure" not in table["removed_modules"]  # an empty stub in 3.x
    assert "prefect.infrastructure.KubernetesJob" in table["removed_names"]


@pytest.mark.slow
def test_every_removed_name_fails_and_every_replacement_imports_on_3_9_1(
        prefect_python: Path) -> None:
    table = load_json("removed_names.json")
    removed = [*table["removed_names"], *table["removed_modules"]]
    replacements = sorted({target for target in table["removed_names"].values() if target})
    found = importable(prefect_python, removed + replacements)
    still_there = [name for name in removed if found[name]]
    assert still_there == []
    missing = [name for name in replacements if not found[name]]
    assert missing == []
    assert len(removed) > 500 and "prefect.client.schemas.schedules.CronSchedule" in replacements
