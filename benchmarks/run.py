"""Benchmark prefect-lint against its peers, side by side, on this machine.

    python benchmarks/run.py [--repeat 5] [--quick]

Stages (each a whole process per run; the median of --repeat runs is reported):
1. cold start on one typical prefect.yaml: prefect-lint, check-jsonschema with our schema (the
   schema-only peer), and Prefect 3.9.1 loading the file with its own model (what
   `prefect deploy` does first);
2. throughput: every file of ../shared/corpus in one prefect-lint invocation (files/s);
3. scale: generated files with 10 to 10,000 deployments (anchors, steps, job variables):
   time and peak memory for all three;
4. a monorepo of 500 prefect.yaml files in nested folders, one invocation; also warm (cache).

Peers are installed into venvs under ~/.cache/prefect-lint-bench (pinned versions). Results
go to benchmarks/results/: results.md (a Markdown table), results.json, and scale.png.
Speed is never asserted in a test; this script is how it is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SCHEMA = REPO / "schemas" / "prefect.yaml.schema.json"
CACHE = Path(os.environ.get("PREFECT_LINT_BENCH_CACHE", Path.home() / ".cache" /
                            "prefect-lint-bench"))
PINS = {
    "check-jsonschema": ["check-jsonschema==0.33.0"],
    "prefect": ["prefect==3.9.1"],
    "plot": ["matplotlib"],
}
SIZES = (10, 100, 1_000, 10_000)

PREFECT_LOAD = """
import sys, yaml
from prefect.cli.deploy._models import PrefectYamlModel
with open(sys.argv[1]) as handle:
    PrefectYamlModel.model_validate(yaml.safe_load(handle))
