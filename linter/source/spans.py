"""Places and changes in a document's text: character spans, row/column positions, edits.

Offsets are character offsets into the decoded text (a BOM, if any, is not part of it); rows
and columns are 1-based, with the end exclusive, as in the JSON output. Named tuples, not
dataclasses, for start-up time (see ``linter/__init__.py``).
"""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A half-open range ``[start, end)`` of character offsets (the engine rejects a finding
    whose span is reversed or negative: see :func:`check_span`)."""

    start: int
    end: int


def check_span(span: Span) -> Span:
    if span.start < 0 or span.end < span.start:
        raise ValueError(f"invalid span {span.start}..{span.end}")
    return span


class Position(NamedTuple):
    """A 1-based row and column (columns count characters)."""

    row: int
    column: int


class Edit(NamedTuple):
    """Replace the text in ``[start, end)`` with ``content``."""

    start: int
    end: int
    content: str

    @classmethod
    def insert(cls, offset: int, content: str) -> Edit:
        return cls(offset, offset, content)

    @classmethod
    def delete(cls, start: int, end: int) -> Edit:
        return cls(start, end, "")
