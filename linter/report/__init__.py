"""Output formats. Each format is one module with a ``render(report, out)`` function,
imported only when chosen, so the heavy ones cost nothing when unused.
May import: ``rules`` (rule pages) and every layer below; never the runner or front-ends.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from linter.core.diagnostics import Diagnostic, Severity

#: format name -> module under linter.report
FORMATS: dict[str, str] = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "github": "github",
    "gitlab": "gitlab",
    "sarif": "sarif",
    "junit": "junit",
    "rdjson": "rdjson",
}


class Report:
    """Everything a format may show about one run."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str]  # filename -> text, for code frames
    files_checked: int
    fixed: dict[str, int]  # filename -> fixes applied
    color: bool
    unsafe_fixes_enabled: bool
    show_summary: bool

    def __init__(
        self,
        diagnostics: list[Diagnostic],
        sources: dict[str, str] | None = None,
        files_checked: int = 0,
        fixed: dict[str, int] | None = None,
        color: bool = False,
        unsafe_fixes_enabled: bool = False,
        show_summary: bool = True,
    ) -> None:
        self.diagnostics = diagnostics
        self.sources = {} if sources is None else sources
        self.files_checked = files_checked
        self.fixed = {} if fixed is None else fixed
        self.color = color
        self.unsafe_fixes_enabled = unsafe_fixes_enabled
        self.show_summary = show_summary

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def fixable(self) -> int:
        return sum(
            1
            for d in self.diagnostics
            if d.fix is not None and d.fix.applies(self.unsafe_fixes_enabled)
        )

    @property
    def hidden_unsafe(self) -> int:
        return sum(
            1
            for d in self.diagnostics
            if d.fix is not None and not d.fix.applies(self.unsafe_fixes_enabled)
        )


Renderer = Callable[[Report, TextIO], None]


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"linter.report.{FORMATS[name]}")
    render: Renderer = module.render
    return render
