"""The ``prefect-lint`` command line.

``check`` is the default command, so ``prefect-lint prefect.yaml`` works. Heavy modules are
imported inside the commands, so ``prefect-lint --version`` starts at once.

Exit status: 0 nothing found, 1 findings remain (at or above ``--fail-level``), 2 usage or
configuration error, or an internal error.
"""

from __future__ import annotations

import difflib
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from linter import __version__

if TYPE_CHECKING:
    from linter.config import Overrides
    from linter.diagnostics import Severity
    from linter.runner import FileResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMAT_NAMES = ("full", "concise", "json")


class DefaultCommandGroup(click.Group):
    """A group that runs ``check`` when the first argument is not a command."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                           "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prefect-lint")
def main() -> None:
    """Lint, fix and migrate Prefect deployment configuration (prefect.yaml)."""


def _split(values: Sequence[str]) -> tuple[str, ...]:
    from linter.selection import SelectorError, normalize_selectors

    try:
        return tuple(normalize_selectors(values, "command line"))
    except SelectorError as error:
        raise click.UsageError(str(error)) from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix/--no-fix", default=False, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change behaviour.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing else.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was fixed.")
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
              help="Lowest severity that makes the exit status 1 (default: info).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Use this configuration file instead of discovering one.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
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
    quiet: bool,
    verbose: bool,
) -> None:
    """Check prefect.yaml files (a folder is searched; '-' reads standard input)."""
    from linter.config import ConfigError, ConfigResolver, Overrides
    from linter.diagnostics import Severity

    overrides = Overrides(
        select=_split(select) if select else None,
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        exclude=tuple(exclude) if exclude else None,
        extend_exclude=tuple(extend_exclude),
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
        fail_level=Severity(fail_level) if fail_level else None,
        output_format=output_format,
    )
    fix = fix or fix_only or (unsafe_fixes and fix)
    try:
        resolver = ConfigResolver(overrides, explicit=config_path)
        _warn_unknown_selectors(overrides)
        code = _run_check(
            resolver=resolver,
            overrides=overrides,
            paths=paths,
            fix=fix or diff,
            write=fix and not diff,
            unsafe=unsafe_fixes,
            diff=diff,
            show_fixes=show_fixes,
            fix_only=fix_only,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            output_file=output_file,
            stdin_filename=stdin_filename,
            statistics=statistics,
            color=color,
            quiet=quiet,
            verbose=verbose,
        )
    except ConfigError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)


def _warn_unknown_selectors(overrides: Overrides) -> None:
    from linter.selection import unknown_selectors

    for selector in unknown_selectors(
        [*(overrides.select or ()), *overrides.extend_select, *overrides.ignore]
    ):
        _error(f"warning: {selector} matches no rule (see `prefect-lint rules`)")


def _error(message: str) -> None:
    click.echo(f"prefect-lint: {message}", err=True)


def _run_check(
    *,
    resolver: Any,
    overrides: Overrides,
    paths: tuple[Path, ...],
    fix: bool,
    write: bool,
    unsafe: bool,
    diff: bool,
    show_fixes: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
    output_file: Path | None,
    stdin_filename: str | None,
    statistics: bool,
    color: bool | None,
    quiet: bool,
    verbose: bool,
) -> int:
    from linter.discovery import discover
    from linter.document import encode
    from linter.engine import RuleCrash
    from linter.fixer import WriteError, write_atomic
    from linter.registry import all_rules
    from linter.runner import Runner

    all_rules()  # registers every rule's file kinds before the walk
    runner = Runner(resolver, fix=fix, unsafe=unsafe)
    results: list[FileResult] = []
    internal_errors = 0
    read_stdin = stdin_filename is not None or paths == (Path("-"),)
    if read_stdin and any(str(p) != "-" for p in paths):
        raise click.UsageError("standard input cannot be combined with other paths")
    if read_stdin:
        name = stdin_filename or "-"
        text = sys.stdin.read()
        stdin_path = Path(name) if stdin_filename else None
        settings = resolver.for_path(stdin_path or Path.cwd())
        try:
            results.append(runner.lint_text(text, name, stdin_path, settings))
        except RuleCrash as crash:
            _report_crash(crash, verbose)
            return EXIT_ERROR
    else:
        targets = discover(paths or (Path("."),), resolver)
        for target in targets:
            try:
                result = runner.lint_path(target.path)
            except RuleCrash as crash:
                internal_errors += 1
                _report_crash(crash, verbose)
                continue
            except RecursionError:
                internal_errors += 1
                _error(f"internal error while checking {target.path}: nesting too deep")
                continue
            if result is None:
                _error(f"warning: skipped {target.path}: no rule checks this kind of file")
                continue
            results.append(result)

    settings = resolver.default
    output_format = overrides.output_format or settings.output_format
    fixed_files = 0
    diff_pending = False
    for result in results:
        if result.fixed_text is None:
            continue
        if diff:
            diff_pending = True
            continue
        if read_stdin:
            continue
        if write and result.path is not None:
            try:
                write_atomic(result.path, encode(result.fixed_text, result.encoding, result.bom))
                fixed_files += 1
            except WriteError as error:
                internal_errors += 1
                _error(str(error))

    stream: TextIO
    opened = None
    if output_file is not None:
        opened = output_file.open("w", encoding="utf-8")
        stream = opened
    else:
        stream = sys.stdout
    try:
        if read_stdin and fix and not diff:
            # an editor pipes the buffer in and takes the fixed buffer back
            result = results[0]
            stream.write(result.fixed_text if result.fixed_text is not None else result.source
                         or "")
            return _exit_code(results, settings.fail_level, fix_only=True, fixed=0,
                              exit_non_zero_on_fix=exit_non_zero_on_fix)
        if diff:
            _write_diff(results, stream)
        elif statistics:
            _write_statistics(results, stream)
        else:
            _write_report(results, output_format, stream, color, unsafe, fix_only, quiet,
                          show_fixes)
    finally:
        if opened is not None:
            opened.close()
    if internal_errors:
        return EXIT_ERROR
    if diff:
        return EXIT_FINDINGS if diff_pending else EXIT_CLEAN
    return _exit_code(results, settings.fail_level, fix_only=fix_only, fixed=fixed_files,
                      exit_non_zero_on_fix=exit_non_zero_on_fix)


def _exit_code(
    results: Sequence[FileResult],
    fail_level: Severity,
    *,
    fix_only: bool,
    fixed: int,
    exit_non_zero_on_fix: bool,
) -> int:
    if exit_non_zero_on_fix and fixed:
        return EXIT_FINDINGS
    if fix_only:
        return EXIT_CLEAN
    failing = any(
        d.severity.rank >= fail_level.rank for result in results for d in result.diagnostics
    )
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _report_crash(crash: Exception, verbose: bool) -> None:
    _error(f"internal error: {crash}")
    if verbose:
        traceback.print_exception(crash.__cause__ or crash, file=sys.stderr)
    else:
        _error("run with --verbose for the traceback, and please report it")


def _write_report(
    results: Sequence[FileResult],
    output_format: str,
    stream: TextIO,
    color: bool | None,
    unsafe: bool,
    fix_only: bool,
    quiet: bool,
    show_fixes: bool,
) -> None:
    from linter.diagnostics import Diagnostic
    from linter.report import Report, renderer
    from linter.report.style import use_color

    diagnostics: list[Diagnostic] = [] if fix_only else sorted(
        (d for result in results for d in result.diagnostics), key=Diagnostic.sort_key
    )
    report = Report(
        diagnostics=diagnostics,
        sources={r.filename: r.text_for_frames for r in results
                 if r.text_for_frames is not None},
        files_checked=len(results),
        fixed={r.filename: len(r.applied) for r in results if r.applied},
        color=use_color(stream, color) and output_format in ("full", "concise"),
        unsafe_fixes_enabled=unsafe,
        show_summary=not quiet,
    )
    human = output_format in ("full", "concise")
    if human and show_fixes:
        for result in results:
            for applied in result.applied:
                stream.write(f"Fixed {result.filename}:{applied.start.row}:"
                             f"{applied.start.column}: {applied.code} {applied.fix.message}\n"
                             if applied.fix else "")
    if human:
        for result in results:
            for dropped, reason in result.dropped:
                stream.write(f"{result.filename}: fix for {dropped.code} not applied: {reason}\n")
    if quiet and human:
        report.show_summary = False
    renderer(output_format)(report, stream)


def _write_diff(results: Sequence[FileResult], stream: TextIO) -> None:
    for result in results:
        if result.fixed_text is None or result.source is None:
            continue
        lines = difflib.unified_diff(
            result.source.splitlines(keepends=True),
            result.fixed_text.splitlines(keepends=True),
            fromfile=f"a/{result.filename}",
            tofile=f"b/{result.filename}",
        )
        for line in lines:
            stream.write(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at "
                         "end of file\n")
    count = sum(len(r.applied) for r in results)
    click.echo(f"Would fix {count} problem{'s' if count != 1 else ''}.", err=True)


def _write_statistics(results: Sequence[FileResult], stream: TextIO) -> None:
    counts: Counter[tuple[str, str, str]] = Counter()
    fixable: Counter[str] = Counter()
    for result in results:
        for d in result.diagnostics:
            counts[(d.code, d.name, d.severity.value)] += 1
            if d.fix is not None:
                fixable[d.code] += 1
    for (code, name, severity), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        stream.write(f"{count:>6}  {code}  {mark} {name} [{severity}]\n")


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Explain one rule: what it checks, why, an example, and its fix."""
    from linter.registry import get_rule

    found = get_rule(code)
    if found is None:
        _error(f"no rule {code.upper()} (see `prefect-lint rules`)")
        sys.exit(EXIT_ERROR)
    fix = {None: "no automatic fix", "safe": "safe fix", "unsafe": "unsafe fix"}[
        found.fix.value if found.fix else None
    ]
    click.echo(f"# {found.code} {found.name}\n")
    click.echo(f"{found.summary}.\n")
    click.echo(f"Severity: {found.severity.value}. Fix: {fix}. "
               f"{'On by default.' if found.default else 'Opt-in (select it to enable).'}\n")
    click.echo(found.doc)
    click.echo(f"\n{found.url}")


@main.command(name="rules")
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
def rules_command(output_format: str) -> None:
    """List every rule."""
    import json

    from linter.registry import all_rules

    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "fix": r.fix.value if r.fix else None,
                "default": r.default,
                "url": r.url,
            }
            for r in rules
        ], indent=2))
        return
    width = max(len(r.name) for r in rules)
    click.echo(f"{'code':<5} {'name':<{width}} {'severity':<8} fix     summary")
    for r in rules:
        fix = r.fix.value if r.fix else "-"
        click.echo(f"{r.code:<5} {r.name:<{width}} {r.severity.value:<8} {fix:<7} {r.summary}")
