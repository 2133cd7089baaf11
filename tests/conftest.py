"""Shared helpers: lint a text in memory, run the CLI in-process, find the shared corpus."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from linter.cli.main import main
from linter.core.diagnostics import Diagnostic
from linter.core.selection import normalize_selectors
from linter.project.config import ConfigResolver, Overrides
from linter.run.runner import Runner

REPO = Path(__file__).resolve().parents[1]


def _shared_folder() -> Path:
    """Other people's files the tests may use but the project does not ship (the real-world
    corpus, the SARIF schema): ``$PREFECT_LINT_SHARED`` when set, else ``../shared``."""
    named = os.environ.get("PREFECT_LINT_SHARED")
    return Path(named).expanduser().resolve() if named else REPO.parent / "shared"


SHARED = _shared_folder()
CORPUS = SHARED / "corpus"


def lint(
    text: str,
    select: Iterable[str] | None = None,
    filename: str = "prefect.yaml",
    dedent: bool = True,
    target: str | None = None,
) -> list[Diagnostic]:
    """Diagnostics for ``text`` with the default rules (or ``select``), no config files;
    ``target`` is a ``--target-version`` (default: the newest known release)."""
    from linter.prefect.releases import make_target

    if dedent:
        text = textwrap.dedent(text)
    overrides = Overrides(select=tuple(normalize_selectors(select, "test")) if select else None,
                          target_version=make_target(target, "test") if target else None)
    runner = Runner(ConfigResolver(overrides, cwd=Path("/")))
    from linter.project.config import Settings

    settings = overrides.apply(Settings(root=Path("/")))
    return runner.lint_text(text, filename, None, settings).diagnostics


def codes(diagnostics: Iterable[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def spans(text: str, diagnostics: Iterable[Diagnostic]) -> list[str]:
    """The text each diagnostic underlines (single-line spans)."""
    text = textwrap.dedent(text)
    lines = text.splitlines()
    out = []
    for d in diagnostics:
        line = lines[d.start.row - 1]
        if d.start.row == d.end.row:
            out.append(line[d.start.column - 1 : d.end.column - 1])
        else:
            out.append(line[d.start.column - 1 :])
    return out


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``prefect-lint`` in-process with ``tmp_path`` as the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def run_python(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter that imports this checkout (start-up behaviour:
    which modules a command loads)."""
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)})


def write(root: Path, relative: str, content: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR",):
        monkeypatch.delenv(name, raising=False)
    # CI formats give paths from the repository root: pin it to a folder that holds no test
    # file, so paths stay as given wherever the tests run (a CI job, a checkout inside another
    # repository); tests of the root itself set or clear these
    for name in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        monkeypatch.setenv(name, "/nonexistent-repository-root")


def _missing_reason(path: Path) -> str:
    return f"needs {path} (set PREFECT_LINT_SHARED to the shared folder)"


def shared_path(*parts: str) -> Path:
    """A file or folder of the shared folder; skips the calling test when it is absent (fails
    it when ``$PREFECT_LINT_SHARED`` names the folder: then it is expected)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("PREFECT_LINT_SHARED"):
            pytest.fail(f"{path} is missing (PREFECT_LINT_SHARED={SHARED})")
        pytest.skip(_missing_reason(path))
    return path


def _corpus_paths(folder: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv"
                  and (suffixes is None or p.suffix in suffixes))


def corpus_files(kind: str | None = None, suffixes: tuple[str, ...] | None = None
                 ) -> list[Path]:
    """The corpus files (of one ``kind``, with one of ``suffixes``), inside a test; skips the
    test without the corpus."""
    return _corpus_paths(shared_path("corpus", *([kind] if kind else [])), suffixes)


def corpus_params(kind: str | None = None, suffixes: tuple[str, ...] | None = None
                  ) -> list[Any]:
    """The corpus files for ``parametrize``: one skipped case, with the reason, without it."""
    folder = CORPUS if kind is None else CORPUS / kind
    if not folder.is_dir():
        if os.environ.get("PREFECT_LINT_SHARED"):
            raise AssertionError(f"{folder} is missing (PREFECT_LINT_SHARED={SHARED})")
        return [pytest.param(None, id="no-corpus",
                             marks=pytest.mark.skip(reason=_missing_reason(folder)))]
    return list(_corpus_paths(folder, suffixes))


os.environ.setdefault("NO_COLOR", "1")


# -- a real Prefect for slow tests -------------------------------------------------------------

PREFECT_VERSION = "3.9.1"
VENVS = Path(os.environ.get("PREFECT_LINT_TEST_VENVS", "/tmp/prefect-lint-test-venvs"))


def prefect_venv(extra: tuple[str, ...] = ()) -> Path:
    """A venv with ``prefect==3.9.1`` (plus ``extra`` requirements), made once and reused
    across test runs; a lock file keeps two concurrent runs from building it twice.
    Returns the venv's python."""
    import fcntl
    import hashlib
    import subprocess
    import sys

    key = hashlib.sha1(" ".join(sorted(extra)).encode()).hexdigest()[:8] if extra else "base"
    folder = VENVS / f"prefect-{PREFECT_VERSION}-{key}"
    python = folder / "bin" / "python"
    VENVS.mkdir(parents=True, exist_ok=True)
    with open(VENVS / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".complete").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet",
                 f"prefect=={PREFECT_VERSION}", *extra],
                check=True,
            )
            (folder / ".complete").write_text("ok\n")
    return python


def prefect_release_venv(version: str) -> Path:
    """The python of a venv with ``prefect==version`` (a release of
    ``scripts/prefect_release_venvs.py``, with the pins its import needs), built once."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "prefect_release_venvs", REPO / "scripts" / "prefect_release_venvs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    python: Path = module.release_venv(version)
    return python


@pytest.fixture(scope="session")
def prefect_python() -> Path:
    """The python of a venv with the real prefect==3.9.1 (slow tests only)."""
    return prefect_venv()
