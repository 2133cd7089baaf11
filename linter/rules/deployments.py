"""D: deployment entries: names and identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from linter.core.diagnostics import Finding, Severity
from linter.core.registry import Scope, rule
from linter.project.context import LintContext
from linter.rules._shared import deployment_entries, deployment_number

if TYPE_CHECKING:
    from linter.source.document import Document


def is_unnamed(entry: dict[Any, Any]) -> bool:
    """True when the entry's name is missing, null or blank (not a number or a list)."""
    name = entry.get("name")
    return name is None or (isinstance(name, str) and not name.strip())


def skipped_by_prefect(data: Any, index: int) -> bool:
    """
    True when Prefect never deploys entry ``index``: it is unnamed and other deployments exist.

    With several entries, `prefect deploy --all` skips those whose name is missing or null
    ("Discovered unnamed deployment. Skipping...") and `-n NAME` never selects them; the rest
    are deployed. An empty name is not skipped: it stops the deploy with "A deployment name
    must be provided" (`_run_multi_deploy` tests `is None`, `_run_single_deploy` `not`). Such an
    entry (often the `prefect init` skeleton left above real deployments) is reported once, by
    D011, and the rules about what it lacks stay silent.
    """
    if not isinstance(data, dict) or not isinstance(data.get("deployments"), list):
        return False
    deployments = data["deployments"]
    if len(deployments) < 2 or not 0 <= index < len(deployments):
        return False
    entry = deployments[index]
    return isinstance(entry, dict) and entry.get("name") is None  # `name: ""` is not skipped


def _flow_function(entrypoint: Any) -> str | None:
    if not isinstance(entrypoint, str) or not entrypoint.strip():
        return None
    text = entrypoint.strip()
    if ":" in text:
        return text.rsplit(":", 1)[1]
    return text.rsplit(".", 1)[-1]


@rule("D001", "duplicate-deployment-name", Severity.ERROR,
      "Two deployments in one file share a name")
def duplicate_deployment_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: two entries under `deployments:` have the same `name`.

    **Why**: a deployment is identified on the server by `<flow name>/<deployment name>`, and
    `prefect deploy` does not reject duplicates. With the same flow, the later entry silently
    overwrites the earlier one on every `prefect deploy --all` (error). With different flows
    both exist, but `prefect deploy -n NAME` selects both at once (warning).

    **Fix**: give each deployment its own name.
    """
    document = context.document
    first_by_name: dict[str, tuple[int, str | None]] = {}
    for index, entry in deployment_entries(document.data):
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            continue
        function = _flow_function(entry.get("entrypoint"))
        if name not in first_by_name:
            first_by_name[name] = (index, function)
            continue
        first_index, first_function = first_by_name[name]
        _, node = document.locate(("deployments", index, "name"))
        if node is None:
            continue
        first_node = document.value_node(("deployments", first_index, "name"))
        first_row = document.position(first_node.start_mark.index).row if first_node else 0
        same_flow = function == first_function
        if same_flow:
            message = (
                f'deployment name "{name}" is already used on line {first_row} for the same '
                "flow: on deploy this entry silently overwrites that one"
            )
            severity = Severity.ERROR
        else:
            message = (
                f'deployment name "{name}" is already used on line {first_row} (for another '
                f"flow): `prefect deploy -n {name}` selects both"
            )
            severity = Severity.WARNING
        yield Finding(
            document.node_span(node),
            message,
            help="give each deployment a unique name",
            severity=severity,
        )


#: Characters Prefect's deployment names may not contain (``NameOrEmpty``).
FORBIDDEN_NAME_CHARACTERS = "/%&><"


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value and "}}" in value


@rule("D011", "missing-deployment-name", Severity.ERROR, "A deployment entry without a name")
def missing_deployment_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an entry under `deployments:` with no `name`, an empty one, or `name: null`
    (left from the `prefect init` template).

    **Why**: alone, `prefect deploy` fails with "A deployment name must be provided" (error).
    Beside other deployments, Prefect skips it ("Discovered unnamed deployment. Skipping...")
    and deploys the rest, so it is silently never deployed (warning, said once: D013 and D015
    stay silent about an entry Prefect skips).

    **Fix**: give the deployment a name (`name: nightly-etl`).
    """
    document = context.document
    for index, entry in deployment_entries(document.data):
        if not is_unnamed(entry):
            continue  # named, or a number or a list: the S rules say so
        span = document.value_span_at(("deployments", index, "name"))
        if span is None or span.start == span.end:
            span = document.key_span_at(("deployments", index, "name")) or \
                document.value_span_at(("deployments", index))
        if span is None:
            continue
        written = (f"#{deployment_number(document, index)} "
                   + ("has `name: null`" if "name" in entry else "has no `name`"))
        if skipped_by_prefect(document.data, index):
            yield Finding(span, f"deployment {written}: `prefect deploy` skips it "
                                '("Discovered unnamed deployment. Skipping...") and deploys the '
                                "others, so it is never deployed",
                          help="give it a name, or delete the entry if it is a leftover "
                               "`prefect init` skeleton",
                          severity=Severity.WARNING)
            continue
        yield Finding(span, f"deployment {written}: `prefect deploy` fails with "
                            '"A deployment name must be provided"',
                      help="give it a name, e.g. `name: nightly-etl`")


@rule("D012", "invalid-deployment-name", Severity.ERROR,
      "A deployment name with characters Prefect refuses", scope=Scope.DEPLOYMENT)
