"""``prefect-lint pull``: save the workspace's names (pools, queues, blocks, variables).

Exit status: 0 done, 2 a configuration, network or API error (one line saying what went wrong;
never the API key). Nothing is written unless every list was read: a failed pull leaves the
previous snapshot as it was.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from linter.cli.check import echo_error
from linter.cli.pools import _shown, connect, failing_in_one_line

if TYPE_CHECKING:
    from linter.project.config import Settings


@click.command(name="pull")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds the whole pull may take, however slowly the API answers.")
@click.option("--max-size", "max_size_mb", type=click.IntRange(min=1, max=1024), default=50,
              show_default=True, help="Largest answer accepted from the API, in MB.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Use this configuration file instead of discovering one.")
def pull_command(timeout: float, max_size_mb: int, config_path: Path | None) -> None:
    """Save the names the Prefect workspace knows into .prefect-lint/ (next to the
    configuration file), which `check` then uses offline: work pools (with their templates,
    as `pools pull` saves them) and their work queues, block documents (type and name, never
    their values) and variables (names only).

    The API is PREFECT_API_URL (and PREFECT_API_KEY for Prefect Cloud), found as the `prefect`
    CLI finds them. The snapshot records the API's host and the time of the pull, never the
    key; the key is sent only to the API's own scheme, host and port.
    """
    from datetime import datetime, timezone

    from linter.prefect.pools import snapshot_folder, write_snapshots
    from linter.prefect.pools_api import shown_url
    from linter.prefect.workspace import staged_workspace, workspace_file
    from linter.prefect.workspace_api import read_workspace_names

    started = time.monotonic()
    with failing_in_one_line("workspace snapshot"):
        settings, access, client = connect(config_path, timeout, max_size_mb)
        pulled_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        pulled = read_workspace_names(client, pulled_at)
        target = workspace_file(settings.workspace)
        staged = staged_workspace(target, pulled.workspace)  # all written before any rename
        try:
            written = write_snapshots(snapshot_folder(settings.root), pulled.pools,
                                      shown_url(access.url), replace_all=True)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        staged.replace(target)
    from linter.report.summary import plural

    for message in written.skipped:
        echo_error(message)
    workspace = pulled.workspace
    queues = sum(len(pool.work_queues) for pool in workspace.pools.values())
    blocks = sum(len(names) for names in workspace.blocks.values())
    click.echo(
        f"Pulled {plural(len(workspace.pools), 'work pool')} "
        f"({plural(queues, 'work queue')}), {plural(blocks, 'block document')} and "
        f"{plural(len(workspace.variables), 'variable')} from {workspace.api_host} in "
        f"{time.monotonic() - started:.1f} s into {_shown(target)}"
    )


#: The rules that read the workspace snapshot: its age matters only when one of them runs.
SNAPSHOT_RULES = frozenset({"P006", "P007", "R007", "R008"})


def warn_if_snapshot_is_stale(settings: Settings) -> None:
    """Once per `check`: an info line on standard error when the project's workspace
    snapshot is older than ``[tool.prefect-lint.workspace] max-age-days`` (default 30)."""
    from linter.prefect.workspace import stale_notice, workspace_file

    if not workspace_file(settings.workspace).exists():
        return
    import linter.rules  # noqa: F401  (the selection's codes come from the registry)

    if not SNAPSHOT_RULES & settings.selection.codes():
        return
    notice = stale_notice(settings.workspace, time.time())
    if notice is not None:
        echo_error(f"info: {notice}")
