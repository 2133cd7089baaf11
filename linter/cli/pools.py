"""``prefect-lint pools``: pull work-pool templates from a Prefect API, list what pools map to.

Exit status: 0 done, 2 a configuration, network or API error (one line saying what went wrong;
never the API key).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from linter.cli.check import EXIT_ERROR, echo_error

if TYPE_CHECKING:
    from linter.prefect.pools import PoolSnapshot, WrittenSnapshots
    from linter.prefect.pools_api import ApiAccess, PoolsClient
    from linter.project.config import Settings


def _fail(message: str) -> None:
    echo_error(message)
    sys.exit(EXIT_ERROR)


def connect(config_path: Path | None, timeout: float, max_size_mb: int
            ) -> tuple[Settings, ApiAccess, PoolsClient]:
    """The settings, the API as the `prefect` CLI finds it, and a client of that API (with a
    warning when its certificate is not checked)."""
    from linter.prefect.pools_api import PoolsClient, api_from_environment
    from linter.project.config import ConfigResolver

    settings = ConfigResolver(explicit=config_path).default
    access = api_from_environment(os.environ)
    client = PoolsClient(access.url, access.key, timeout, auth_string=access.auth_string,
                         ssl_cert_file=access.ssl_cert_file, verify_tls=access.verify_tls,
                         max_response_bytes=max_size_mb * 1024 * 1024)
    if not access.verify_tls and access.url.startswith("https:"):
        click.echo("prefect-lint: warning: the API's certificate is not checked "
                   "(PREFECT_API_TLS_INSECURE_SKIP_VERIFY)", err=True)
    return settings, access, client


@contextmanager
def failing_in_one_line(snapshot: str) -> Iterator[None]:
    """A configuration or API error, or one writing ``snapshot``, as one line and exit 2."""
    from linter.errors import ConfigError
    from linter.prefect.pools_api import PoolsApiError

    try:
        yield
    except (ConfigError, PoolsApiError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write the {snapshot}: {error.strerror or error}")


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


@click.group(name="pools")
def pools_group() -> None:
    """Work-pool templates that `check` uses for job variables."""


_config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=None,
    help="Use this configuration file instead of discovering one.",
)


@pools_group.command(name="pull")
@click.argument("names", nargs=-1)
@click.option("--timeout", type=float, default=15.0, show_default=True,
              help="Seconds the whole pull may take, however slowly the API answers.")
@click.option("--max-size", "max_size_mb", type=click.IntRange(min=1, max=1024), default=50,
              show_default=True, help="Largest answer accepted from the API, in MB.")
@_config_option
def pools_pull(names: tuple[str, ...], timeout: float, max_size_mb: int,
               config_path: Path | None) -> None:
    """Save the base job templates of work pools from the Prefect API into the snapshot folder
    (.prefect-lint/pools/ next to the configuration file), which `check` then reads offline.

    The API is PREFECT_API_URL (and PREFECT_API_KEY for Prefect Cloud), found as the `prefect`
    CLI finds them: the environment, else .env, prefect.toml or pyproject.toml in the current
    folder, else the active Prefect profile. With no NAME every
    pool is pulled and snapshots of pools that no longer exist are removed. The key is sent
    only to the API's own scheme, host and port: a redirect elsewhere is refused.
    """
    from linter.prefect.pools import snapshot_folder, write_snapshots
    from linter.prefect.pools_api import shown_url

    with failing_in_one_line("pool snapshot"):
        settings, access, client = connect(config_path, timeout, max_size_mb)
        pools = client.read_pools(names)
        folder = snapshot_folder(settings.root)
        result = write_snapshots(folder, pools, shown_url(access.url), replace_all=not names)
    _report_pull(pools, result, shown_url(access.url), folder)


def _report_pull(pools: Sequence[PoolSnapshot], result: WrittenSnapshots, source: str,
                 folder: Path) -> None:
    from linter.prefect.pools_api import printable

    for message in result.skipped:
        echo_error(message)
    for pool in pools:
        path = result.files.get(pool.name)
        if path is not None:
            click.echo(f"{printable(pool.name)} ({printable(pool.pool_type or 'unknown type')}) "
                       f"-> {printable(_shown(path))}")
    count = len(result.files)
    click.echo(f"Pulled {count} work pool{'s' if count != 1 else ''} from "
               f"{source} into {_shown(folder)}")


@pools_group.command(name="list")
@_config_option
def pools_list(config_path: Path | None) -> None:
    """Show which template each known pool name uses, and where it comes from."""
    from linter.errors import ConfigError
    from linter.prefect.pools import build_catalog, bundled_types
    from linter.project.config import ConfigResolver

    try:
        settings = ConfigResolver(explicit=config_path).default
        catalog = build_catalog(settings.pools)
    except ConfigError as error:
        _fail(str(error))
        return
    rows = [
        (name, template.pool_type or "-",
         template.origin + (" (not used: the configuration maps this pool)" if shadowed else ""))
        for name, template, shadowed in catalog.entries()
    ]
    if rows:
        width_name = max(len("pool"), *(len(r[0]) for r in rows))
        width_type = max(len("type"), *(len(r[1]) for r in rows))
        click.echo(f"{'pool':<{width_name}}  {'type':<{width_type}}  template")
        for name, pool_type, origin in rows:
            click.echo(f"{name:<{width_name}}  {pool_type:<{width_type}}  {origin}")
    else:
        click.echo("No work pool is mapped: job variables are not checked.")
    folder = catalog.snapshot_folder
    missing = "" if folder and folder.is_dir() else " (none yet: run `prefect-lint pools pull`)"
    click.echo(f"\nSnapshot folder: {_shown(folder) if folder else '-'}{missing}")
    click.echo(f"Bundled types: {', '.join(bundled_types())}")
    click.echo('Map a pool in [tool.prefect-lint.pools]: name = "kubernetes" or '
               'name = { template = "pools/name.json" }')
