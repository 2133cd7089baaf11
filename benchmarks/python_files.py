"""How much a Python deployment script costs a check, against a prefect.yaml of the same size.

    python benchmarks/python_files.py [--repeat 7] [--sizes 10,100,1000]

For each size N: a script with N deployments (half Prefect 2 ``Deployment.build_from_flow``
calls with infrastructure, storage and overrides, half Prefect 3 ``flow.deploy`` calls with
job variables and schedules) and a prefect.yaml with as many deployments, padded with comment
lines to the script's byte size. Each file is linted in this process (every default rule,
no cache), the median of --repeat runs reported; a first run warms imports. Writes
benchmarks/results/python.md. Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linter.project.config import ConfigResolver, Overrides  # noqa: E402
from linter.run.runner import Runner  # noqa: E402

SCRIPT_HEAD = """\
from datetime import timedelta

from prefect import flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments import Deployment
from prefect.filesystems import GitHub
from prefect.infrastructure import KubernetesJob


@flow
def etl(day: str = "today") -> None:
    pass


"""
LEGACY_CALL = """\
Deployment.build_from_flow(
    flow=etl, name="legacy-{i}", work_queue_name="k8s",
    infrastructure=KubernetesJob(image="org/etl:{i}", namespace="data"),
    storage=GitHub.load("repo"), infra_overrides={{"env.LEVEL": "DEBUG"}},
    schedule=CronSchedule(cron="0 {h} * * *", timezone="Europe/Berlin"),
).apply()
"""
MODERN_CALL = """\
etl.from_source(source="https://github.com/org/repo.git", entrypoint="flows/etl.py:etl").deploy(
    name="modern-{i}", work_pool_name="k8s", parameters={{"day": "d{i}"}},
    job_variables={{"image": "org/etl:{i}", "env": {{"LEVEL": "DEBUG"}}}},
    cron="0 {h} * * *", interval=timedelta(hours=1),
)
"""
YAML_ENTRY = """\
  - name: nightly-{i}
    entrypoint: flows/etl.py:etl
    parameters:
      day: d{i}
    schedules:
      - cron: "0 {h} * * *"
        timezone: Europe/Berlin
    work_pool:
      name: k8s
      job_variables:
        image: org/etl:{i}
        env:
          LEVEL: DEBUG
"""


def script(count: int) -> str:
    calls = [(LEGACY_CALL if i % 2 else MODERN_CALL).format(i=i, h=i % 24)
             for i in range(count)]
    return SCRIPT_HEAD + "\n".join(calls)


def prefect_yaml(count: int, size: int) -> str:
    text = "deployments:\n" + "".join(YAML_ENTRY.format(i=i, h=i % 24) for i in range(count))
    padding = max(0, size - len(text))
    line = "# " + "x" * 77 + "\n"
    return text + line * (padding // len(line))


def timed(runner: Runner, path: Path, repeat: int) -> float:
    runner.lint_path(path)  # imports, templates, schemas
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        runner.lint_path(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", default="10,100,1000")
    options = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text('[tool.prefect-lint.pools]\nk8s = "kubernetes"\n')
        (root / "flows").mkdir()
        (root / "flows" / "etl.py").write_text(
            "from prefect import flow\n\n@flow\ndef etl(day: str = 'x') -> None:\n    pass\n")
        runner = Runner(ConfigResolver(Overrides(), cwd=root))
        for count in (int(size) for size in options.sizes.split(",")):
            python_text = script(count)
            python_file = root / f"deploy_{count}.py"
            python_file.write_text(python_text)
            yaml_file = root / f"size-{count}" / "prefect.yaml"
            yaml_file.parent.mkdir()
            yaml_file.write_text(prefect_yaml(count, len(python_text)))
            python_seconds = timed(runner, python_file, options.repeat)
            yaml_seconds = timed(runner, yaml_file, options.repeat)
            rows.append((count, len(python_text), yaml_file.stat().st_size, python_seconds,
                         yaml_seconds))
            print(f"{count:>5} deployments: script {len(python_text):>8} B "
                  f"{python_seconds * 1000:8.1f} ms | prefect.yaml "
                  f"{yaml_file.stat().st_size:>8} B {yaml_seconds * 1000:8.1f} ms", flush=True)
    out = REPO / "benchmarks" / "results" / "python.md"
    lines = ["# Python scripts against prefect.yaml of the same size", "",
             "`python benchmarks/python_files.py` (in-process check, every default rule, no "
             f"cache; median of {options.repeat} runs).", "",
             "| deployments | script bytes | script ms | prefect.yaml bytes | prefect.yaml ms "
             "| script / yaml |", "| --- | --- | --- | --- | --- | --- |"]
    for count, python_bytes, yaml_bytes, python_seconds, yaml_seconds in rows:
        lines.append(f"| {count} | {python_bytes} | {python_seconds * 1000:.1f} | {yaml_bytes} "
                     f"| {yaml_seconds * 1000:.1f} | {python_seconds / yaml_seconds:.2f} |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
