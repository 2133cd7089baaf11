"""Reading a workspace's names from the Prefect API for ``prefect-lint pull``.

Uses the client of :mod:`linter.prefect.pools_api` (same-origin redirects only, one deadline
for the whole pull, answer size and JSON limits, the key never shown) and Prefect's own list
routes, each paged to the end (``limit``/``offset``, at most the client's item limit):

- ``POST /work_pools/filter``: pools, with type and base job template;
- ``POST /work_pools/{name}/queues/filter``: the work queues of each pool;
- ``POST /block_documents/filter``: named (not anonymous) block documents, asked without
  secrets (``include_secrets: false``); only the block type slug and the name are kept;
- ``POST /variables/filter``: variables; only their names are kept, never their values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from linter.prefect.pools import PoolSnapshot
from linter.prefect.pools_api import ApiSession, PoolsApiError, PoolsClient, printable
from linter.prefect.workspace import PoolNames, Workspace

#: Block documents as Prefect's UI lists them: named ones, without secret values.
_BLOCK_FILTER: dict[str, Any] = {
    "block_documents": {"is_anonymous": {"eq_": False}},
    "include_secrets": False,
}


class PulledWorkspace(NamedTuple):
    """What one pull read: the pools with their templates, and the workspace's names."""

    pools: list[PoolSnapshot]
    workspace: Workspace


def api_host(api_url: str) -> str:
    """The host (and port, when the URL gives one) of the API: what the snapshot records."""
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def read_workspace_names(client: PoolsClient, pulled_at: str) -> PulledWorkspace:
    """Every pool, queue, block document and variable name, within the client's one deadline;
    a PoolsApiError (one line, no key) when any request fails."""
    with client.session() as session:
        pools = client.read_all_pools(session)
        names = {pool.name: PoolNames(pool.pool_type, _queue_names(client, session, pool.name))
                 for pool in pools}
        blocks = _block_names(client, session)
        name_of = _named("variable")
        variables = frozenset(name_of(item) for item in client.read_paged(
            session, "/variables/filter", "variables", key=name_of))
    return PulledWorkspace(pools, Workspace(api_host(client.api_url), pulled_at, names, blocks,
                                            variables))


def _named(what: str) -> Callable[[Any], str]:
    """A key function: the ``name`` of an item, or a PoolsApiError for something else."""

    def name_of(item: Any) -> str:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            raise PoolsApiError(f"the Prefect API answered something that is not a {what} "
                                "(no name)")
        return name

    return name_of


def _queue_names(client: PoolsClient, session: ApiSession, pool_name: str) -> frozenset[str]:
    path = f"/work_pools/{quote(pool_name, safe='')}/queues/filter"
    name_of = _named("work queue")
    return frozenset(name_of(item) for item in client.read_paged(
        session, path, f'work queues of the pool "{printable(pool_name)}"', key=name_of))


def _block_key(item: Any) -> tuple[str, str]:
    """(block type slug, document name) of a block document; nothing else of it is kept."""
    if not isinstance(item, dict):
        raise PoolsApiError("the Prefect API answered something that is not a block document")
    block_type = item.get("block_type")
    slug = block_type.get("slug") if isinstance(block_type, dict) else None
    name = item.get("name")
    if not isinstance(slug, str) or not isinstance(name, str | None):
        raise PoolsApiError("the Prefect API answered a block document without its block type "
                            "slug or name")
    return slug, name or ""


def _block_names(client: PoolsClient, session: ApiSession) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for item in client.read_paged(session, "/block_documents/filter", "block documents",
                                  key=_block_key, body=_BLOCK_FILTER):
        slug, name = _block_key(item)
        if name and not item.get("is_anonymous"):
            found.setdefault(slug, set()).add(name)
    return {slug: frozenset(names) for slug, names in found.items()}
