"""Prefect 3 deployments written in Python, read statically: what the C, P and L009 rules check.

``flow.deploy(...)``, ``flow.from_source(...).deploy(...)``, ``flow.to_deployment(...)``,
``flow.serve(...)`` and ``prefect.deploy(...)`` with literal arguments: the work pool
(``work_pool_name=``), its ``job_variables=``, and the schedule values (``cron=``,
``interval=``, ``rrule=``, ``schedules=[...]``, and every schedule object made in the file:
``CronSchedule(cron=...)``, ``Cron("...")``...). A value computed at run time is not a literal
and is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from linter.core.diagnostics import Span
from linter.prefect.python_code import PythonModule, flow_functions, keyword, literal

DEPLOY_METHODS = frozenset({"deploy", "to_deployment", "serve"})
TOP_LEVEL_DEPLOY = frozenset({"prefect.deploy", "prefect.deployments.deploy",
                              "prefect.deployments.runner.deploy"})

_SCHEDULE_MODULES = ("prefect.client.schemas.schedules", "prefect.server.schemas.schedules",
                     "prefect.orion.schemas.schedules")
#: schedule classes and helpers -> the field their first argument fills
SCHEDULE_CLASSES = {
    **{f"{module}.{name}": field for module in _SCHEDULE_MODULES
       for name, field in (("CronSchedule", "cron"), ("IntervalSchedule", "interval"),
                           ("RRuleSchedule", "rrule"))},
    "prefect.schedules.Cron": "cron",
    "prefect.schedules.Interval": "interval",
    "prefect.schedules.RRule": "rrule",
}
SCHEDULE_FIELDS = ("cron", "interval", "rrule", "timezone", "anchor_date")


class ScheduleValue(NamedTuple):
    """One literal schedule field written in the file."""

    field: str  # cron, interval, rrule, timezone, anchor_date
    value: object
    span: Span
    selector: str  # the schedule's kind (cron, interval or rrule)


def schedule_values(module: PythonModule, field: str) -> Iterator[ScheduleValue]:
    for found in _all_schedule_values(module):
        if found.field == field:
            yield found


def _all_schedule_values(module: PythonModule) -> list[ScheduleValue]:
    return module.memo(_find_schedule_values)


def _find_schedule_values(module: PythonModule) -> Iterator[ScheduleValue]:
    for call in module.calls:
        selector = SCHEDULE_CLASSES.get(module.resolve(call.func) or "")
        if selector is not None:
            main = keyword(call, selector)
            nodes = {selector: main.value if main is not None else (
                call.args[0] if call.args else None)}
            for field in ("timezone", "anchor_date"):
                item = keyword(call, field)
                nodes[field] = item.value if item is not None else None
            yield from _literal_fields(module, nodes, selector)
        elif is_deploy_call(module, call):
            yield from _deploy_schedules(module, call)


def _deploy_schedules(module: PythonModule, call: ast.Call) -> Iterator[ScheduleValue]:
    """``cron=`` / ``interval=`` / ``rrule=`` (one value or a list) and ``schedules=[{...}]``
    dictionaries of a deploy-like call (schedule objects are found as calls of their own)."""
    for selector in ("cron", "interval", "rrule"):
        item = keyword(call, selector)
        if item is None:
            continue
        values = item.value.elts if isinstance(item.value, ast.List | ast.Tuple) else [
            item.value]
        for node in values:
            yield from _literal_fields(module, {selector: node}, selector)
    schedules = keyword(call, "schedules")
    if schedules is not None and isinstance(schedules.value, ast.List | ast.Tuple):
        for entry in schedules.value.elts:
            if not isinstance(entry, ast.Dict):
                continue
            nodes = {key.value: value for key, value in zip(entry.keys, entry.values,
                                                            strict=False)
                     if isinstance(key, ast.Constant) and key.value in SCHEDULE_FIELDS}
            kind = next((name for name in ("cron", "interval", "rrule") if name in nodes), None)
            if kind is not None:
                yield from _literal_fields(module, nodes, kind)  # type: ignore[arg-type]


def _literal_fields(module: PythonModule, nodes: dict[str, ast.expr | None],
                    selector: str) -> Iterator[ScheduleValue]:
    for field, node in nodes.items():
        if node is None:
            continue
        known, value = literal(node)
        if known and (isinstance(value, str | int | float) and not isinstance(value, bool)):
            yield ScheduleValue(field, value, module.span(node), selector)


# -- deploy calls and their pools --------------------------------------------------------------


def is_deploy_call(module: PythonModule, call: ast.Call) -> bool:
    """``something.deploy(...)`` / ``.to_deployment(...)`` / ``.serve(...)`` (a flow's
    method: Prefect 2's ``Deployment`` has none of them) or ``prefect.deploy(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in DEPLOY_METHODS:
        return True
    return module.resolve(func) in TOP_LEVEL_DEPLOY


class PoolArgument(NamedTuple):
    """The work pool of one deploy call and its literal job variables."""

    pool_name: str
    pool_span: Span
    #: job variable name -> the span of its key (only string keys of a literal dict)
    variables: dict[str, Span]
    values: dict[str, object]  # the literal values (those that are literals)
    value_spans: dict[str, Span]  # where each literal value is written


def pool_arguments(module: PythonModule) -> list[PoolArgument]:
    return module.memo(_find_pool_arguments)


def _find_pool_arguments(module: PythonModule) -> Iterator[PoolArgument]:
    inherited: dict[int, ast.expr] = {}  # to_deployment(...) inside prefect.deploy(...)
    for call in module.calls:
        if not is_deploy_call(module, call):
            continue
        pool = keyword(call, "work_pool_name")
        pool_node = pool.value if pool is not None else inherited.get(id(call))
        if module.resolve(call.func) in TOP_LEVEL_DEPLOY and pool_node is not None:
            for argument in call.args:
                if isinstance(argument, ast.Call):
                    inherited[id(argument)] = pool_node
        known, name = literal(pool_node)
        if not known or not isinstance(name, str) or pool_node is None:
            continue
        variables, values, value_spans = _keyed_literals(module, keyword(call, "job_variables"))
        yield PoolArgument(name, module.span(pool_node), variables, values, value_spans)


def _keyed_literals(module: PythonModule, item: ast.keyword | None
                    ) -> tuple[dict[str, Span], dict[str, object], dict[str, Span]]:
    """For a keyword given a literal mapping (``job_variables=``, ``parameters=``): each
    key's span, the values that are literals, and their spans (a repeated key: the last)."""
    spans: dict[str, Span] = {}
    values: dict[str, object] = {}
    value_spans: dict[str, Span] = {}
    for key, span, value in _dict_items(module, item.value if item is not None else None):
        spans[key] = span
        known, literal_value = literal(value)
        if known:
            values[key] = literal_value
            value_spans[key] = module.span(value)
    return spans, values, value_spans


def _dict_items(module: PythonModule, node: ast.expr | None
                ) -> Iterator[tuple[str, Span, ast.expr]]:
    """(key, key span, value) of a literal ``{...}`` or ``dict(key=...)`` with string keys."""
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=False):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, module.span(key), value
    elif _is_dict_call(module, node):
        assert isinstance(node, ast.Call)
        for item in node.keywords:
            if item.arg is not None:
                start = module.offset(item.lineno, item.col_offset)
                yield item.arg, Span(start, start + len(item.arg)), item.value


