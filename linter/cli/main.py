"""The ``prefect-lint`` command line.

``check`` is the default command, so ``prefect-lint prefect.yaml`` works. Heavy modules are
imported inside the commands, so ``prefect-lint --version`` starts at once.

Exit status: 0 nothing found, 1 findings remain (at or above ``--fail-level``, by default
warning), 2 usage or
configuration error, or an internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linter import __version__
from linter.report import FORMATS

if TYPE_CHECKING:
    from linter.project.config import Overrides

from linter.cli.check import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, echo_error

FORMAT_NAMES = tuple(FORMATS)


class DefaultCommandGroup(click.Group):
    """A group that runs ``check`` when the first argument is not a command."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                           "--version")):
            if args:
                self._refuse_unknown_word(ctx, args[0])
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def _refuse_unknown_word(self, ctx: click.Context, word: str) -> None:
        """A first argument that is neither a command nor an existing path is a mistyped
        command (``prefect-lint pols``), not a file to check: say so and exit 2."""
        if word.startswith("-") or os.path.lexists(word):
            return
        import difflib

        choices = [*sorted(self.commands), "--version", "--help"]
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
        hint = (f"did you mean `prefect-lint {close[0]}`?" if close
                else f"commands: {', '.join(sorted(self.commands))}")
        echo_error(f"no such command or file: {word} ({hint})")
        ctx.exit(EXIT_ERROR)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prefect-lint")
def main() -> None:
    """Lint, fix and migrate Prefect deployment configuration (prefect.yaml)."""


def run() -> None:
    """The installed command and ``python -m linter``: :func:`main`, then an exit that skips
    tearing the interpreter down. After checking 10,000 deployments, freeing millions of
    objects one by one and the final garbage collection took 1.5 s, longer than parsing the
    file; the operating system takes the memory back at once. Output is flushed first; an
    exception still ends in Python's own way (a traceback, status 1)."""
    try:
        main()
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    from contextlib import suppress

    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError, AttributeError):  # closed, or None: nothing more to say
            stream.flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    """What ``sys.exit(code)`` would give the operating system."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _split(values: Sequence[str]) -> tuple[str, ...]:
    from linter.core.selection import SelectorError, normalize_selectors

    try:
        return tuple(normalize_selectors(values, "command line"))
    except SelectorError as error:
        raise click.UsageError(str(error)) from None


def _selected(values: Sequence[str]) -> tuple[str, ...]:
    """``--select`` values; an empty selection (``--select ""``, ``--select ,``) would run no
    rule and report "All checks passed!", so it is refused."""
    selectors = _split(values)
    if not selectors:
        raise click.UsageError("--select names no rule: give codes or prefixes such as D or "
                               "D001, or ALL (leave --select out for the default rules)")
    return selectors


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix/--no-fix", default=False, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change behaviour.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing else.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was fixed.")
@click.option("--add-suppressions", is_flag=True,
              help="Add `# prefect-lint: disable=CODE` comments for every current finding.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to check (replaces).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to add.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to skip.")
@click.option("--exclude", multiple=True, help="Gitignore-style patterns to skip (replaces).")
@click.option("--extend-exclude", multiple=True, help="More patterns to skip.")
@click.option("--force-exclude", is_flag=True, default=None,
              help="Apply excludes to paths named on the command line too.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip files that .gitignore ignores (default: on).")
@click.option("--output-format", type=click.Choice(FORMAT_NAMES), default=None,
              help="How to print findings (default: full).")
@click.option("-o", "--output-file", type=click.Path(path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--stdin-filename", default=None,
              help="Read standard input and report it under this name.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Use this configuration file instead of discovering one.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--no-cache", is_flag=True,
              help="Check every file again instead of reusing results of unchanged files.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Where to keep the cache (default: .prefect-lint-cache at the project root).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes to use: many files are shared between them, and a file of "
                   "256 KB or more has its rule families split between them (default: the "
                   "CPUs available, at most 8; 1 checks everything in one process).")
@click.option("--target-version", default=None, metavar="X.Y[.Z]",
              help="The Prefect release to check for (2.10 to 3.9; default: the project's "
                   "pinned prefect, else the newest).")
@click.option("--explain-upgrade-from", default=None, metavar="X.Y[.Z]",
              help="List what changes meaning in these files when Prefect goes from this "
                   "release to the target (writes nothing).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True,
              help="Say which Prefect release is targeted; print tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
    add_suppressions: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool | None,
    respect_gitignore: bool | None,
    output_format: str | None,
    output_file: Path | None,
    stdin_filename: str | None,
    statistics: bool,
    exit_zero: bool,
    fail_level: str | None,
    config_path: Path | None,
    color: bool | None,
    no_cache: bool,
    cache_dir: Path | None,
    jobs: int | None,
    target_version: str | None,
    explain_upgrade_from: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check prefect.yaml files (a folder is searched; '-' reads standard input)."""
    from linter.cli.check import CheckOptions, run_check
    from linter.core.diagnostics import Severity
    from linter.errors import ConfigError
    from linter.project.config import ConfigResolver, Overrides
    from linter.reading import InputError

    target, upgrade_from = _targets(target_version, explain_upgrade_from)

    overrides = Overrides(
        select=_selected(select) if select else None,
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        exclude=tuple(exclude) if exclude else None,
        extend_exclude=tuple(extend_exclude),
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
        fail_level=Severity(fail_level) if fail_level else None,
        output_format=output_format,
        target_version=target,
    )
    fix = fix or fix_only or (unsafe_fixes and fix)
    if add_suppressions and (fix or unsafe_fixes):
        raise click.UsageError("--add-suppressions cannot be combined with --fix "
                               "(fix first, then add suppressions for what is left)")
    if upgrade_from is not None:
        _explain_upgrade(paths, overrides, config_path, upgrade_from)
    try:
        resolver = ConfigResolver(overrides, explicit=config_path)
        _warn_unknown_selectors(overrides, resolver)
        if not quiet:
            from linter.cli.pull import warn_if_snapshot_is_stale

            warn_if_snapshot_is_stale(resolver.default)
        code = run_check(resolver, overrides, CheckOptions(
            paths=paths,
            fix=fix or diff,
            write=fix and not diff,
            unsafe=unsafe_fixes,
            diff=diff,
            show_fixes=show_fixes,
            fix_only=fix_only,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            add_suppressions=add_suppressions,
            output_file=output_file,
            stdin_filename=stdin_filename,
            statistics=statistics,
            color=color,
            quiet=quiet,
            verbose=verbose,
            cache=not no_cache and os.environ.get("PREFECT_LINT_NO_CACHE") is None,
            cache_dir=cache_dir,
            jobs=jobs,
        ))
    except (ConfigError, InputError) as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)
    _report_targets(resolver, verbose)
    sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)


