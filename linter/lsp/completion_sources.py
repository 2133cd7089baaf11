"""Where the language server's completions come from: the work pools, queues, blocks and
variables the project knows (configuration and snapshots), step functions and their arguments,
a pool's job variables and their allowed values. Plain functions of the document and its
path; the server module only wires them to LSP requests.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from ruamel.yaml.nodes import SequenceNode

from linter.lsp.editor_support import (
    pool_name_at,
    schema_values,
)
from linter.project.config import ConfigResolver
from linter.source.document import Document

if TYPE_CHECKING:
    from linter.prefect.pools import PoolTemplate
    from linter.prefect.workspace import Workspace

log = logging.getLogger(__name__)


def job_variable_values(document: Document, pool_name: str | None,
                         variable: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for template in templates_for(document, pool_name):
        spec = template.properties.get(variable)
        if isinstance(spec, Mapping):
            for value in schema_values(spec):
                found.setdefault(value, template.label)
    return found


def known_pools(path: Path) -> dict[str, str]:
    """Pool name -> where its template comes from, for the pools of the configuration."""
    try:
        from linter.prefect.pools import catalog_for

        catalog = catalog_for(ConfigResolver().for_path(path).pools)
    except Exception:
        log.debug("cannot read the pools", exc_info=True)
        return {}
    known = {name: template.label for name, template, _ in catalog.entries()}
    workspace = workspace_snapshot(path)
    for name, pool in sorted(workspace.pools.items()) if workspace else ():
        known.setdefault(name, f"{pool.pool_type or 'unknown'} pool (workspace snapshot)")
    return known


def workspace_snapshot(path: Path) -> Workspace | None:
    """The workspace snapshot of `prefect-lint pull` for the file's project, if any."""
    try:
        from linter.prefect.workspace import workspace_for

        return workspace_for(ConfigResolver().for_path(path).workspace)
    except Exception:
        log.debug("cannot read the workspace snapshot", exc_info=True)
        return None


def known_queues(path: Path, pool_name: str | None) -> dict[str, str]:
    """The work queues of the pool in the workspace snapshot."""
    workspace = workspace_snapshot(path)
    pool = workspace.pools.get(pool_name) if workspace and pool_name else None
    if pool is None:
        return {}
    return {queue: f'work queue of "{pool_name}"' for queue in sorted(pool.work_queues)}


def placeholder_completions(path: Path, typed: str,
                             position: types.Position) -> types.CompletionList:
    """Block and variable placeholders the workspace snapshot knows, replacing what is typed
    after ``{{`` (an editor's word boundaries stop at ``.`` and ``-``)."""
    workspace = workspace_snapshot(path)
    names: dict[str, str] = {}
    if workspace is not None:
        for slug, documents in sorted(workspace.blocks.items()):
            for document in sorted(documents):
                names[f"prefect.blocks.{slug}.{document}"] = f"{slug} block document"
        for variable in sorted(workspace.variables):
            names[f"prefect.variables.{variable}"] = "variable"
    start = types.Position(position.line, max(position.character - len(typed), 0))
    return types.CompletionList(is_incomplete=False, items=[
        types.CompletionItem(
            label=name, kind=types.CompletionItemKind.Reference, detail=detail,
            filter_text=name,
            text_edit=types.TextEdit(types.Range(start, position), name))
        for name, detail in names.items() if name.startswith(typed)])


def step_functions() -> dict[str, str]:
    """Step function paths from the shipped catalogue (empty when it is not there)."""
    try:
        from linter.prefect.steps import load_catalogue

        catalogue = load_catalogue()
    except Exception:  # the catalogue is optional data: degrade to no suggestions
        log.debug("no step catalogue", exc_info=True)
        return {}
    return {name: f"arguments: {', '.join(signature.arguments) or 'none'}"
            for name, signature in sorted(catalogue.steps.items())}


def step_arguments(function: str) -> dict[str, str]:
    try:
        from linter.prefect.steps import load_catalogue

        signature = load_catalogue().lookup(function)
    except Exception:
        log.debug("no step catalogue", exc_info=True)
        return {}
    if signature is None:
        return {}
    return {name: "required" if argument.required else "optional"
            for name, argument in signature.arguments.items()}


def job_variables(document: Document, pool_name: str | None) -> dict[str, str]:
    """Job variable name -> description, for the pool the deployment uses when a template
    for it is known (configuration or snapshot), else for every bundled pool type."""
    found: dict[str, str] = {}
    for each in templates_for(document, pool_name):
        for name, spec in each.properties.items():
            if name not in found:
                title = spec.get("title") or name
                description = spec.get("description") or ""
                found[name] = f"**{title}** ({each.label})\n\n{description}".strip()
    return found


def templates_for(document: Document, pool_name: str | None) -> list[PoolTemplate]:
    """The template of the pool named ``pool_name`` when one is known (configuration or
    snapshot), else the templates of every bundled pool type."""
    try:
        from linter.prefect.pools import bundled_template, bundled_types, catalog_for

        settings = ConfigResolver().for_path(document.path or Path.cwd())
        template = catalog_for(settings.pools).template_for(pool_name) if pool_name else None
        return [template] if template is not None else [
            bundled_template(pool_type) for pool_type in bundled_types()]
    except Exception:
        log.debug("cannot read pool templates", exc_info=True)
        return []


def pool_name(document: Document, deployment: int | None) -> str | None:
    data = document.data if document.root is not None else None
    deployments = data.get("deployments") if isinstance(data, dict) else None
    if not isinstance(deployments, list) or deployment is None:
        return None
    if 0 <= deployment < len(deployments):
        entry = deployments[deployment]
        pool = entry.get("work_pool") if isinstance(entry, dict) else None
        name = pool.get("name") if isinstance(pool, dict) else None
        return name if isinstance(name, str) else None
    return None


def pool_at(document: Document, offset: int, text: str, line: int) -> str | None:
    """The pool of the deployment at ``offset``: from the parsed document, or, while the
    half-typed document does not parse, from the ``work_pool:`` block around the cursor."""
    return pool_name(document, deployment_index(document, offset)) or pool_name_at(text, line)


def deployment_index(document: Document, offset: int) -> int | None:
    """Which item of ``deployments`` the offset is in (None when the file does not parse)."""
    node = document.value_node(("deployments",)) if document.root is not None else None
    if not isinstance(node, SequenceNode):
        return None
    for index, item in enumerate(node.value):
        span = Document.node_span(item)
        if span.start <= offset <= span.end:
            return index
    return None
