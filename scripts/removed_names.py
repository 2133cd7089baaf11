"""Generate ``schemas/removed_names.json``: the Prefect 2 import paths Prefect 3 no longer has.

Usage::

    python scripts/removed_names.py OLD_PYTHON NEW_PYTHON > schemas/removed_names.json

``OLD_PYTHON`` is the python of a venv with ``prefect==2.20.27``, ``NEW_PYTHON`` one with
``prefect==3.9.1`` (tests/conftest.py's ``prefect_venv`` builds the latter). Each interpreter
imports every public module of its ``prefect`` package (never user code) and dumps the public
names; the diff is the table:

- ``removed_modules``: a 2.x module that does not import on 3.x (``prefect.agent``,
  ``prefect.infrastructure``...), with the module whose objects it re-exported when Prefect 2
  already called it a renamed alias (``prefect.orion`` -> ``prefect.server``);
- ``removed_names``: ``module.name`` imported on 2.x, missing on 3.x, with the 3.x path of the
  same object when one exists (its defining module still has it), or null;
- ``preferred``: hand-written replacements checked by the slow test (the client-side
  schedule classes are what ``flow.deploy`` takes, not the server ones);
- ``collections``: the agent-era block classes of the ``prefect_*`` collections, transcribed
  from their changelogs (the collections' versions for Prefect 2 and 3 are not installed
  side by side here; each entry names the release that removed it).
"""

from __future__ import annotations

import json
import subprocess
import sys

DUMP = r'''
import importlib, json, pkgutil, sys, warnings
warnings.simplefilter("ignore")
import prefect
SKIP = ("migrations", "_vendor", "testing", "__main__", "server.ui", "cli")
names = {}
modules = set()
for info in pkgutil.walk_packages(prefect.__path__, "prefect."):
    name = info.name
    if any(part.startswith("_") for part in name.split(".")[1:]) or any(s in name for s in SKIP):
        continue
    try:
        module = importlib.import_module(name)
    except BaseException:
        continue
    modules.add(name)
    exported = getattr(module, "__all__", None)
    for attribute in (exported if isinstance(exported, (list, tuple)) else dir(module)):
        if attribute.startswith("_"):
            continue
        try:
            value = getattr(module, attribute)
        except BaseException:
            continue
        if type(value).__name__ == "module":
            continue
        try:
            origin = getattr(value, "__module__", None)
            qualname = getattr(value, "__qualname__", None)
        except BaseException:
            origin = qualname = None
        names[f"{name}.{attribute}"] = (f"{origin}.{qualname}" if isinstance(origin, str)
                                        and isinstance(qualname, str) else None)
modules.add("prefect")
for attribute in dir(prefect):
    if not attribute.startswith("_"):
        value = getattr(prefect, attribute, None)
        if type(value).__name__ != "module":
            names[f"prefect.{attribute}"] = None
aliases = {}
try:
    from prefect._internal.compatibility import deprecated
    for alias in getattr(deprecated, "DEPRECATED_MODULE_ALIASES", []):
        aliases[alias.alias] = alias.real
except BaseException:
    pass
json.dump({"version": prefect.__version__, "modules": sorted(modules), "names": names,
           "aliases": aliases}, sys.stdout)
'''

CHECK = r'''
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
import prefect
wanted = json.load(sys.stdin)
modules, names = set(), set()
def imports(module):
    try:
        importlib.import_module(module)
        return True
    except BaseException:
        return False
for module in wanted["modules"]:
    if imports(module):
        modules.add(module)
for name in wanted["names"]:
    module, _, attribute = name.rpartition(".")
    if module in modules or imports(module):
        try:
            getattr(sys.modules[module], attribute)
            names.add(name)
        except BaseException:
            pass
json.dump({"version": prefect.__version__, "modules": sorted(modules), "names": sorted(names),
           "aliases": {}}, sys.stdout)
'''

#: 2.x aliases whose names are listed one by one (the parts user code imported)
ALIAS_SUBPACKAGES = ("schemas",)

PREFERRED = {
    "prefect.orion.schemas.schedules.CronSchedule":
        "prefect.client.schemas.schedules.CronSchedule",
    "prefect.orion.schemas.schedules.IntervalSchedule":
        "prefect.client.schemas.schedules.IntervalSchedule",
    "prefect.orion.schemas.schedules.RRuleSchedule":
        "prefect.client.schemas.schedules.RRuleSchedule",
}

