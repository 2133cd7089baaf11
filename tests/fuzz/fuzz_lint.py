"""Coverage-guided fuzzing of prefect-lint with atheris (libFuzzer).

    python tests/fuzz/fuzz_lint.py -max_total_time=60 CORPUS_DIR [SEED_DIR ...]

`tests/fuzz/seed.py CORPUS_DIR` fills a corpus folder with the test fixtures to start from.
A crash leaves `crash-<sha1>` in the working directory: copy it to tests/fuzz/crashes/ so that
tests/fuzz/test_regressions.py keeps it fixed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["linter", "ruamel", "tests.fuzz"]):
    import linter.rules  # noqa: F401  (the rule modules load lazily otherwise: uninstrumented)
    from tests.fuzz.harness import check_bytes


def main() -> None:
    sys.setrecursionlimit(10_000)
    atheris.Setup(sys.argv, check_bytes)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
