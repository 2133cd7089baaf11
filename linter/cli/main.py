"""The ``prefect-lint`` command line.

``check`` is the default command, so ``prefect-lint prefect.yaml`` works. Heavy modules are
imported inside the commands, so ``prefect-lint --version`` starts at once.

Exit status: 0 nothing found, 1 findings remain (at or above ``--fail-level``, by default
warning), 2 usage or
configuration error, or an internal error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from linter import __version__
from linter.report import FORMATS

if TYPE_CHECKING:
    from linter.core.diagnostics import Severity
    from linter.project.config import Overrides
    from linter.run.runner import FileResult, Runner

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

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
        _error(f"no such command or file: {word} ({hint})")
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
    from linter.core.diagnostics import Severity
    from linter.project.config import ConfigError, ConfigResolver, Overrides
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
        )
    except (ConfigError, InputError) as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    _report_targets(resolver, verbose)
    sys.exit(EXIT_CLEAN if exit_zero and code == EXIT_FINDINGS else code)


def _targets(target_version: str | None, upgrade_from: str | None) -> tuple[Any, Any]:
    """The ``--target-version`` and ``--explain-upgrade-from`` releases (None when not
    given); a bad one is one line and exit 2."""
    from linter.target_version import TargetError, make_target

    try:
        return (make_target(target_version, "--target-version") if target_version else None,
                make_target(upgrade_from, "--explain-upgrade-from") if upgrade_from else None)
    except TargetError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)


def _explain_upgrade(paths: tuple[Path, ...], overrides: Any, config_path: Path | None,
                     upgrade_from: Any) -> None:
    """Run ``--explain-upgrade-from`` instead of a check, and exit."""
    from linter.cli.upgrade import explain_upgrade
    from linter.project.config import ConfigError
    from linter.reading import InputError

    try:
        code = explain_upgrade(paths, overrides, config_path, upgrade_from, sys.stdout)
    except (ConfigError, InputError) as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    sys.exit(code)


def _report_targets(resolver: Any, verbose: bool) -> None:
    """One line per note on a target (newer than known); with ``verbose``, which release
    was targeted and where that came from."""
    for target in resolver.targets:
        if target.note:
            _error(f"info: {target.note}")
        if verbose:
            _error(f"target Prefect {target.label}, from {target.source}")


def _warn_unknown_selectors(overrides: Overrides) -> None:
    from linter.core.selection import unknown_selectors

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
    add_suppressions: bool,
    output_file: Path | None,
    stdin_filename: str | None,
    statistics: bool,
    color: bool | None,
    quiet: bool,
    verbose: bool,
    cache: bool = False,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> int:
    from linter.core.engine import RuleCrash
    from linter.core.fixer import WriteError, hard_link_note, write_atomic
    from linter.core.registry import all_rules
    from linter.project.discovery import discover
    from linter.run.runner import Runner
    from linter.source.document import encode

    all_rules()  # registers every rule's file kinds before the walk
    _tune_garbage_collector()
    from linter.run.parallel import default_jobs

    jobs = jobs or default_jobs()
    runner = Runner(resolver, fix=fix, unsafe=unsafe, add_suppressions=add_suppressions,
                    cache=cache, cache_dir=cache_dir, jobs=jobs)
    write = write or (add_suppressions and not diff)
    if output_file is None and sys.stdout is None:
        _error("standard output is closed; give -o FILE to write the report to a file")
        return EXIT_ERROR
    results: list[FileResult] = []
    internal_errors = 0
    bad_arguments = 0
    read_stdin = stdin_filename is not None or paths == (Path("-"),)
    if read_stdin and any(str(p) != "-" for p in paths):
        raise click.UsageError("standard input cannot be combined with other paths")
    if read_stdin:
        name = stdin_filename or "-"
        stdin_path = Path(name) if stdin_filename else None
        settings = resolver.for_path(stdin_path or Path.cwd())
        raw = _read_stdin(settings.max_file_size)
        try:
            stdin_result = runner.lint_bytes(raw, name, stdin_path, settings)
        except RuleCrash as crash:
            _report_crash(crash, verbose)
            return EXIT_ERROR
        if stdin_result.source is None and (fix or add_suppressions) and not diff:
            # an editor would take the (empty) output as the new buffer: say why, write nothing
            _error(f"{name}: " + " ".join(d.message for d in stdin_result.diagnostics))
            return EXIT_ERROR
        results.append(stdin_result)
    else:
        from linter.run.parallel import lint_paths

        empty_folders: list[Path] = []
        targets = discover(paths or (Path("."),), resolver, empty_folders)
        for folder in empty_folders:
            _error(_no_files_matched(folder, resolver))
        if empty_folders and not targets:
            return EXIT_ERROR  # a run that checked nothing must not pass
        for target in [t for t in targets if t.explicit]:
            problem = _unusable_argument(target.path)
            if problem is not None:  # a usage error, not a finding: the others are still checked
                _error(f"{target.path}: {problem}")
                targets.remove(target)
                bad_arguments += 1
        for outcome in lint_paths(runner, [t.path for t in targets], jobs):
            if outcome.error is not None:
                internal_errors += 1
                _error(outcome.error)
                if verbose and outcome.details:
                    click.echo(outcome.details, err=True)
                elif outcome.details:
                    _error("run with --verbose for the traceback, and please report it")
                continue
            if outcome.result is None:
                _error(f"warning: skipped {outcome.path}: no rule checks this kind of file")
                continue
            results.append(outcome.result)

    settings = resolver.default
    output_format = overrides.output_format or settings.output_format
    format_chosen = (overrides.output_format is not None
                     or "output_format" in settings.explicit)
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
            links = hard_link_note(result.path)
            try:
                write_atomic(result.path, encode(result.fixed_text, result.encoding, result.bom),
                             expected=encode(result.source or "", result.encoding, result.bom))
                fixed_files += 1
                if links:
                    _error(links)
            except WriteError as error:
                internal_errors += 1
                _error(str(error))
                _report_unwritten(runner, result)

    import io

    # the report is rendered in memory first: a full disk or a closed pipe then leaves no
    # truncated report behind, and the failure is one line and exit 2
    stream: TextIO = io.StringIO() if output_file is not None else sys.stdout
    try:
        if read_stdin and (fix or add_suppressions) and not diff:
            # an editor pipes the buffer in and takes the fixed buffer back
            result = results[0]
            stream.write(result.fixed_text if result.fixed_text is not None else result.source
                         or "")
            buffer_code = _exit_code(results, settings.fail_level, fix_only=True, fixed=0,
                                     exit_non_zero_on_fix=exit_non_zero_on_fix)
            return _finish_report(stream, output_file, buffer_code)
        if diff:
            _write_diff(results, stream, summary=not add_suppressions)
        elif statistics:
            _write_statistics(results, stream, unsafe)
        else:
            if not format_chosen and _under_github_actions() and sys.stdout is not None:
                # annotations on the pull request, and the full text in the job log
                _write_report(results, "github", sys.stdout, False, unsafe, fix_only, quiet,
                              False)
            _write_report(results, output_format, stream, color, unsafe, fix_only, quiet,
                          show_fixes, failed_files=internal_errors)
    except OSError as error:
        _error(f"cannot write the report: {error.strerror or error}")
        return EXIT_ERROR
    if _finish_report(stream, output_file, EXIT_CLEAN) != EXIT_CLEAN:
        return EXIT_ERROR
    if add_suppressions and not read_stdin:
        _report_added_suppressions(results, diff)
    if internal_errors or bad_arguments:
        return EXIT_ERROR
    if diff:
        return EXIT_FINDINGS if diff_pending else EXIT_CLEAN
    return _exit_code(results, settings.fail_level, fix_only=fix_only, fixed=fixed_files,
                      exit_non_zero_on_fix=exit_non_zero_on_fix)


def _unusable_argument(path: Path) -> str | None:
    """Why a path named on the command line names no file at all (it does not exist, a link
    loop, a name too long), or None. A file that exists but cannot be read is a finding."""
    import errno

    from linter.reading import describe_os_error

    try:
        os.stat(path)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG):
            return describe_os_error(error, path)
    return None


def _report_unwritten(runner: Runner, result: FileResult) -> None:
    """After a failed write the file still holds its original text: report the findings in
    that text, and no fix as applied."""
    assert result.path is not None and result.source is not None
    checker = runner.plain()
    settings = runner.resolver.for_file(result.path)
    kept = checker.lint_text(result.source, result.filename, result.path, settings)
    result.diagnostics = kept.diagnostics
    result.fixed_text = None
    result.applied = []
    result.dropped = []
    result.suppressed = []


def _no_files_matched(folder: Path, resolver: Any) -> str:
    settings = resolver.for_folder(folder.resolve())
    patterns = ", ".join((*settings.include, *settings.extend_include))
    return (f"no files matched in {folder}: a folder is searched for {patterns} (and agent-era "
            "scripts and deployment.yaml files); for other names set `extend-include` in "
            '[tool.prefect-lint] (for example extend-include = ["prefect-*.yaml"]), or name '
            "the files")


def _finish_report(stream: TextIO, output_file: Path | None, code: int) -> int:
    """Flush standard output, or save the report rendered in memory to ``output_file``;
    ``code`` when that worked, EXIT_ERROR (with one line saying why) when not."""
    try:
        if output_file is None:
            stream.flush()
        else:
            from io import StringIO

            assert isinstance(stream, StringIO)
            _save_report(output_file, stream.getvalue())
    except OSError as error:
        where = f" to {output_file}" if output_file is not None else ""
        _error(f"cannot write the report{where}: {error.strerror or error}")
        return EXIT_ERROR
    return code


def _save_report(path: Path, text: str) -> None:
    """Write the report whole or not at all: a regular file (or a new one) is replaced in
    one step by a temporary file renamed over it; a device or pipe (``/dev/stdout``, a
    process substitution) is written directly."""
    import stat
    import tempfile

    data = text.encode("utf-8")
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # the link stays; its target gets the report
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with path.open("wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle_fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle_fd, "wb") as temp:
            temp.write(data)
        os.chmod(temp_name, stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _new_file_mode() -> int:
    """The mode ``open(path, "w")`` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _read_stdin(limit: int) -> bytes | str:
    """Standard input's bytes (at most ``limit``), or a sentence saying why not."""
    from linter.reading import InputError, read_limited

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("standard input is closed; give a file to check instead")
    try:
        return read_limited(stream, limit)
    except InputError as error:
        return str(error).replace("the input", "standard input", 1)
    except OSError as error:
        raise InputError(f"cannot read standard input: {error.strerror}") from None


