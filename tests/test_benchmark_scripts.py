"""The benchmark scripts still run against the current package (they import its modules
directly, so a refactoring can break them without any other test noticing). Nothing here
measures speed: that is what the scripts are for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_stages_runs_on_a_small_file() -> None:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "stages.py"), "10"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "10 deployments: parse" in done.stdout


def test_every_benchmark_script_explains_itself() -> None:
    for script in sorted((REPO / "benchmarks").glob("*.py")):
        done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                              text=True, timeout=120, cwd=REPO / "benchmarks")
        assert done.returncode == 0, f"{script.name}: {done.stderr}"
