"""The workspace snapshot: the names a Prefect server knows, saved by ``prefect-lint pull``.

``prefect deploy`` fails late (or, worse, goes on) on names only the server knows: a work pool
that does not exist, a work queue it creates on the fly, a block document or a variable that
was never created. ``prefect-lint pull`` saves those names into the repository, in
``.prefect-lint/workspace.json`` next to the configuration file (or in the project root), so
that ``check`` finds such mistakes offline. The file holds names only, never a value: work
pools (type and work queue names; their templates go to ``.prefect-lint/pools/`` as
``pools pull`` writes them), block documents (block type slug and document name) and
variables (names), with the API's host and the time of the pull::

    {
      "api_host": "127.0.0.1:4200",
      "block_documents": {"secret": ["db-password"]},
      "pulled_at": "2026-11-30T10:00:00Z",
      "snapshot": "prefect-lint workspace",
      "variables": ["region"],
      "version": 1,
      "work_pools": {"k8s-prod": {"type": "kubernetes", "work_queues": ["default"]}}
    }

Keys and lists are sorted, so that a new pull shows in a diff as what changed on the server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from linter.core.dependencies import note
from linter.errors import ConfigError
from linter.reading import InputError, read_regular_file

#: The snapshot file, relative to the configuration file's folder (or the project root).
WORKSPACE_FILE = Path(".prefect-lint") / "workspace.json"
FORMAT_NAME = "prefect-lint workspace"
FORMAT_VERSION = 1
#: A snapshot older than this is reported (``[tool.prefect-lint.workspace] max-age-days``).
DEFAULT_MAX_AGE_DAYS = 30


class PoolNames(NamedTuple):
    """A work pool as the snapshot knows it: its type and the names of its work queues."""

    pool_type: str | None
    work_queues: frozenset[str]


class Workspace(NamedTuple):
    """The names of one workspace at the time of a pull."""

    api_host: str
    pulled_at: str  # ISO 8601, UTC
    pools: Mapping[str, PoolNames]
    blocks: Mapping[str, frozenset[str]]  # block type slug -> block document names
    variables: frozenset[str]

    def block_types_of(self, document_name: str) -> list[str]:
        """The block type slugs that have a document of this name."""
        return sorted(slug for slug, names in self.blocks.items() if document_name in names)


class WorkspaceConfig(NamedTuple):
    """What the snapshot needs from a configuration: its ``[tool.prefect-lint.workspace]``
    table (as read), the file it came from and the project folder the snapshot lives under."""

    table: Any
    source: Path | None
    root: Path


def workspace_file(config: WorkspaceConfig) -> Path:
    return config.root / WORKSPACE_FILE


# -- writing --------------------------------------------------------------------------------------


def workspace_json(workspace: Workspace) -> str:
    """The snapshot's text: sorted keys and lists, one name a line."""
    content = {
        "snapshot": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "api_host": workspace.api_host,
        "pulled_at": workspace.pulled_at,
        "work_pools": {
            name: {"type": pool.pool_type, "work_queues": sorted(pool.work_queues)}
            for name, pool in workspace.pools.items()
        },
        "block_documents": {slug: sorted(names) for slug, names in workspace.blocks.items()},
        "variables": sorted(workspace.variables),
    }
    return json.dumps(content, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def staged_workspace(path: Path, workspace: Workspace) -> Path:
    """The snapshot written to a temporary file beside ``path``, for the caller to rename
    over ``path`` once everything else of the pull is written (or to delete)."""
    from linter.prefect.pools import staged_text

    text = workspace_json(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    return staged_text(path.parent, text)


# -- reading --------------------------------------------------------------------------------------


def parse_workspace(data: Any) -> Workspace:
    """The snapshot in ``data`` (parsed JSON), or a ValueError saying what is wrong."""
    if not isinstance(data, dict) or data.get("snapshot") != FORMAT_NAME:
        raise ValueError("not a prefect-lint workspace snapshot")
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"snapshot version {data.get('version')!r} is not "
                         f"{FORMAT_VERSION}, the one this prefect-lint reads")
    pools_data = _mapping(data, "work_pools")
    pools: dict[str, PoolNames] = {}
    for name, pool in pools_data.items():
        if not isinstance(pool, dict):
            raise ValueError(f"`work_pools.{name}` must be an object")
        pool_type = pool.get("type")
        pools[name] = PoolNames(pool_type if isinstance(pool_type, str) else None,
                                _names(pool.get("work_queues", []), f"work_pools.{name}"))
    blocks = {slug: _names(names, f"block_documents.{slug}")
              for slug, names in _mapping(data, "block_documents").items()}
    return Workspace(str(data.get("api_host", "")), str(data.get("pulled_at", "")), pools,
                     blocks, _names(data.get("variables", []), "variables"))


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` must be an object")
    return value


def _names(value: Any, key: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"`{key}` must be a list of names")
    return frozenset(value)


def read_workspace(path: Path) -> Workspace | None:
    """The snapshot at ``path``, None when there is none; a damaged one is a ConfigError."""
    note(path)  # a snapshot created, changed or removed later invalidates cached results
    if not path.exists():
        return None
    try:
        return parse_workspace(json.loads(read_regular_file(path)))
    except InputError as error:
        raise ConfigError(f"{path}: {error}".replace(
            "cannot read the file", "cannot read the workspace snapshot", 1)) from None
    except (ValueError, RecursionError) as error:  # also JSON and Unicode errors
        raise ConfigError(f"{path}: not a workspace snapshot ({error}); run `prefect-lint "
                          "pull` again or delete the file") from None