def _is_dict_call(module: PythonModule, node: ast.expr | None) -> bool:
    """``dict(key=value, ...)`` (the builtin, with keywords only)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "dict" and not node.args and "dict" not in module.bindings)


class ParameterArgument(NamedTuple):
    """``parameters=`` of a deploy call and the flow it deploys: ``("local", function)``
    (a ``@flow`` of the script), ``("import", "pkg.module:function")`` or
    ``("entrypoint", text)`` (``from_source(entrypoint=...)``)."""

    flow: tuple[str, str]
    keys: dict[str, Span]
    #: every parameter the call sets is known (no ``parameters=`` or a literal one)
    complete: bool
    #: runs are scheduled (``cron=``, ``interval=``, ``rrule=`` or ``schedules=`` whose
    #: entries set no parameters of their own); None when the schedules cannot be judged
    scheduled: bool | None
    method_span: Span  # ``deploy`` in ``etl.deploy(...)``
    values: dict[str, object]  # the literal values
    value_spans: dict[str, Span]
    enforced: bool  # no ``enforce_parameter_schema=False``


def parameter_arguments(module: PythonModule) -> list[ParameterArgument]:
    return module.memo(_find_parameter_arguments)


def _find_parameter_arguments(module: PythonModule) -> Iterator[ParameterArgument]:
    local = flow_functions(module)
    for call in module.calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in DEPLOY_METHODS:
            continue
        flow = _deployed_flow(module, func.value, local)
        if flow is None:
            continue
        item = keyword(call, "parameters")
        value = item.value if item is not None else None
        keys, values, value_spans = _keyed_literals(module, item)
        enforce = keyword(call, "enforce_parameter_schema")
        complete = value is None or (isinstance(value, ast.Dict) and None not in value.keys
                                     and len(keys) == len(value.keys)) or (
            isinstance(value, ast.Call) and _is_dict_call(module, value)
            and len(keys) == len(value.keywords))
        yield ParameterArgument(flow, keys, complete, _scheduled(call),
                                module.attribute_name_span(func), values, value_spans,
                                enforce is None or literal(enforce.value) != (True, False))


def _scheduled(call: ast.Call) -> bool | None:
    if any(keyword(call, name) is not None for name in ("cron", "interval", "rrule")):
        return True
    schedules = keyword(call, "schedules")
    if schedules is None:
        return False
    if not isinstance(schedules.value, ast.List | ast.Tuple):
        return None
    for entry in schedules.value.elts:
        own = (any(isinstance(key, ast.Constant) and key.value == "parameters"
                   for key in entry.keys) if isinstance(entry, ast.Dict) else
               keyword(entry, "parameters") is not None if isinstance(entry, ast.Call) else True)
        if own:
            return None  # a schedule with its own parameters: not judged here
    return bool(schedules.value.elts)


def _deployed_flow(module: PythonModule, receiver: ast.expr, local: dict[str, str]
                   ) -> tuple[str, str] | None:
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) \
            and receiver.func.attr == "from_source":
        given = keyword(receiver, "entrypoint")
        known, text = literal(given.value if given is not None else None)
        return ("entrypoint", text) if known and isinstance(text, str) else None
    if isinstance(receiver, ast.Name) and receiver.id in local and \
            receiver.id not in module.bindings:
        return "local", receiver.id
    qualified = module.resolve(receiver)
    if qualified is None or "." not in qualified or qualified.startswith("prefect"):
        return None
    location, _, function = qualified.rpartition(".")
    return "import", f"{location}:{function}"
