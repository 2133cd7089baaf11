"""``prefect-lint check``: lint the files, apply or show fixes, write the report, and decide
the exit status. The options are parsed in ``linter.cli.main``; this module does the run."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

import click

if TYPE_CHECKING:
    from linter.core.diagnostics import Severity
    from linter.project.config import Overrides
    from linter.run.runner import FileResult, Runner

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def echo_error(message: str) -> None:
    """One line on standard error, as every command words its errors and notes."""
    click.echo(f"prefect-lint: {message}", err=True)


class CheckOptions(NamedTuple):
    """What ``check`` was asked to do, decided once from the command line."""

    paths: tuple[Path, ...]
    fix: bool  # compute fixes (for --fix, --diff and --fix-only)
    write: bool  # write fixed files back
    unsafe: bool
    diff: bool
    show_fixes: bool
    fix_only: bool
    exit_non_zero_on_fix: bool
    add_suppressions: bool
    output_file: Path | None
    stdin_filename: str | None
    statistics: bool
    color: bool | None
    quiet: bool
    verbose: bool
    cache: bool = False
    cache_dir: Path | None = None
    jobs: int | None = None

    @property
    def reads_stdin(self) -> bool:
        return self.stdin_filename is not None or self.paths == (Path("-"),)

    @property
    def returns_buffer(self) -> bool:
        """An editor pipes its buffer in and takes the fixed buffer back."""
        return self.reads_stdin and (self.fix or self.add_suppressions) and not self.diff


class _Tally:
    """What the run found and did, filled in step by step."""

    def __init__(self) -> None:
        self.results: list[FileResult] = []
        self.internal_errors = 0
        self.bad_arguments = 0
        self.fixed_files = 0
        self.diff_pending = False
        self.runner: Runner | None = None  # made once there is something to check


def run_check(resolver: Any, overrides: Overrides, options: CheckOptions) -> int:
    """Collect the findings, write fixes, then report; the exit status."""
    from linter.core.forking import default_jobs, tune_garbage_collector

    tune_garbage_collector()
    jobs = options.jobs or default_jobs()

    def make_runner() -> Runner:
        """The runner, made once there is something to check (it loads every rule)."""
        from linter.run.runner import Runner

        return Runner(resolver, fix=options.fix, unsafe=options.unsafe,
                      add_suppressions=options.add_suppressions, cache=options.cache,
                      cache_dir=options.cache_dir, jobs=jobs)

    if options.output_file is None and sys.stdout is None:
        echo_error("standard output is closed; give -o FILE to write the report to a file")
        return EXIT_ERROR
    if options.reads_stdin and any(str(p) != "-" for p in options.paths):
        raise click.UsageError("standard input cannot be combined with other paths")
    tally = _Tally()
    if options.reads_stdin:
        stopped = _collect_stdin(make_runner(), resolver, options, tally)
    else:
        stopped = _collect_paths(make_runner, resolver, options, tally, jobs)
    if stopped is not None:
        return stopped
    if tally.runner is not None:
        _write_fixes(tally.runner, options, tally)
    return _report(resolver, overrides, options, tally)


def _collect_stdin(runner: Runner, resolver: Any, options: CheckOptions,
                   tally: _Tally) -> int | None:
    from linter.run.engine import RuleCrash

    tally.runner = runner
    name = options.stdin_filename or "-"
    stdin_path = Path(name) if options.stdin_filename else None
    settings = resolver.for_path(stdin_path or Path.cwd())
    raw = _read_stdin(settings.max_file_size)
    try:
        result = runner.lint_bytes(raw, name, stdin_path, settings)
    except RuleCrash as crash:
        _report_crash(crash, options.verbose)
        return EXIT_ERROR
    if result.source is None and options.returns_buffer:
        # an editor would take the (empty) output as the new buffer: say why, write nothing
        echo_error(f"{name}: " + " ".join(d.message for d in result.diagnostics))
        return EXIT_ERROR
    tally.results.append(result)
    return None


def _collect_paths(make_runner: Callable[[], Runner], resolver: Any, options: CheckOptions,
                   tally: _Tally, jobs: int) -> int | None:
    from linter.project.discovery import discover

    empty_folders: list[Path] = []
    targets = discover(options.paths or (Path("."),), resolver, empty_folders)
    for folder in empty_folders:
        echo_error(_no_files_matched(folder, resolver))
    if empty_folders and not targets:
        return EXIT_ERROR  # a run that checked nothing must not pass
    for target in [t for t in targets if t.explicit]:
        problem = _unusable_argument(target.path)
        if problem is not None:  # a usage error, not a finding: the others are still checked
            echo_error(f"{target.path}: {problem}")
            targets.remove(target)
            tally.bad_arguments += 1
    from linter.run.parallel import lint_paths

    tally.runner = runner = make_runner()
    for outcome in lint_paths(runner, [t.path for t in targets], jobs):
        if outcome.error is not None:
            tally.internal_errors += 1
            echo_error(outcome.error)
            if options.verbose and outcome.details:
                click.echo(outcome.details, err=True)
            elif outcome.details:
                echo_error("run with --verbose for the traceback, and please report it")
            continue
        if outcome.result is None:
            echo_error(f"warning: skipped {outcome.path}: no rule checks this kind of file")
            continue
        tally.results.append(outcome.result)
    return None


def _write_fixes(runner: Runner, options: CheckOptions, tally: _Tally) -> None:
    """Write each fixed file (not for --diff or standard input), keeping its bytes safe."""
    from linter.core.fixer import WriteError, hard_link_note, write_atomic
    from linter.source.document import encode

    write = options.write or (options.add_suppressions and not options.diff)
    for index, result in enumerate(tally.results):
        if result.fixed_text is None:
            continue
        if options.diff:
            tally.diff_pending = True
            continue
        if options.reads_stdin or not write or result.path is None:
            continue
        links = hard_link_note(result.path)
        try:
            write_atomic(result.path, encode(result.fixed_text, result.encoding, result.bom),
                         expected=encode(result.source or "", result.encoding, result.bom))
            tally.fixed_files += 1
            if links:
                echo_error(links)
        except WriteError as error:
            tally.internal_errors += 1
            echo_error(str(error))
            tally.results[index] = _unwritten(runner, result)


def _report(resolver: Any, overrides: Overrides, options: CheckOptions, tally: _Tally) -> int:
    """Render the report in memory first (a full disk or a closed pipe then leaves no
    truncated report behind, and the failure is one line and exit 2), then the status."""
    import io

    settings = resolver.default
    stream: TextIO = io.StringIO() if options.output_file is not None else sys.stdout
    try:
        if options.returns_buffer:
            result = tally.results[0]
            stream.write(result.fixed_text if result.fixed_text is not None
                         else result.source or "")
            buffer_code = _exit_code(tally.results, settings.fail_level, fix_only=True, fixed=0,
                                     exit_non_zero_on_fix=options.exit_non_zero_on_fix)
            return _finish_report(stream, options.output_file, buffer_code)
        _render(settings, overrides, options, tally, stream)
    except OSError as error:
        echo_error(f"cannot write the report: {error.strerror or error}")
        return EXIT_ERROR
    if _finish_report(stream, options.output_file, EXIT_CLEAN) != EXIT_CLEAN:
        return EXIT_ERROR
    if options.add_suppressions and not options.reads_stdin:
        _report_added_suppressions(tally.results, options.diff)
    if tally.internal_errors or tally.bad_arguments:
        return EXIT_ERROR
    if options.diff:
        return EXIT_FINDINGS if tally.diff_pending else EXIT_CLEAN
    return _exit_code(tally.results, settings.fail_level, fix_only=options.fix_only,
                      fixed=tally.fixed_files, exit_non_zero_on_fix=options.exit_non_zero_on_fix)


def _render(settings: Any, overrides: Overrides, options: CheckOptions, tally: _Tally,
            stream: TextIO) -> None:
    output_format = overrides.output_format or settings.output_format
    if options.diff:
        _write_diff(tally.results, stream, summary=not options.add_suppressions)
    elif options.statistics:
        from linter.report import statistics as rule_statistics

        rule_statistics.render((d for r in tally.results for d in r.diagnostics), stream,
                               options.unsafe, output_format)
    else:
        format_chosen = (overrides.output_format is not None
                         or "output_format" in settings.explicit)
        if not format_chosen and _under_github_actions() and sys.stdout is not None:
            # annotations on the pull request, and the full text in the job log
            _write_report(tally.results, "github", sys.stdout, False, options.unsafe,
                          options.fix_only, options.quiet, False)
        _write_report(tally.results, output_format, stream, options.color, options.unsafe,
                      options.fix_only, options.quiet, options.show_fixes,
                      failed_files=tally.internal_errors)


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


def _unwritten(runner: Runner, result: FileResult) -> FileResult:
    """After a failed write the file still holds its original text: the findings in that
    text, and no fix as applied."""
    assert result.path is not None and result.source is not None
    checker = runner.plain()
    settings = runner.resolver.for_file(result.path)
    kept = checker.lint_text(result.source, result.filename, result.path, settings)
    return result._replace(diagnostics=kept.diagnostics, fixed_text=None, applied=(),
                           dropped=(), suppressed=())


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
        echo_error(f"cannot write the report{where}: {error.strerror or error}")
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
    echo_error(f"internal error: {crash}")
    if verbose:
        import traceback

        traceback.print_exception(crash.__cause__ or crash, file=sys.stderr)
    else:
        echo_error("run with --verbose for the traceback, and please report it")


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
