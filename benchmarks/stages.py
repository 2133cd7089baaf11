"""Time each stage of one check in one process: parse, build the data, run the rules.

    python benchmarks/stages.py [1000 3000 10000]

Generates the same files as benchmarks/run.py (anchors, steps, job variables) and prints,
per size, the seconds of each stage and the slowest rules, to show where time goes and that
it grows linearly. Whole-process numbers against peers come from benchmarks/run.py.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import make_project

import linter.rules  # noqa: F401  (registers every rule)
from linter.core.forking import tune_garbage_collector
from linter.core.registry import all_rules
from linter.project.config import Settings
from linter.project.context import LintContext, Project
from linter.run.engine import runnable
from linter.source.document import Document


def stages(path: Path) -> tuple[float, float, dict[str, float]]:
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    document = Document.from_text(text, str(path), path=path)
    parsed = time.perf_counter()
    _ = document.plain
    built = time.perf_counter()
    context = LintContext(document, Project(path.parent, Settings(root=path.parent)))
    rules: dict[str, float] = {}
    for rule in all_rules():
        if runnable(rule, document):
            before = time.perf_counter()
            list(rule.check(context))
            rules[rule.code] = time.perf_counter() - before
    return parsed - start, built - parsed, rules


def main(sizes: list[int]) -> int:
    tune_garbage_collector()  # as `prefect-lint check` does
    all_rules()
    with tempfile.TemporaryDirectory(prefix="prefect-lint-stages-") as temp:
        for size in sizes:
            path = make_project(Path(temp) / str(size), size)
            parse, build, rules = stages(path)
            total = parse + build + sum(rules.values())
            slowest = ", ".join(f"{code} {seconds:.2f}" for code, seconds in
                                sorted(rules.items(), key=lambda kv: -kv[1])[:5])
            print(f"{size:>6} deployments: parse {parse:.2f} s, data {build:.2f} s, rules "
                  f"{sum(rules.values()):.2f} s, total {total:.2f} s "
                  f"({total / size * 1000:.2f} s per 1,000); slowest rules: {slowest}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 3_000, 10_000],
                        help="deployments per generated file")
    sys.exit(main(parser.parse_args().sizes))
