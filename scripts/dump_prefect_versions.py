#!/usr/bin/env python3
"""Write ``schemas/versions/releases.json``: per supported Prefect release, what it really has.

For each release in ``prefect_release_venvs.RELEASES`` (the newest patch of every supported
minor) the script builds (once) a venv with that release, runs ``PROBE`` inside it and keeps:

* ``steps``: every public step function of ``prefect.deployments.steps`` and, while it still
  resolves, of the old ``prefect.projects.steps`` alias, with its parameter names
  (``inspect.signature``; ``id``/``requires`` are reserved by Prefect, not parameters);
* ``commands``: which agent-era and worker-era CLI commands exist (``prefect X --help`` exits 0
  with an empty ``PREFECT_HOME``);
* ``model``: whether a pydantic model validates prefect.yaml, and for each of its models the
  fields and the policy for unknown keys (``extra``);
* ``key_reads``: the deployment and schedule keys the deploy code reads (a regex scan of
  ``prefect.cli.deploy``'s source), which is what a release without the model reads at all;
* ``python_names``: which agent-era Python names (``prefect.deployments.Deployment``, the
  infrastructure and storage blocks, ``PrefectAgent``) still import, next to one that stays
  (``run_deployment``).

The behaviour periods that need probing a loader on crafted files (ignored / rejected / crash)
are in ``schemas/versions/behaviour.json``, transcribed from VERSIONS.md; ``tests/
test_version_data.py`` checks the two files against each other.

Usage: python scripts/dump_prefect_versions.py [--keep-commands] [VERSION ...]
(default: every release; ``--keep-commands`` reuses the stored ``commands``, the slow part)
A release whose venv cannot be built is reported and left out (the file keeps its old entry).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prefect_release_venvs import RELEASES, release_venv

OUT = Path(__file__).resolve().parent.parent / "schemas" / "versions" / "releases.json"

COMMANDS = (
    "prefect agent start", "prefect deployment build", "prefect deployment apply",
    "prefect project init", "prefect deploy", "prefect worker start", "prefect init",
)

PROBE = r'''
import importlib, inspect, json, sys, warnings
warnings.simplefilter("ignore")
import prefect
out = {"version": prefect.__version__, "steps": {}, "model": {}}

def public_steps(module_name):
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return {}
    found = {}
    for name in dir(module):
        value = getattr(module, name)
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if not getattr(value, "__module__", "").startswith("prefect.deployments.steps"):
            continue
        if name == "run_step":
            continue
        parameters = [p.name for p in inspect.signature(value).parameters.values()
                      if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        found[f"{module_name}.{name}"] = parameters
    return found

out["steps"].update(public_steps("prefect.deployments.steps"))
out["steps"].update(public_steps("prefect.projects.steps"))
try:
    models = importlib.import_module("prefect.cli.deploy._models")
except Exception:
    models = None
out["model"]["present"] = models is not None and hasattr(models, "PrefectYamlModel")
for name in ("PrefectYamlModel", "DeploymentConfig", "WorkPoolConfig", "ConcurrencyLimitSpec",
             "RawScheduleConfig"):
    model = getattr(models, name, None) if models is not None else None
    if model is not None:
        out["model"][name] = {"fields": sorted(model.model_fields),
                              "extra": model.model_config.get("extra")}
AGENT_ERA = [("prefect.deployments", "Deployment"), ("prefect.deployments", "run_deployment"),
             ("prefect.infrastructure", "Process"), ("prefect.infrastructure", "DockerContainer"),
             ("prefect.infrastructure", "KubernetesJob"), ("prefect.agent", "PrefectAgent"),
             ("prefect.filesystems", "GitHub"), ("prefect.filesystems", "S3"),
             ("prefect.filesystems", "LocalFileSystem")]
present = []
for module_name, attribute in AGENT_ERA:
    try:
        getattr(importlib.import_module(module_name), attribute)
        present.append(f"{module_name}.{attribute}")
    except Exception:
        pass
out["python_names"] = present

# keys the deploy code reads from a deployment and from a schedule entry (a scan of its
# source: `deploy_config.get("x")`, `["x"]`, `.pop("x")`, `get_from_dict(deploy_config,
# "schedule.x")`); what a release without the model reads at all
import pathlib, re
deploy_file = pathlib.Path(importlib.import_module("prefect.cli.deploy").__file__)
sources = (sorted(deploy_file.parent.glob("*.py")) if deploy_file.name == "__init__.py"
           else [deploy_file])
access = re.compile(r"\b(deploy_config|schedule_config)\s*(?:\.get\(|\.pop\(|\[)\s*"
                    r"[\"']([A-Za-z_]+)[\"']")
dotted = re.compile(r"get_from_dict\(\s*deploy_config,\s*[\"']schedule\.([A-Za-z_]+)[\"']")
reads = {"deployment": set(), "schedule": set()}
for source in sources:
    text = source.read_text()
    for variable, key in access.findall(text):
        reads["deployment" if variable == "deploy_config" else "schedule"].add(key)
    reads["schedule"].update(dotted.findall(text))
out["key_reads"] = {level: sorted(keys) for level, keys in reads.items()}
print(json.dumps(out))
'''


def dump(version: str, commands: list[str] | None = None) -> dict[str, Any]:
    python = release_venv(version)
    probe = subprocess.run([str(python), "-c", PROBE], capture_output=True, text=True,
                           check=True, timeout=300)
    data: dict[str, Any] = json.loads(probe.stdout.strip().splitlines()[-1])
    data["commands"] = commands if commands is not None else [
        command for command in COMMANDS if _exists(python, command)]
    return data


def _exists(python: Path, command: str) -> bool:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PREFECT_HOME": home, "COLUMNS": "250"}
        result = subprocess.run([str(python.parent / "prefect"), *command.split()[1:], "--help"],
                                capture_output=True, text=True, env=env, timeout=300)
    return result.returncode == 0


def main(argv: list[str]) -> int:
    stored = json.loads(OUT.read_text()) if OUT.is_file() else {}
    releases = stored.get("releases", {})
    failed = []
    keep = "--keep-commands" in argv
    for version in [arg for arg in argv if arg != "--keep-commands"] or list(RELEASES):
        try:
            stored_commands = releases.get(version, {}).get("commands") if keep else None
            releases[version] = dump(version, stored_commands)
            print(f"{version}: {len(releases[version]['steps'])} steps, "
                  f"commands {releases[version]['commands']}", flush=True)
        except (subprocess.SubprocessError, OSError, ValueError) as error:
            print(f"{version}: not dumped ({error})", file=sys.stderr, flush=True)
            failed.append(version)
        _write(releases)  # after each release: a long run keeps what it has done
    return 1 if failed else 0


def _write(releases: dict[str, Any]) -> None:
    ordered = dict(sorted(releases.items(),
                          key=lambda item: tuple(int(part) for part in item[0].split("."))))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "_comment": "Generated by scripts/dump_prefect_versions.py from the installed "
                    "releases; do not edit by hand.",
        "releases": ordered,
    }, indent=1, sort_keys=False) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
