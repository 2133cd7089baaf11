"""Why a text is not a YAML document: the parser raises these, the document keeps them."""

from __future__ import annotations

from typing import NamedTuple


class ParseError(NamedTuple):
    """Why the YAML did not parse, and where (a character offset)."""

    message: str
    offset: int
    context: str | None = None
    context_offset: int | None = None


class YamlSyntaxError(Exception):
    def __init__(self, detail: ParseError) -> None:
        super().__init__(detail.message)
        self.detail = detail