def _targets(target_version: str | None, upgrade_from: str | None) -> tuple[Any, Any]:
    """The ``--target-version`` and ``--explain-upgrade-from`` releases (None when not
    given); a bad one is one line and exit 2."""
    from linter.prefect.releases import TargetError, make_target

    try:
        return (make_target(target_version, "--target-version") if target_version else None,
                make_target(upgrade_from, "--explain-upgrade-from") if upgrade_from else None)
    except TargetError as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)


def _explain_upgrade(paths: tuple[Path, ...], overrides: Any, config_path: Path | None,
                     upgrade_from: Any) -> None:
    """Run ``--explain-upgrade-from`` instead of a check, and exit."""
    from linter.cli.upgrade import explain_upgrade
    from linter.errors import ConfigError
    from linter.reading import InputError

    try:
        code = explain_upgrade(paths, overrides, config_path, upgrade_from, sys.stdout)
    except (ConfigError, InputError) as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)
    sys.exit(code)


def _report_targets(resolver: Any, verbose: bool) -> None:
    """One line per note on a target (newer than known); with ``verbose``, which release
    was targeted and where that came from."""
    for target in resolver.targets:
        if target.note:
            echo_error(f"info: {target.note}")
        if verbose:
            echo_error(f"target Prefect {target.label}, from {target.source}")


def _warn_unknown_selectors(overrides: Overrides, resolver: Any) -> None:
    selectors = [*(overrides.select or ()), *overrides.extend_select, *overrides.ignore]
    if not selectors:
        return  # nothing to look up: the rules need not be loaded (an empty folder's check)
    import linter.rules  # noqa: F401  (registers every rule)
    from linter.core.selection import unknown_selectors

    settings = resolver.default
    if settings.policy_files or settings.plugins:  # their codes are known selectors, too
        from linter.policy.provider import configured_rules

        configured_rules(settings)

    for selector in unknown_selectors(selectors):
        echo_error(f"warning: {selector} matches no rule (see `prefect-lint rules`)")
































@main.command(name="server")
@click.option("--stdio", is_flag=True,
              help="Use standard input and output (the only transport; editors pass it).")
def server_command(stdio: bool) -> None:
    """Start the Language Server (LSP over standard input and output) for editors."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        echo_error("the language server needs pygls: pip install 'prefect-lint[server]'")
        sys.exit(EXIT_ERROR)
    from linter.lsp.server import serve

    serve()


@main.command(name="migrate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--into", "into", type=click.Path(path_type=Path), default=Path("prefect.yaml"),
              show_default=True, help="The prefect.yaml to add the deployments to (created if "
              "missing; what is already there is kept as it is).")
@click.option("--pool-map", multiple=True, metavar="BLOCK=POOL",
              help="Use work pool POOL for infrastructure block BLOCK (its name, slug/name, or "
                   "type). Repeatable.")
@click.option("--dry-run", is_flag=True, help="Print the resulting prefect.yaml; write nothing.")
@click.option("--target-version", default=None, metavar="X.Y[.Z]",
              help="Write the form this Prefect release reads (default: the project's target).")
def migrate_command(files: tuple[Path, ...], into: Path, pool_map: tuple[str, ...],
                    dry_run: bool, target_version: str | None) -> None:
    """Turn Prefect 2 deployment.yaml files, and Python scripts that call
    Deployment.build_from_flow(...) / Deployment(...), into prefect.yaml deployment entries."""
    from linter.cli.migrate import run_migrate
    from linter.errors import ConfigError
    from linter.prefect.releases import TargetError, make_target
    from linter.project.config import ConfigResolver

    try:
        target = (make_target(target_version, "--target-version") if target_version
                  else ConfigResolver().for_path(into).target_version)
    except (TargetError, ConfigError) as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)
    sys.exit(run_migrate(list(files), into, pool_map, dry_run, target))


@main.command(name="schema")
@click.option("--path", "show_path", is_flag=True,
              help="Print where the schema file is instead of its content.")
def schema_command(show_path: bool) -> None:
    """Print the JSON Schema of prefect.yaml (for editors and the YAML language server)."""
    from linter.resources import schema_path

    path = schema_path("prefect.yaml.schema.json")
    if show_path:
        click.echo(str(path))
        return
    click.echo(path.read_text(encoding="utf-8"), nl=False)


from linter.cli.pools import pools_group  # noqa: E402  (a small module: imports click only)
from linter.cli.rules import rule_command, rules_command  # noqa: E402  (imports click only)

main.add_command(pools_group)

from linter.cli.pull import pull_command  # noqa: E402  (a small module: imports click only)

main.add_command(pull_command)
main.add_command(rule_command)
main.add_command(rules_command)
