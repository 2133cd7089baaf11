"""The cost of policy rules: check time of a generated file with and without ten of them.

    python benchmarks/policy.py [--deployments 1000] [--repeat 5]

Generates the file of benchmarks/run.py, then times in one process the whole check of it
(parse, data, every default rule) with no policy, and with ``prefect-lint:recommended``
(six rules) plus four organisation rules (pattern on a filtered path, defined, enumeration,
schema): ten policy rules. Prints the ratio (the target is at most +20 %) of the fastest
and of the median runs, in CPU time of this process (other processes on a shared machine
inflate wall time, not this) and in wall time.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import make_project

from linter.core.forking import tune_garbage_collector

ORGANISATION = r"""
extends: ["prefect-lint:recommended"]
rules:
  ORG001:
    description: Images come from our registry
    given: "$.deployments[*].work_pool.job_variables.image"
    then: {function: pattern, functionOptions: {match: "^(registry\\.example\\.com/|\\{\\{)"}}
  ORG002:
    description: Production deployments set a concurrency limit
    given: "$.deployments[?@.tags[?@ == 'prod']]"
    then: {field: concurrency_limit, function: defined}
  ORG003:
    description: Deployments use a known pool
    given: "$.deployments[*].work_pool.name"
    then: {function: enumeration, functionOptions: {values: [k8s-prod, k8s-dev]}}
  ORG004:
    description: Kubernetes jobs set a namespace
    given: "$.deployments[*].work_pool.job_variables"
    then:
      function: schema
      functionOptions:
        schema: {type: object, required: [namespace], properties: {namespace: {type: string}}}
"""


def check_seconds(path: Path, config: Path) -> float:
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    runner = Runner(ConfigResolver(explicit=config))
    start = time.process_time()
    result = runner.lint_path(path)
    elapsed = time.process_time() - start
    assert result is not None
    return elapsed


def wall_seconds(path: Path, config: Path) -> float:
    start = time.perf_counter()
    check_seconds(path, config)
    return time.perf_counter() - start


def main(deployments: int, repeat: int) -> int:
    tune_garbage_collector()  # as `prefect-lint check` does
    with tempfile.TemporaryDirectory(prefix="prefect-lint-policy-") as temp:
        folder = Path(temp)
        path = make_project(folder / "project", deployments)
        plain = folder / "plain.toml"
        plain.write_text("[tool.prefect-lint]\n")
        (folder / "org.yaml").write_text(ORGANISATION)
        policy = folder / "policy.toml"
        policy.write_text('[tool.prefect-lint]\npolicy-files = ["org.yaml"]\n')
        from linter.policy.provider import configured_rules
        from linter.project.config import read_config_file

        settings = read_config_file(policy)
        assert settings is not None and len(configured_rules(settings)) == 10
        check_seconds(path, plain), check_seconds(path, policy)  # warm up imports
        cpu: dict[str, list[float]] = {"without": [], "with": []}
        wall: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(repeat):
            for name, config in (("without", plain), ("with", policy)):
                cpu[name].append(check_seconds(path, config))
                wall[name].append(wall_seconds(path, config))
    print(f"{deployments} deployments, {repeat} runs each, without policies -> with 10 "
          "policy rules:")
    for label, times in (("CPU", cpu), ("wall", wall)):
        for pick in (min, statistics.median):
            base, policed = pick(times["without"]), pick(times["with"])
            print(f"  {label:>4} {pick.__name__:>6}: {base:.3f} s -> {policed:.3f} s "
                  f"(+{(policed / base - 1) * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    sys.exit(main(arguments.deployments, arguments.repeat))
