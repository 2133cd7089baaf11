"""D: entrypoints and flow parameters, checked against the flow's source read with ``ast``.

Entrypoints resolve relative to the folder of the prefect.yaml (with ``--stdin-filename``, the
folder of that name): ``prefect deploy`` resolves them against the directory it runs in,
which is normally the one holding prefect.yaml. User code is never imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect.entrypoints import (
    FlowFunction,
    Resolution,
    Status,
    quoted_names,
    required_parameters,
    resolve,
    scheduled_without_message,
    split_entrypoint,
    unknown_parameter,
    unset_required_message,
)
from linter.prefect.parameter_types import parameter_type_problem
from linter.prefect.python_code import module_of
from linter.prefect.python_deploy import ParameterArgument, parameter_arguments
from linter.prefect.schedules import is_templated
from linter.prefect.steps import project_folder
from linter.project.context import LintContext
from linter.project.filekinds import PREFECT, PYTHON
from linter.rules._shared import by_kind, deployment_entries, entry_schedules
from linter.source.document import Document, NodePath
from linter.suggest import did_you_mean

_FALSE_WORDS = {"false", "no", "off", "0", "f", "n"}


def _entrypoints(
    document: Document, on_disk: bool = True
) -> Iterator[tuple[int, dict[Any, Any], str, Span]]:
    """(index, entry, entrypoint text, its span) of deployments with a literal entrypoint,
    each written entrypoint once; with ``on_disk``, none when the document has no folder to
    resolve files from."""
    if on_disk and project_folder(document) is None:
        return
    yield from document.memo(_entrypoint_list)  # nine rules ask; the spans are computed once


def _entrypoint_list(document: Document) -> list[tuple[int, dict[Any, Any], str, Span]]:
    return list(_written_entrypoints(document))


def _written_entrypoints(document: Document) -> Iterator[tuple[int, dict[Any, Any], str, Span]]:
    seen: set[Span] = set()
    for index, entry in deployment_entries(document.data):
        text = entry.get("entrypoint")
        if not isinstance(text, str) or not text.strip() or is_templated(text):
            continue
        span = document.value_span_at(("deployments", index, "entrypoint"))
        if span is None or span in seen:
            continue
        seen.add(span)
        yield index, entry, text.strip(), span


def _resolution(document: Document, text: str) -> Resolution:
    """A prefect.yaml entrypoint resolved from where ``prefect deploy`` would run (the file's
    folder; the current one for a text with no place on disk, such as stdin)."""
    return _resolution_at(document, text, project_folder(document) or Path.cwd())


def _part_span(document: Document, span: Span, part: str) -> Span:
    """The span of ``part`` inside the written entrypoint, or the whole value."""
    source = document.text[span.start:span.end]
    index = source.rfind(part)
    return Span(span.start + index, span.start + index + len(part)) if index >= 0 else span


def _shown(path: Path | None, document: Document) -> str:
    if path is None:
        return "?"
    folder = project_folder(document)
    try:
        return str(path.relative_to(folder)) if folder is not None else str(path)
    except ValueError:
        return str(path)


@rule("D002", "invalid-entrypoint", Severity.ERROR, "An entrypoint Prefect cannot read",
      scope=Scope.DEPLOYMENT)
def invalid_entrypoint(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an `entrypoint` that is neither `path/to/file.py:function` (or
    `file.py:Class.method`) nor a module path (`package.module:function`,
    `package.module.function`): a file without a function, a path without `.py`, a function
    part that is not a Python name.

    **Why**: `prefect deploy` fails on it ("not enough values to unpack", "No module named
    'flows/etl'").

    **Fix**: name the flow function after a colon: `entrypoint: flows/etl.py:etl`.
    """
    document = context.document
    for _, _, text, span in _entrypoints(document, on_disk=False):
        entry = split_entrypoint(text)
        if isinstance(entry, str):
            yield Finding(span, f"invalid entrypoint: {entry}",
                          help="write `path/to/file.py:flow_function`, relative to the folder "
                               "of this file")


@rule("D003", "entrypoint-file-missing", Severity.ERROR, "The entrypoint's file does not exist",
      scope=Scope.DEPLOYMENT)
