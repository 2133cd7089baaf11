"""T: build, push and pull steps: the function, its arguments, ``id`` and ``requires``.

Everything inside a step item is checked here; that a section is a list of mappings is the
schema rules' job. Known steps are described by ``schemas/steps.json``; a step whose function
lives in a file of the project is read from that file with ``ast``; any other step is accepted
as it is (it may come from a package installed on the worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity
from linter.core.registry import Scope, rule
from linter.lazy_regex import lazy_compile
from linter.prefect.steps import (
    KNOWN_PACKAGES,
    RESERVED_KEYWORDS,
    MissingFunction,
    StepItem,
    StepSignature,
    custom_step,
    is_legacy,
    load_catalogue,
    project_folder,
    signature_for,
)
from linter.prefect.templating import find_placeholders
from linter.project.context import LintContext
from linter.rules._shared import argument_nodes, short, unique_findings, unique_items
from linter.source.document import Document
from linter.source.value_types import either, json_type, type_words
from linter.suggest import did_you_mean

_STEP_DOC = "see the step's documentation, or `prefect-lint rule {code}`"


# -- shared helpers ---------------------------------------------------------------------------


def checkable_items(document: Document) -> Iterator[tuple[StepItem, StepSignature]]:
    """One-key step items with a mapping of arguments and a known signature."""
    for item in unique_items(document):
        if item.function is None or item.key_count != 1 or not isinstance(item.arguments, dict):
            continue
        signature = signature_for(document, item.function)
        if isinstance(signature, StepSignature):
            yield item, signature




def has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return bool(find_placeholders(value))
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


# -- T001 -------------------------------------------------------------------------------------


@rule("T001", "unknown-step-function", Severity.ERROR,
      "A step names a function that its module does not have", scope=Scope.DEPLOYMENT)
def unknown_step_function(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the step's function path points into a module prefect-lint knows (Prefect's
    built-in steps, the docker/aws/gcp/azure collections, or a Python file of this project),
    but that module has no such function.

    **Why**: Prefect imports the function only when the step runs: `prefect deploy` fails for
    a build or push step, and a pull step fails on the worker at the start of every flow run.

    **Fix**: use the function's real name, here `prefect.deployments.steps.git_clone`. Steps
    from packages prefect-lint does not know are not checked.
    """
    document = context.document
    catalogue = load_catalogue()
    for item in unique_items(document):
        function = item.function
        if function is None or item.function_node is None or is_legacy(function):
            continue
        if catalogue.lookup(function) is not None:
            continue
        span = document.node_span(item.function_node)
        canonical = catalogue.canonical(function)
        module, _, name = canonical.rpartition(".")
        package = canonical.split(".", 1)[0]
        if module in catalogue.modules:
            suggestion = did_you_mean(name, catalogue.functions_of(module))
            elsewhere = [fqn for fqn in catalogue.steps if fqn.rpartition(".")[2] == name]
            if suggestion:
                help_text = f"did you mean `{module}.{suggestion}`?"
            elif elsewhere:
                help_text = f"did you mean `{elsewhere[0]}`?"
            else:
                help_text = "its steps are " + ", ".join(
                    f"`{f}`" for f in catalogue.functions_of(module))
            yield Finding(span, f"`{module}` has no step function `{name}`", help=help_text)
            continue
        if package in KNOWN_PACKAGES:
            same_name = [fqn for fqn in catalogue.steps if fqn.rpartition(".")[2] == name]
            close = did_you_mean(canonical, list(catalogue.steps), cutoff=0.85)
            suggestion = same_name[0] if same_name else close
            if suggestion:
                yield Finding(
                    span,
                    f"`{function}` is not a step function of `{package}`",
                    help=f"did you mean `{suggestion}`?",
                )
            continue
        folder = project_folder(document)
        if folder is None:
            continue
        found = custom_step(folder, function)
        if isinstance(found, MissingFunction):
            suggestion = did_you_mean(found.function, found.candidates)
            relative = _relative(found.file, folder)
            yield Finding(
                span,
                f"`{relative}` defines no top-level function `{found.function}`",
                help=f"did you mean `{suggestion}`?" if suggestion else
                "define the function in that file, or correct the step's name",
            )


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.relative_to(folder).as_posix()
    except ValueError:
        return str(file)


# -- T002 -------------------------------------------------------------------------------------


@rule("T002", "unknown-step-argument", Severity.ERROR,
      "A step is given an argument its function does not accept", fix=Applicability.UNSAFE,
      scope=Scope.DEPLOYMENT)
