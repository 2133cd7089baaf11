"""The values that flow out of rules: severities, fixes, findings and diagnostics (spans
and edits come from ``linter.source.spans``).

Offsets are character offsets into the decoded text of a document (a BOM, if any, is not part
of the text). Rows and columns are derived from offsets by the document and are 1-based, with
the end exclusive, as in the JSON output.

The values are named tuples rather than dataclasses: every run creates these classes at
start-up, and a frozen dataclass costs about a millisecond to create (its methods are
compiled from generated source), a named tuple a tenth of that.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

# Positions and edits are the source text's own vocabulary; findings carry them.
from linter.source.spans import Edit as Edit
from linter.source.spans import Position as Position
from linter.source.spans import Span as Span
from linter.source.spans import check_span as check_span


class Severity(str, Enum):
    """How bad a finding is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Applicability(str, Enum):
    """Whether a fix keeps what Prefect does with the file (safe) or changes it (unsafe)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Fix(NamedTuple):
    """A set of edits that together repair one finding."""

    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    @property
    def is_safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    def applies(self, unsafe: bool) -> bool:
        """Whether ``--fix`` applies it: a safe fix always, an unsafe one with
        ``--unsafe-fixes``."""
        return self.is_safe or unsafe


class Finding(NamedTuple):
    """What a rule yields: everything about a problem except the rule's identity."""

    span: Span
    message: str
    help: str | None = None
    fix: Fix | None = None
    severity: Severity | None = None  # None: the rule's own severity


class Diagnostic(NamedTuple):
    """A finding bound to its rule and file, with positions resolved."""

    code: str
    name: str
    severity: Severity
    message: str
    filename: str
    span: Span
    start: Position
    end: Position
    help: str | None = None
    fix: Fix | None = None
    url: str = ""
    fix_positions: tuple[tuple[Position, Position], ...] = ()

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.filename, self.start.row, self.start.column, self.code)