def entrypoint_file_missing(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the file named by `entrypoint` does not exist. Relative paths are resolved from
    the folder that holds the prefect.yaml, because `prefect deploy` resolves them from the
    directory it runs in, which is normally that folder. (Module entrypoints such as
    `pkg.flows:etl` are only checked when the module is under that folder; an installed
    package is never reported.)

    **Why**: `prefect deploy` fails with "No such file or directory" for this deployment, and
    with `--all` it stops there.

    **Fix**: correct the path, relative to the prefect.yaml's folder; run `prefect deploy` from
    that folder.
    """
    document = context.document
    for _, _, text, span in _entrypoints(document):
        resolution = _resolution(document, text)
        if resolution.status is Status.NO_FILE and resolution.entrypoint is not None:
            location = resolution.entrypoint.location
            shown = _shown(resolution.path, document)
            looked = "" if shown == location else f" (looked for {shown})"
            yield Finding(_part_span(document, span, location),
                          f'entrypoint file "{location}" does not exist{looked}; the path is '
                          "relative to this prefect.yaml's folder, where `prefect deploy` runs",
                          help="fix the path, or run `prefect deploy` from the folder it is "
                               "relative to")


@rule("D004", "entrypoint-unparsable", Severity.ERROR, "The entrypoint's file is not valid Python",
      scope=Scope.DEPLOYMENT)
def entrypoint_unparsable(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the entrypoint's file exists but Python cannot parse it (a syntax error, NUL
    bytes, an encoding error). It is parsed by the Python that runs prefect-lint, so syntax
    newer than that Python is also reported.

    **Why**: Prefect imports the file to find the flow; the import fails, and so does the
    deploy.

    **Fix**: fix the Python file (the message gives the line).
    """
    document = context.document
    for _, _, text, span in _entrypoints(document):
        resolution = _resolution(document, text)
        if resolution.status is Status.UNPARSABLE:
            yield Finding(span, f'cannot read the entrypoint file '
                                f'"{_shown(resolution.path, document)}": {resolution.detail}',
                          help="fix the Python file so that it imports")


@rule("D005", "flow-function-missing", Severity.ERROR,
      "The entrypoint's file has no function of that name", scope=Scope.DEPLOYMENT)
def flow_function_missing(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the entrypoint's file has no top-level function (or class method) of the name
    after the colon. A name bound by an import or a star import is not reported, since its
    origin is not read.

    **Why**: `prefect deploy` fails with "Flow function with name '...' not found".

    **Fix**: write the function's name (the message suggests the closest one).
    """
    document = context.document
    for _, _, text, span in _entrypoints(document):
        resolution = _resolution(document, text)
        if resolution.status is not Status.NO_OBJECT or resolution.entrypoint is None:
            continue
        object_path = resolution.entrypoint.object_path
        guess = did_you_mean(resolution.detail, resolution.names, cutoff=0.6)
        help_text = (f"did you mean `{guess}`?" if guess else
                     "defined there: " + ", ".join(f"`{n}`" for n in resolution.names[:8])
                     if resolution.names else "the file defines no function")
        yield Finding(_part_span(document, span, object_path),
                      f'"{_shown(resolution.path, document)}" has no function named '
                      f'"{object_path}" at its top level', help=help_text)


@rule("D006", "entrypoint-not-a-flow", Severity.ERROR,
      "The entrypoint names a function that is not a flow", scope=Scope.DEPLOYMENT)
def entrypoint_not_a_flow(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the entrypoint's function has no `@flow` decorator (`@flow`, `@flow(...)`,
    `@prefect.flow`, or an alias of Prefect's `flow`), or the entrypoint names a class. A
    function with another decorator that might make a flow is not reported.

    **Why**: `prefect deploy` fails with "Function with name '...' is not a flow. Make sure
    that it is decorated with '@flow'."

    **Fix**: point at the `@flow` function, or decorate the function with `@flow`.
    """
    document = context.document
    for _, _, text, span in _entrypoints(document):
        resolution = _resolution(document, text)
        function = resolution.function
        if (resolution.status is not Status.FOUND or function is None
                or function.is_flow is not False):
            continue
        yield Finding(_part_span(document, span, function.qualified_name),
                      f'"{function.qualified_name}" in "{_shown(resolution.path, document)}" '
                      f"(line {function.line}) is not decorated with `@flow`, so Prefect "
                      "refuses to deploy it",
                      help="decorate it with `@flow` (from prefect import flow), or name the "
                           "flow function")


@rule("D007", "entrypoint-backslashes", Severity.WARNING,
      "An entrypoint path written with Windows backslashes", fix=Applicability.SAFE,
      scope=Scope.DEPLOYMENT)
def entrypoint_backslashes(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an entrypoint path with `\\` separators (`flows\\etl.py:etl`).

    **Why**: it works only on Windows; on Linux and macOS (CI, Docker images, workers) the
    file is not found. Forward slashes work everywhere, Windows included.

    **Fix** (safe): write forward slashes, `flows/etl.py:etl`.
    """
    document = context.document
    for index, _, text, span in _entrypoints(document, on_disk=False):
        location = text.rsplit(":", 1)[0] if ":" in text else text
        if "\\" not in location or (len(location) > 1 and location[1] == ":"):
            continue  # C:\... is an absolute Windows path: not portable either way
        fix = None
        _, node = document.locate(("deployments", index, "entrypoint"))
        if isinstance(node, ScalarNode) and node.style in (None, "", "'", '"'):
            quote = node.style or ""
            fixed = text.replace("\\", "/")
            fix = Fix(f"write {fixed}", (Edit(span.start, span.end, f"{quote}{fixed}{quote}"),))
        yield Finding(span, f'entrypoint "{text}" uses backslashes, which only work on Windows',
                      help="use forward slashes: they work on every system", fix=fix)


def _flow_for(document: Document, text: str) -> FlowFunction | None:
    return _checkable_flow(_resolution(document, text))


def _checkable_flow(resolution: Resolution) -> FlowFunction | None:
    """The function an entrypoint resolved to, unless it is missing or known not to be a
    flow (D005 and D006 report those)."""
    function = resolution.function
    if resolution.status is Status.FOUND and function is not None and function.is_flow is not False:
        return function
    return None


def _flow_entries(
    document: Document,
) -> Iterator[tuple[int, dict[Any, Any], Span, FlowFunction]]:
    """(index, entry, entrypoint span, flow function) of each deployment whose entrypoint
    names a flow function found in its file."""
    for index, entry, text, span in _entrypoints(document):
        function = _flow_for(document, text)
        if function is not None:
            yield index, entry, span, function


def _parameter_maps(
    entry: dict[Any, Any], index: int
) -> Iterator[tuple[NodePath, dict[Any, Any]]]:
    """The deployment's ``parameters`` and every schedule's ``parameters``, with paths."""
    parameters = entry.get("parameters")
    if isinstance(parameters, dict):
        yield ("deployments", index, "parameters"), parameters
    for path, item in entry_schedules(entry, index):
        scheduled = item.get("parameters")
        if isinstance(scheduled, dict):
            yield (*path, "parameters"), scheduled


@rule("D008", "unknown-flow-parameter", Severity.ERROR,
      "A parameter the flow function does not take", kinds=(PREFECT, PYTHON),
      scope=Scope.DEPLOYMENT)
def unknown_flow_parameter(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a key under a deployment's (or a schedule's) `parameters` that is not a
    parameter of the flow function, when the function has no `**kwargs`.

    In a Python deployment script, the literal `parameters={...}` of `flow.deploy()`,
    `to_deployment()` and `serve()` are checked against the flow: a `@flow` of the script,
    one it imports from the project, or the `entrypoint=` of `flow.from_source(...)`.

    **Why**: the deployment is created, but every run fails when Prefect binds the
    parameters to the function ("got an unexpected keyword argument").

    **Fix**: use the function's parameter names (the message suggests the closest one).
    """
    return by_kind(context, _unknown_parameters, _python_unknown_parameters)


def _unknown_parameters(context: LintContext) -> Iterator[Finding]:
    """Keys of a deployment's or a schedule's ``parameters`` the flow function does not take."""
    document = context.document
    seen: set[Span] = set()
    for index, entry, _, function in _flow_entries(document):
        if function.takes_any_keyword:
            continue
        for path, parameters in _parameter_maps(entry, index):
            for key in parameters:
                found = unknown_parameter(function, key) if isinstance(key, str) else None
                span = document.key_span_at((*path, key)) if found is not None else None
                if found is None or span is None or span in seen:
                    continue
                seen.add(span)
                yield Finding(span, found[0], help=found[1])


def _python_deployed_flows(context: LintContext
                           ) -> Iterator[tuple[ParameterArgument, FlowFunction]]:
    """Each deploy call of a Python script with the flow function it deploys, when that
    function is found: a ``@flow`` of the script, one it imports from the project, or the
    ``entrypoint=`` of ``from_source(...)`` (read from the project root)."""
    document = context.document
    module = module_of(document)
    if module is None or document.path is None:
        return
    folder = document.path.parent
    for argument in parameter_arguments(module):
        kind, value = argument.flow
        text = f"{document.path.name}:{value}" if kind == "local" else value
        root = context.project.root if kind == "entrypoint" else folder
        function = _checkable_flow(_resolution_at(document, text, root))
        if function is not None:
            yield argument, function


def _resolution_at(document: Document, text: str, root: Path) -> Resolution:
    cache: dict[tuple[str, Path], Resolution] = document.cache.setdefault("python_flows", {})
    if (text, root) not in cache:
        cache[(text, root)] = resolve(text, root)
    return cache[(text, root)]


def _python_unknown_parameters(context: LintContext) -> Iterator[Finding]:
    """``parameters={...}`` of a deploy call against the flow it deploys: a ``@flow`` of the
    script, one it imports, or ``from_source(entrypoint=...)`` (read from the project)."""
    for argument, function in _python_deployed_flows(context):
        for key, span in argument.keys.items():
            found = unknown_parameter(function, key)
            if found is not None:
                yield Finding(span, found[0], help=found[1])


@rule("D009", "missing-flow-parameter", Severity.ERROR,
      "A required flow parameter with no value", kinds=(PREFECT, PYTHON), scope=Scope.DEPLOYMENT)
def missing_flow_parameter(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a flow parameter without a default that the deployment's `parameters` do not
    set. With schedules, each schedule whose runs would lack it is an error (its own
    `parameters` may supply it); without schedules it is advice (info), since each run must
    then be given the value (UI, `prefect deployment run -p`, automations).

    In a Python deployment script, a deploy call (`flow.deploy()`, `to_deployment()`,
    `serve()`) whose literal `parameters=` leave a required parameter unset is judged the
    same way: an error when it has `cron=` / `interval=` / `rrule=` / `schedules=`, advice
    otherwise (on the method's name).

    **Why**: Prefect does not check required parameters when deploying; scheduled runs then
    fail one after another.

    **Fix**: set it under `parameters:` (or the schedule's `parameters:`), or give the
    function parameter a default.
    """
    return by_kind(context, _missing_parameters, _python_missing_parameters)


def _missing_parameters(context: LintContext) -> Iterator[Finding]:
    """Required flow parameters neither a deployment nor (for each active schedule) its
    schedule sets."""
    document = context.document
    seen: set[Span] = set()
    for index, entry, span, function in _flow_entries(document):
        required = required_parameters(function)
        base = entry.get("parameters")
        given = set(base) if isinstance(base, dict) else set()
        if not isinstance(base, (dict, type(None))):
            continue  # a templated or mistyped `parameters`: nothing to judge
        schedules = [(path, item) for path, item in entry_schedules(entry, index)
                     if item.get("active") is not False]
        if not schedules:
            missing = [name for name in required if name not in given]
            if missing and span not in seen:
                seen.add(span)
                yield Finding(span, unset_required_message(function, missing),
                              help=f"set {_names(missing)} under `parameters:`",
                              severity=Severity.INFO)
            continue
        for path, item in schedules:
            own = item.get("parameters")
            have = given | (set(own) if isinstance(own, dict) else set())
            missing = [name for name in required if name not in have]
            selector = next((key for key in ("cron", "interval", "rrule") if key in item), None)
            where = document.key_span_at((*path, selector)) if selector else (
                document.value_span_at(path))
            if not missing or where is None or where in seen:
                continue
            seen.add(where)
            yield Finding(where, scheduled_without_message(function, missing),
                          help=f"set {_names(missing)} under `parameters:`")


def _python_missing_parameters(context: LintContext) -> Iterator[Finding]:
    """Required flow parameters a Python deploy call leaves unset: an error when its runs
    are scheduled, advice otherwise (as for prefect.yaml)."""
    for argument, function in _python_deployed_flows(context):
        missing = [name for name in required_parameters(function) if name not in argument.keys]
        if not missing or not argument.complete or argument.scheduled is None:
            continue
        help_text = f"set {_names(missing)} in `parameters={{...}}`"
        if argument.scheduled:
            yield Finding(argument.method_span, scheduled_without_message(function, missing),
                          help=help_text)
        else:
            yield Finding(argument.method_span, unset_required_message(function, missing),
                          help=help_text, severity=Severity.INFO)


def _names(names: list[str]) -> str:
    return quoted_names(names)


@rule("D010", "flow-parameter-type", Severity.ERROR,
      "A parameter value whose type contradicts the flow's annotation", kinds=(PREFECT, PYTHON),
      scope=Scope.DEPLOYMENT)
def flow_parameter_type(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value under the deployment's `parameters` whose YAML type contradicts a simple
    annotation of the flow parameter (`int`, `float`, `bool`, `str`, `list`, `dict`,
    `Optional[...]` / `X | None`, `Union`, `Literal[...]`): `days: "7"` for `days: int`,
    `mode: fast` for `Literal["full", "delta"]`, `null` for a non-optional parameter.
    Templated values are skipped, and so is everything when `enforce_parameter_schema: false`.
    In a Python deployment script, the literal values of `parameters={...}` (or `dict(...)`)
    of a deploy call are checked the same way (not with `enforce_parameter_schema=False`).

    **Why**: with `enforce_parameter_schema` (the Prefect 3 default) the server validates the
    values against the flow's schema with strict JSON types and refuses the deployment (HTTP
    422 "Validation failed for field ...").

    **Fix**: write a value of the annotated type (`days: 7`).
    """
    return by_kind(context, _parameter_types, _python_parameter_types)


def _parameter_types(context: LintContext) -> Iterator[Finding]:
    """Values of a deployment's ``parameters`` whose type contradicts the flow's annotation."""
    document = context.document
    seen: set[Span] = set()
    for index, entry, _, function in _flow_entries(document):
        parameters = entry.get("parameters")
        if not isinstance(parameters, dict) or _not_enforced(entry):
            continue
        for key, value in parameters.items():
            if not isinstance(key, str) or _is_dynamic(value):
                continue
            found = parameter_type_problem(function, key, value)
            span = document.value_span_at(("deployments", index, "parameters", key)) if (
                found is not None) else None
            if found is None or span is None or span in seen:
                continue
            seen.add(span)
            yield Finding(span, found[0], help=found[1])


def _python_parameter_types(context: LintContext) -> Iterator[Finding]:
    """The literal values of ``parameters={...}`` in a Python script against the flow's
    annotations (unless the call says ``enforce_parameter_schema=False``)."""
    for argument, function in _python_deployed_flows(context):
        if not argument.enforced:
            continue
        for key, value in argument.values.items():
            found = None if _is_dynamic(value) else parameter_type_problem(function, key, value)
            if found is not None:
                yield Finding(argument.value_spans[key], found[0], help=found[1])


def _not_enforced(entry: dict[Any, Any]) -> bool:
    value = entry.get("enforce_parameter_schema")
    return value is False or (isinstance(value, str) and value.lower() in _FALSE_WORDS)


def _is_dynamic(value: Any) -> bool:
    """A value Prefect fills in or converts at deploy time."""
    return is_templated(value) or (isinstance(value, dict) and "__prefect_kind" in value)
