"""Build one venv per supported Prefect minor (its newest patch) for the version-data generator
and the slow conformance tests.

Usage: python scripts/prefect_release_venvs.py [VERSION ...]   (default: every release below)

Each venv lives in ``$PREFECT_LINT_TEST_VENVS`` (default /tmp/prefect-lint-test-venvs) as
``prefect-X.Y.Z-base``, the same place ``tests/conftest.py``'s ``prefect_venv`` looks, and is
marked complete with a ``.complete`` file, so it is built once. The extra pins are what ``import
prefect`` needs on Python 3.11 with today's PyPI (old releases do not bound their dependencies).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

#: the newest patch of each supported minor, and the pins its import needs today
RELEASES: dict[str, tuple[str, ...]] = {
    "2.10.21": ("griffe<1", "anyio<4", "pendulum<3"),
    "2.14.21": ("griffe<1",),
    "2.16.9": ("griffe<1", "pydantic<2.10"),
    "2.19.9": ("pydantic<2.10",),
    "2.20.27": (),
    "3.0.11": ("pydantic<2.10",),
    "3.1.15": ("importlib_metadata",),
    "3.2.15": ("importlib_metadata",),
    "3.3.7": ("importlib_metadata",),
    "3.4.25": ("importlib_metadata",),
    "3.5.0": ("importlib_metadata",),
    "3.6.29": ("importlib_metadata",),
    "3.7.8": (),
    "3.8.8": (),
    "3.9.1": (),
}

VENVS = Path(os.environ.get("PREFECT_LINT_TEST_VENVS", "/tmp/prefect-lint-test-venvs"))


def release_venv(version: str) -> Path:
    """The python of a venv with ``prefect==version`` and its pins, built once (locked)."""
    folder = VENVS / f"prefect-{version}-base"
    python = folder / "bin" / "python"
    VENVS.mkdir(parents=True, exist_ok=True)
    with open(VENVS / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".complete").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                            f"prefect=={version}", *RELEASES.get(version, ())], check=True)
            subprocess.run([str(python), "-c", "import prefect.cli.deploy"], check=True)
            (folder / ".complete").write_text("ok\n")
    return python


def main(argv: list[str]) -> int:
    failed = []
    for version in argv or list(RELEASES):
        try:
            print(release_venv(version), flush=True)
        except subprocess.CalledProcessError as error:
            print(f"{version}: {error}", file=sys.stderr, flush=True)
            failed.append(version)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
