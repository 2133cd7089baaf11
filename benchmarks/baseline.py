"""Compare this checkout with an earlier revision of prefect-lint, side by side.

    python benchmarks/baseline.py REV [--repeat 9]

Both are installed as users install them (a wheel in a venv of its own: the revision from
``git archive REV``, the checkout as it is on disk). Each stage runs both tools once per round,
rounds repeated, so a slow spell of a shared machine slows both alike; the median of each is
reported with the ratio (checkout / revision: below 1 is faster). Stages: cold start on one
typical corpus file, the whole corpus in one invocation, a generated file of 1,000 deployments,
and an empty folder (start-up alone). Speed is never asserted in a test; this is how a change
that should not cost speed (a refactoring) shows that it did not.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from run import (
    CACHE,
    CORPUS,
    REPO,
    Measurement,
    install_checkout,
    make_project,
    measure_side_by_side,
    typical_file,
)


def install_revision(revision: str) -> Path:
    """``revision`` of this repository in a venv of its own; returns its prefect-lint."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", revision],
                            capture_output=True, text=True, check=True).stdout.strip()
    folder = CACHE / f"prefect-lint-{commit}"
    command = folder / "bin" / "prefect-lint"
    if command.exists():
        return command
    print(f"setting up prefect-lint {commit} in {folder} ...", flush=True)
    with tempfile.TemporaryDirectory() as source:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", source], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        source], check=True)
    return command


def check(command: Path, *paths: str) -> list[str]:
    return [str(command), "check", "--no-cache", "--exit-zero", "-q", "--output-format",
            "concise", "-j", "1", *paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the git revision to compare with (e.g. main~3)")
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args(argv)
    before, after = install_revision(options.revision), install_checkout("prefect-lint-checkout")
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        large = make_project(folder / "large", 1_000)
        (folder / "empty").mkdir()
        corpus = sorted(str(path) for path in CORPUS.glob("prefect_yaml/*"))
        stages = [
            ("cold start", "one typical file", [str(typical_file())]),
            ("throughput", f"corpus, {len(corpus)} files", corpus),
            ("scale", "1,000 deployments", [str(large)]),
            ("start-up", "empty folder", [str(folder / "empty")]),
        ]
        for stage, case, paths in stages:
            results += measure_side_by_side(
                stage, case, [(options.revision, check(before, *paths)),
                              ("checkout", check(after, *paths))], options.repeat)
    print(f"\n| stage | case | {options.revision} | checkout | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for index in range(0, len(results), 2):
        old, new = results[index], results[index + 1]
        print(f"| {old.stage} | {old.case} | {old.seconds:.3f} s | {new.seconds:.3f} s | "
              f"{new.seconds / old.seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
