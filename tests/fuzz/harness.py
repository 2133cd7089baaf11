"""The parser-to-diagnostics path as one function of bytes, for fuzzing and regression tests.

Any exception escaping ``check_bytes`` is a bug: bad input must become findings. The fixer
runs too (safe and unsafe fixes), and its output must parse whenever its input did.
"""

from __future__ import annotations

import io
from pathlib import Path

from linter.project.config import ConfigResolver, Settings
from linter.report import Report, renderer
from linter.run.runner import Runner
from linter.source.document import DecodeError, Document, decode

ROOT = Path("/nonexistent-fuzz-root")
_SETTINGS = Settings(root=ROOT, select=("ALL",))
_RUNNER = Runner(ConfigResolver(cwd=ROOT), fix=True, unsafe=True)


def check_bytes(data: bytes) -> None:
    try:
        text = decode(data).text
    except DecodeError:
        return
    result = _RUNNER.lint_text(text, "prefect.yaml", None, _SETTINGS)
    for diagnostic in result.diagnostics:
        assert diagnostic.start.row >= 1 and diagnostic.start.column >= 1, diagnostic
        assert diagnostic.span.end <= len(result.fixed_text or text), diagnostic
    if result.fixed_text is not None:
        before = Document.from_text(text, "prefect.yaml")
        after = Document.from_text(result.fixed_text, "prefect.yaml")
        if before.parse_error is None:
            assert after.parse_error is None, "a fix broke the YAML"
    out = io.StringIO()
    renderer("json")(Report(result.diagnostics, {"prefect.yaml": text}), out)
    renderer("full")(Report(result.diagnostics, {"prefect.yaml": result.fixed_text or text}),
                     out)