#: collection block classes removed for Prefect 3 (workers replaced them)
COLLECTIONS = {
    "prefect_aws.ECSTask": "prefect-aws 0.5 (use an ecs work pool)",
    "prefect_aws.ecs.ECSTask": "prefect-aws 0.5 (use an ecs work pool)",
    "prefect_gcp.CloudRunJob": "prefect-gcp 0.6 (use a cloud-run work pool)",
    "prefect_gcp.cloud_run.CloudRunJob": "prefect-gcp 0.6 (use a cloud-run work pool)",
    "prefect_gcp.VertexAICustomTrainingJob": "prefect-gcp 0.6 (use a vertex-ai work pool)",
    "prefect_gcp.aiplatform.VertexAICustomTrainingJob":
        "prefect-gcp 0.6 (use a vertex-ai work pool)",
    "prefect_azure.AzureContainerInstanceJob":
        "prefect-azure 0.4 (use an azure-container-instance work pool)",
    "prefect_azure.container_instance.AzureContainerInstanceJob":
        "prefect-azure 0.4 (use an azure-container-instance work pool)",
    "prefect_kubernetes.KubernetesJob": "prefect-kubernetes 0.4 (use a kubernetes work pool)",
    "prefect_kubernetes.jobs.KubernetesJob": "prefect-kubernetes 0.4 (use a kubernetes work pool)",
}


#: 2.0-era modules gone before 2.20 (so not in the diff). (``prefect.agent`` and
#: ``prefect.infrastructure`` still import on 3.x as empty stubs, and
#: ``prefect.infrastructure.provisioners`` is current: their removed names are listed one by one.)
CURATED_MODULES = {
    "prefect.orion": None,
    "prefect.flow_runners": None,
    "prefect.packaging": None,
}


#: 2.0-era names gone before 2.20 (so not in the diff)
CURATED_NAMES: dict[str, str | None] = {
    "prefect.Deployment": None,  # `from prefect import Deployment` (Prefect 2.0-2.6)
    "prefect.deployments.DeploymentSpec": None,  # the 2.0 betas
}


def _user_facing(name: str, origin: str | None) -> bool:
    """Server internals and names a module merely imported from elsewhere (``typing.Any``)
    are not what user code imports from Prefect."""
    if name.startswith("prefect.server.") and not name.startswith("prefect.server.schemas."):
        return False
    return origin is None or origin.startswith(("prefect.", "prefect_"))


def dump(python: str) -> dict[str, object]:
    """Every public module and name of the old release."""
    result = subprocess.run([python, "-c", DUMP], check=True, capture_output=True, text=True,
                            timeout=1800)
    data: dict[str, object] = json.loads(result.stdout)
    return data


def check(python: str, old: dict[str, object]) -> dict[str, object]:
    """Which of the old release's modules and names (and of the replacements we would
    suggest) import on the new one: asked of the new release itself, so lazy attributes
    (``prefect.flow`` in 3.x) count."""
    old_names: dict[str, str | None] = old["names"]  # type: ignore[assignment]
    candidates = set(old_names) | {origin for origin in old_names.values() if origin}
    candidates |= set(PREFERRED.values())
    aliases: dict[str, str] = old.get("aliases") or {}  # type: ignore[assignment]
    modules = set(old["modules"]) | set(aliases.values())  # type: ignore[call-overload]
    request = json.dumps({"modules": sorted(modules), "names": sorted(candidates)})
    result = subprocess.run([python, "-c", CHECK], check=True, capture_output=True, text=True,
                            input=request, timeout=1800)
    data: dict[str, object] = json.loads(result.stdout)
    return data


def table(old: dict[str, object], new: dict[str, object]) -> dict[str, object]:
    old_modules, new_modules = set(old["modules"]), set(new["modules"])  # type: ignore[call-overload]
    old_names: dict[str, str | None] = old["names"]  # type: ignore[assignment]
    new_names = set(new["names"])  # type: ignore[call-overload]
    removed_modules: dict[str, str | None] = {}
    for module in sorted(old_modules - new_modules):
        if not any(module.startswith(f"{parent}.") for parent in removed_modules):
            removed_modules[module] = None
    aliases: dict[str, str] = old.get("aliases") or {}  # type: ignore[assignment]
    for alias, target in sorted(aliases.items()):
        if alias not in new_modules and isinstance(target, str):
            removed_modules[alias] = target if target in new_modules else None
    removed_names: dict[str, str | None] = {}
    for name, origin in sorted(old_names.items()):
        module = name.rsplit(".", 1)[0]
        if name in new_names or module in removed_modules or not _user_facing(name, origin):
            continue
        removed_names[name] = origin if origin in new_names else None
    for alias, target in aliases.items():
        if not isinstance(target, str):
            continue
        for name, _origin in sorted(old_names.items()):
            if not name.startswith(f"{target}.") or not any(
                    name.startswith(f"{target}.{sub}") for sub in ALIAS_SUBPACKAGES):
                continue
            aliased = alias + name[len(target):]
            removed_names[aliased] = name if name in new_names else None
    for module, target in CURATED_MODULES.items():
        removed_modules.setdefault(module, target)
    for name, target in CURATED_NAMES.items():
        removed_names.setdefault(name, target)
    removed_names.update({name: target for name, target in PREFERRED.items()
                          if target in new_names})
    return {
        "generated_by": "scripts/removed_names.py",
        "old": old["version"],
        "new": new["version"],
        "removed_modules": removed_modules,
        "removed_names": dict(sorted(removed_names.items())),
        "collections": COLLECTIONS,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    old = dump(argv[1])
    json.dump(table(old, check(argv[2], old)), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