def unknown_step_argument(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an argument of a known step that the step's function does not take (and the
    function takes no `**kwargs`).

    **Why**: Prefect calls the function with every argument, so the call fails with a
    TypeError. `prefect deploy` does not check pull steps: they fail on the worker at every
    flow run (PrefectHQ/prefect#16996).

    **Fix**: use the argument the function takes (`access_token`). The fix renames a close
    misspelling; it is unsafe because the step then runs with an argument it ignored before.
    """
    document = context.document
    findings: list[Finding] = []
    for item, signature in checkable_items(document):
        if signature.accepts_any_keyword:
            continue
        nodes = argument_nodes(item)
        for name in item.arguments:
            if not isinstance(name, str) or name in RESERVED_KEYWORDS:
                continue
            if name in signature.arguments:
                continue
            key_node = nodes.get(name, (None, None))[0]
            if key_node is None:
                continue
            span = document.node_span(key_node)
            candidates = [a for a in signature.arguments if a not in item.arguments]
            hint = signature.hints.get(name)
            suggestion = None if hint else did_you_mean(name, candidates)
            accepted = ", ".join(f"`{a}`" for a in signature.arguments) or "no arguments"
            fix = None
            if suggestion and getattr(key_node, "style", None) in (None, ""):
                fix = Fix(f"rename `{name}` to `{suggestion}`",
                          (Edit(span.start, span.end, suggestion),), Applicability.UNSAFE)
            findings.append(Finding(
                span,
                f"`{short(item.function or '')}` takes no argument `{name}`: the step fails "
                "with a TypeError when it runs",
                help=hint or (f"did you mean `{suggestion}`?" if suggestion
                              else f"it accepts {accepted}"),
                fix=fix,
            ))
    yield from unique_findings(findings)


# -- T003 -------------------------------------------------------------------------------------


@rule("T003", "missing-step-argument", Severity.ERROR,
      "A step lacks an argument its function requires", scope=Scope.DEPLOYMENT)
def missing_step_argument(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a required argument of a known step (one without a default) is not given.

    **Why**: the call fails with a TypeError when the step runs: at `prefect deploy` for build
    and push steps, on the worker at every flow run for pull steps.

    **Fix**: add the argument, here
    `credentials: "{{ prefect.blocks.azure-blob-storage-credentials.prod }}"`.
    """
    document = context.document
    findings: list[Finding] = []
    for item, signature in checkable_items(document):
        missing = [name for name in signature.required if name not in item.arguments]
        if not missing or item.function_node is None:
            continue
        listed = ", ".join(f"`{name}`" for name in missing)
        plural = "arguments" if len(missing) > 1 else "argument"
        findings.append(Finding(
            document.node_span(item.function_node),
            f"`{short(item.function or '')}` needs the {plural} {listed}: without it the step "
            "fails with a TypeError when it runs",
            help=f"add {listed} under the step",
        ))
    yield from unique_findings(findings)


# -- T004 -------------------------------------------------------------------------------------





def type_matches(value_type: str, allowed: frozenset[str]) -> bool:
    if value_type in allowed:
        return True
    return value_type == "integer" and "number" in allowed


@rule("T004", "step-argument-type", Severity.WARNING,
      "A step argument's YAML type does not match what the function expects",
      fix=Applicability.UNSAFE, scope=Scope.DEPLOYMENT)
def step_argument_type(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the value given to a known step argument has a YAML type its function's
    annotation does not allow: a number or date where a string is expected, a string where
    a boolean is expected, a single string where a list is expected.

    **Why**: Prefect passes the value as YAML reads it and the function does not convert it:
    `tag: 1.10` tags the image `1.1`, `include_submodules: "false"` is a non-empty string and
    so true, and a string where a list is expected is iterated letter by letter.

    **Fix**: write the value with the expected type: `tag: "1.10"`. The fix quotes a plain
    number, boolean or date where a string is expected; it is unsafe because the value Prefect
    passes changes.
    """
    document = context.document
    findings: list[Finding] = []
    for item, signature in checkable_items(document):
        nodes = argument_nodes(item)
        for name, value in item.arguments.items():
            argument = signature.arguments.get(name) if isinstance(name, str) else None
            if argument is None or argument.types is None or has_placeholder(value):
                continue
            value_type = json_type(value)
            if value_type == "other" or type_matches(value_type, argument.types):
                continue
            key_node, value_node = nodes.get(name, (None, None))
            if value_node is None or key_node is None:
                continue
            expected = either(t for t in sorted(argument.types) if t != "null")
            span = document.head_span(value_node)
            if span.start == span.end:
                span = document.node_span(key_node)
            message = (f"`{name}` of `{short(item.function or '')}` expects {expected}, but "
                       f"YAML reads this value as {type_words(value_type)}")
            help_text, fix = _type_advice(document, value, value_type, argument.types,
                                          value_node)
            findings.append(Finding(span, message, help=help_text, fix=fix))
    yield from unique_findings(findings)


def _type_advice(
    document: Document, value: Any, value_type: str, allowed: frozenset[str], node: Node
) -> tuple[str | None, Fix | None]:
    if "string" in allowed and value_type in {"integer", "number", "boolean", "date"}:
        if isinstance(node, ScalarNode) and node.style in (None, ""):
            span = document.node_span(node)
            source = document.text[span.start:span.end]
            if '"' not in source and "\\" not in source:
                return (f'quote it: `"{source}"`',
                        Fix(f'quote the value as "{source}"',
                            (Edit(span.start, span.end, f'"{source}"'),),
                            Applicability.UNSAFE))
        return "quote the value so YAML reads it as a string", None
    if "boolean" in allowed and value_type == "string":
        return ("write `true` or `false` without quotes: any non-empty string counts as true",
                None)
    if "array" in allowed and value_type == "string":
        return "write a list, e.g. `[value]`", None
    if value_type == "null":
        return "give the argument a value, or remove it to use the default", None
    return None, None


# -- T005 -------------------------------------------------------------------------------------


@rule("T005", "conflicting-step-arguments", Severity.ERROR,
      "A step is given two arguments that exclude each other", scope=Scope.DEPLOYMENT)
def conflicting_step_arguments(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a known step gets two arguments of which it accepts only one, such as
    `access_token` and `credentials` of `git_clone`.

    **Why**: the function raises an error when it runs ("Please provide either an access
    token or credentials but not both."), on the worker for a pull step.

    **Fix**: keep one of the two.
    """
    document = context.document
    findings: list[Finding] = []
    for item, signature in checkable_items(document):
        nodes = argument_nodes(item)
        for group in signature.exclusive:
            given = [name for name in group if item.arguments.get(name) not in (None, "")]
            if len(given) < 2:
                continue
            key_node = nodes.get(given[-1], (None, None))[0]
            if key_node is None:
                continue
            listed = " and ".join(f"`{name}`" for name in given)
            findings.append(Finding(
                document.node_span(key_node),
                f"`{short(item.function or '')}` accepts {listed} only one at a time: the "
                "step fails when it runs",
                help=f"remove `{given[-1]}` or `{given[0]}`",
            ))
    yield from unique_findings(findings)


# -- T006 -------------------------------------------------------------------------------------

_FUNCTION_LIKE = lazy_compile(r"^[\w./\\-]+[.:][\w.]+$")


def looks_like_function(key: Any) -> bool:
    return isinstance(key, str) and ("." in key or ":" in key) and bool(
        _FUNCTION_LIKE.match(key))


@rule("T006", "step-with-several-keys", Severity.ERROR,
      "A step mapping has more than one key (often mis-indented arguments)",
      fix=Applicability.UNSAFE, scope=Scope.DEPLOYMENT)
def step_with_several_keys(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a step item has several keys. A step is a one-key mapping: the function's path,
    with its arguments nested under it.

    **Why**: Prefect fails with "Step has unexpected additional keys" when the step runs (on
    the worker at every flow run, for a pull step). The usual cause is arguments indented at
    the level of the function name instead of under it.

    **Fix**: indent the arguments under the function name. The fix does it when the reading
    is unambiguous (the first key is the only function path, and the other keys are on their
    own lines after it); it is unsafe because the step then runs with those arguments.
    """
    document = context.document
    findings: list[Finding] = []
    for item in unique_items(document):
        if item.key_count < 2 or not isinstance(item.node, MappingNode) or len(item.pairs) < 2:
            continue
        keys = [key.value for key, _ in item.pairs if isinstance(key, ScalarNode)]
        extra_key = item.pairs[1][0]
        functions = [key for key in keys if looks_like_function(key)]
        listed = ", ".join(f"`{key}`" for key in keys[:4]) + (", ..." if len(keys) > 4 else "")
        if len(functions) > 1:
            help_text = ("these look like several steps: start each with its own `- ` list "
                         "item")
        elif functions and functions[0] == keys[0]:
            help_text = f"indent the other keys under `{keys[0]}` (they are its arguments)"
        else:
            help_text = "a step is `- <function path>:` with its arguments indented under it"
        findings.append(Finding(
            document.node_span(extra_key),
            f"this step has {len(keys)} keys ({listed}); a step takes exactly one, the "
            "function path, so Prefect fails with \"Step has unexpected additional keys\"",
            help=help_text,
            fix=_reindent_fix(document, item, keys, functions),
        ))
    yield from unique_findings(findings)


def _reindent_fix(
    document: Document, item: StepItem, keys: list[Any], functions: list[Any]
) -> Fix | None:
    """Indent the keys after the function name under it, when that reading is the only one."""
    node = item.node
    if not isinstance(node, MappingNode) or node.flow_style or len(functions) != 1:
        return None
    if keys[0] != functions[0] or len(keys) != len(node.value):  # merge keys or duplicates
        return None
    first_key, first_value = node.value[0]
    key_column = document.position(first_key.start_mark.index).column
    if isinstance(first_value, ScalarNode) and first_value.tag is not None and \
            first_value.value in ("", None) and first_value.style in (None, ""):
        target = key_column + 2
        arguments: set[str] = set()
        last_row_of_first = document.position(first_key.end_mark.index).row
    elif isinstance(first_value, MappingNode) and not first_value.flow_style and first_value.value:
        target = document.position(first_value.value[0][0].start_mark.index).column
        arguments = {k.value for k, _ in first_value.value if isinstance(k, ScalarNode)}
        last_row_of_first = document.position(
            document.trimmed_node_span(first_value).end).row
    else:
        return None
    shift = target - key_column
    if shift <= 0:
        return None
    rows: list[int] = []
    for key_node, _value in node.value[1:]:
        if not isinstance(key_node, ScalarNode) or key_node.value in arguments:
            return None
        position = document.position(key_node.start_mark.index)
        if position.column != key_column or position.row <= last_row_of_first:
            return None
    start_row = document.position(node.value[1][0].start_mark.index).row
    end_row = document.position(document.trimmed_node_span(node).end).row
    rows = list(range(start_row, end_row + 1))
    edits = []
    for row in rows:
        line = document.line_text(row)
        if not line.strip():
            continue
        edits.append(Edit.insert(document.lines.offset(row, 1), " " * shift))
    if not edits:
        return None
    return Fix(f"indent the arguments under `{keys[0]}`", tuple(edits), Applicability.UNSAFE)


# -- T007 -------------------------------------------------------------------------------------


@rule("T007", "step-arguments-not-mapping", Severity.ERROR,
      "A step's arguments are null or not a mapping", fix=Applicability.SAFE,
      scope=Scope.DEPLOYMENT)
def step_arguments_not_mapping(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the value under a step's function path is empty (`- my.step:`), null, or not a
    mapping (a string or a list).

    **Why**: Prefect reads the step's arguments with `.get`, so the step crashes with an
    AttributeError before its function is even imported: at `prefect deploy` for a build or
    push step, on the worker at every flow run for a pull step.

    **Fix**: write `{}` for no arguments, or the arguments as a mapping under the function.
    The fix writes `{}` for an empty or null value. It is safe: the file as written can only
    crash at this step, so there is no working behaviour to keep, and `{}` is the one reading
    of an empty step that Prefect can run (a step that needs arguments is then reported by
    T003).
    """
    document = context.document
    findings: list[Finding] = []
    for item in unique_items(document):
        if item.function is None or item.key_count != 1 or item.function_node is None:
            continue
        if isinstance(item.arguments, dict):
            continue
        span = document.node_span(item.function_node)
        if item.arguments is None:
            findings.append(Finding(
                span,
                f"`{short(item.function)}` has no arguments mapping (the value is empty): "
                "Prefect crashes on this step; write `{}` for no arguments",
                help="write `{}` after the colon, or the arguments indented under it",
                fix=_empty_mapping_fix(document, item),
            ))
        else:
            what = "a list" if isinstance(item.arguments, list) else "a single value"
            findings.append(Finding(
                span,
                f"the arguments of `{short(item.function)}` are {what}, not a mapping: "
                "Prefect crashes on this step",
                help="write the arguments as `name: value` pairs indented under the function",
            ))
    yield from unique_findings(findings)


def _empty_mapping_fix(document: Document, item: StepItem) -> Fix | None:
    key_node, value_node = item.function_node, item.arguments_node
    if key_node is None or not isinstance(value_node, ScalarNode):
        return None
    if value_node.value not in ("", None):  # an explicit null or ~
        span = document.node_span(value_node)
        if span.end > span.start and value_node.style in (None, ""):
            return Fix("write `{}` instead of null", (Edit(span.start, span.end, "{}"),))
        return None
    text = document.text
    offset = key_node.end_mark.index
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    if offset >= len(text) or text[offset] != ":":
        return None
    return Fix("write `{}` for no arguments", (Edit.insert(offset + 1, " {}"),))


# -- T008 -------------------------------------------------------------------------------------






# -- T009 / T010 ------------------------------------------------------------------------------






# -- T011 -------------------------------------------------------------------------------------







