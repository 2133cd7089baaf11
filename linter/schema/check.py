"""Validate a document's data against the strict prefect.yaml schema and explain each mistake once.

JSON Schema validators report a mistake inside a union (``oneOf``/``anyOf``) once per branch;
Prefect's own pydantic errors do the same, printing seventeen lines for one typo inside a
schedule. Here each failure is reduced to one ``SchemaIssue``: for a union, the branches whose
type does not even match the value are discarded, and the branch with the fewest complaints is
explained. The S and Y rules turn issues into findings; this module knows nothing of spans.

What lies *inside* a step (its function name and arguments) is left to the T rules, and the
keys that only the agent era used (``infra_overrides``, ``storage`` ...) to the L rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from linter.schema.fast import Check, Explainer, Unsupported, compile_check
from linter.source.document import Document, NodePath
from linter.source.value_types import type_words, value_words

STEP_SECTIONS = ("build", "push", "pull")

#: Deployment-level keys of the agent era, reported with specific advice by the L rules.
LEGACY_DEPLOYMENT_KEYS = frozenset(
    {
        "infra_overrides",
        "is_schedule_active",
        "storage",
        "infrastructure",
        "work_queue_name",
        "work_pool_name",
        "manifest_path",
        "path",
    }
)


#: Title of the schema's `laxBoolean` (a quoted word pydantic reads as a boolean).
LAX_BOOLEAN_TITLE = "Boolean written as a string"

#: Schedule fields whose values (not types) the C rules check.
SCHEDULE_VALUE_KEYS = frozenset({"cron", "interval", "rrule", "timezone", "anchor_date"})


class SchemaIssue:
    """One mistake. ``kind`` is one of: unknown_key, type, value, missing, selector.

    Two issues are the same mistake when they agree on everything but ``known`` and
    ``instance``, which only help to explain it (and ``instance`` may be unhashable)."""

    __slots__ = ("expected", "instance", "key", "kind", "known", "message", "path")

    def __init__(
        self,
        kind: str,
        path: NodePath,  # where the offending value (or, for unknown_key, the key) is
        message: str = "",
        key: str | None = None,  # the unknown or missing key
        expected: tuple[str, ...] = (),  # JSON types expected, for type issues
        known: tuple[str, ...] = (),  # keys allowed at that level
        instance: Any = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.message = message
        self.key = key
        self.expected = expected
        self.known = known
        self.instance = instance

    def _identity(self) -> tuple[object, ...]:
        return (self.kind, self.path, self.message, self.key, self.expected)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchemaIssue) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"SchemaIssue{self._identity()!r}"


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The compiled validator (jsonschema is imported only when a file is checked)."""
    from jsonschema import Draft202012Validator

    from linter.resources import load_json

    schema = load_json("prefect.yaml.schema.json")
    return Draft202012Validator(schema)


def schema_issues(document: Document) -> list[SchemaIssue]:
    """Every schema mistake in the document, once each, in document order of their paths."""
    return document.memo(_schema_issues)


def _schema_issues(document: Document) -> list[SchemaIssue]:
    issues: list[SchemaIssue] = []
    data = document.data
    if isinstance(data, dict):
        seen: set[SchemaIssue] = set()
        for error in _errors(data):
            for issue in _explain(error):
                if issue not in seen and not _owned_elsewhere(issue):
                    seen.add(issue)
                    issues.append(issue)
    return issues


@lru_cache(maxsize=1)
def _fast_checks() -> tuple[Check, Check] | None:
    """Yes/no checks of the whole file and of one deployment, or None if the schema uses a
    keyword the fast compiler does not know (then jsonschema does everything)."""
    from linter.resources import load_json

    schema = load_json("prefect.yaml.schema.json")
    try:
        return compile_check(schema), compile_check(schema, "#/$defs/deployment")
    except Unsupported:
        return None


def _errors(data: dict[Any, Any]) -> Iterator[Any]:
    """jsonschema's errors, asked for only where the fast check says something is wrong, and
    deployment by deployment, so one bad entry among thousands costs one entry's time."""
    fast = _fast_checks()
    if fast is None:
        yield from _validator().iter_errors(data)
        return
    whole, one_deployment = fast
    if whole(data):
        return
    explainer, schema = _explainer()
    deployments = data.get("deployments")
    if not isinstance(deployments, list):
        yield from explainer.failures(schema, data)
        return
    yield from explainer.failures(schema, {**data, "deployments": []})
    deployment_schema = explainer.resolve("#/$defs/deployment")
    for index, entry in enumerate(deployments):
        if not one_deployment(entry):
            yield from explainer.failures(deployment_schema, entry, ("deployments", index))


