"""Static reading of flow entrypoints: parse the file with ``ast``, never import or run it.

An entrypoint is read as Prefect reads it (``load_flow_from_entrypoint`` / ``import_object``):
``path/to/file.py:function`` or ``path/to/file.py:Class.method`` names a script, relative to
the folder ``prefect deploy`` runs in; ``pkg.module:function`` and ``pkg.module.function``
name a module, which is looked for under the project folder only (an installed package cannot
be checked, so it is never reported missing).

What is found for the named object: whether it exists at the top level of the module (as
Python would see it on import: definitions inside ``if``/``try``/``with`` blocks count, those
under ``if __name__ == "__main__":`` do not), whether it is decorated with Prefect's ``flow``
(``@flow``, ``@flow(...)``, ``@prefect.flow``, an alias from ``from prefect import flow as f``),
and its parameters with their defaults and annotations.
"""

from __future__ import annotations

import ast
import os
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from linter.core.dependencies import note

#: Files larger than this are not parsed (a flow file is rarely over a few hundred KB).
MAX_SOURCE_BYTES = 2 * 1024 * 1024


class Status(str, Enum):
    FOUND = "found"
    BAD_FORMAT = "bad_format"
    NO_FILE = "no_file"
    UNPARSABLE = "unparsable"
    NO_OBJECT = "no_object"
    UNKNOWN = "unknown"  # cannot tell statically (imported name, star import, big file, ...)


class Entrypoint(NamedTuple):
    """An entrypoint split as Prefect splits it."""

    text: str
    location: str  # a script path or a dotted module name
    object_path: str  # "function" or "Class.method"
    is_script: bool

    @property
    def parts(self) -> list[str]:
        return self.object_path.split(".")


class Parameter(NamedTuple):
    name: str
    required: bool
    annotation: ast.expr | None = None
    variadic: bool = False  # *args


class FlowFunction(NamedTuple):
    qualified_name: str
    line: int
    is_flow: bool | None  # None: decorated with something we cannot judge
    parameters: tuple[Parameter, ...]
    takes_any_keyword: bool  # **kwargs

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


class Resolution(NamedTuple):
    status: Status
    entrypoint: Entrypoint | None = None
    path: Path | None = None
    function: FlowFunction | None = None
    detail: str = ""
    names: tuple[str, ...] = ()  # the module's top-level functions and classes, for hints


def split_entrypoint(text: str) -> Entrypoint | str:
    """The parts of an entrypoint, or a sentence saying why Prefect cannot read it."""
    if ".py:" in text:
        location, object_path = text.rsplit(":", 1)
        is_script = True
    elif ":" in text:
        location, object_path = text.rsplit(":", 1)
        is_script = False
    elif "." in text:
        location, object_path = text.rsplit(".", 1)
        is_script = False
        if location.endswith(".py") or object_path == "py":
            return f'"{text}" names a file but no function; write `{text}:flow_function`'
    else:
        return f'"{text}" is neither `path/to/file.py:function` nor `package.module:function`'
    if not object_path or not all(part.isidentifier() for part in object_path.split(".")):
        return f'"{object_path}" after the `:` is not a Python name (the flow function)'
    if not is_script and ("/" in location or "\\" in location):
        return (f'"{location}" looks like a path but does not end in `.py`, so Prefect tries '
                "to import it as a module and fails")
    if not is_script and not all(part.isidentifier() for part in location.split(".")):
        return f'"{location}" is not a Python module name'
    return Entrypoint(text, location, object_path, is_script)


def resolve(text: str, root: Path) -> Resolution:
    """Find the object an entrypoint names, reading files under ``root`` only."""
    entry = split_entrypoint(text)
    if isinstance(entry, str):
        return Resolution(Status.BAD_FORMAT, detail=entry)
    if entry.is_script:
        path = Path(entry.location.replace("\\", "/")) if os.sep == "/" else Path(
            entry.location)
        path = path if path.is_absolute() else root / path
        note(path)
        if not path.is_file():
            return Resolution(Status.NO_FILE, entry, path)
    else:
        found = _module_file(entry.location, root)
        if found is None:
            return Resolution(Status.UNKNOWN, entry, detail="module not under the project")
        path = found
    module = parse_module(path)
    if isinstance(module, str):
        status = Status.UNKNOWN if module.startswith("skipped") else Status.UNPARSABLE
        return Resolution(status, entry, path, detail=module)
    return _find_object(module, entry, path)


def _module_file(module: str, root: Path) -> Path | None:
    relative = Path(*module.split("."))
    for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
        note(candidate)
        if candidate.is_file():
            return candidate
    return None


