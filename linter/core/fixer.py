"""Apply fixes as text edits, round after round, and write files atomically.

A fix is a set of edits on the original text, never a re-dump of the YAML tree, so every byte
that no edit covers survives: comments, quoting, anchors, key order, indentation, line endings.
Each round applies the fixes that do not overlap one another; the text is then re-parsed and
re-checked, and rounds repeat until nothing is left to fix (bounded). A fix whose result no
longer parses is dropped and reported.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from linter.core.diagnostics import Diagnostic, Edit, Fix
from linter.source.document import NOT_YAML_KINDS, Document

MAX_ROUNDS = 10


class OverlapError(ValueError):
    pass


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (in any order) to ``text``."""
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    pieces: list[str] = []
    cursor = 0
    for edit in ordered:
        if edit.start < cursor:
            raise OverlapError(f"edits overlap at offset {edit.start}")
        if edit.end > len(text):
            raise OverlapError(f"edit ends past the text at {edit.end}")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _overlaps(fix: Fix, taken: list[tuple[int, int]]) -> bool:
    for edit in fix.edits:
        for start, end in taken:
            if edit.start < end and start < edit.end:
                return True
            if edit.start == edit.end == start == end:
                return True  # two insertions at one point: order would be arbitrary
    return False


def choose_fixes(diagnostics: Sequence[Diagnostic], unsafe: bool) -> list[Diagnostic]:
    """The fixable diagnostics whose fixes can go together in one round (first come)."""
    chosen: list[Diagnostic] = []
    taken: list[tuple[int, int]] = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not fix.applies(unsafe):
            continue
        if _overlaps(fix, taken):
            continue
        chosen.append(diagnostic)
        taken.extend((edit.start, edit.end) for edit in fix.edits)
    return chosen


class FixOutcome:
    text: str
    applied: list[Diagnostic]
    dropped: list[tuple[Diagnostic, str]]
    diagnostics: list[Diagnostic]  # what is left after fixing
    document: Document | None

    def __init__(self, text: str, document: Document | None,
                 diagnostics: list[Diagnostic]) -> None:
        """The text as first checked: no fix applied or dropped yet."""
        self.text = text
        self.document = document
        self.diagnostics = diagnostics
        self.applied = []
        self.dropped = []


Linter = Callable[[str], tuple[Document, list[Diagnostic]]]


def fix_until_stable(text: str, lint: Linter, unsafe: bool) -> FixOutcome:
    """Lint, apply what can be applied, and repeat until the text stops changing."""
    lint = _remembering_the_last(lint)  # a round's text is linted to see that it parses
    document, diagnostics = lint(text)
    outcome = FixOutcome(text, document, diagnostics)
    refused: set[tuple[str, Fix]] = set()
    for _ in range(MAX_ROUNDS):
        candidates = [
            d for d in choose_fixes(outcome.diagnostics, unsafe)
            if d.fix is not None and (d.code, d.fix) not in refused
        ]
        if not candidates:
            break
        new_text, applied = _apply_round(outcome, candidates, lint, refused)
        if not applied:
            break
        outcome.applied.extend(applied)
        outcome.text = new_text
        outcome.document, outcome.diagnostics = lint(new_text)
    return outcome


def _apply_round(
    outcome: FixOutcome,
    candidates: list[Diagnostic],
    lint: Linter,
    refused: set[tuple[str, Fix]],
) -> tuple[str, list[Diagnostic]]:
    """Apply all candidates at once; if that breaks parsing, apply them one by one and drop
    the ones that break it."""
    was_valid = outcome.document is not None and _valid(outcome.document, outcome.text)
    edits = [edit for d in candidates if d.fix is not None for edit in d.fix.edits]
    new_text = apply_edits(outcome.text, edits)
    if not was_valid or _parses(new_text, lint):
        return new_text, candidates
    applied: list[Diagnostic] = []
    text = outcome.text
    for diagnostic in candidates:
        assert diagnostic.fix is not None
        trial = apply_edits(text, diagnostic.fix.edits)
        if _parses(trial, lint):
            text = trial
            applied.append(diagnostic)
            break  # offsets of the others are stale now; they come back next round
        refused.add((diagnostic.code, diagnostic.fix))
        outcome.dropped.append(
            (diagnostic, "the fixed file would no longer be valid YAML, so the fix was dropped")
        )
    return text, applied