@lru_cache(maxsize=1)
def _explainer() -> tuple[Explainer, Any]:
    """Our own explanation of failures (no jsonschema import: it cost more than checking a
    typical file). tests/test_fastschema.py holds it equal to jsonschema's."""
    from linter.resources import load_json

    schema = load_json("prefect.yaml.schema.json")
    return Explainer(schema), schema


# -- ownership ---------------------------------------------------------------------------


def step_depth(path: NodePath) -> int | None:
    """How far ``path`` reaches below a step section: None when it is not under one, 0 for
    the section itself, 1 for a step item of the list, 2 and more inside a step. A section
    given as a single mapping is one step, so its keys are at depth 2."""
    for index, part in enumerate(path):
        if part in STEP_SECTIONS and _is_section(path, index):
            rest = path[index + 1 :]
            if rest and isinstance(rest[0], str):
                return len(rest) + 1
            return len(rest)
    return None


def _is_section(path: NodePath, index: int) -> bool:
    """``build``/``push``/``pull`` at the top level or directly in a deployment entry."""
    before = path[:index]
    return before == () or (len(before) == 2 and before[0] == "deployments"
                            and isinstance(before[1], int))


def _owned_elsewhere(issue: SchemaIssue) -> bool:
    path = issue.path
    depth = step_depth(path)
    if depth is not None and (depth >= 2 or (depth == 1 and issue.kind != "type")):
        return True  # the T rules check what is inside a step
    if issue.kind == "value" and issue.key is None and len(path) >= 2 and (
        path[-1] in SCHEDULE_VALUE_KEYS) and (
        path[-2] == "schedule" or (len(path) >= 3 and path[-3] == "schedules")
    ):
        return True  # the C rules check schedule values exactly as Prefect parses them
    if issue.kind == "unknown_key":
        in_deployment = len(path) == 3 and path[0] == "deployments"
        if issue.key == "infra_overrides" or (in_deployment and issue.key in
                                               LEGACY_DEPLOYMENT_KEYS):
            return True
    return False


# -- explaining jsonschema errors --------------------------------------------------------


def explain_error(error: Any) -> Iterator[SchemaIssue]:
    """One jsonschema error as the mistakes it stands for (a union reduced to the branch
    that fits best). Policy rules with the ``schema`` function explain their findings so."""
    return _explain(error)