def invalid_deployment_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment name containing `/`, `%`, `&`, `>` or `<`.

    **Why**: Prefect's client refuses such names when it creates the deployment (the name
    becomes part of URLs and of `flow-name/deployment-name`).

    **Fix**: use `-` or `_` instead (`etl-nightly`).
    """
    document = context.document
    for index, entry in deployment_entries(document.data):
        name = entry.get("name")
        if not isinstance(name, str) or _is_placeholder(name):
            continue
        bad = sorted({char for char in name if char in FORBIDDEN_NAME_CHARACTERS})
        if not bad:
            continue
        span = document.value_span_at(("deployments", index, "name"))
        if span is None:
            continue
        shown = " ".join(f"`{char}`" for char in bad)
        yield Finding(span, f'deployment name "{name}" contains {shown}, which Prefect does '
                            "not allow in a name",
                      help="use `-` or `_` instead")


@rule("D013", "missing-work-pool", Severity.WARNING, "A deployment with no work pool")
def missing_work_pool(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment whose `work_pool.name` is missing, empty or null (after YAML
    anchors and merges are applied, so a pool shared through `definitions` counts).

    **Why**: `prefect deploy` fails with "A work pool is required to deploy this flow"
    unless you pass `--pool` or set `PREFECT_DEFAULT_WORK_POOL_NAME`. Neither is visible
    from the file, so this is a warning: a project that always deploys with `--pool` can
    turn it off (`ignore = ["D013"]` in its configuration). `work_pool: null` itself (the
    key with no value) is an error: `prefect deploy` crashes on it with a TypeError ("argument
    of type 'NoneType' is not iterable", while it merges the entry with its defaults) before
    `--pool` is applied, so no flag rescues it.

    **Fix**: name the pool: `work_pool: {name: my-pool}`.
    """
    document = context.document
    for index, entry in deployment_entries(document.data):
        if skipped_by_prefect(document.data, index):
            continue  # D011 says it once
        if "work_pool" in entry and entry["work_pool"] is None:
            yield from _null_work_pool(document, index, entry)
            continue
        pool = entry.get("work_pool")
        name = pool.get("name") if isinstance(pool, dict) else None
        if isinstance(name, str) and name.strip():
            continue
        if pool is not None and not isinstance(pool, dict):
            continue  # a string or a list: the S rules say so
        path: tuple[str | int, ...] = ("deployments", index, "work_pool", "name")
        span = document.value_span_at(path) if isinstance(pool, dict) and "name" in pool \
            else None
        if span is None or span.start == span.end:
            span = (document.key_span_at(("deployments", index, "work_pool"))
                    or document.key_span_at(("deployments", index, "name"))
                    or document.value_span_at(("deployments", index)))
        if span is None:
            continue
        label = _deployment_label(document, entry, index)
        yield Finding(span, f"deployment {label} names no work pool: `prefect deploy` fails "
                            "unless you pass `--pool` or set PREFECT_DEFAULT_WORK_POOL_NAME",
                      help="add `work_pool:` with `name: <your pool>`")


def _deployment_label(document: Document, entry: dict[Any, Any], index: int) -> str:
    name = entry.get("name")
    return (f'"{name}"' if isinstance(name, str) and name
            else f"#{deployment_number(document, index)}")


def _null_work_pool(document: Document, index: int, entry: dict[Any, Any]) -> Iterator[Finding]:
    """`work_pool: null` (or an empty `work_pool:`): `prefect deploy` crashes on it."""
    span = document.key_span_at(("deployments", index, "work_pool"))
    if span is None:
        return
    label = _deployment_label(document, entry, index)
    yield Finding(span, f"deployment {label} has `work_pool: null`: "
                        "`prefect deploy` crashes with a TypeError before `--pool` or "
                        "PREFECT_DEFAULT_WORK_POOL_NAME is applied",
                  help="write `work_pool: {name: <your pool>}`, or delete the line and pass "
                       "`--pool`",
                  severity=Severity.ERROR)


@rule("D015", "missing-entrypoint", Severity.ERROR, "A deployment entry without an entrypoint")
def missing_entrypoint(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an entry under `deployments:` with no `entrypoint`, or `entrypoint: null`
    (left from the `prefect init` template).

    **Why**: without an entrypoint Prefect cannot load the flow: a non-interactive
    `prefect deploy` stops with "An entrypoint must be provided" (interactively it asks).
    A misspelt key (`entrypont:`) leads here too: Prefect drops the unknown key, so the
    deployment has no entrypoint.

    **Fix**: add `entrypoint: path/to/file.py:flow_function`, relative to the folder where
    `prefect deploy` runs (this prefect.yaml's folder).
    """
    document = context.document
    for index, entry in deployment_entries(document.data):
        if isinstance(entry.get("entrypoint"), str) and entry["entrypoint"].strip():
            continue
        if skipped_by_prefect(document.data, index):
            continue  # D011 says it once
        if "entrypoint" in entry and entry["entrypoint"] is not None and not isinstance(
            entry["entrypoint"], str
        ):
            continue  # a number or a list: the S rules say so
        name = entry.get("name")
        label = f"deployment {_deployment_label(document, entry, index)}"
        span = (document.key_span_at(("deployments", index, "entrypoint"))
                if "entrypoint" in entry else None)
        if span is None:
            span = (document.value_span_at(("deployments", index, "name"))
                    if isinstance(name, str) and name else None) or document.value_span_at(
                ("deployments", index))
        if span is None:
            continue
        written = "has `entrypoint: null`" if "entrypoint" in entry else "has no `entrypoint`"
        typo = next((key for key in entry if isinstance(key, str) and key != "entrypoint"
                     and key.replace("_", "").startswith("entry")), None)
        help_text = (f"the key is spelt `{typo}`: write `entrypoint`" if typo else
                     "add `entrypoint: path/to/file.py:flow_function`")
        yield Finding(span, f"{label} {written}: `prefect deploy` cannot load its flow "
                            '("An entrypoint must be provided")', help=help_text)
