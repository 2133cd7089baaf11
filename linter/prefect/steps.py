"""Deployment steps: the bundled catalogue of known steps, custom steps read with ``ast``, and
the step items of a ``prefect.yaml``.

A step item is a one-key mapping ``{<function path>: {<arguments>}}``. Prefect imports the
function with ``import_object`` (``pkg.mod.func``, ``pkg.mod:func`` or ``path/file.py:func``),
removes the reserved keys ``id`` and ``requires`` and calls it with the rest. The catalogue
(``schemas/steps.json``, made by ``scripts/dump_step_catalogue.py`` from the real packages)
describes the built-in and collection steps; a function in a file of the project is read with
``ast`` (never imported) and described the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.dependencies import note
from linter.resources import load_json
from linter.source.document import Document, NodePath, mapping_pairs

SECTIONS = ("build", "push", "pull")
RESERVED_KEYWORDS = ("id", "requires")
#: The 2.10 "projects" namespace; the legacy rules report it, the step rules read it as an
#: alias of ``prefect.deployments.steps``.
LEGACY_MODULE = "prefect.projects.steps"
LEGACY_FUNCTIONS = frozenset({"git_clone_project"})
#: Packages whose step modules the catalogue describes completely.
KNOWN_PACKAGES = frozenset({"prefect", "prefect_docker", "prefect_aws", "prefect_gcp",
                            "prefect_azure"})
#: Custom step files larger than this are not read.
MAX_SOURCE_BYTES = 2_000_000


class Argument(NamedTuple):
    name: str
    required: bool
    #: JSON type names the function's annotation allows; None when anything goes.
    types: frozenset[str] | None = None


class StepSignature(NamedTuple):
    """What a step function accepts and returns."""

    name: str
    arguments: dict[str, Argument]
    accepts_any_keyword: bool = False
    exclusive: tuple[tuple[str, ...], ...] = ()
    #: Argument paths (``access_token``, ``credentials.password``) that hold secrets.
    secrets: tuple[str, ...] = ()
    #: Keys of the dict the step returns; None when unknown.
    outputs: frozenset[str] | None = None
    source: str = ""
    #: Advice for arguments people often pass by mistake (argument -> sentence); read only.
    hints: Mapping[str, str] = {}

    @property
    def required(self) -> list[str]:
        return [a.name for a in self.arguments.values() if a.required]


class Catalogue(NamedTuple):
    steps: dict[str, StepSignature]
    modules: frozenset[str]
    aliases: dict[str, str]

    def canonical(self, function: str) -> str:
        """The catalogue spelling of a function path (``a.b:c`` -> ``a.b.c``, module aliases
        and the legacy ``prefect.projects.steps`` resolved)."""
        module, _, name = normalize_function_path(function).rpartition(".")
        if module == LEGACY_MODULE:
            module = "prefect.deployments.steps"
        module = self.aliases.get(module, module)
        return f"{module}.{name}" if module else name

    def lookup(self, function: str) -> StepSignature | None:
        return self.steps.get(self.canonical(function))

    def functions_of(self, module: str) -> list[str]:
        return [fqn.rpartition(".")[2] for fqn in self.steps if fqn.rpartition(".")[0] == module]


def normalize_function_path(function: str) -> str:
    """``pkg.mod:func`` -> ``pkg.mod.func`` (a ``.py:`` path is left alone)."""
    if ".py:" in function:
        return function
    return function.replace(":", ".")


def _signature_from_json(name: str, entry: dict[str, Any]) -> StepSignature:
    arguments = {
        arg: Argument(arg, bool(spec.get("required")),
                      frozenset(spec["type"]) if "type" in spec else None)
        for arg, spec in entry.get("arguments", {}).items()
    }
    outputs = entry.get("outputs")
    return StepSignature(
        name=name,
        arguments=arguments,
        accepts_any_keyword=entry.get("var_keyword") is not None,
        exclusive=tuple(tuple(group) for group in entry.get("exclusive", [])),
        secrets=tuple(entry.get("secrets", [])),
        outputs=frozenset(outputs) if outputs is not None else None,
        source=entry.get("_source", ""),
        hints=dict(entry.get("hints", {})),
    )


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    raw = load_json("steps.json")
    steps = {name: _signature_from_json(name, entry) for name, entry in raw["steps"].items()}
    return Catalogue(steps, frozenset(raw.get("modules", {})), dict(raw.get("aliases", {})))


# -- step items in a document -----------------------------------------------------------------


class StepItem(NamedTuple):
    """One item of a build/push/pull list, with its nodes and plain data."""

    section: str
    path: NodePath  # ("build", 0) or ("deployments", 3, "pull", 1)
    node: Node
    data: Any
    #: Set for a one-key mapping (or the first key of a several-key one).
    function: str | None = None
    function_node: Node | None = None
    arguments: Any = None
    arguments_node: Node | None = None
    key_count: int = 0
    pairs: tuple[tuple[Node, Node], ...] = ()

    @property
    def step_id(self) -> Any:
        if isinstance(self.arguments, dict):
            return self.arguments.get("id")
        return None


def step_lists(document: Document) -> Iterator[tuple[str, NodePath]]:
    """(section, path) of every build/push/pull list: global ones first, then per deployment."""
    data = document.data
    if not isinstance(data, dict):
        return
    for section in SECTIONS:
        if isinstance(data.get(section), list):
            yield section, (section,)
    deployments = data.get("deployments")
    if isinstance(deployments, list):
        for index, entry in enumerate(deployments):
            if not isinstance(entry, dict):
                continue
            for section in SECTIONS:
                if isinstance(entry.get(section), list):
                    yield section, ("deployments", index, section)


def _data_at(data: Any, path: NodePath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not -len(data) <= part < len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
    return data


def items_of(document: Document, section: str, owner: NodePath) -> list[StepItem]:
    """The step items of one list (mapping items only; others are the schema rules' job)."""
    items_data = _data_at(document.data, owner)
    list_node = document.value_node(owner)
    if not isinstance(items_data, list) or not isinstance(list_node, SequenceNode):
        return []
    result = []
    for index, item_data in enumerate(items_data):
        if index >= len(list_node.value):
            break
        result.append(_step_item(section, (*owner, index), list_node.value[index], item_data))
    return result


def _step_item(section: str, path: NodePath, node: Node, data: Any) -> StepItem:
    """The item; a mapping's first key, when it is a string, names the step's function."""
    if not isinstance(data, dict) or not isinstance(node, MappingNode):
        return StepItem(section, path, node, data)
    pairs = tuple(mapping_pairs(node))
    if pairs:
        key_node, value_node = pairs[0]
        if isinstance(key_node, ScalarNode) and isinstance(key_node.value, str) and \
                key_node.value in data:  # a string key, not `null:` or `1:`
            return StepItem(section, path, node, data, function=key_node.value,
                            function_node=key_node, arguments=data.get(key_node.value),
                            arguments_node=value_node, key_count=len(data), pairs=pairs)
    return StepItem(section, path, node, data, key_count=len(data), pairs=pairs)


def all_step_items(document: Document) -> Iterator[StepItem]:
    for section, owner in step_lists(document):
        yield from items_of(document, section, owner)


class Plan(NamedTuple):
    """The steps one deployment runs, as ``_run_single_deploy`` picks them: a deployment's own
    ``build`` replaces the global one (even when null or empty); its ``push`` and ``pull``
    replace the global ones only when they are non-empty lists. ``deployment`` is None for the
    file-level plan of a file without deployments."""

    deployment: int | None
    build: list[StepItem]
    push: list[StepItem]
    pull: list[StepItem]


def plans(document: Document) -> list[Plan]:
    data = document.data
    if not isinstance(data, dict):
        return []
    global_items = {
        section: items_of(document, section, (section,)) for section in SECTIONS
    }
    deployments = data.get("deployments")
    entries = [
        (index, entry) for index, entry in enumerate(deployments)
        if isinstance(entry, dict)
    ] if isinstance(deployments, list) else []
    if not entries:
        return [Plan(None, global_items["build"], global_items["push"], global_items["pull"])]
    result = []
    for index, entry in entries:
        owner = ("deployments", index)
        if "build" in entry:
            build = items_of(document, "build", (*owner, "build"))
        else:
            build = global_items["build"]
        push = items_of(document, "push", (*owner, "push")) if entry.get("push") else \
            global_items["push"]
        if entry.get("pull"):
            pull = items_of(document, "pull", (*owner, "pull"))
        elif "pull" in entry and entry["pull"] == []:
            pull = []
        else:
            pull = global_items["pull"]
        result.append(Plan(index, build, push, pull))
    return result


def step_runs(document: Document) -> Iterator[list[StepItem]]:
    """Steps that share one outputs dict: build then push of a deployment; its pull steps."""
    for plan in plans(document):
        yield [*plan.build, *plan.push]
        yield plan.pull


# -- custom steps in the project's files ------------------------------------------------------


class MissingFunction(NamedTuple):
    """The step's file exists but defines no such top-level function."""

    file: Path
    function: str
    candidates: tuple[str, ...]


def custom_step(root: Path, function: str) -> StepSignature | MissingFunction | None:
    """Read a step function from a file under ``root`` (the prefect.yaml's folder), as
    ``import_object`` would find it; None when the file is not in the project or the function
    cannot be read statically (decorated, assigned, imported, a method)."""
    located = _locate_source(root, function)
    if located is None:
        return None
    file, function_name = located
    from linter.reading import InputError, read_regular_file

    try:
        source = read_regular_file(file, MAX_SOURCE_BYTES).decode("utf-8")
        tree = ast.parse(source, filename=str(file))
    except (InputError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError,
            MemoryError):
        return None
    return _read_function(tree, file, function_name, function)


def _locate_source(root: Path, function: str) -> tuple[Path, str] | None:
    if ".py:" in function:
        script, _, name = function.rpartition(":")
        if "." in name:  # object.method
            return None
        path = Path(script)
        file = path if path.is_absolute() else root / path
        note(file)
        return (file, name) if file.is_file() else None
    module, _, name = normalize_function_path(function).rpartition(".")
    if not module or not name:
        return None
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        note(candidate)
        if candidate.is_file():
            return candidate, name
    return None


def _read_function(
    tree: ast.Module, file: Path, name: str, qualified: str
) -> StepSignature | MissingFunction | None:
    defined: list[str] = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.append(statement.name)
            if statement.name == name:
                if statement.decorator_list:
                    return None  # a decorator may change what the function accepts
                return _signature_of(statement, qualified, file)
        elif _binds_name(statement, name):
            return None
    if any(_defines_getattr_or_star(statement) for statement in tree.body):
        return None
    return MissingFunction(file, name, tuple(defined))


def _binds_name(statement: ast.stmt, name: str) -> bool:
    """Whether a top-level statement other than a def could bind ``name``."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name or alias.name == "*"
                   for alias in statement.names)
    if isinstance(statement, ast.ClassDef):
        return statement.name == name
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(statement))
    if isinstance(statement, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
        return any(
            (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             and n.name == name)
            or (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store))
            or (isinstance(n, ast.alias) and (n.asname or n.name.split(".")[0]) == name)
            for n in ast.walk(statement)
        )
    return False


def _defines_getattr_or_star(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == "__getattr__"
    if isinstance(statement, ast.ImportFrom):
        return any(alias.name == "*" for alias in statement.names)
    return False


_ANNOTATION_TYPES = {
    "str": "string", "bool": "boolean", "int": "integer", "float": "number",
    "list": "array", "List": "array", "tuple": "array", "Tuple": "array", "Sequence": "array",
    "dict": "object", "Dict": "object", "Mapping": "object", "None": "null",
}


def annotation_types(annotation: ast.expr | None) -> frozenset[str] | None:
    """JSON type names of a simple annotation (``str``, ``Optional[int]``, ``list[str] | None``);
    None for anything else, meaning "do not check"."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return frozenset({"null"})
        if isinstance(annotation.value, str):
            try:
                return annotation_types(ast.parse(annotation.value, mode="eval").body)
            except SyntaxError:
                return None
        return None
    if isinstance(annotation, ast.Name):
        found = _ANNOTATION_TYPES.get(annotation.id)
        return frozenset({found}) if found else None
    if isinstance(annotation, ast.Attribute) and isinstance(annotation.value, ast.Name):
        if annotation.value.id in {"typing", "t"}:
            found = _ANNOTATION_TYPES.get(annotation.attr)
            return frozenset({found}) if found else None
        return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left, right = annotation_types(annotation.left), annotation_types(annotation.right)
        return left | right if left is not None and right is not None else None
    if isinstance(annotation, ast.Subscript):
        base = annotation.value
        base_name = base.id if isinstance(base, ast.Name) else (
            base.attr if isinstance(base, ast.Attribute) else None)
        if base_name == "Optional":
            inner = annotation_types(annotation.slice)
            return inner | {"null"} if inner is not None else None
        if base_name == "Union" and isinstance(annotation.slice, ast.Tuple):
            members = [annotation_types(e) for e in annotation.slice.elts]
            if any(m is None for m in members):
                return None
            return frozenset().union(*[m for m in members if m is not None])
        found = _ANNOTATION_TYPES.get(base_name or "")
        return frozenset({found}) if found else None
    return None


def _signature_of(
    function: ast.FunctionDef | ast.AsyncFunctionDef, qualified: str, file: Path
) -> StepSignature | None:
    """The function's keyword interface; None when it has positional-only parameters (Prefect
    passes keywords only, so such a function is unusual enough not to second-guess)."""
    args = function.args
    if args.posonlyargs:
        return None
    first_default = len(args.args) - len(args.defaults)
    arguments: dict[str, Argument] = {}
    for index, arg in enumerate(args.args):
        arguments[arg.arg] = Argument(arg.arg, index < first_default,
                                      annotation_types(arg.annotation))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        arguments[arg.arg] = Argument(arg.arg, default is None, annotation_types(arg.annotation))
    return StepSignature(
        name=qualified,
        arguments=arguments,
        accepts_any_keyword=args.kwarg is not None,
        outputs=_returned_keys(function),
        source=f"{file.name}, line {function.lineno}",
    )


def _returned_keys(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str] | None:
    """Keys of the dict literals a function returns (empty when it returns nothing); None when
    any return is something else."""
    keys: set[str] = set()
    for node in _own_nodes(function):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Constant) and value.value is None:
            continue
        if isinstance(value, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys
        ):
            keys.update(str(k.value) for k in value.keys if isinstance(k, ast.Constant))
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
              and value.func.id == "dict" and not value.args
              and all(kw.arg for kw in value.keywords)):
            keys.update(kw.arg for kw in value.keywords if kw.arg)
        else:
            return None
    return frozenset(keys)


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, without descending into nested functions or classes."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                      ast.ClassDef)):
                pending.append(child)


# -- resolving a step's signature --------------------------------------------------------------


def project_folder(document: Document) -> Path | None:
    """The folder Prefect runs steps from: the prefect.yaml's own folder."""
    return document.path.parent if document.path is not None else None


def is_legacy(function: str) -> bool:
    """A 2.10-era step name; the legacy rules report it, so the step rules stay quiet."""
    module, _, name = normalize_function_path(function).rpartition(".")
    return module == LEGACY_MODULE or name in LEGACY_FUNCTIONS


def signature_for(document: Document, function: str) -> StepSignature | MissingFunction | None:
    """The catalogue entry for a known step, a custom step read from the project, or None
    when the step cannot be checked (an unknown package, a decorated function...)."""
    catalogue = load_catalogue()
    known = catalogue.lookup(function)
    if known is not None:
        return known
    if is_legacy(function):
        return None
    folder = project_folder(document)
    return custom_step(folder, function) if folder is not None else None
