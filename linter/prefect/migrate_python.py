"""``prefect-lint migrate script.py``: Prefect 2 ``Deployment`` calls -> prefect.yaml entries.

Each ``Deployment.build_from_flow(...)`` / ``Deployment(...)`` call whose arguments are
literals, module-level constants, blocks made from literals, or block loads is turned into
the same data a legacy ``deployment.yaml`` holds, then migrated exactly as one
(``migrate.migrate_data``). The entrypoint comes from the ``flow=`` object's import
(``from flows.etl import etl`` -> ``flows/etl.py:etl``) or its ``@flow`` definition in the
script. A call inside a loop, or an argument computed at run time, is never guessed: the
reason is returned as a note. The script is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any, NamedTuple

from linter.prefect.python_agent_era import deployment_calls
from linter.prefect.python_code import PythonModule, flow_functions, literal

#: 2.x block classes (by their last name) -> block type slug
INFRASTRUCTURE_SLUGS = {
    "KubernetesJob": "kubernetes-job", "DockerContainer": "docker-container",
    "Process": "process", "ECSTask": "ecs-task", "CloudRunJob": "cloud-run-job",
    "CloudRunJobV2": "cloud-run-job-v2",
    "AzureContainerInstanceJob": "azure-container-instance-job",
    "VertexAICustomTrainingJob": "vertex-ai-custom-training-job",
}
STORAGE_SLUGS = {
    "GitHub": "github", "S3": "s3", "GCS": "gcs", "Azure": "azure",
    "RemoteFileSystem": "remote-file-system", "LocalFileSystem": "local-file-system",
    "SMB": "smb", "GitHubRepository": "github-repository", "S3Bucket": "s3-bucket",
    "GcsBucket": "gcs-bucket", "GitLabRepository": "gitlab-repository",
    "BitBucketRepository": "bitbucket-repository",
}
BLOCK_SLUGS = {**INFRASTRUCTURE_SLUGS, **STORAGE_SLUGS}
SCHEDULE_FIELDS = {"CronSchedule": "cron", "IntervalSchedule": "interval",
                   "RRuleSchedule": "rrule"}
#: keyword -> key of the legacy deployment data
CARRIED = ("name", "version", "description", "tags", "parameters", "work_queue_name",
           "work_pool_name", "infra_overrides", "job_variables", "path", "entrypoint",
           "enforce_parameter_schema", "is_schedule_active", "infrastructure", "storage",
           "schedule")
#: keywords about uploading or registering, with nothing to carry into prefect.yaml
IRRELEVANT = frozenset({"flow", "apply", "skip_upload", "load_existing", "output",
                        "flow_name", "ignore_file"})
#: storage the script names but does not spell out: no pull step is derived (nor `pull: []`)
UNKNOWN_STORAGE = {"_block_type_slug": "storage-known-only-at-run-time"}
_TIMEDELTA_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60,
                      "seconds": 1, "milliseconds": 0.001, "microseconds": 0.000001}


class ScriptDeployment(NamedTuple):
    """One call: the legacy deployment data it describes, or why it cannot be carried."""

    row: int
    data: dict[str, Any] | None
    notes: list[str]


class _Unknown(Exception):
    """A value that is not known without running the script."""


def script_deployments(module: PythonModule, script: Path, cwd: Path) -> list[ScriptDeployment]:
    """Every Prefect 2 deployment call of the script, as legacy deployment data."""
    parents = _parents(module.tree)
    constants = _constants(module.tree)
    flows = flow_functions(module)
    found = []
    for call in deployment_calls(module):
        row = call.call.lineno
        loop = _enclosing_loop(call.call, parents)
        if loop is not None:
            found.append(ScriptDeployment(row, None, [
                f"the call is inside a loop (line {getattr(loop, 'lineno', row)}): it makes one "
                "deployment per "
                "pass, with values known only when the script runs; write those by hand"]))
            continue
        reader = _Reader(module, constants)
        data, notes = _call_data(reader, call.call, call.builder)
        entrypoint = _entrypoint(module, call.call, flows, script, cwd)
        if "entrypoint" not in data and entrypoint is not None:
            data["entrypoint"] = entrypoint
        notes.extend(_saved_block_notes(data))
        missing = [what for what, key in (("the deployment's name is not a literal", "name"), (
            "no entrypoint: the flow is neither imported nor defined with @flow in the "
            "script, and no literal entrypoint= is given", "entrypoint")) if not data.get(key)]
        found.append(ScriptDeployment(row, None if missing else data, [*notes, *missing]))
    return found


def _call_data(reader: _Reader, call: ast.Call, builder: bool
               ) -> tuple[dict[str, Any], list[str]]:
    data: dict[str, Any] = {}
    notes: list[str] = []
    # build_from_flow(flow, name, ...): the first two may be positional
    positional = list(zip(("flow", "name"), call.args, strict=False)) if builder else []
    for name, value in [*positional, *((item.arg, item.value) for item in call.keywords)]:
        if name is None:
            notes.append("`**kwargs`: its keys are known only when the script runs; left out")
            continue
        if name in IRRELEVANT:
            continue
        if name not in CARRIED:
            notes.append(f"{name}=: no prefect.yaml setting; left out")
            continue
        try:
            data[name] = reader.value(value)
        except _Unknown as error:
            notes.append(f"{name}=: {error or 'computed when the script runs'}; left out")
            if name == "storage":  # there was storage: no `pull: []` may claim otherwise
                data[name] = dict(UNKNOWN_STORAGE)
    if isinstance(data.get("schedule"), dict) and "is_schedule_active" in data:
        data["schedule"].setdefault("active", data["is_schedule_active"])
    return data, notes


def _saved_block_notes(data: dict[str, Any]) -> list[str]:
    """A block loaded by name keeps its settings on the server: the script does not say
    what they are, so they cannot be carried (and are not guessed)."""
    notes = []
    for key in ("infrastructure", "storage"):
        block = data.get(key)
        if isinstance(block, dict) and set(block) == {"_block_type_slug",
                                                      "_block_document_name", "_is_anonymous"}:
            what = ("its image, env and other fields become job variables of the pool: set "
                    "them there" if key == "infrastructure" else
                    "write the pull step that fetches the code (git_clone, pull_from_s3...) "
                    "by hand")
            notes.append(f"{key}=: the saved block {block['_block_document_name']!r} "
                         f"({block['_block_type_slug']}) keeps its settings on the server, not "
                         f"in the script; {what}")
            if key == "storage":
                data[key] = dict(UNKNOWN_STORAGE)
    return notes


class _Reader:
    """The value of an argument, as the legacy file would have held it."""

    def __init__(self, module: PythonModule, constants: dict[str, ast.expr]) -> None:
        self.module = module
        self.constants = constants
        self.depth = 0

    def value(self, node: ast.expr) -> Any:
        self.depth += 1
        try:
            if self.depth > 50:
                raise _Unknown("nested too deeply")
            return self._value(node)
        finally:
            self.depth -= 1

    def _value(self, node: ast.expr) -> Any:
        known, value = literal(node)
        if known:
            return value
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.value(self.constants[node.id])
        if isinstance(node, ast.Await):
            return self.value(node.value)
        if isinstance(node, ast.Dict):
            return {self.value(key): self.value(item) for key, item in zip(
                node.keys, node.values, strict=False) if key is not None}
        if isinstance(node, ast.List | ast.Tuple):
            return [self.value(item) for item in node.elts]
        if isinstance(node, ast.Attribute) and node.attr.isupper():
            return node.attr  # an enum member (ImagePullPolicy.ALWAYS)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _Unknown(f"`{ast.unparse(node)[:60]}` is computed when the script runs")

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "load":
            cls = self._class_name(func.value)
            if cls in BLOCK_SLUGS and len(node.args) == 1:
                name = self.value(node.args[0])
                if isinstance(name, str):
                    return {"_block_type_slug": BLOCK_SLUGS[cls], "_block_document_name": name,
                            "_is_anonymous": False}
        cls = self._class_name(func)
        if cls in BLOCK_SLUGS and not node.args:
            return {"_block_type_slug": BLOCK_SLUGS[cls], **self._keywords(node)}
        if cls in SCHEDULE_FIELDS:
            values = self._keywords(node)
            if node.args:
                values[SCHEDULE_FIELDS[cls]] = self.value(node.args[0])
            return values
        if cls == "timedelta":
            return self._seconds(node)
        raise _Unknown(f"`{ast.unparse(node)[:60]}` is computed when the script runs")

    def _keywords(self, node: ast.Call) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in node.keywords:
            if item.arg is None:
                raise _Unknown("`**kwargs` of a block")
            values[item.arg] = self.value(item.value)
        return values

    def _seconds(self, node: ast.Call) -> float:
        total = 0.0
        for index, argument in enumerate(node.args[:3]):
            value = self.value(argument)
            total += float(value) * (86400, 1, 0.000001)[index]
        for item in node.keywords:
            value = self.value(item.value)
            if item.arg not in _TIMEDELTA_SECONDS or not isinstance(value, int | float):
                raise _Unknown("a timedelta that is not literal")
            total += value * _TIMEDELTA_SECONDS[item.arg]
        return int(total) if total == int(total) else total

    def _class_name(self, node: ast.expr) -> str | None:
        resolved = self.module.resolve(node)
        if resolved is not None:
            return resolved.rsplit(".", 1)[-1]
        return None


# -- entrypoints -------------------------------------------------------------------------------


def _entrypoint(module: PythonModule, call: ast.Call, flows: dict[str, str], script: Path,
                cwd: Path) -> str | None:
    flow = next((item.value for item in call.keywords if item.arg == "flow"), None)
    if flow is None and call.args:
        flow = call.args[0]
    if isinstance(flow, ast.Name) and flow.id in flows:
        return f"{_relative(script, cwd)}:{flow.id}"
    if flow is None:
        flow_name = next((item.value for item in call.keywords if item.arg == "flow_name"), None)
        known, name = literal(flow_name)
        function = flows.get(name) if known and isinstance(name, str) else None
        return f"{_relative(script, cwd)}:{function}" if function else None
    qualified = module.resolve(flow)
    if qualified is None or "." not in qualified:
        return None
    module_name, _, function = qualified.rpartition(".")
    if module_name.split(".")[0] == "prefect":
        return None
    relative = Path(*module_name.split("."))
    for candidate in (relative.with_suffix(".py"), relative / "__init__.py"):
        if (script.parent / candidate).is_file():
            return f"{_relative(script.parent / candidate, cwd)}:{function}"
    return f"{relative.with_suffix('.py').as_posix()}:{function}"


def _relative(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), cwd.resolve())).as_posix()
    except ValueError:
        return path.as_posix()


# -- the script's shape ------------------------------------------------------------------------


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
          ast.GeneratorExp)


def _enclosing_loop(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST | None:
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, _LOOPS):
            return current
        current = parents.get(id(current))
    return None


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Names bound exactly once in the whole script, by a plain assignment
    (``IMAGE = "org/etl:1"``, ``docker = DockerContainer(...)`` in ``main()``): their value is
    the one written there."""
    assigned: dict[str, ast.expr] = {}
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            assigned[node.target.id] = node.value
    return {name: value for name, value in assigned.items() if counts.get(name) == 1}