def _explain(error: Any) -> Iterator[SchemaIssue]:
    path: NodePath = tuple(error.absolute_path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = tuple(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                yield SchemaIssue("unknown_key", (*path, key), key=str(key), known=known,
                                  instance=instance[key])
        return
    if validator == "type":
        expected = _as_tuple(error.validator_value)
        yield SchemaIssue("type", path, expected=expected, instance=instance)
        return
    schema_path = list(error.schema_path)
    if validator == "required" and "dependentSchemas" in schema_path:
        trigger = schema_path[schema_path.index("dependentSchemas") + 1]
        needed = " or ".join(f"`{key}`" for key in error.validator_value)
        yield SchemaIssue(
            "value", (*path, str(trigger)),
            f"`{trigger}` only has a meaning together with {needed}; here it is ignored",
            key=str(trigger), instance=instance,
        )
        return
    if validator == "not" and schema_path[-2:] == ["then", "not"]:
        return  # `schedule` together with `schedules`: the L rules explain the agent-era key
    if validator == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance:
                yield SchemaIssue("missing", path, key=key, instance=instance)
        return
    if validator in ("oneOf", "anyOf"):
        yield from _explain_union(error, path, schema, instance)
        return
    if validator == "not" and path == () and isinstance(instance, dict):
        yield SchemaIssue(
            "value", ("prefect_version",),
            "both `prefect-version` and `prefect_version` are given: Prefect keeps "
            "`prefect-version` and drops `prefect_version` silently",
            key="prefect_version",
        )
        return
    if validator in ("enum", "const"):
        options = error.validator_value if validator == "enum" else [error.validator_value]
        yield SchemaIssue("value", path, f"{_show(instance)} is not one of "
                          f"{', '.join(_show(o) for o in options)}", instance=instance,
                          expected=tuple(str(o) for o in options))
        return
    yield SchemaIssue("value", path, _reword(error), instance=instance)


def _explain_union(
    error: Any, path: NodePath, schema: dict[str, Any], instance: Any
) -> Iterator[SchemaIssue]:
    branches_schemas: Sequence[Any] = error.validator_value
    if _is_selector_union(branches_schemas) and isinstance(instance, dict):
        options = tuple(branch["required"][0] for branch in branches_schemas)
        present = [key for key in options if key in instance]
        if present:
            message = (f"a schedule takes exactly one of {_or(options)}, but this one has "
                       f"{' and '.join(f'`{key}`' for key in present)}")
        else:
            message = f"a schedule needs one of {_or(options)}"
        yield SchemaIssue("selector", path, message, expected=options, instance=instance)
        return
    branches: dict[int, list[Any]] = defaultdict(list)
    for sub in error.context or ():
        branches[sub.schema_path[0]].append(sub)
    if error.validator == "oneOf" and len(branches) < len(branches_schemas):
        # valid under several branches: jsonschema's own sentence says which
        yield SchemaIssue("value", path, _reword(error), instance=instance)
        return
    fitting = [errors for errors in branches.values() if not _root_type_mismatch(errors, path)]
    if not fitting:
        expected: list[str] = []
        for branch in branches_schemas:
            expected.extend(_branch_types(branch))
        yield SchemaIssue("type", path, expected=tuple(dict.fromkeys(expected)),
                          instance=instance)
        return
    best = min(fitting, key=len)
    merged = _merged_choices(fitting, best)
    if merged is not None:
        yield merged
        return
    for sub in best:
        yield from _explain(sub)


def _merged_choices(fitting: list[list[Any]], best: list[Any]) -> SchemaIssue | None:
    """When every branch fails only on the value of one discriminating key (``type: evnt``
    against event/metric/compound/sequence), say so once with all the allowed values."""
    if len(fitting) < 2 or len(best) != 1 or best[0].validator not in ("enum", "const"):
        return None
    target = tuple(best[0].absolute_path)
    options: list[str] = []
    for errors in fitting:
        for sub in errors:
            if tuple(sub.absolute_path) == target and sub.validator in ("enum", "const"):
                values = sub.validator_value if sub.validator == "enum" else [sub.validator_value]
                options.extend(str(v) for v in values)
    options = list(dict.fromkeys(options))
    instance = best[0].instance
    return SchemaIssue("value", target, f"{_show(instance)} is not one of "
                       f"{', '.join(_show(o) for o in options)}", instance=instance,
                       expected=tuple(options))


def _is_selector_union(branches: Sequence[Any]) -> bool:
    return bool(branches) and all(
        isinstance(branch, dict) and set(branch) <= {"required", "title"}
        and len(branch.get("required", ())) == 1
        for branch in branches
    )


def _root_type_mismatch(errors: list[Any], path: NodePath) -> bool:
    return any(e.validator == "type" and tuple(e.absolute_path) == path for e in errors)


def _branch_types(branch: Any) -> list[str]:
    if not isinstance(branch, dict):
        return []
    if "type" in branch:
        return list(_as_tuple(branch["type"]))
    if "$ref" in branch and branch["$ref"].endswith("/placeholder"):
        return ["placeholder"]
    if "enum" in branch:
        return ["string"]
    return []


def _as_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


def _reword(error: Any) -> str:
    validator = error.validator
    value = error.validator_value
    instance = error.instance
    if validator == "minimum":
        return f"{_show(instance)} is below the minimum of {value}"
    if validator == "maximum":
        return f"{_show(instance)} is above the maximum of {value}"
    if validator == "exclusiveMinimum":
        return f"{_show(instance)} must be greater than {value}"
    if validator == "maxLength":
        return f"the value is {len(instance)} characters long, more than the {value} allowed"
    if validator == "pattern":
        if isinstance(error.schema, dict) and error.schema.get("title") == LAX_BOOLEAN_TITLE:
            return f"{_show(instance)} is not true or false"
        return f"{_show(instance)} does not have the expected form"
    if validator == "minItems":
        return f"the list needs at least {value} item(s)"
    if validator in ("minProperties", "maxProperties"):
        return "the mapping has the wrong number of keys"
    message: str = error.message
    return message


# -- words ---------------------------------------------------------------------------------

def type_word(value: Any) -> str:
    """What a YAML value is, in words (the shared vocabulary of ``source.value_types``)."""
    return value_words(value)


def expected_words(expected: Sequence[str]) -> str:
    words = [type_words(kind) for kind in expected]
    return _or(words, quote=False)


def _or(items: Sequence[str], quote: bool = True) -> str:
    shown = [f"`{item}`" if quote else item for item in items]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
