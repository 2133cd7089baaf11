"""What a Python file says to Prefect, read statically with ``ast`` (never imported or run).

A module is parsed once; names are resolved through its imports and aliases
(``import prefect.deployments as pd``, ``from prefect.deployments import Deployment as D``), so
``pd.Deployment`` and ``D`` are both ``prefect.deployments.Deployment``. Imports inside a
version guard (``if PREFECT_VERSION < ...``, ``try: ... except ImportError:``, ``if
TYPE_CHECKING:``) are marked, since they do not fail on Prefect 3. Positions are converted from
``ast``'s UTF-8 byte columns to the character offsets findings use.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from linter.core.diagnostics import Span
from linter.prefect.python_files import imports_prefect
from linter.source.document import Document

T = TypeVar("T")

_GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError",
                               "Exception", "BaseException"})


class ImportedName(NamedTuple):
    """One name an import statement brings in: its full dotted name, the statement and whether
    it sits in a version guard."""

    qualified: str
    statement: ast.Import | ast.ImportFrom
    alias: ast.alias
    guarded: bool


class PythonModule:
    """A parsed Python file: its tree, imports, names and positions."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self._line_starts = _line_starts(text)
        self.imports: list[ImportedName] = []
        #: local name -> dotted name it stands for
        self.bindings: dict[str, str] = {}
        #: analyses that several rules share, by the analysis' qualified name
        self._memo: dict[str, list[Any]] = {}
        _collect_imports(self, tree.body, guarded=False)

    def memo(self, analysis: Callable[[PythonModule], Iterable[T]]) -> list[T]:
        """What ``analysis(self)`` yields, listed once per module: several rules share the
        walks behind it (deploy calls, their pools, schedules, parameters)."""
        key = f"{analysis.__module__}.{analysis.__qualname__}"
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = list(analysis(self))
        return found

    # -- nodes -------------------------------------------------------------------------------
    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the tree, walked once for all the rules."""
        return list(ast.walk(self.tree))

    @cached_property
    def calls(self) -> list[ast.Call]:
        """Every call, in source order."""
        found = [node for node in self.nodes if isinstance(node, ast.Call)]
        found.sort(key=lambda call: (call.lineno, call.col_offset))
        return found

    @cached_property
    def guarded(self) -> frozenset[int]:
        """ids of the nodes inside a version guard (``if PREFECT_VERSION < ...``, ``if
        TYPE_CHECKING``, ``try: ... except ImportError``): code written for Prefect 2 there
        does not run on Prefect 3."""
        found: set[int] = set()
        for node in self.nodes:
            blocks: list[list[ast.stmt]] = []
            if isinstance(node, ast.If) and is_version_guard(node.test):
                blocks = [node.body, node.orelse]
            elif isinstance(node, ast.Try) and _catches_import_error(node):
                blocks = [node.body, *(handler.body for handler in node.handlers)]
            for block in blocks:
                for statement in block:
                    found.update(id(inner) for inner in ast.walk(statement))
        return frozenset(found)

    # -- names -------------------------------------------------------------------------------
    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name an expression stands for through the file's imports
        (``pd.Deployment`` -> ``prefect.deployments.Deployment``); None when it is not a name
        or attribute chain rooted in an import."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.bindings.get(node.id)
        if base is None:
            return None
        return ".".join([base, *reversed(parts)])

    # -- positions ---------------------------------------------------------------------------
    def offset(self, row: int, byte_column: int) -> int:
        """Character offset of ``ast``'s (1-based row, UTF-8 byte column)."""
        if row - 1 >= len(self._line_starts):
            return len(self.text)
        start = self._line_starts[row - 1]
        line_end = self.text.find("\n", start)
        line = self.text[start: len(self.text) if line_end < 0 else line_end]
        if line.isascii():
            return start + min(byte_column, len(line))
        return start + len(line.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> Span:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_row = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_column = getattr(node, "end_col_offset", None)
        end = self.offset(end_row, end_column) if end_column is not None else start
        return Span(start, max(start, end))

    def first_row_span(self, node: ast.AST) -> Span:
        """The node's span cut at the end of its first row."""
        span = self.span(node)
        line_end = self.text.find("\n", span.start)
        if 0 <= line_end < span.end:
            end = line_end - 1 if line_end > span.start and self.text[line_end - 1] == "\r" \
                else line_end
            return Span(span.start, max(span.start, end))
        return span

    def attribute_name_span(self, node: ast.Attribute) -> Span:
        """The span of the attribute's own name (``apply`` in ``).apply()``)."""
        end = self.span(node).end
        return Span(max(0, end - len(node.attr)), end)


def flow_functions(module: PythonModule) -> dict[str, str]:
    """Top-level functions decorated with Prefect's ``@flow`` (or ``@flow(...)``), by their
    function name and by their flow name (``name=``, or the function's with dashes)."""
    names: dict[str, str] = {}
    for statement in module.tree.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in statement.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if module.resolve(target) not in ("prefect.flow", "prefect.flows.flow"):
                continue
            flow_name = statement.name.replace("_", "-")
            if isinstance(decorator, ast.Call):
                known, given = literal(next((item.value for item in decorator.keywords
                                             if item.arg == "name"), None))
                flow_name = given if known and isinstance(given, str) else flow_name
            names.setdefault(flow_name, statement.name)
            names[statement.name] = statement.name
    return names


def parse_python(text: str) -> PythonModule | None:
    """The parsed module, or None when the text is not Python that parses (a syntax error,
    a NUL byte, nesting too deep): other tools say why; we have nothing to check."""
    try:
        tree = ast.parse(text, type_comments=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return PythonModule(text, tree)


def module_of(document: Document) -> PythonModule | None:
    """The document parsed as Python, once for all rules; None when it does not parse or
    imports neither prefect nor a collection (then no rule has anything to say)."""
    return document.memo(_module_of)


def _module_of(document: Document) -> PythonModule | None:
    text = document.text
    return parse_python(text) if imports_prefect(text) else None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


# -- imports ---------------------------------------------------------------------------------


def _collect_imports(module: PythonModule, body: list[ast.stmt], guarded: bool) -> None:
    """Every import in ``body`` and its nested blocks (function-level imports count too)."""
    stack: list[tuple[list[ast.stmt], bool]] = [(body, guarded)]
    while stack:
        statements, in_guard = stack.pop()
        for statement in statements:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                _record_import(module, statement, in_guard)
            elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
                try_node: ast.Try = statement  # type: ignore[assignment]
                catches = _catches_import_error(try_node)
                stack.append((try_node.body, in_guard or catches))
                for handler in try_node.handlers:
                    stack.append((handler.body, in_guard or catches))
                stack.append((try_node.orelse, in_guard))
                stack.append((try_node.finalbody, in_guard))
            elif isinstance(statement, ast.If):
                guard = in_guard or is_version_guard(statement.test)
                stack.append((statement.body, guard))
                stack.append((statement.orelse, guard))
            else:
                for field in ("body", "orelse", "finalbody"):
                    block = getattr(statement, field, None)
                    if isinstance(block, list):
                        stack.append((block, in_guard))
                for case in getattr(statement, "cases", ()) or ():
                    stack.append((case.body, in_guard))


def _record_import(module: PythonModule, statement: ast.Import | ast.ImportFrom,
                   guarded: bool) -> None:
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            module.imports.append(ImportedName(alias.name, statement, alias, guarded))
            if alias.asname:
                module.bindings[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                module.bindings[top] = top
        return
    if statement.level or not statement.module:
        return  # relative imports are the project's own code
    for alias in statement.names:
        if alias.name == "*":
            continue
        qualified = f"{statement.module}.{alias.name}"
        module.imports.append(ImportedName(qualified, statement, alias, guarded))
        module.bindings[alias.asname or alias.name] = qualified


def _catches_import_error(statement: ast.Try) -> bool:
    for handler in statement.handlers:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for caught in types:
            name = caught.attr if isinstance(caught, ast.Attribute) else (
                caught.id if isinstance(caught, ast.Name) else "")
            if name in _GUARD_EXCEPTIONS:
                return True
    return False


def is_version_guard(test: ast.expr) -> bool:
    """``if PREFECT_VERSION < ...``, ``if prefect.__version__.startswith("2")``,
    ``if Version(prefect.__version__) >= ...``, ``if TYPE_CHECKING``: a test that mentions a
    version or type checking."""
    for node in ast.walk(test):
        name = node.id if isinstance(node, ast.Name) else (
            node.attr if isinstance(node, ast.Attribute) else None)
        if name is not None and ("version" in name.lower() or name == "TYPE_CHECKING"):
            return True
    return False


# -- calls -----------------------------------------------------------------------------------


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for item in call.keywords:
        if item.arg == name:
            return item
    return None


def keyword_span(module: PythonModule, item: ast.keyword) -> Span:
    """The span of ``name`` in ``name=value`` (``ast`` gives the keyword's start)."""
    start = module.offset(item.lineno, item.col_offset)
    return Span(start, start + len(item.arg or ""))


def literal(node: ast.expr | None) -> tuple[bool, object]:
    """``(True, value)`` for a literal (``ast.literal_eval``), ``(False, None)`` otherwise."""
    if node is None:
        return False, None
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
