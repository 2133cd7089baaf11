"""``prefect-lint migrate``: the command around ``linter.prefect.migrate`` (messages, exit
statuses, writing the file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from linter.cli.check import EXIT_ERROR, echo_error

if TYPE_CHECKING:
    from linter.prefect.releases import Target


def run_migrate(files: list[Path], into: Path, pool_map: tuple[str, ...] | list[str],
                dry_run: bool, target: Target | None = None) -> int:
    """Exit 0 when every file was migrated, 2 otherwise (one line saying why)."""
    from linter.core.fixer import WriteError, write_atomic
    from linter.prefect.migrate import MigrateError, plan_migration
    from linter.source.document import DecodeError

    try:
        plan = plan_migration(files, into, pool_map, target)
    except (MigrateError, DecodeError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{into}: {error.strerror}")
    for migration in plan.migrations:
        for note in migration.notes:
            click.echo(f"{migration.source}: not carried over as is: {note}", err=True)
    if dry_run:
        click.echo(plan.text, nl=False)
        return 0
    try:
        if plan.original is not None:  # left alone if someone saved it meanwhile
            write_atomic(into, plan.data, expected=plan.original)
        else:
            _create(into, plan.data)
    except WriteError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{into}: cannot write: {error.strerror or error}")
    count = len(plan.migrations)
    click.echo(f"Added {count} deployment{'s' if count != 1 else ''} to {into}; delete the "
               "legacy file" + ("s" if count != 1 else "") + " once `prefect deploy` works.",
               err=True)
    return 0


def _create(path: Path, data: bytes) -> None:
    """Write a new file, never one that appeared since it was found missing."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(handle, "wb") as out:
        out.write(data)


def _fail(message: str) -> int:
    echo_error(message)
    return EXIT_ERROR