# -- parsing, cached per file version ---------------------------------------------------------

#: by (path, mtime, size, ctime): the change time catches a file rewritten with its size and
#: mtime kept (``cp -p``, ``rsync -a``), which a long-running language server would miss
_PARSED: dict[tuple[str, int, int, int], ast.Module | str] = {}


def parse_module(path: Path) -> ast.Module | str:
    """The module's AST, or a sentence saying why it cannot be read (starting with "skipped"
    when the file was not even tried)."""
    note(path)
    try:
        info = path.stat()
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ctime_ns)
    cached = _PARSED.get(key)
    if cached is not None:
        return cached
    result = _parse(path, info.st_size)
    if len(_PARSED) > 256:
        _PARSED.clear()
    _PARSED[key] = result
    return result


def _parse(path: Path, size: int) -> ast.Module | str:
    if size > MAX_SOURCE_BYTES:
        return f"skipped: the file is {size:,} bytes, more than {MAX_SOURCE_BYTES:,}"
    from linter.reading import InputError, read_regular_file

    try:
        source = read_regular_file(path, MAX_SOURCE_BYTES)
    except InputError as error:
        return f"cannot read it: {str(error).removeprefix('cannot read the file: ')}"
    if b"\0" in source:
        return "it is not Python source (it contains NUL bytes)"
    try:
        return ast.parse(source, filename=str(path))
    except SyntaxError as error:
        where = f"line {error.lineno}" if error.lineno else "somewhere"
        return f"Python cannot parse it ({error.msg}, {where})"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"Python cannot parse it ({type(error).__name__}: {error})"


# -- finding the object ---------------------------------------------------------------------


class _ModuleNames:
    """What the module's imports say about decorators."""

    flow_names: set[str]
    prefect_modules: set[str]
    star_import: bool

    def __init__(
        self,
        flow_names: set[str] | None = None,
        prefect_modules: set[str] | None = None,
        star_import: bool = False,
    ) -> None:
        self.flow_names = (lambda: {"flow"})() if flow_names is None else flow_names
        self.prefect_modules = set() if prefect_modules is None else prefect_modules
        self.star_import = star_import