def _report_added_suppressions(results: Sequence[FileResult], diff: bool) -> None:
    count = sum(len(r.suppressed) for r in results if r.fixed_text is not None)
    files = sum(1 for r in results if r.fixed_text is not None and r.suppressed)
    stale = sum(len(r.applied) for r in results if r.fixed_text is not None)
    verb = "Would add" if diff else "Added"
    message = (f"{verb} suppressions for {count} finding{'s' if count != 1 else ''} "
               f"in {files} file{'s' if files != 1 else ''}")
    if stale:
        message += f"; {'would remove' if diff else 'removed'} {stale} stale suppression" + (
            "s" if stale != 1 else "")
    click.echo(message + ".", err=True)


def _under_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _tune_garbage_collector() -> None:
    """A check allocates millions of small, acyclic objects (YAML nodes, plain data), and
    Python's default thresholds then run a full collection again and again over all of them:
    on 10,000 deployments that cost more than a second. Objects alive now (imports, rules) are
    frozen out of collection, and full collections become rare; acyclic objects are still
    freed at once by reference counting."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


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
        import traceback

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
    *,
    failed_files: int = 0,
) -> None:
    from linter.core.diagnostics import Diagnostic
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
        show_summary=not quiet and not failed_files,
    )
    human = output_format in ("full", "concise")
    if human:
        from linter.report.sanitize import visible, visible_path
    if human and show_fixes:
        for result in results:
            for applied in result.applied:
                stream.write(f"Fixed {visible(result.filename)}:{applied.start.row}:"
                             f"{applied.start.column}: {applied.code} "
                             f"{visible(applied.fix.message)}\n" if applied.fix else "")
    if human:
        for result in results:
            for dropped, reason in result.dropped:
                stream.write(f"{visible_path(result.filename)}: fix for {dropped.code} not "
                             f"applied: {reason}\n")
    if quiet and human:
        report.show_summary = False
    renderer(output_format)(report, stream)


def _write_diff(results: Sequence[FileResult], stream: TextIO, summary: bool = True) -> None:
    for result in results:
        if result.fixed_text is None or result.source is None:
            continue
        import difflib

        lines = difflib.unified_diff(
            result.source.splitlines(keepends=True),
            result.fixed_text.splitlines(keepends=True),
            fromfile=f"a/{result.filename.lstrip('/')}",
            tofile=f"b/{result.filename.lstrip('/')}",
        )
        for line in lines:
            stream.write(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at "
                         "end of file\n")
    if not summary:
        return
    count = sum(len(r.applied) for r in results)
    click.echo(f"Would fix {count} problem{'s' if count != 1 else ''}.", err=True)


def _write_statistics(results: Sequence[FileResult], stream: TextIO, unsafe: bool) -> None:
    from linter.report.concise import fixable_now

    counts: Counter[tuple[str, str, str]] = Counter()
    fixable: Counter[str] = Counter()
    for result in results:
        for d in result.diagnostics:
            counts[(d.code, d.name, d.severity.value)] += 1
            if fixable_now(d, unsafe):
                fixable[d.code] += 1
    for (code, name, severity), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        stream.write(f"{count:>6}  {code}  {mark} {name} [{severity}]\n")


@main.command(name="server")
@click.option("--stdio", is_flag=True,
              help="Use standard input and output (the only transport; editors pass it).")
def server_command(stdio: bool) -> None:
    """Start the Language Server (LSP over standard input and output) for editors."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        _error("the language server needs pygls: pip install 'prefect-lint[server]'")
        sys.exit(EXIT_ERROR)
    from linter.lsp.server import serve

    serve()


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Explain one rule: what it checks, why, an example, and its fix."""
    from linter.core.registry import get_rule, rule_url
    from linter.core.rule_docs import rule_page

    found = get_rule(code)
    if found is None:
        _error(f"no rule {code.upper()} (see `prefect-lint rules`)")
        sys.exit(EXIT_ERROR)
    click.echo(rule_page(found), nl=False)
    url = rule_url(found.code, _configured_docs_url())
    if url:
        click.echo(f"\n{url}")


def _configured_docs_url() -> str | None:
    """The ``docs-url`` of the configuration that applies to the current folder, if any."""
    from linter.project.config import ConfigError, ConfigResolver

    try:
        return ConfigResolver().for_path(Path.cwd()).docs_url
    except ConfigError:
        return None


@main.command(name="rules")
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
def rules_command(output_format: str) -> None:
    """List every rule."""
    import json

    from linter.core.registry import all_rules, rule_url

    rules = all_rules()
    docs_url = _configured_docs_url()
    if output_format == "json":
        click.echo(json.dumps([
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "fix": r.fix.value if r.fix else None,
                "default": r.default,
                "url": rule_url(r.code, docs_url) or None,
            }
            for r in rules
        ], indent=2))
        return
    width = max(len(r.name) for r in rules)
    click.echo(f"{'code':<5} {'name':<{width}} {'severity':<8} fix     summary")
    for r in rules:
        fix = r.fix.value if r.fix else "-"
        click.echo(f"{r.code:<5} {r.name:<{width}} {r.severity.value:<8} {fix:<7} {r.summary}")


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
    """Turn Prefect 2 deployment.yaml files into prefect.yaml deployment entries."""
    from linter.prefect.migrate import run_migrate
    from linter.project.config import ConfigError, ConfigResolver
    from linter.target_version import TargetError, make_target

    try:
        target = (make_target(target_version, "--target-version") if target_version
                  else ConfigResolver().for_path(into).target_version)
    except (TargetError, ConfigError) as error:
        _error(str(error))
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

main.add_command(pools_group)
