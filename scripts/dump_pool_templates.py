#!/usr/bin/env python3
"""Dump the default base job template of every Prefect worker type to JSON.

Maintainers run this by hand when Prefect or a worker collection releases; it
is not run in CI. It creates a throwaway virtualenv, pip-installs pinned
versions of ``prefect`` and the worker collections, and then re-runs itself
inside that venv to import each worker class and call
``get_default_base_job_template()``. The results are written to
``schemas/pools/<type>.json`` (Prefect's key order, 2-space indent) plus a
``VERSIONS`` file recording exactly what produced them.

The linter only ever reads these JSON files; it never imports Prefect.

Example:
    python scripts/dump_pool_templates.py
    python scripts/dump_pool_templates.py --prefect 3.9.2 --keep-venv /tmp/pt-venv

"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "schemas" / "pools"

# Newest releases that install together (checked with `pip index versions`).
PINS: dict[str, str] = {
    "prefect": "3.9.1",
    "prefect-docker": "0.7.4",
    "prefect-kubernetes": "0.8.0",
    "prefect-aws": "0.7.12",
    "prefect-gcp": "0.6.22",
    "prefect-azure": "0.4.13",
}

# Not pinned, but they shape the generated JSON schema, so VERSIONS records them.
RECORDED_EXTRA = ("pydantic", "pydantic-core")

# Worker type -> "module:Class".
WORKERS: dict[str, str] = {
    "process": "prefect.workers.process:ProcessWorker",
    "docker": "prefect_docker.worker:DockerWorker",
    "kubernetes": "prefect_kubernetes.worker:KubernetesWorker",
    "ecs": "prefect_aws.workers.ecs_worker:ECSWorker",
    "cloud-run": "prefect_gcp.workers.cloud_run:CloudRunWorker",
    "cloud-run-v2": "prefect_gcp.workers.cloud_run_v2:CloudRunWorkerV2",
    "vertex-ai": "prefect_gcp.workers.vertex:VertexAIWorker",
    "azure-container-instance": "prefect_azure.workers.container_instance:AzureContainerWorker",
}


class DumpError(Exception):
    """A failure reported to the user as a plain message (no traceback)."""


# --------------------------------------------------------------------------
# Inside the venv: import the workers and dump their templates.
# --------------------------------------------------------------------------


def dump_inside_venv(result_file: Path) -> int:
    """Write ``{"templates", "errors", "versions", "python"}`` to *result_file*."""
    templates: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for worker_type, target in WORKERS.items():
        module_name, class_name = target.split(":")
        try:
            worker_cls = getattr(importlib.import_module(module_name), class_name)
            declared = getattr(worker_cls, "type", None)
            if declared != worker_type:
                raise ValueError(f"{target} declares type {declared!r}")
            templates[worker_type] = worker_cls.get_default_base_job_template()
        except Exception as exc:  # reported per worker type below
            errors[worker_type] = f"{type(exc).__name__}: {exc}"
    versions: dict[str, str] = {}
    for dist in (*PINS, *RECORDED_EXTRA):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    result = {
        "templates": templates,
        "errors": errors,
        "versions": versions,
        "python": platform.python_version(),
    }
    result_file.write_text(json.dumps(result), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------
# Outside: build the venv, run the dump, write the files.
# --------------------------------------------------------------------------


def run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    """Run *cmd*; on failure raise DumpError with the tail of its output."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    except OSError as exc:
        raise DumpError(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise DumpError(f"{what} failed (exit {proc.returncode}):\n{tail}")


def venv_python(venv: Path) -> Path:
    """Return the interpreter path inside *venv*."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def prepare_venv(venv: Path, base_python: str, pins: dict[str, str]) -> Path:
    """Create *venv* if needed and install the pinned packages into it."""
    python = venv_python(venv)
    if not python.exists():
        print(f"creating venv {venv}", file=sys.stderr)
        run([base_python, "-m", "venv", str(venv)], "creating the venv")
    reqs = [f"{name}=={version}" for name, version in pins.items()]
    print(f"pip install {' '.join(reqs)}", file=sys.stderr)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", *reqs], "pip install")
    return python


def collect(python: Path, workdir: Path) -> dict[str, Any]:
    """Run this script in dump mode with *python* and return its result."""
    result_file = workdir / "result.json"
    # Keep Prefect from touching ~/.prefect or picking up a user profile.
    env = {**os.environ, "PREFECT_HOME": str(workdir / "prefect-home")}
    env.pop("PREFECT_PROFILES_PATH", None)
    cmd = [str(python), str(Path(__file__).resolve()), "--dump-to", str(result_file)]
    run(cmd, "dumping the templates inside the venv", env=env)
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    return result


def write_outputs(result: dict[str, Any], out: Path) -> None:
    """Write ``<type>.json`` files and ``VERSIONS`` into *out*."""
    errors: dict[str, str] = result["errors"]
    if errors:
        failed = "\n".join(f"  {t}: {msg}" for t, msg in errors.items())
        raise DumpError(f"could not get templates for:\n{failed}\n(nothing written)")
    templates: dict[str, Any] = result["templates"]
    versions: dict[str, str] = result["versions"]
    out.mkdir(parents=True, exist_ok=True)
    for worker_type, template in templates.items():
        text = json.dumps(template, indent=2, ensure_ascii=False) + "\n"
        (out / f"{worker_type}.json").write_text(text, encoding="utf-8")
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    lines = [
        "# Produced by scripts/dump_pool_templates.py; usable as a pip constraints file.",
        *(f"{name}=={versions[name]}" for name in PINS),
        "# not pinned, recorded because they shape the JSON schema:",
        *(f"{name}=={versions[name]}" for name in RECORDED_EXTRA),
        f"# python {result['python']}",
        f"# date {today}",
    ]
    (out / "VERSIONS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        epilog="worker types: " + ", ".join(WORKERS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=DEFAULT_OUT,
        help="output directory (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-venv",
        type=Path,
        metavar="PATH",
        help="use (and keep) the venv at PATH, creating it if missing; "
        "default is a temporary venv deleted afterwards",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter used to create the venv (default: %(default)s)",
    )
    pins = parser.add_argument_group("pinned versions")
    for name, version in PINS.items():
        pins.add_argument(
            f"--{name}",
            metavar="VERSION",
            default=version,
            help=f"version of {name} (default: %(default)s)",
        )
    parser.add_argument("--dump-to", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.dump_to is not None:
        return dump_inside_venv(args.dump_to)
    pins = {name: getattr(args, name.replace("-", "_")) for name in PINS}
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="dump-pool-templates-") as tmp:
            workdir = Path(tmp)
            venv = args.keep_venv.resolve() if args.keep_venv else workdir / "venv"
            python = prepare_venv(venv, args.python, pins)
            write_outputs(collect(python, workdir), args.out)
    except DumpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    elapsed = time.monotonic() - started
    print(f"wrote {len(WORKERS)} templates + VERSIONS to {args.out} ({elapsed:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
