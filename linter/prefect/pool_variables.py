"""Checking job-variable values against a base job template's ``variables`` JSON Schema.

This mirrors what the Prefect server does when a deployment is created
(``prefect.server.api.validation``): the schema is preprocessed as Prefect does (an optional
variable with a ``type`` also accepts ``null``; block definitions also accept a
``{"$ref": ...}`` block reference; ``required`` is ignored everywhere), then validated with a
draft 2020-12 validator. Unlike the server, every violation is reported, and values that are
only known at deploy time (``{{ }}`` placeholders, block references) are skipped.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from linter.core.registry import describe
from linter.lazy_regex import lazy_compile
from linter.source.value_types import type_words

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from linter.prefect.pools import PoolTemplate

_PLACEHOLDER = lazy_compile(r"\{\{.*?\}\}", re.DOTALL)



class VariableProblem(NamedTuple):
    """One violation inside a variable's value; ``path`` is relative to that value."""

    path: tuple[str | int, ...]
    value: Any
    message: str
    expected: str | None  # "a string or null", when the problem is the value's type or enum


def contains_placeholder(value: Any) -> bool:
    """Whether ``value`` holds a ``{{ }}`` placeholder anywhere (known only at deploy time)."""
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    if isinstance(value, dict):
        return any(contains_placeholder(k) or contains_placeholder(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_placeholder(item) for item in value)
    return False


def is_block_reference(value: Any) -> bool:
    """``{"$ref": {"block_document_id": ...}}`` or ``{"$ref": "<uuid>"}``, a saved block."""
    return isinstance(value, dict) and "$ref" in value


# -- schema helpers -------------------------------------------------------------------------


def resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    """Follow local ``$ref`` pointers (``#/definitions/X``, ``#/$defs/X``) a few levels."""
    for _ in range(16):
        if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str):
            return schema
        target: Any = root
        pointer = schema["$ref"]
        if not pointer.startswith("#/"):
            return schema
        for part in pointer[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return schema
            target = target[part]
        schema = target
    return schema


def allows_object(schema: Any, root: Mapping[str, Any]) -> bool:
    """Whether a value matching ``schema`` may be a mapping (so ``name.key`` can set a field)."""
    schema = resolve(schema, root)
    if not isinstance(schema, dict):
        return schema is True
    kind = schema.get("type")
    if kind is not None:
        return kind == "object" or (isinstance(kind, list) and "object" in kind)
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    if branches:
        return any(allows_object(branch, root) for branch in branches)
    return "properties" in schema or "additionalProperties" in schema or not schema


def describe_schema(schema: Any, root: Mapping[str, Any], depth: int = 0) -> str:
    """What a schema accepts, in words: 'a list of strings or null', 'one of "a", "b"'."""
    if depth > 4:
        return "a valid value"
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        target = resolve(schema, root)
        if isinstance(target, dict) and "block_type_slug" in target:
            return (f"a {target.get('title') or target['block_type_slug']} block "
                    "(a mapping of its fields, or a reference to a saved block)")
        schema = target
    if not isinstance(schema, dict):
        return "a valid value"
    if "enum" in schema and isinstance(schema["enum"], list):
        return "one of " + ", ".join(_literal(item) for item in schema["enum"])
    if "const" in schema:
        return _literal(schema["const"])
    branches = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(branches, list) and branches:
        # Prefect's preprocessing turns {type: array, items: ...} into anyOf [{type: array},
        # {type: null}] next to the items: describe each branch with its sibling keywords.
        siblings = {k: schema[k] for k in ("items", "additionalProperties") if k in schema}
        branches = [{**siblings, **b} if isinstance(b, dict) and set(b) == {"type"} else b
                    for b in branches]
        words = list(dict.fromkeys(describe_schema(b, root, depth + 1) for b in branches))
        return " or ".join(words)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(_type_word(k, schema, root, depth) for k in kind)
    if isinstance(kind, str):
        return _type_word(kind, schema, root, depth)
    return "a valid value"


def _type_word(kind: str, schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> str:
    word = type_words(kind)
    if kind == "array" and isinstance(schema.get("items"), dict):
        items = describe_schema(schema["items"], root, depth + 1)
        if items.startswith(("a ", "an ")):
            items = items.split(" ", 1)[1] + "s" if " or " not in items else items
        word = f"a list of {items}"
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        values = describe_schema(schema["additionalProperties"], root, depth + 1)
        word = f"a mapping of {values} values"
    return word


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


# -- preprocessing as the Prefect server does ---------------------------------------------------


def server_schema(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables schema as the server validates it at deployment time."""
    schema = copy.deepcopy(dict(variables))
    if isinstance(schema.get("properties"), dict):
        _process_properties(schema["properties"], schema.get("required") or [])
    definitions = schema.get("definitions")
    if isinstance(definitions, dict):
        for definition in list(definitions.values()):
            if not isinstance(definition, dict):
                continue
            if isinstance(definition.get("properties"), dict):
                _process_properties(definition["properties"], definition.get("required") or [])
            if "block_type_slug" in definition and "title" in definition:
                definitions[definition["title"]] = {
                    "oneOf": [definition, _BLOCK_REFERENCE]
                }
    cleaned: dict[str, Any] = _without_required(schema)
    return cleaned


_BLOCK_REFERENCE = {
    "type": "object",
    "properties": {
        "$ref": {
            "oneOf": [
                {"type": "string", "format": "uuid"},
                {"type": "object", "additionalProperties": {"type": "string"},
                 "minProperties": 1},
            ]
        }
    },
}


def _process_properties(properties: dict[str, Any], required: list[str]) -> None:
    for key, schema in properties.items():
        if not isinstance(schema, dict):
            continue
        if key not in required and "type" in schema and schema.get("type") != "null":
            schema["anyOf"] = [{"type": schema.pop("type")}, {"type": "null"}]
        if isinstance(schema.get("items"), list) and not schema.get("prefixItems"):
            schema["prefixItems"] = schema.pop("items")
        if isinstance(schema.get("properties"), dict):
            _process_properties(schema["properties"], schema.get("required") or [])


def _without_required(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_required(v) for k, v in value.items() if k != "required"}
    if isinstance(value, list):
        return [_without_required(item) for item in value]
    return value


# -- validation --------------------------------------------------------------------------------

_VALIDATORS: dict[int, tuple[PoolTemplate, Any]] = {}


def _validator_for(template: PoolTemplate) -> Any:
    cached = _VALIDATORS.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1]
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        server_schema(template.variables), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    if len(_VALIDATORS) > 64:
        _VALIDATORS.clear()
    _VALIDATORS[id(template)] = (template, validator)
    return validator


def type_problems(
    template: PoolTemplate, segments: list[str], value: Any
) -> list[VariableProblem]:
    """Every violation in ``value`` set for the variable ``segments`` (``["env", "FOO"]`` for
    the dotted key ``env.FOO``); placeholders and block references are skipped."""
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    instance: Any = value
    for segment in reversed(segments):
        instance = {segment: instance}
    try:
        errors = list(_validator_for(template).iter_errors(instance))
    except (SchemaError, Unresolvable, RecursionError):
        return []  # a broken custom schema: the server would refuse the pool, not this file
    problems: list[VariableProblem] = []
    for error in errors:
        for leaf in _leaf_errors(error):
            path = tuple(leaf.absolute_path)
            if len(path) < len(segments):
                continue  # the dotted key's object itself: reported by P001
            if contains_placeholder(leaf.instance) or is_block_reference(leaf.instance):
                continue
            problems.append(_problem(leaf, path[len(segments):], template))
    return problems


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """For an ``anyOf``/``oneOf`` failure where exactly one branch matched the value's shape
    (its errors are all inside the value), the errors of that branch; else the error itself."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        by_branch: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            by_branch[sub.relative_schema_path[0]].append(sub)
        deeper = [subs for subs in by_branch.values()
                  if all(len(sub.relative_path) > 0 for sub in subs)]
        if len(deeper) == 1:
            for sub in deeper[0]:
                yield from _leaf_errors(sub)
            return
    yield error


def _problem(
    error: ValidationError, path: tuple[Any, ...], template: PoolTemplate
) -> VariableProblem:
    if error.validator in ("type", "enum", "const", "anyOf", "oneOf"):
        schema = error.schema
        if error.validator == "type" and isinstance(schema, dict):
            schema = {"type": schema.get("type")}
        expected = describe_schema(schema, template.variables)
        return VariableProblem(path, error.instance, f"must be {expected}", expected)
    return VariableProblem(path, error.instance, error.message, None)


# -- unknown variables (P001, for prefect.yaml and Python alike) -------------------------------

SHOWN_VARIABLES = 24


class UnknownVariable(NamedTuple):
    """A job variable the pool's template does not have, and what to say about it."""

    message: str
    help: str
    #: a close variable name the key could be renamed to (None: no clear one, or a dotted key)
    suggestion: str | None


def variable_list(template: PoolTemplate) -> str:
    names = sorted(template.properties)
    shown = ", ".join(names[:SHOWN_VARIABLES])
    return shown + (f", ... ({len(names)} in all)" if len(names) > SHOWN_VARIABLES else "")


def unknown_variable(template: PoolTemplate, pool_name: str, name: str
                     ) -> UnknownVariable | None:
    """None when ``name`` is a variable of the template, or a dotted key whose first part is
    an object variable (``env.LEVEL``); otherwise what is wrong."""
    from linter.suggest import did_you_mean

    if name in template.properties:
        return None
    pool_words = described_pool(pool_name, template)
    head = name.split(".", 1)[0] if "." in name else None
    if head is not None and head in template.properties:
        if allows_object(template.properties[head], template.variables):
            return None
        expected = describe_schema(template.properties[head], template.variables)
        return UnknownVariable(
            f'job variable "{name}": "{head}" is not an object variable of {pool_words}, so '
            "the dotted key cannot set a field in it",
            f'set "{head}" itself (its value: {expected})', None)
    suggestion = did_you_mean(name, template.properties)
    if suggestion is None and head is not None:
        head_suggestion = did_you_mean(head, template.properties)
        if head_suggestion is not None:
            suggestion = head_suggestion + name[len(head):]
    message = (f'"{name}" is not a job variable of {pool_words}: Prefect accepts it and '
               "silently never uses it")
    if suggestion is not None:
        message += f'; did you mean "{suggestion}"?'
    return UnknownVariable(message, f"variables of this template: {variable_list(template)}",
                           suggestion)


# -- value types (P002, for prefect.yaml and Python alike) ---------------------------------------


def variable_type_problems(template: PoolTemplate, name: str, value: Any
                           ) -> tuple[list[VariableProblem], bool]:
    """The type problems of job variable ``name`` set to ``value`` (none for an unknown
    variable or a dotted key into a non-object: those are P001's), and whether the key is
    dotted."""
    if is_block_reference(value):
        return [], False
    segments = name.split(".") if name not in template.properties else [name]
    if segments[0] not in template.properties:
        return [], False
    if len(segments) > 1 and not allows_object(template.properties[segments[0]],
                                               template.variables):
        return [], False
    return type_problems(template, segments, value), len(segments) > 1


def described_pool(pool_name: str, template: PoolTemplate) -> str:
    """'work pool "k8s-prod" (kubernetes template)': the pool as messages name it."""
    return f'work pool "{pool_name}" ({template.label})'


def type_message(name: str, problem: VariableProblem, pool_name: str,
                 template: PoolTemplate) -> str:
    where = name + "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                           for part in problem.path)
    pool_words = described_pool(pool_name, template)
    if problem.expected is not None:
        return (f'job variable "{where}" must be {problem.expected}, not '
                f"{describe(problem.value)}, for {pool_words}")
    return f'job variable "{where}": {problem.message}, for {pool_words}'


def type_help(dotted: bool) -> str:
    if dotted:
        return ("the worker expands the dotted key into its object variable and fails to build "
                "the job when a flow run starts")
    return ("the Prefect server rejects the deployment with HTTP 422 and names only the first "
            "invalid variable")
