"""Every real-world file in ../shared/corpus: linting never crashes (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from tests.conftest import CORPUS, corpus_files, corpus_params, shared_path


@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_file_lints_without_crash(path: Path) -> None:
    runner = Runner(ConfigResolver(cwd=path.parent))
    result = runner.lint_path(path)
    if result is None:  # a script or Dockerfile: not a kind any rule checks yet
        assert path.suffix not in (".yaml", ".yml")
        return
    for diagnostic in result.diagnostics:
        assert diagnostic.start.row >= 1 and diagnostic.start.column >= 1
        assert (diagnostic.end.row, diagnostic.end.column) >= (
            diagnostic.start.row, diagnostic.start.column)
        assert result.source is not None
        assert diagnostic.span.end <= len(result.source)


def test_whole_corpus_in_one_process_exit_is_not_2() -> None:
    """The real CLI over every corpus file at once, named explicitly as pre-commit would."""
    files = [str(p) for p in corpus_files()]
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--output-format", "json", *files],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)
    linted = {Path(f).resolve() for f in files}
    assert {Path(f["filename"]).resolve() for f in findings} <= linted


def test_known_broken_corpus_file_is_reported() -> None:
    """The merge-conflict file in the corpus does not parse: Y001 at the marker."""
    path = shared_path("corpus", "prefect_yaml", "Ben-Epstein__prefect-modal__prefect.yaml")
    result = Runner(ConfigResolver(cwd=path.parent)).lint_path(path)
    assert result is not None
    assert "Y001" in [d.code for d in result.diagnostics]


def test_settings_default_root_is_not_used_for_corpus() -> None:
    assert Settings(Path.cwd()).max_file_size > 1024 * 1024
