"""The "effective" view a policy rule may ask for with ``view: effective``.

In the file as written, top-level ``build``, ``push`` and ``pull`` stand apart from the
deployments. In the effective view each deployment carries the steps ``prefect deploy``
runs for it (Prefect 3.9, ``_run_single_deploy``): its own ``build``/``push`` when it has
the key (even ``null``: no steps), else the top-level ones; its own ``pull`` unless that is
missing or ``null``, else the top-level one. A value a deployment inherits is reported where
the top-level section writes it.
"""

from __future__ import annotations

from typing import Any

from linter.source.document import Document, NodePath

SECTIONS = ("build", "push", "pull")


def _own(deployment: dict[Any, Any], section: str) -> bool:
    """Whether the deployment's own ``section`` applies (else the top-level one does)."""
    if section == "pull":
        return deployment.get("pull") is not None
    return section in deployment


def effective_data(document: Document) -> Any:
    """The document's data with the top-level steps copied into each deployment that
    inherits them (shallow copies: the file's data is not changed); once per document."""
    return document.memo(_effective_data)


def _effective_data(document: Document) -> Any:
    data = document.data
    deployments = data.get("deployments") if isinstance(data, dict) else None
    if isinstance(deployments, list):
        inherited = {section: data[section] for section in SECTIONS if section in data}
        copies: list[Any] = []
        for deployment in deployments:
            if isinstance(deployment, dict):
                deployment = {**deployment, **{section: value for section, value in
                                               inherited.items()
                                               if not _own(deployment, section)}}
            copies.append(deployment)
        data = {**data, "deployments": copies}
    return data


def written_at(document: Document, parts: NodePath) -> NodePath:
    """Where a value of the effective view is written: an inherited section's values under
    the top-level section, everything else where it is."""
    if (len(parts) >= 3 and parts[0] == "deployments" and isinstance(parts[1], int)
            and parts[2] in SECTIONS):
        deployments = document.data.get("deployments") if isinstance(
            document.data, dict) else None
        if isinstance(deployments, list) and 0 <= parts[1] < len(deployments):
            deployment = deployments[parts[1]]
            if isinstance(deployment, dict) and not _own(deployment, str(parts[2])):
                return parts[2:]
    return parts