_WORKSPACES: dict[tuple[Any, ...], Workspace | None] = {}


def workspace_for(config: WorkspaceConfig) -> Workspace | None:
    """The snapshot of the project of ``config``, read once while the file is unchanged."""
    path = workspace_file(config)
    try:
        info = path.stat()
        key: tuple[Any, ...] = (path, info.st_mtime_ns, info.st_size, info.st_ino)
    except OSError:
        key = (path,)
    if key not in _WORKSPACES:
        if len(_WORKSPACES) > 64:
            _WORKSPACES.clear()
        _WORKSPACES[key] = read_workspace(path)
    note(path)
    return _WORKSPACES[key]


# -- age ----------------------------------------------------------------------------------------


def max_age_days(config: WorkspaceConfig) -> float:
    """``[tool.prefect-lint.workspace] max-age-days`` (a ConfigError when it is not a number
    of days more than 0)."""
    table = config.table or {}
    unknown = sorted(set(table) - {"max-age-days"})
    origin = str(config.source) if config.source is not None else "configuration"
    if unknown:
        raise ConfigError(f"{origin}: unknown key `{unknown[0]}` in "
                          "[tool.prefect-lint.workspace] (known keys: max-age-days)")
    value = table.get("max-age-days", DEFAULT_MAX_AGE_DAYS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"{origin}: `workspace.max-age-days` must be a number of days more "
                          f"than 0, got {value!r}")
    return float(value)


def age_in_days(workspace: Workspace, now: float) -> float | None:
    """How old the snapshot is (None when its time cannot be read)."""
    from datetime import datetime

    try:
        taken = datetime.fromisoformat(workspace.pulled_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if taken.tzinfo is None:
        return None
    return (now - taken.timestamp()) / 86_400


def stale_notice(config: WorkspaceConfig, now: float) -> str | None:
    """The line that says the project's snapshot is older than the configured age, or None."""
    workspace = workspace_for(config)
    if workspace is None:
        return None
    limit = max_age_days(config)
    age = age_in_days(workspace, now)
    if age is not None and age <= limit:
        return None
    try:
        shown = os.path.relpath(workspace_file(config))
    except ValueError:
        shown = str(workspace_file(config))
    when = f"{age:.0f} days ago" if age is not None else "at an unknown time"
    return (f"the workspace snapshot {shown} was pulled {when} (more than {limit:g} days): "
            "names created or removed since are not known; run `prefect-lint pull`")
