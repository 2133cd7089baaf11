#!/usr/bin/env python3
"""Write ``schemas/steps.json``: every known deployment step, its arguments and its outputs.

Maintainers run this by hand when Prefect or a collection releases; CI does not run it (a slow
test checks the shipped catalogue against the real signatures instead). The script needs a
Python with the pinned packages installed; without ``--python`` it builds a throwaway venv,
installs ``PINS`` into it and re-runs itself there.

What comes from where:
* arguments, required/optional, defaults, ``**kwargs``: ``inspect.signature`` of the real
  function (decorators such as prefect-docker's ``@cacheable`` are unwrapped);
* types: the annotation, reduced to JSON type names (``str`` -> ``string``, ``Optional[X]``
  adds ``null``; an unannotated argument takes the type of its default);
* outputs: the keys of the dict literals (or ``dict(...)`` calls) the function returns, read
  from its source with ``ast``;
* mutually exclusive arguments, secret-bearing arguments and hints for arguments people
  often pass by mistake: ``OVERLAY`` below, written by hand from each function's body and
  docstring.

The linter only reads the JSON; it never imports Prefect.

Example:
    python scripts/dump_step_catalogue.py --python /tmp/venv/bin/python
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import inspect
import json
import subprocess
import sys
import tempfile
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "schemas" / "steps.json"

PINS: dict[str, str] = {
    "prefect": "3.9.1",
    "prefect-docker": "0.7.4",
    "prefect-aws": "0.7.12",
    "prefect-gcp": "0.6.22",
    # the extra brings azure-storage-blob, which prefect_azure.deployments.steps imports
    "prefect-azure[blob-storage]": "0.4.13",
}

#: step module -> (distribution that ships it, function names that are steps)
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "prefect.deployments.steps": (
        "prefect",
        (
            "git_clone",
            "set_working_directory",
            "pull_from_remote_storage",
            "pull_with_block",
            "run_shell_script",
            "pip_install_requirements",
        ),
    ),
    "prefect_docker.deployments.steps": (
        "prefect-docker",
        ("build_docker_image", "push_docker_image"),
    ),
    "prefect_aws.deployments.steps": ("prefect-aws", ("push_to_s3", "pull_from_s3")),
    "prefect_gcp.deployments.steps": ("prefect-gcp", ("push_to_gcs", "pull_from_gcs")),
    "prefect_azure.deployments.steps": (
        "prefect-azure",
        ("push_to_azure_blob_storage", "pull_from_azure_blob_storage"),
    ),
}

#: Other spellings Prefect's ``import_object`` accepts for the same functions.
ALIASES: dict[str, str] = {
    "prefect.deployments.steps.pull": "prefect.deployments.steps",
    "prefect.deployments.steps.utility": "prefect.deployments.steps",
}

#: Facts no signature shows, read from each function's body (see the notes).
OVERLAY: dict[str, dict[str, Any]] = {
    "prefect.deployments.steps.git_clone": {
        "exclusive": [["access_token", "credentials"]],
        "secrets": ["access_token", "credentials.access_token", "credentials.password",
                    "credentials.token"],
        "notes": "access_token and credentials together raise ValueError('Please provide "
                 "either an access token or credentials but not both.')",
        "hints": {
            "directory": "git_clone clones into the current folder: `clone_directory_name` "
                         "names the clone's folder, and a later `set_working_directory` step "
                         "changes folder",
            "token": "the argument is `access_token`",
        },
    },
    "prefect_docker.deployments.steps.push_docker_image": {
        "secrets": ["credentials.password"],
    },
    "prefect_aws.deployments.steps.push_to_s3": {
        "secrets": ["credentials.aws_secret_access_key", "credentials.aws_session_token",
                    "credentials.minio_root_password"],
    },
    "prefect_aws.deployments.steps.pull_from_s3": {
        "secrets": ["credentials.aws_secret_access_key", "credentials.aws_session_token",
                    "credentials.minio_root_password"],
    },
    "prefect_gcp.deployments.steps.push_to_gcs": {
        "secrets": ["credentials.service_account_info"],
    },
    "prefect_gcp.deployments.steps.pull_from_gcs": {
        "secrets": ["credentials.service_account_info"],
    },
    "prefect_azure.deployments.steps.push_to_azure_blob_storage": {
        "secrets": ["credentials.connection_string", "credentials.client_secret"],
    },
    "prefect_azure.deployments.steps.pull_from_azure_blob_storage": {
        "secrets": ["credentials.connection_string", "credentials.client_secret"],
    },
}

_SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    list: "array",
    tuple: "array",
    dict: "object",
    type(None): "null",
}


def json_types(annotation: Any, default: Any) -> list[str] | None:
    """JSON type names an annotation allows; None when anything goes."""
    if annotation is inspect.Parameter.empty:
        if default is inspect.Parameter.empty or default is None:
            return None
        name = _SIMPLE_TYPES.get(type(default))
        return [name] if name else None
    names = _annotation_types(annotation)
    return sorted(names) if names is not None else None


def _annotation_types(annotation: Any) -> set[str] | None:
    if annotation is Any:
        return None
    if isinstance(annotation, str):  # an unresolved forward reference such as "Block"
        return {"object"} if annotation in {"Block"} else None
    if isinstance(annotation, typing.ForwardRef):
        return _annotation_types(annotation.__forward_arg__)
    if annotation in _SIMPLE_TYPES:
        return {_SIMPLE_TYPES[annotation]}
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        found: set[str] = set()
        for member in typing.get_args(annotation):
            member_types = _annotation_types(member)
            if member_types is None:
                return None
            found |= member_types
        return found
    if origin in _SIMPLE_TYPES:
        return {_SIMPLE_TYPES[origin]}
    if origin is typing.Literal:
        return {_SIMPLE_TYPES.get(type(value), "string") for value in typing.get_args(annotation)}
    if typing.is_typeddict(annotation) or (
        isinstance(annotation, type) and issubclass(annotation, dict)
    ):
        return {"object"}
    if isinstance(annotation, type) and annotation.__name__ in {"Block"}:
        return {"object"}
    return None


def output_keys(function: Any) -> list[str] | None:
    """Keys of the dicts the function returns (dict literals or ``dict(k=...)`` calls)."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source)
    keys: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Dict):
            for key in value.keys:
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    return None
                keys.add(key.value)
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
              and value.func.id == "dict" and not value.args):
            keys.update(keyword.arg for keyword in value.keywords if keyword.arg)
        else:
            return None
    return sorted(keys) if keys else None