def _find_object(module: ast.Module, entry: Entrypoint, path: Path) -> Resolution:
    names = _ModuleNames()
    bindings: dict[str, ast.stmt] = {}
    for statement in _top_level(module.body):
        _note_imports(statement, names)
        for bound in _bound_names(statement):
            bindings[bound] = statement
    parts = entry.parts
    target = bindings.get(parts[0])
    if target is None:
        if names.star_import:
            return Resolution(Status.UNKNOWN, entry, path, detail="star import")
        defined = tuple(name for name, statement in bindings.items() if isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
        return Resolution(Status.NO_OBJECT, entry, path, detail=parts[0], names=defined)
    if len(parts) == 1:
        return _resolution_for(target, parts[0], entry, path, names, bindings)
    if len(parts) == 2 and isinstance(target, ast.ClassDef):
        method = next((s for s in target.body if isinstance(
            s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == parts[1]), None)
        if method is None:
            if target.bases:
                return Resolution(Status.UNKNOWN, entry, path, detail="inherited")
            return Resolution(Status.NO_OBJECT, entry, path, detail=entry.object_path)
        return Resolution(Status.FOUND, entry, path,
                          _flow_function(method, entry.object_path, names))
    return Resolution(Status.UNKNOWN, entry, path)


def _resolution_for(
    target: ast.stmt, name: str, entry: Entrypoint, path: Path, names: _ModuleNames,
    bindings: dict[str, ast.stmt],
) -> Resolution:
    if isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return Resolution(Status.FOUND, entry, path, _flow_function(target, name, names))
    if isinstance(target, (ast.Assign, ast.AnnAssign)) and target.value is not None:
        wrapped = _wrapped_by_flow_call(target.value, names)
        if wrapped is not None:
            definition = bindings.get(wrapped)
            if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
                function = _flow_function(definition, name, names)
                return Resolution(Status.FOUND, entry, path, FlowFunction(
                    name, target.lineno, True, function.parameters, function.takes_any_keyword))
    if isinstance(target, ast.ClassDef):
        return Resolution(Status.FOUND, entry, path, FlowFunction(
            name, target.lineno, False, (), True))
    return Resolution(Status.UNKNOWN, entry, path, detail="bound by an import or assignment")


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run on import, in order (entering if/try/with, skipping
    ``if __name__ == "__main__":``)."""
    statements: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.If):
            if _is_main_guard(statement.test):
                statements.extend(_top_level(statement.orelse))
                continue
            statements.extend(_top_level(statement.body))
            statements.extend(_top_level(statement.orelse))
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            for block in ("body", "orelse", "finalbody"):
                statements.extend(_top_level(getattr(statement, block)))
            for handler in getattr(statement, "handlers", []):
                statements.extend(_top_level(handler.body))
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            statements.extend(_top_level(statement.body))
        else:
            statements.append(statement)
    return statements


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__" and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in statement.names
                if alias.name != "*"]
    return []


def _note_imports(statement: ast.stmt, names: _ModuleNames) -> None:
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.name == "prefect" or alias.name.startswith("prefect."):
                names.prefect_modules.add(alias.asname or "prefect")
    elif isinstance(statement, ast.ImportFrom):
        for alias in statement.names:
            if alias.name == "*":
                names.star_import = True
            elif alias.name == "flow" and (statement.module or "").startswith("prefect"):
                names.flow_names.add(alias.asname or "flow")


def _decorator_verdict(decorator: ast.expr, names: _ModuleNames) -> str:
    """"flow", "neutral" (staticmethod and the like, or a task: known not to make a flow)
    or "unknown"."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        if target.id in names.flow_names:
            return "flow"
        if target.id in ("staticmethod", "classmethod", "task", "wraps", "cache", "lru_cache"):
            return "neutral"
        return "unknown"
    if isinstance(target, ast.Attribute):
        if target.attr == "flow":
            return "flow"
        if target.attr in ("task", "wraps", "cache", "lru_cache"):
            return "neutral"
    return "unknown"


def _wrapped_by_flow_call(value: ast.expr, names: _ModuleNames) -> str | None:
    """``flow(fn)`` or ``flow(name=...)(fn)``: the name of ``fn``."""
    if not isinstance(value, ast.Call) or not value.args:
        return None
    caller = value.func
    if _decorator_verdict(caller, names) != "flow":
        return None
    argument = value.args[0]
    return argument.id if isinstance(argument, ast.Name) else None


def _flow_function(
    definition: ast.FunctionDef | ast.AsyncFunctionDef, name: str, names: _ModuleNames
) -> FlowFunction:
    verdicts = [_decorator_verdict(d, names) for d in definition.decorator_list]
    is_flow: bool | None = True if "flow" in verdicts else (
        None if "unknown" in verdicts else False)
    arguments = definition.args
    positional = [*arguments.posonlyargs, *arguments.args]
    first_default = len(positional) - len(arguments.defaults)
    parameters: list[Parameter] = []
    for index, argument in enumerate(positional):
        parameters.append(Parameter(argument.arg, index < first_default, argument.annotation))
    if arguments.vararg is not None:
        parameters.append(Parameter(arguments.vararg.arg, False, None, variadic=True))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parameters.append(Parameter(argument.arg, default is None, argument.annotation))
    # Prefect leaves `self` and `cls` out of the parameter schema wherever they appear.
    parameters = [p for p in parameters if p.name not in ("self", "cls")]
    return FlowFunction(name, definition.lineno, is_flow, tuple(parameters),
                        arguments.kwarg is not None)


def unknown_parameter(function: FlowFunction, key: str) -> tuple[str, str] | None:
    """(message, help) when the flow function takes no parameter ``key`` (and no
    ``**kwargs``); shared by prefect.yaml's ``parameters`` and Python's ``parameters=``."""
    from linter.suggest import did_you_mean

    if function.takes_any_keyword or function.parameter(key) is not None:
        return None
    known = [p.name for p in function.parameters]
    guess = did_you_mean(key, known, cutoff=0.6)
    takes = ", ".join(f"`{name}`" for name in known) or "no parameters"
    return (f'flow "{function.qualified_name}" has no parameter "{key}"; every run would fail '
            "binding it", f"did you mean `{guess}`?" if guess else f"it takes {takes}")


def quoted_names(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def required_parameters(function: FlowFunction) -> list[str]:
    return [p.name for p in function.parameters if p.required and not p.variadic]


def unset_required_message(function: FlowFunction, missing: list[str]) -> str:
    """The deployment sets no value for required parameters and runs are not scheduled."""
    return (f'flow "{function.qualified_name}" requires {quoted_names(missing)} with no default '
            "and the deployment sets no value, so every run must be given it")


def scheduled_without_message(function: FlowFunction, missing: list[str]) -> str:
    """Scheduled runs would lack required parameters."""
    return (f'runs from this schedule fail: flow "{function.qualified_name}" requires '
            f"{quoted_names(missing)}, which has no default and no value in the deployment's "
            "or this schedule's `parameters`")