"""


@dataclass
class Measurement:
    stage: str
    tool: str
    case: str
    seconds: float  # median wall time
    peak_mb: float  # median peak resident memory of the process
    runs: int
    exit_codes: list[int]


def venv_python(name: str) -> Path:
    folder = CACHE / name
    python = folder / "bin" / "python"
    if not (folder / ".complete").exists():
        print(f"setting up {name} in {folder} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS[name]],
                       check=True)
        (folder / ".complete").write_text("ok\n")
    return python


#: Every tool runs as a user runs it: with bytecode caches and buffered output (some
#: sandboxes set PYTHONDONTWRITEBYTECODE, which makes every start compile every module again,
#: and PYTHONUNBUFFERED, which makes every line of output a system call).
ENVIRONMENT = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}


def run_once(command: Sequence[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=ENVIRONMENT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def measure(stage: str, tool: str, case: str, command: Sequence[str], repeat: int,
            cwd: Path | None = None, warmup: bool = True) -> Measurement:
    (result,) = measure_side_by_side(stage, case, [(tool, command)], repeat, cwd, warmup)
    return result


def measure_side_by_side(stage: str, case: str, tools: Sequence[tuple[str, Sequence[str]]],
                         repeat: int, cwd: Path | None = None, warmup: bool = True
                         ) -> list[Measurement]:
    """Each tool once per round, rounds repeated: a slow spell of a shared machine then
    slows every tool alike instead of whichever ran during it."""
    if warmup:
        for _, command in tools:
            run_once(command, cwd)  # file system cache, .pyc files
    runs: dict[str, list[tuple[float, float, int]]] = {tool: [] for tool, _ in tools}
    for _ in range(repeat):
        for tool, command in tools:
            runs[tool].append(run_once(command, cwd))
    results = []
    for tool, _ in tools:
        times = [seconds for seconds, _, _ in runs[tool]]
        peaks = [peak for _, peak, _ in runs[tool]]
        codes = [code for _, _, code in runs[tool]]
        result = Measurement(stage, tool, case, statistics.median(times),
                             statistics.median(peaks), repeat, codes)
        print(f"  {stage:<10} {tool:<17} {case:<28} {result.seconds:8.3f} s "
              f"{result.peak_mb:8.1f} MB  exit {sorted(set(codes))}", flush=True)
        results.append(result)
    return results


# -- generated inputs ----------------------------------------------------------------------


def generated_file(deployments: int) -> str:
    lines = [
        "name: generated",
        'prefect-version: "3.9.1"',
        "definitions:",
        "  work_pools:",
        "    k8s: &k8s",
        "      name: k8s-prod",
        "      work_queue_name: default",
        "      job_variables:",
        '        image: "{{ build-image.image }}"',
        "        namespace: data",
        "  schedules:",
        "    nightly: &nightly",
        '      - cron: "0 3 * * *"',
        "        timezone: Europe/Berlin",
        "build:",
        "  - prefect_docker.deployments.steps.build_docker_image:",
        "      id: build-image",
        "      image_name: ghcr.io/acme/flows",
        "      tag: latest",
        "pull:",
        "  - prefect.deployments.steps.git_clone:",
        "      id: clone",
        "      repository: https://github.com/acme/flows.git",
        "      branch: main",
        "deployments:",
    ]
    for index in range(deployments):
        lines += [
            f"  - name: flow-{index}",
            f'    version: "1.{index}"',
            "    tags: [generated, bench]",
            f"    description: Deployment number {index}",
            "    entrypoint: flows/etl.py:etl",
            "    parameters:",
            f"      days: {index % 7 + 1}",
            "    schedules: *nightly",
            "    work_pool: *k8s",
        ]
    return "\n".join(lines) + "\n"


FLOW = (
    '"""A flow for the benchmark."""\nfrom prefect import flow\n\n\n'
    "@flow\ndef etl(days: int = 1) -> None:\n    pass\n"
)


def make_project(folder: Path, deployments: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "flows").mkdir(exist_ok=True)
    (folder / "flows" / "etl.py").write_text(FLOW)
    path = folder / "prefect.yaml"
    path.write_text(generated_file(deployments))
    return path


def make_monorepo(folder: Path, count: int = 500) -> Path:
    for index in range(count):
        team = folder / f"team-{index % 10}" / f"service-{index // 10 % 10}" / f"p{index}"
        make_project(team, 3)
    return folder


def typical_file() -> Path:
    """A real, mid-sized corpus file (the cold-start input)."""
    candidates = sorted((CORPUS / "prefect_yaml").iterdir(), key=lambda p: p.stat().st_size)
    return candidates[len(candidates) // 2]


# -- stages --------------------------------------------------------------------------------


def install_checkout(venv: str = "prefect-lint", extra: str = "") -> Path:
    """This checkout installed as a user installs it (a wheel, not an editable install,
    whose import hook costs start-up time), in its own venv (``CACHE / venv``; with the
    optional dependencies ``extra``, e.g. "server"); returns its command."""
    folder = CACHE / venv
    python = folder / "bin" / "python"
    if not python.exists():
        print(f"setting up prefect-lint in {folder} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        f"{REPO}[{extra}]" if extra else str(REPO)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--force-reinstall", str(REPO)], check=True)
    return folder / "bin" / "prefect-lint"


LINT = ["prefect-lint"]


def lint_command(*args: str) -> list[str]:
    return [*LINT, "check", "--no-cache", "--exit-zero", "-q", "--output-format", "concise",
            *args]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer sizes, 3 repeats")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    options = parser.parse_args(argv)
    repeat = 3 if options.quick else options.repeat
    sizes = SIZES[:3] if options.quick else SIZES
    if not CORPUS.is_dir():
        print(f"the shared corpus is missing at {CORPUS}", file=sys.stderr)
        return 2
    cjs = venv_python("check-jsonschema").parent / "check-jsonschema"
    prefect = venv_python("prefect")
    LINT[:] = [str(install_checkout())]
    results: list[Measurement] = []

    print("1. cold start on one typical file")
    typical = typical_file()
    results += measure_side_by_side("cold", typical.name[:28], [
        ("prefect-lint", lint_command(str(typical))),
        ("check-jsonschema", [str(cjs), "--schemafile", str(SCHEMA), str(typical)]),
        ("prefect 3.9.1", [str(prefect), "-c", PREFECT_LOAD, str(typical)]),
    ], repeat)

    print("2. throughput over the corpus")
    corpus_files = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file()
                          and p.name != "MANIFEST.tsv")
    with tempfile.TemporaryDirectory(prefix="prefect-lint-empty-") as empty:
        corpus, start_up = measure_side_by_side("corpus", "", [
            ("prefect-lint", lint_command(*corpus_files)),
            ("start-up", lint_command(empty)),
        ], repeat)
    results.append(replace(corpus, case=f"{len(corpus_files)} files"))
    results.append(replace(start_up, tool="prefect-lint", case="start-up only (empty folder)"))

    with tempfile.TemporaryDirectory(prefix="prefect-lint-bench-") as temp:
        root = Path(temp)
        print("3. scale")
        for size in sizes:
            path = make_project(root / f"scale-{size}", size)
            scale_repeat = repeat if size < 10_000 else max(3, repeat // 2)
            results += measure_side_by_side("scale", f"{size} deployments", [
                ("prefect-lint", lint_command(str(path))),
                ("check-jsonschema", [str(cjs), "--schemafile", str(SCHEMA), str(path)]),
                ("prefect 3.9.1", [str(prefect), "-c", PREFECT_LOAD, str(path)]),
            ], scale_repeat)
        print("4. monorepo of 500 files")
        monorepo = make_monorepo(root / "monorepo")
        results.append(measure("monorepo", "prefect-lint", "500 files, cold",
                               lint_command(str(monorepo)), repeat))
        warm = [*LINT, "check", "--exit-zero", "-q", "--output-format", "concise",
                str(monorepo)]
        run_once(warm)  # fills the cache
        results.append(measure("monorepo", "prefect-lint", "500 files, warm cache", warm,
                               repeat, warmup=False))
        shutil.rmtree(monorepo / ".prefect-lint-cache", ignore_errors=True)

    write_results(options.out, results, len(corpus_files), sizes)
    return 0


def ratio(results: list[Measurement], stage: str, case: str, tool: str) -> float | None:
    ours = next((r for r in results if (r.stage, r.case, r.tool) == (stage, case,
                                                                      "prefect-lint")), None)
    peer = next((r for r in results if (r.stage, r.case, r.tool) == (stage, case, tool)), None)
    if ours is None or peer is None or ours.seconds == 0:
        return None
    return ours.seconds / peer.seconds


def write_results(out: Path, results: list[Measurement], corpus_count: int,
                  sizes: Sequence[int]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}; median of repeated runs, each a "
        "whole process.",
        "",
        "| stage | tool | case | time (s) | peak memory (MB) |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| {r.stage} | {r.tool} | {r.case} | {r.seconds:.3f} | {r.peak_mb:.0f} |")
    lines.append("")
    cold = results[0].case
    for tool in ("check-jsonschema", "prefect 3.9.1"):
        value = ratio(results, "cold", cold, tool)
        if value is not None:
            lines.append(f"- cold start: prefect-lint takes {value:.2f}x the time of {tool}")
    corpus = next(r for r in results if r.stage == "corpus")
    start = next(r for r in results if r.stage == "corpus" and r.case.startswith("start-up"))
    lines.append(f"- corpus throughput: {corpus_count / corpus.seconds:.0f} files/s "
                 f"({corpus_count} files in {corpus.seconds:.2f} s, one invocation)")
    if corpus.seconds > start.seconds:
        steady = corpus_count / (corpus.seconds - start.seconds)
        lines.append(f"- start-up alone (an empty folder): {start.seconds:.2f} s; the corpus "
                     f"without it: {steady:.0f} files/s")
    for size in sizes:
        case = f"{size} deployments"
        ours = next(r for r in results if (r.stage, r.case, r.tool) == ("scale", case,
                                                                        "prefect-lint"))
        parts = [f"{ours.seconds:.2f} s, {ours.peak_mb:.0f} MB"]
        for tool in ("check-jsonschema", "prefect 3.9.1"):
            value = ratio(results, "scale", case, tool)
            if value is not None:
                parts.append(f"{value:.2f}x {tool}")
        lines.append(f"- {size:,} deployments: " + "; ".join(parts))
    (out / "results.md").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    plot(out, results, sizes)
    print("\n".join(lines))


def plot(out: Path, results: list[Measurement], sizes: Sequence[int]) -> None:
    data = {tool: [next(r.seconds for r in results if (r.stage, r.case, r.tool) ==
                        ("scale", f"{size} deployments", tool)) for size in sizes]
            for tool in ("prefect-lint", "check-jsonschema", "prefect 3.9.1")}
    script = f"""
import json, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
data = json.loads({json.dumps(json.dumps(data))})
sizes = {list(sizes)!r}
fig, ax = plt.subplots(figsize=(7, 4.5))
for tool, seconds in data.items():
    ax.plot(sizes, seconds, marker="o", label=tool)
ax.set_xscale("log"); ax.set_yscale("log")
ax.set_xlabel("deployments in one prefect.yaml"); ax.set_ylabel("seconds (whole process)")
ax.set_title("Time against deployments (median)")
ax.grid(True, which="both", alpha=0.3); ax.legend()
fig.tight_layout(); fig.savefig({str(out / "scale.png")!r}, dpi=120)
"""
    subprocess.run([str(venv_python("plot")), "-c", script], check=True)


if __name__ == "__main__":
    sys.exit(main())