def _remembering_the_last(lint: Linter) -> Linter:
    """``lint``, answering again for the text it was last given without linting it again
    (the text that passed ``_parses`` is the next round's)."""
    last: list[tuple[str, tuple[Document, list[Diagnostic]]]] = []

    def remembered(text: str) -> tuple[Document, list[Diagnostic]]:
        if last and last[0][0] == text:
            return last[0][1]
        result = lint(text)
        last[:] = [(text, result)]
        return result

    return remembered


def _parses(text: str, lint: Linter) -> bool:
    return _valid(lint(text)[0], text)


def _valid(document: Document, text: str) -> bool:
    """Whether the text is a file Prefect can read: YAML that parses, or Python that does."""
    if document.kind in NOT_YAML_KINDS:
        return _python_parses(text)
    return document.parse_error is None


def _python_parses(text: str) -> bool:
    """A Python file has no YAML parse error to look at: a fix must leave it valid Python."""
    import ast

    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# -- writing ------------------------------------------------------------------------------


class WriteError(Exception):
    pass


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace the file's content in one step (temp file + rename), keeping its owner, group,
    mode and extended attributes; a symlink stays a symlink (its target is rewritten).

    With ``expected`` (the bytes the fix was computed from), a file that changed since it was
    read (an edit saved meanwhile) is left as it is and WriteError says so. The rename gives the
    path a new inode: other hard links to the file keep the old text (see ``hard_link_note``).
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        info = target.stat()
    except OSError as error:
        raise WriteError(f"{path}: cannot write: {error.strerror}") from None
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        # no write bit at all means read-only by intent, even for root
        raise WriteError(f"{path}: cannot write: the file is read-only; left unchanged")
    folder = target.parent
    try:
        import tempfile  # only when writing: keeps it out of a check's start-up

        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as error:
        raise WriteError(f"{path}: cannot write to its folder: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            _copy_metadata(temp.fileno(), target, info, path)
            os.fsync(temp.fileno())
        if expected is not None:
            _check_unchanged(path, target, info, expected)
        os.replace(temp_name, target)
    except (OSError, WriteError) as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, WriteError):
            raise
        raise WriteError(f"{path}: cannot write: {error.strerror}") from None


def _copy_metadata(handle: int, target: Path, info: os.stat_result, path: Path) -> None:
    """Give the temp file the original's owner, group, mode and extended attributes. Owner
    first: a chown clears set-user-ID bits, the chmod after it restores them."""
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.fchown(handle, info.st_uid, info.st_gid)
        except PermissionError:
            raise WriteError(
                f"{path}: cannot write: the file belongs to another user and a rewrite would "
                "change its owner; left unchanged"
            ) from None
    os.fchmod(handle, stat.S_IMODE(info.st_mode))
    _copy_xattrs(handle, target)


def _copy_xattrs(handle: int, target: Path) -> None:
    """Copy extended attributes (ACLs, SELinux labels, user attributes) where the system and
    file system allow; one that cannot be set is skipped rather than blocking the fix."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(target)
        inherited = os.listxattr(handle)  # e.g. a default ACL of the folder
    except OSError:
        return
    for name in inherited:
        if name not in names:
            with contextlib.suppress(OSError):
                os.removexattr(handle, name)
    for name in names:
        with contextlib.suppress(OSError):
            os.setxattr(handle, name, os.getxattr(target, name))


def _check_unchanged(path: Path, target: Path, info: os.stat_result, expected: bytes) -> None:
    """Refuse to replace a file whose content is no longer what the fix was computed from."""
    try:
        now = target.stat()
        with target.open("rb") as handle:
            current = handle.read(len(expected) + 1)
    except OSError as error:
        raise WriteError(f"{path}: cannot write: {error.strerror}") from None
    if now.st_ino != info.st_ino or current != expected:
        raise WriteError(
            f"{path}: changed while it was being fixed; left as it is now (run again to fix it)"
        )


def hard_link_note(path: Path) -> str | None:
    """A warning for a file with other hard links, which a fix (a new file renamed into
    place) detaches from this path."""
    try:
        links = (path.resolve() if path.is_symlink() else path).stat().st_nlink
    except OSError:
        return None
    if links < 2:
        return None
    return (f"warning: {path} had {links - 1} other hard link(s); they keep the old text, "
            "the fixed text is a new file at this path")
