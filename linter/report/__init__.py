"""Output formats. Each format is one module with a ``render(report, out)`` function,
imported only when chosen, so the heavy ones cost nothing when unused."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from linter.diagnostics import Diagnostic, Severity

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
}


@dataclass
class Report:
    """Everything a format may show about one run."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)  # filename -> text, for code frames
    files_checked: int = 0
    fixed: dict[str, int] = field(default_factory=dict)  # filename -> fixes applied
    color: bool = False
    unsafe_fixes_enabled: bool = False
    show_summary: bool = True

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def fixable(self) -> int:
        return sum(
            1
            for d in self.diagnostics
            if d.fix is not None and (d.fix.is_safe or self.unsafe_fixes_enabled)
        )

    @property
    def hidden_unsafe(self) -> int:
        return sum(
            1
            for d in self.diagnostics
            if d.fix is not None and not d.fix.is_safe and not self.unsafe_fixes_enabled
        )


Renderer = Callable[[Report, TextIO], None]


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"linter.report.{FORMATS[name]}")
    render: Renderer = module.render
    return render
