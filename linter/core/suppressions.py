"""Inline suppression comments.

``# prefect-lint: disable=CODE[,CODE]`` at the end of a line silences those codes for findings
that start on that line; on a line of its own it silences them on the next line that is not
blank or a comment. ``# prefect-lint: disable-file=CODE[,CODE]`` anywhere silences them in the
whole file. Text after the codes is free, so a reason can follow:
``# prefect-lint: disable=D001 -- the two share a name on purpose``.
"""

from __future__ import annotations

from typing import NamedTuple

from linter.core.codes import prefix_names
from linter.core.diagnostics import Span
from linter.lazy_regex import lazy_compile

DIRECTIVE = lazy_compile(
    r"#\s*prefect-lint:\s*(?P<kind>disable-file|disable)\s*=\s*"
    r"(?P<codes>[A-Za-z]+[0-9]*(?:\s*,\s*[A-Za-z]+[0-9]*)*)"
)
CODE_ITEM = lazy_compile(r"[A-Za-z]+[0-9]*")


class Directive(NamedTuple):
    """One suppression comment."""

    file_wide: bool
    codes: list[str]
    code_spans: list[Span]
    comment_span: Span  # from '#' to the end of the codes
    target_row: int  # 1-based row it applies to (0 for file-wide)
    own_line: bool  # nothing but whitespace before the comment
    line_span: Span  # the whole line, without its line break
    used: set[str]  # the codes that silenced a finding, filled in by the engine


def find_directives(
    text: str, line_starts: list[int], inside_scalar: list[Span] | None = None
) -> list[Directive]:
    """Every suppression comment in ``text``; comments inside quoted or block scalars (whose
    spans are given in ``inside_scalar``, sorted) are not comments and are skipped."""
    if "prefect-lint:" not in text:
        return []
    directives: list[Directive] = []
    rows = len(line_starts)
    pending: list[int] = []  # own-line directives (indexes) waiting for the next code line
    for row_index in range(rows):
        start = line_starts[row_index]
        end = line_starts[row_index + 1] if row_index + 1 < rows else len(text)
        line = text[start:end].rstrip("\r\n")
        stripped = line.strip()
        is_code_line = bool(stripped) and not stripped.startswith("#")
        if is_code_line and pending:
            for index in pending:
                directives[index] = directives[index]._replace(target_row=row_index + 1)
            pending = []
        match = DIRECTIVE.search(line)
        if match is None:
            continue
        hash_at = match.start()
        if hash_at > 0 and not line[hash_at - 1].isspace():
            continue  # a '#' inside a value, not a comment
        absolute = start + hash_at
        if inside_scalar and _inside(absolute, inside_scalar):
            continue
        codes_start = start + match.start("codes")
        codes, spans = [], []
        for item in CODE_ITEM.finditer(match.group("codes")):
            codes.append(item.group().upper())
            spans.append(Span(codes_start + item.start(), codes_start + item.end()))
        own_line = not line[:hash_at].strip()
        directive = Directive(
            file_wide=match.group("kind") == "disable-file",
            codes=codes,
            code_spans=spans,
            comment_span=Span(absolute, start + match.end()),
            target_row=0 if match.group("kind") == "disable-file" else row_index + 1,
            own_line=own_line,
            line_span=Span(start, start + len(line)),
            used=set(),
        )
        if own_line and not directive.file_wide:
            pending.append(len(directives))
        directives.append(directive)
    return directives


def _inside(offset: int, spans: list[Span]) -> bool:
    import bisect

    index = bisect.bisect_right(spans, Span(offset, offset)) - 1
    return 0 <= index < len(spans) and spans[index].start < offset < spans[index].end


def code_matches(directive_code: str, code: str) -> bool:
    """A directive names a code exactly, or a prefix of it (``D`` covers ``D001``, not
    ``DEV001``)."""
    return prefix_names(directive_code, code)
