"""``prefect-lint server``: a Language Server (LSP over standard input/output, pygls).

Diagnostics on open, change and save for the files prefect-lint checks (``prefect.yaml`` and
the other kinds the rules claim, by name or by content); a code action for every fix, a
"disable CODE for this line" action and "fix all"; hover on a key shows its description from
the prefect.yaml JSON Schema; completion of keys, step functions, step arguments and job
variables where the shipped data knows them, and of values (schema enums, booleans, time
zones, work pools of the configuration and of the workspace snapshot, a pool's work queues, a
job variable's allowed values) and of block and variable placeholders after ``{{`` (names from
the workspace snapshot of ``prefect-lint pull``). Files are checked by
``linter.run.runner.Runner``, exactly as the command line checks them, with the nearest
configuration file.

pygls is an optional dependency (``pip install 'prefect-lint[server]'``); the command line
imports this module only when the ``server`` command runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from linter import __version__
from linter.core.dependencies import recording
from linter.core.diagnostics import Diagnostic, Severity
from linter.errors import ConfigError
from linter.lsp.completion_sources import (
    job_variable_values,
    job_variables,
    known_pools,
    known_queues,
    placeholder_completions,
    pool_at,
    pool_name,
    step_arguments,
    step_functions,
)
from linter.lsp.dependents import Dependents
from linter.lsp.documents import oversized_reason, path_of, unsaveable_bytes, wanted
from linter.lsp.editor_support import (
    ANY_ITEM,
    UTF16,
    PathPart,
    completion_context,
    describe_key,
    key_at,
    key_completions,
    lsp_position,
    minimal_edit,
    offset_at,
    typed_placeholder,
    value_completions,
)
from linter.lsp.scheduling import CheckScheduler, Snapshot
from linter.project.config import ConfigResolver, Settings
from linter.project.discovery import is_excluded
from linter.project.filekinds import kind_for_file
from linter.reading import InputError, read_regular_file
from linter.run.runner import SNIFF_CHARS, Runner
from linter.source.document import Document, LineIndex

if TYPE_CHECKING:
    from linter.run.incremental import IncrementalChecker

SOURCE = "prefect-lint"
SCHEMA_FILE = "prefect.yaml.schema.json"
STEP_SECTIONS = ("build", "push", "pull")

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

log = logging.getLogger(__name__)

#: What a check publishes: diagnostics, None (not a file prefect-lint checks) or an error
CheckOutcome = list[types.Diagnostic] | str | None


class PrefectLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("prefect-lint", __version__)
        self.checks = CheckScheduler(self.snapshot, self.outcome, self.send)
        #: uri -> the text last checked and its diagnostics, for code actions on that text
        self.checked: dict[str, tuple[str, list[Diagnostic]]] = {}
        self.dependents = Dependents()
        #: uri -> the checker of its versions, which re-checks only what an edit changed
        self.incremental: dict[str, IncrementalChecker] = {}

    # -- helpers ------------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        chosen = self.workspace.position_encoding
        return str(getattr(chosen, "value", chosen) or UTF16)

    def root(self) -> Path:
        root_path = self.workspace.root_path
        return Path(root_path) if root_path else Path.cwd()

    def runner(self, fix: bool = False) -> Runner:
        # a fresh resolver each time, so edits to pyproject.toml apply at once
        return Runner(ConfigResolver(cwd=self.root()), fix=fix)

    def text_of(self, uri: str) -> str:
        """The open document's text; for a document the client did not open, the file's
        when it is a regular file within the size limit (never a FIFO or a device, which
        would block the server), else nothing."""
        document = self.workspace.text_documents.get(unquote(uri))
        if document is not None:
            source: str = document.source
            return source
        try:
            return read_regular_file(path_of(uri)).decode("utf-8", "replace")
        except InputError:
            return ""

    def display_name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root()))
        except ValueError:
            return str(path)

    def lint(self, uri: str, text: str, fix: bool = False) -> tuple[list[Diagnostic], str | None]:
        """Diagnostics (and the fixed text, when ``fix``) for one open document; raises
        ConfigError for a broken configuration."""
        path = path_of(uri)
        runner = self.runner(fix)
        settings = runner.resolver.for_path(path)
        name = self.display_name(path)
        oversized = oversized_reason(text, settings.max_file_size)
        unsaveable = unsaveable_bytes(text)
        if oversized is not None:  # as the command line: one finding, the text unchecked
            result = runner.lint_bytes(oversized, name, path, settings)
        elif unsaveable is not None:  # as the command line reads such bytes
            result = runner.lint_bytes(unsaveable, name, path, settings)
        else:
            result = runner.lint_text(text, name, path, settings)
        return result.diagnostics, result.fixed_text

    def check(self, uri: str, text: str, runner: Runner, settings: Settings
              ) -> tuple[list[Diagnostic], Iterable[str]]:
        """Diagnostics for one open document, as ``lint`` finds them but re-checking only what
        the edit since the last check can change (see ``linter.run.incremental``); and the
        other files the check looked at. ``settings`` are the runner's for the document."""
        path = path_of(uri)
        if (oversized_reason(text, settings.max_file_size) is not None
                or unsaveable_bytes(text) is not None):
            self.incremental.pop(uri, None)
            with recording() as notes:
                found = self.lint(uri, text)[0]
            return found, notes
        fresh = runner.incremental(text, self.display_name(path), path, settings)
        checker = self.incremental.get(uri)
        if checker is None or (checker.key, checker.filename) != (fresh.key, fresh.filename):
            self.incremental[uri] = checker = fresh
        outcome = checker.check(text)
        return outcome.diagnostics, outcome.paths

    def diagnostics_of(self, uri: str, text: str) -> list[Diagnostic]:
        """The diagnostics of the last check when it was of this very text (a client asks
        for code actions at every move of the cursor), else those of a new check."""
        known = self.checked.get(uri)
        if known is not None and known[0] == text:
            return known[1]
        return self.lint(uri, text)[0]

    def to_range(self, lines: LineIndex, start: int, end: int) -> types.Range:
        start_line, start_char = lsp_position(lines, start, self.encoding)
        end_line, end_char = lsp_position(lines, end, self.encoding)
        return types.Range(types.Position(start_line, start_char),
                           types.Position(end_line, end_char))

    def to_lsp(self, diagnostic: Diagnostic, lines: LineIndex) -> types.Diagnostic:
        message = diagnostic.message
        if diagnostic.help:
            message += f"\nhelp: {diagnostic.help}"
        return types.Diagnostic(
            range=self.to_range(lines, diagnostic.span.start, diagnostic.span.end),
            message=message,
            severity=_SEVERITY[diagnostic.severity],
            code=diagnostic.code,
            code_description=types.CodeDescription(href=diagnostic.url)
            if diagnostic.url else None,
            source=SOURCE,
            data={"name": diagnostic.name, "fixable": diagnostic.fix is not None},
        )

    def publish(self, uri: str) -> None:
        """Check the document soon (debounced; see linter.lsp.scheduling)."""
        self.checks.schedule(uri)

    def snapshot(self, uri: str) -> Snapshot | None:
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            return None
        return Snapshot(document.source, document.version)

    def outcome(self, uri: str, text: str) -> CheckOutcome:
        """What to publish for ``text`` (runs in the checking thread): the diagnostics, None
        for a file prefect-lint does not check, or an internal error's message."""
        path = path_of(uri)
        if not wanted(path, text):
            return None
        try:
            runner = self.runner()  # raises ConfigError for a broken configuration
            settings = runner.resolver.for_path(path)
            if is_excluded(path, settings):
                return []  # the project excludes this file, as the CLI would
            found, looked_at = self.check(uri, text, runner, settings)
            self.checked[uri] = (text, found)
            self.dependents.record(uri, str(path), looked_at)
            if not found:
                return []
            lines = LineIndex.fast(text)
            return [self.to_lsp(d, lines) for d in found]
        except ConfigError as error:
            return [types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"prefect-lint configuration error: {error}",
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            )]
        except Exception as error:  # a rule crashed: say so once, keep the server up
            log.exception("prefect-lint failed on %s", uri)
            return f"prefect-lint: internal error: {error}"

    def send(self, uri: str, version: int | None, outcome: CheckOutcome) -> None:
        if outcome is None:
            return
        if isinstance(outcome, str):
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, outcome))
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=outcome, version=version))


server = PrefectLintServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PrefectLintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PrefectLintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PrefectLintServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)
    _recheck_dependents(ls, [params.text_document.uri])


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: PrefectLintServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    _recheck_dependents(ls, [change.uri for change in params.changes])


def _recheck_dependents(ls: PrefectLintServer, changed: Sequence[str]) -> None:
    """Check again the open documents whose last check looked at a changed file."""
    for uri in {dependent for each in changed
                for dependent in ls.dependents.affected_by(str(path_of(each)))}:
        if ls.snapshot(uri) is not None:
            ls.publish(uri)


@server.feature(types.INITIALIZED)
def initialized(ls: PrefectLintServer, params: types.InitializedParams) -> None:
    """Ask the client to report changes to the files checks depend on (flows, pool
    snapshots, configuration), when it can watch files for us."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
        id="prefect-lint-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
            types.FileSystemWatcher(glob_pattern=pattern)
            for pattern in ("**/*.py", "**/*.json", "**/pyproject.toml",
                            "**/prefect-lint.toml")]),
    )]))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PrefectLintServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.checks.forget(params.text_document.uri)
    ls.checked.pop(params.text_document.uri, None)
    ls.incremental.pop(params.text_document.uri, None)
    ls.dependents.forget(params.text_document.uri)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


# -- code actions -------------------------------------------------------------------------------


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix,
                                               types.CodeActionKind.SourceFixAll],
                            resolve_provider=True),
)
def code_actions(ls: PrefectLintServer,
                 params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    text = ls.text_of(uri)
    if not wanted(path_of(uri), text):
        return None
    try:
        diagnostics = ls.diagnostics_of(uri, text)
    except ConfigError:
        return None
    lines = LineIndex.fast(text)
    start = offset_at(lines, params.range.start.line, params.range.start.character, ls.encoding)
    end = offset_at(lines, params.range.end.line, params.range.end.character, ls.encoding)
    only = params.context.only
    actions: list[types.CodeAction] = []
    wants_quick_fix = not only or any(str(kind).startswith("quickfix") for kind in only)
    for diagnostic in diagnostics:
        if not wants_quick_fix or not _overlaps(diagnostic, start, end):
            continue
        lsp_diagnostic = ls.to_lsp(diagnostic, lines)
        if diagnostic.fix is not None:
            fix = diagnostic.fix
            title = f"{diagnostic.code}: {fix.message[:1].upper()}{fix.message[1:]}"
            actions.append(types.CodeAction(
                title=title + ("" if fix.is_safe else " (unsafe: changes behaviour)"),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[lsp_diagnostic],
                is_preferred=fix.is_safe,
                edit=_workspace_edit(ls, uri, lines, [
                    (edit.start, edit.end, edit.content) for edit in fix.edits]),
            ))
        if diagnostic.code != "M001":
            disable = _disable_action(ls, uri, text, diagnostic, lsp_diagnostic)
            if disable is not None:
                actions.append(disable)
    wants_fix_all = not only or any(
        str(kind) in ("source", "source.fixAll") for kind in only)
    if wants_fix_all and any(d.fix is not None and d.fix.is_safe for d in diagnostics):
        fix_all = _fix_all_action(ls, uri, text)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


#: ``data`` of an action whose edit is computed on codeAction/resolve
RESOLVE_KEY = "prefect-lint-resolve"


def _resolves_edits(ls: PrefectLintServer) -> bool:
    """Whether the client asks for an action's edit only when the user picks it: then the
    costly edits (a suppression comment, fix all: several checks each) wait until then."""
    document = ls.client_capabilities.text_document
    code_action = document.code_action if document is not None else None
    support = code_action.resolve_support if code_action is not None else None
    return support is not None and "edit" in support.properties


def _disable_action(ls: PrefectLintServer, uri: str, text: str, diagnostic: Diagnostic,
                    lsp_diagnostic: types.Diagnostic) -> types.CodeAction | None:
    action = types.CodeAction(title=f"Disable {diagnostic.code} for this line",
                              kind=types.CodeActionKind.QuickFix,
                              diagnostics=[lsp_diagnostic])
    if _resolves_edits(ls):
        action.data = {RESOLVE_KEY: "disable", "uri": uri, "code": diagnostic.code,
                       "message": diagnostic.message, "start": diagnostic.span.start}
        return action
    return _with_disable_edit(ls, action, uri, text, diagnostic)


def _with_disable_edit(ls: PrefectLintServer, action: types.CodeAction, uri: str, text: str,
                       diagnostic: Diagnostic) -> types.CodeAction | None:
    suppressed = _suppress_one(ls, uri, text, diagnostic)
    if suppressed is None:
        return None
    action.edit = _workspace_edit(ls, uri, LineIndex.fast(text), [minimal_edit(text, suppressed)])
    return action


def _fix_all_action(ls: PrefectLintServer, uri: str, text: str) -> types.CodeAction | None:
    action = types.CodeAction(title="prefect-lint: fix all safe problems",
                              kind=types.CodeActionKind.SourceFixAll)
    if _resolves_edits(ls):
        action.data = {RESOLVE_KEY: "fix-all", "uri": uri}
        return action
    return _with_fix_all_edit(ls, action, uri, text)


def _with_fix_all_edit(ls: PrefectLintServer, action: types.CodeAction, uri: str,
                       text: str) -> types.CodeAction | None:
    _, fixed = ls.lint(uri, text, fix=True)
    if fixed is None:
        return None
    action.edit = _workspace_edit(ls, uri, LineIndex.fast(text), [minimal_edit(text, fixed)])
    return action


@server.feature(types.CODE_ACTION_RESOLVE)
def resolve_code_action(ls: PrefectLintServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of a "disable" or "fix all" action, for the document's text now (an action
    whose finding is gone comes back without an edit)."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    if not isinstance(uri, str) or action.edit is not None:
        return action
    text = ls.text_of(uri)
    try:
        if data.get(RESOLVE_KEY) == "fix-all":
            return _with_fix_all_edit(ls, action, uri, text) or action
        for diagnostic in ls.diagnostics_of(uri, text):
            if (diagnostic.code, diagnostic.message, diagnostic.span.start) == (
                    data.get("code"), data.get("message"), data.get("start")):
                return _with_disable_edit(ls, action, uri, text, diagnostic) or action
    except ConfigError:
        pass
    return action


def _overlaps(diagnostic: Diagnostic, start: int, end: int) -> bool:
    span = diagnostic.span
    return span.start <= end and start <= span.end


def _workspace_edit(ls: PrefectLintServer, uri: str, lines: LineIndex,
                    edits: Sequence[tuple[int, int, str]]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: [
        types.TextEdit(range=ls.to_range(lines, start, end), new_text=content)
        for start, end, content in edits
    ]})


def _suppress_one(ls: PrefectLintServer, uri: str, text: str,
                  diagnostic: Diagnostic) -> str | None:
    """The text with a suppression comment for this one finding (see --add-suppressions)."""
    from linter.run.add_suppressions import add_suppressions

    path = path_of(uri)
    lint = ls.runner().linter(text, ls.display_name(path), path)

    def only_this(current: str) -> tuple[Document, list[Diagnostic]]:
        document, found = lint(current)
        return document, [d for d in found if d.code == diagnostic.code
                          and (d.code != "M001") and d.message == diagnostic.message]

    outcome = add_suppressions(text, only_this)
    return outcome.text if outcome.text != text and not outcome.remaining else None


# -- hover --------------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: PrefectLintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    text = ls.text_of(uri)
    path = path_of(uri)
    if not wanted(path, text) or kind_for_file(path, text[:SNIFF_CHARS]) != "prefect":
        return None
    document = Document.from_text(text, ls.display_name(path), path=path)
    lines = LineIndex.fast(text)
    offset = offset_at(lines, params.position.line, params.position.character, ls.encoding)
    found = key_at(document, offset)
    if found is None:
        return None
    markdown = describe_key(_schema(), found.path) or _step_or_variable_hover(document,
                                                                              found.path)
    if markdown is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
        range=ls.to_range(lines, found.start, found.end),
    )


def _schema() -> Mapping[str, Any]:
    from linter.resources import load_json

    schema: Mapping[str, Any] = load_json(SCHEMA_FILE)
    return schema


def _step_or_variable_hover(document: Document, path: Sequence[str | int]) -> str | None:
    if len(path) >= 3 and path[-3] in STEP_SECTIONS and isinstance(path[-2], int):
        arguments = step_arguments(str(path[-1]))
        if arguments:
            listed = ", ".join(f"`{name}` ({need})" for name, need in arguments.items())
            return f"**Step** `{path[-1]}`\n\nArguments: {listed}"
        return None
    if len(path) >= 3 and path[-2] == "job_variables" and path[0] == "deployments":
        index = path[1] if isinstance(path[1], int) else None
        return job_variables(document, pool_name(document, index)).get(str(path[-1])) or None
    return None


# -- completion ---------------------------------------------------------------------------------


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["-", " "]),
)
def completion(ls: PrefectLintServer,
               params: types.CompletionParams) -> types.CompletionList | None:
    uri = params.text_document.uri
    text = ls.text_of(uri)
    path = path_of(uri)
    if not wanted(path, text) or kind_for_file(path, text[:SNIFF_CHARS]) != "prefect":
        return None
    lines = LineIndex.fast(text)
    offset = offset_at(lines, params.position.line, params.position.character, ls.encoding)
    column = offset - lines.starts[params.position.line] if params.position.line < len(
        lines.starts) else 0
    typed = typed_placeholder(text[offset - column:offset])
    if typed is not None:
        return placeholder_completions(path, typed, params.position)
    context = completion_context(text, params.position.line, column)
    if context.value_of is not None:
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=value, kind=types.CompletionItemKind.Value,
                                 documentation=doc or None, insert_text=value)
            for value, doc in _values(ls, text, path, offset, context.parent).items()])
    items: list[types.CompletionItem] = []
    parent = context.parent
    if len(parent) >= 2 and parent[-1] == ANY_ITEM and parent[-2] in STEP_SECTIONS:
        for name, doc in step_functions().items():
            items.append(types.CompletionItem(
                label=name, kind=types.CompletionItemKind.Function, detail="step",
                documentation=doc or None, insert_text=f"{name}:"))
    elif len(parent) >= 3 and parent[-2] == ANY_ITEM and parent[-3] in STEP_SECTIONS:
        for name, doc in step_arguments(str(parent[-1])).items():
            if name not in context.siblings:
                items.append(types.CompletionItem(
                    label=name, kind=types.CompletionItemKind.Property,
                    detail="step argument", documentation=doc or None,
                    insert_text=f"{name}: "))
    elif parent and parent[-1] == "job_variables":
        document = Document.from_text(text, ls.display_name(path), path=path)
        pool = pool_at(document, offset, text, params.position.line)
        for name, doc in job_variables(document, pool).items():
            if name not in context.siblings:
                items.append(types.CompletionItem(
                    label=name, kind=types.CompletionItemKind.Variable,
                    detail="job variable", documentation=doc or None,
                    insert_text=f"{name}: "))
    else:
        for name, doc in key_completions(_schema(), parent).items():
            if name not in context.siblings:
                items.append(types.CompletionItem(
                    label=name, kind=types.CompletionItemKind.Property,
                    documentation=doc or None, insert_text=f"{name}: "))
    return types.CompletionList(is_incomplete=False, items=items)


def _values(ls: PrefectLintServer, text: str, path: Path, offset: int,
            at: tuple[PathPart, ...]) -> dict[str, str]:
    """Values to offer for the key at ``at``: a job variable's allowed values (from the
    pool's template), time-zone names, the work pools the configuration knows, and the enum
    and boolean values of the prefect.yaml schema."""
    if len(at) >= 2 and at[-2] == "job_variables":
        document = Document.from_text(text, ls.display_name(path), path=path)
        line = text.count("\n", 0, offset)
        return job_variable_values(document, pool_at(document, offset, text, line),
                                    str(at[-1]))
    if at and at[-1] == "timezone":
        from linter.resources import load_json

        return {name: "" for name in sorted(load_json("timezones.json")["rrule"])}
    if at[-2:] == ("work_pool", "name"):
        return known_pools(path)
    if at[-2:] == ("work_pool", "work_queue_name"):
        document = Document.from_text(text, ls.display_name(path), path=path)
        line = text.count("\n", 0, offset)
        return known_queues(path, pool_at(document, offset, text, line))
    return value_completions(_schema(), at)


























def serve() -> None:
    import contextlib
    import gc
    import os
    import sys

    from linter.core.forking import tune_garbage_collector
    from linter.lsp.transport import serve_stdio

    gc.collect()  # what start-up left unreachable goes before the rest is frozen
    tune_garbage_collector()
    status = serve_stdio(server, server.checks.input_pending)
    # a check still running in its thread, or the thread still waiting on standard input,
    # must not keep the process alive once the client said `exit`
    with contextlib.suppress(OSError, ValueError):  # pygls closes standard output on `exit`
        sys.stdout.flush()
    os._exit(status)
