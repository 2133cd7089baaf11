"""Lint one file or one text: read it, parse it, run the rules, fix if asked.

The CLI and (later) the language server both go through ``Runner``, so a file is checked the
same way wherever it is checked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import linter.rules  # noqa: F401  (registers every rule family: the runner runs them)
from linter.core.dependencies import recording
from linter.core.diagnostics import Diagnostic, Finding, Span
from linter.core.fixer import FixOutcome, Linter, fix_until_stable
from linter.core.registry import Rule, get_rule
from linter.core.selection import Selection
from linter.project.config import ConfigResolver, Settings
from linter.project.context import Project
from linter.project.filekinds import PREFECT, kind_for_file
from linter.run.cache import CACHE_DIR_NAME, Cache, settings_fingerprint
from linter.run.engine import check_document, to_diagnostic, with_urls
from linter.source.document import DecodedText, DecodeError, Document, decode

if TYPE_CHECKING:
    from linter.run.incremental import IncrementalChecker

UNREADABLE = "Y000"
SNIFF_CHARS = 4096


class FileResult(NamedTuple):
    """What checking one file found, and what fixing or suppressing did to its text."""

    filename: str
    path: Path | None
    source: str | None  # the text as read (None when it could not be read)
    diagnostics: list[Diagnostic]
    fixed_text: str | None = None  # set when fixes changed the text
    applied: Sequence[Diagnostic] = ()
    dropped: Sequence[tuple[Diagnostic, str]] = ()
    suppressed: Sequence[Diagnostic] = ()  # by --add-suppressions
    encoding: str = "utf-8"
    bom: bytes = b""

    @property
    def text_for_frames(self) -> str | None:
        return self.fixed_text if self.fixed_text is not None else self.source


class Runner:
    def __init__(
        self,
        resolver: ConfigResolver,
        fix: bool = False,
        unsafe: bool = False,
        add_suppressions: bool = False,
        cache: bool = False,
        cache_dir: Path | None = None,
        jobs: int = 1,
    ):
        self.resolver = resolver
        #: processes one very large file may use, its rule families split between them
        self.jobs = jobs
        self.fix = fix
        self.unsafe = unsafe
        self.add_suppressions = add_suppressions
        self.use_cache = cache and not fix and not add_suppressions
        self.cache_dir = cache_dir
        self._caches: dict[Path, Cache] = {}
        self._rules: dict[tuple[Selection, tuple[Rule, ...]], list[Rule]] = {}
        #: settings_fingerprint by (settings, rules) object: the same for every file of a folder
        self._fingerprints: dict[tuple[int, int], tuple[Settings, list[Rule], str]] = {}

    def plain(self) -> Runner:
        """A runner with the same settings that only checks (no fixes, no suppressions)."""
        return Runner(self.resolver, jobs=self.jobs)

    def cache_for(self, settings: Settings) -> Cache:
        folder = self.cache_dir or settings.root / CACHE_DIR_NAME
        cache = self._caches.get(folder)
        if cache is None:
            cache = self._caches[folder] = Cache(folder)
            cache.sweep_if_due()
        return cache

    def rules_for(self, settings: Settings, path: Path | None) -> list[Rule]:
        selection = settings.selection
        if path is not None:
            selection = selection.without(settings.ignored_for(path))
        extra: tuple[Rule, ...] = ()
        if settings.policy_files or settings.plugins:
            from linter.policy.provider import configured_rules

            extra = configured_rules(settings)
        rules = self._rules.get((selection, extra))
        if rules is None:
            rules = self._rules[(selection, extra)] = selection.rules(extra)
        return rules

    # -- entry points ------------------------------------------------------------------------
    def lint_path(self, path: Path) -> FileResult | None:
        """The result for one file; None when no rule checks files of its kind."""
        settings = self.resolver.for_file(path)
        filename = _display_name(path)
        decoded = self._decode(_read_bytes(path, settings.max_file_size), filename, path,
                               settings)
        if isinstance(decoded, FileResult):
            return decoded
        return self._lint_decoded(decoded, filename, path, settings)

    def lint_bytes(
        self, raw: bytes | str, filename: str, path: Path | None, settings: Settings
    ) -> FileResult:
        """The result for bytes read elsewhere (standard input), decoded as a file's would
        be; a string is the reason they could not be read, reported as a finding."""
        decoded = self._decode(raw, filename, path, settings)
        if isinstance(decoded, FileResult):
            return decoded
        result = self.lint_text(decoded.text, filename, path, settings)
        return result._replace(encoding=decoded.encoding, bom=decoded.bom)

    def _decode(self, raw: bytes | str, filename: str, path: Path | None, settings: Settings
                ) -> DecodedText | FileResult:
        """The decoded text, or the unreadable result when ``raw`` is a reason or no text."""
        if isinstance(raw, str):
            return self._unreadable(filename, path, raw, settings)
        try:
            return decode(raw)
        except DecodeError as error:
            return self._unreadable(filename, path, str(error), settings)

    def _lint_decoded(
        self, decoded: DecodedText, filename: str, path: Path, settings: Settings
    ) -> FileResult | None:
        kind = kind_for_file(path, decoded.text[:SNIFF_CHARS])
        if kind is None:
            return None
        if self.use_cache:
            result = self._lint_cached(decoded.text, filename, path, settings, kind)
        else:
            result = self.lint_text(decoded.text, filename, path, settings, kind)
        return result._replace(encoding=decoded.encoding, bom=decoded.bom)

    def _lint_cached(
        self, text: str, filename: str, path: Path, settings: Settings, kind: str
    ) -> FileResult:
        cache = self.cache_for(settings)
        rules = self.rules_for(settings, path)
        known = self._fingerprints.get((id(settings), id(rules)))
        if known is None or known[0] is not settings or known[1] is not rules:
            known = (settings, rules, settings_fingerprint(settings, rules))
            self._fingerprints[(id(settings), id(rules))] = known
        fingerprint = known[2]
        key = cache.key(path, kind, text, fingerprint)
        diagnostics = cache.get(key, filename)
        if diagnostics is None:
            with recording() as notes:
                result = self.lint_text(text, filename, path, settings, kind)
            cache.put(key, result.diagnostics, sorted(notes.items()))
            return result
        return FileResult(filename, path, text, diagnostics)

    def lint_text(
        self,
        text: str,
        filename: str,
        path: Path | None = None,
        settings: Settings | None = None,
        kind: str | None = None,
    ) -> FileResult:
        lint = self.linter(text, filename, path, settings, kind)
        if self.add_suppressions:
            from linter.run.add_suppressions import add_suppressions

            added = add_suppressions(text, lint)
            return FileResult(
                filename,
                path,
                text,
                added.remaining,
                fixed_text=added.text if added.text != text else None,
                applied=added.removed_stale,
                suppressed=added.suppressed,
            )
        if not self.fix:
            _, diagnostics = lint(text)
            return FileResult(filename, path, text, diagnostics)
        outcome: FixOutcome = fix_until_stable(text, lint, self.unsafe)
        return FileResult(
            filename,
            path,
            text,
            outcome.diagnostics,
            fixed_text=outcome.text if outcome.text != text else None,
            applied=outcome.applied,
            dropped=outcome.dropped,
        )

    def linter(
        self,
        text: str,
        filename: str,
        path: Path | None = None,
        settings: Settings | None = None,
        kind: str | None = None,
    ) -> Linter:
        """The function that checks a version of this file's text exactly as ``lint_text``
        does (the language server uses it for code actions)."""
        rules, project, kind = self._setting_up(text, filename, path, settings, kind)

        def lint(current: str) -> tuple[Document, list[Diagnostic]]:
            document = Document.from_text(current, filename, path=path, kind=kind)
            return document, check_document(document, project, rules, self.jobs)

        return lint

    def incremental(self, text: str, filename: str, path: Path | None = None,
                    settings: Settings | None = None) -> IncrementalChecker:
        """A checker of successive versions of this file that re-checks only what an edit
        can change (the language server, on every keystroke); it finds what ``lint_text``
        finds."""
        from linter.run.incremental import IncrementalChecker

        rules, project, kind = self._setting_up(text, filename, path, settings, None)
        return IncrementalChecker(project, rules, filename, path, kind)

    def _setting_up(self, text: str, filename: str, path: Path | None,
                    settings: Settings | None, kind: str | None
                    ) -> tuple[list[Rule], Project, str]:
        """The rules, the project and the kind of file a check of ``text`` uses."""
        if settings is None:
            settings = self.resolver.for_path(path or Path(filename))
        rules = self.rules_for(settings, path or Path(filename))
        project = Project(root=settings.root, settings=settings)
        if kind is None:
            kind = kind_for_file(path or Path(filename), text[:SNIFF_CHARS]) or PREFECT
        return rules, project, kind

    def _unreadable(
        self, filename: str, path: Path | None, reason: str, settings: Settings
    ) -> FileResult:
        rule = get_rule(UNREADABLE)
        diagnostics: list[Diagnostic] = []
        if rule is not None and rule in self.rules_for(settings, path):
            document = Document(filename, "", path=path)
            diagnostics.append(to_diagnostic(rule, Finding(Span(0, 0), reason), document))
        return FileResult(filename, path, None, with_urls(diagnostics, settings.docs_url))


def _display_name(path: Path) -> str:
    """The path as the user would write it: relative to the CWD when inside it, otherwise as
    given (absolute stays absolute)."""
    if not path.is_absolute():
        return os.path.normpath(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _read_bytes(path: Path, limit: int) -> bytes | str:
    """The file's bytes, or a sentence saying why they cannot be read."""
    from linter.reading import InputError, read_regular_file

    try:
        return read_regular_file(path, limit)
    except InputError as error:
        return str(error)
