"""D: deployment entries: names and identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.diagnostics import Finding, Severity
from linter.registry import LintContext, rule


def deployment_entries(data: Any) -> Iterator[tuple[int, dict[Any, Any]]]:
    """The (index, mapping) of every deployment entry that is a mapping."""
    if not isinstance(data, dict):
        return
    deployments = data.get("deployments")
    if not isinstance(deployments, list):
        return
    for index, entry in enumerate(deployments):
        if isinstance(entry, dict):
            yield index, entry


def _flow_function(entrypoint: Any) -> str | None:
    if not isinstance(entrypoint, str) or not entrypoint.strip():
        return None
    text = entrypoint.strip()
    if ":" in text:
        return text.rsplit(":", 1)[1]
    return text.rsplit(".", 1)[-1]


@rule(
    "D001",
    "duplicate-deployment-name",
    Severity.ERROR,
    "Two deployments in one file share a name",
)
def duplicate_deployment_name(context: LintContext) -> Iterator[Finding]:
    """
    **What**: two entries under `deployments:` have the same `name`.

    **Why**: a deployment is identified on the server by `<flow name>/<deployment name>`, and
    `prefect deploy` does not reject duplicates. With the same flow, the later entry silently
    overwrites the earlier one on every `prefect deploy --all` (error). With different flows
    both exist, but `prefect deploy -n NAME` selects both at once (warning).

    **Example**:

        deployments:
          - name: nightly
            entrypoint: flows/etl.py:etl
          - name: nightly
            entrypoint: flows/etl.py:etl

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