def describe_step(module_name: str, function_name: str, distribution: str) -> dict[str, Any]:
    module = importlib.import_module(module_name)
    function = getattr(module, function_name)
    real = inspect.unwrap(function)
    signature = inspect.signature(real)
    arguments: dict[str, Any] = {}
    var_keyword: str | None = None
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            var_keyword = parameter.name
            continue
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        try:
            hints = typing.get_type_hints(real)
        except Exception:  # an unresolvable forward reference ("Block")
            hints = {}
        annotation = hints.get(parameter.name, parameter.annotation)
        entry: dict[str, Any] = {"required": parameter.default is inspect.Parameter.empty}
        types_allowed = json_types(annotation, parameter.default)
        if types_allowed is not None:
            entry["type"] = types_allowed
        if parameter.default is not inspect.Parameter.empty:
            entry["default"] = parameter.default
        arguments[parameter.name] = entry
    version = importlib.metadata.version(distribution)
    source_file = inspect.getsourcefile(real) or ""
    relative = source_file.split("site-packages/", 1)[-1]
    description: dict[str, Any] = {
        "_source": f"{distribution} {version} ({relative})",
        "arguments": arguments,
        "var_keyword": var_keyword,
        "outputs": output_keys(real),
    }
    fqn = f"{module_name}.{function_name}"
    overlay = OVERLAY.get(fqn, {})
    description["exclusive"] = overlay.get("exclusive", [])
    description["secrets"] = overlay.get("secrets", [])
    if "hints" in overlay:
        description["hints"] = overlay["hints"]
    if "notes" in overlay:
        description["notes"] = overlay["notes"]
    return description


def build_catalogue() -> dict[str, Any]:
    steps: dict[str, Any] = {}
    for module_name, (distribution, functions) in MODULES.items():
        for function_name in functions:
            steps[f"{module_name}.{function_name}"] = describe_step(
                module_name, function_name, distribution
            )
    return {
        "_comment": "Generated by scripts/dump_step_catalogue.py; do not edit by hand.",
        "_versions": {
            name: importlib.metadata.version(name) for name in (pin.split("[")[0] for pin in PINS)
        },
        "modules": {module: dist for module, (dist, _) in MODULES.items()},
        "aliases": ALIASES,
        "steps": steps,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="a Python that has the pinned packages installed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inside:
        catalogue = build_catalogue()
        options.out.write_text(json.dumps(catalogue, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {len(catalogue['steps'])} steps to {options.out}")
        return 0
    python = options.python
    if python is None:
        venv = Path(tempfile.mkdtemp(prefix="step-catalogue-"))
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        pins = [f"{name}=={version}" for name, version in PINS.items()]
        subprocess.run([python, "-m", "pip", "install", "--quiet", *pins], check=True)
    done = subprocess.run(
        [python, str(Path(__file__).resolve()), "--inside", "--out", str(options.out)],
        check=False,
    )
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
