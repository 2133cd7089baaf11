"""Kinds of file prefect-lint understands, and how a file's kind is decided.

A kind is claimed by file name for folder walks (``prefect.yaml``), and may also be recognised
by content (a legacy ``deployment.yaml`` whatever its name). Rules say which kinds they check.
Every kind is declared here, so a folder walk knows them all without loading a rule; the
recognisers are Prefect knowledge (``linter.prefect``). Kinds of later features are added with
``register_kind``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

from linter.prefect.legacy_files import LEGACY, looks_like_legacy_deployment
from linter.prefect.python_files import imports_prefect
from linter.prefect.scripts import SCRIPT, looks_like_script
from linter.reading import InputError, read_head

PREFECT = "prefect"
PYTHON = "python"
PYTHON_SUFFIXES = (".py",)


class FileKind(NamedTuple):
    name: str
    description: str
    #: glob patterns on the file name that a folder walk picks up
    name_patterns: tuple[str, ...] = ()
    #: given the first part of a YAML file's text, does it belong to this kind?
    sniff: Callable[[str], bool] | None = None
    #: True: YAML files only; False: other files only; None: both (sniffed either way)
    yaml: bool | None = True
    #: glob patterns on the file name that a folder walk reads and keeps only when ``sniff``
    #: confirms the content (``*-deployment.yaml`` may be a Kubernetes manifest)
    walk_patterns: tuple[str, ...] = ()


_KINDS: list[FileKind] = [
    FileKind(PREFECT, "Prefect deployment configuration", ("prefect.yaml", "prefect.yml")),
    FileKind(
        LEGACY,
        "Prefect 2 deployment.yaml (prefect deployment build)",
        sniff=looks_like_legacy_deployment,
        walk_patterns=("*deployment.yaml", "*deployment.yml"),
    ),
    FileKind(
        SCRIPT,
        "scripts and infrastructure files (shell, Dockerfile, Makefile, CI, compose, "
        "Kubernetes, Helm, Terraform)",
        name_patterns=(
            "*Dockerfile", "Dockerfile.*", "*.dockerfile", "Containerfile", "Makefile",
            "makefile", "GNUmakefile", "*.mk", "*.sh", "*.bash", "*.tf", "docker-compose*.yml",
            "docker-compose*.yaml", "compose.yml", "compose.yaml", ".gitlab-ci.yml",
            "*values.yaml", "*values.yml", "values-*.yaml", "values-*.yml",
        ),
        sniff=looks_like_script,
        yaml=None,
    ),
    # a folder walk keeps only the Python files that import prefect or a prefect_* collection
    # in their first 16 KiB (read, never run); a .py file named explicitly is always one
    FileKind(PYTHON, "Python scripts that deploy flows", sniff=imports_prefect, yaml=False,
             walk_patterns=("*.py",)),
]


#: Keys that make a YAML mapping Prefect's: its top-level keys, and the keys of a deployment
#: entry (people write a deployment at the top level; that is a Prefect file with a mistake).
#: Generic words other tools share (`version`, `description`, `tags`, `env`) do not count.
PREFECT_KEYS = frozenset({
    "prefect-version", "prefect_version", "name", "build", "push", "pull", "deployments",
    "definitions", "entrypoint", "work_pool", "schedules", "schedule", "parameters",
    "flow_name", "work_queue_name", "enforce_parameter_schema", "concurrency_limit",
    "triggers", "infra_overrides",
})


def is_foreign_configuration(data: object) -> bool:
    """A YAML mapping with none of Prefect's keys, nor a misspelling of one (`deploymnets:`
    is Prefect's file with a typo): another tool's file, such as a go-task Taskfile named
    ``prefect.yml``. Prefect's own rules have nothing to say about it."""
    if not isinstance(data, dict) or not data:
        return False
    from linter.suggest import did_you_mean

    return not any(isinstance(key, str) and (key in PREFECT_KEYS or did_you_mean(
        key, PREFECT_KEYS) is not None) for key in data)


def register_kind(kind: FileKind) -> None:
    if any(existing.name == kind.name for existing in _KINDS):
        raise ValueError(f"file kind {kind.name} registered twice")
    _KINDS.append(kind)


def kinds() -> list[FileKind]:
    return list(_KINDS)


def kind_for_name(path: Path) -> FileKind | None:
    """The kind a folder walk gives this file by its name alone, if any."""
    name = path.name
    for kind in _KINDS:
        if name_matcher(kind.name_patterns)(name):
            return kind
    return None


@cache
def name_matcher(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """Does a file name match any of these glob patterns (as ``fnmatchcase``)? One regular
    expression for them all: compiling one per pattern cost every run a few milliseconds.
    No patterns match nothing (an empty expression would match every name)."""
    if not patterns:
        return lambda name: None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match


YAML_SUFFIXES = (".yaml", ".yml")
WALK_SNIFF_CHARS = 4096


def wanted_in_walk(path: Path, included: Callable[[Path], bool] | None = None) -> bool:
    """Does a folder walk lint this file? Claimed by name, or by a walk pattern whose kind
    recognises the file's first characters. ``included``, when given, decides for Prefect
    deployment files instead of their default names (the ``include`` settings)."""
    if included is not None:
        if included(path):
            return True
        claimed = kind_for_name(path)
        if claimed is not None and claimed.name != PREFECT:
            return True
    elif kind_for_name(path) is not None:
        return True
    name = path.name
    for kind in _KINDS:
        if kind.sniff is None or not name_matcher(kind.walk_patterns)(name):
            continue
        try:
            head = read_head(path, WALK_SNIFF_CHARS * 4).decode("utf-8", errors="replace")
        except InputError:
            # let the linter report why it cannot be read (a FIFO is not opened); a Python
            # file is only ours when it shows a Prefect import, which this one cannot
            if kind.name == PYTHON:
                continue
            return True
        if kind.name != PYTHON:  # imports may follow a long licence header or docstring
            head = head[:WALK_SNIFF_CHARS]
        if kind.sniff(head.lstrip("\ufeff")):
            return True
    return False


def kind_for_file(path: Path, head: str) -> str | None:
    """The kind of a file about to be linted: content sniffing first, then the name, and
    ``prefect`` for any other YAML file named explicitly (``prefect deploy --prefect-file``).
    None for a file no rule checks."""
    suffix = path.suffix.lower()
    if suffix in PYTHON_SUFFIXES:
        return PYTHON
    is_yaml = suffix in YAML_SUFFIXES
    for kind in _KINDS:
        if kind.name == PYTHON:
            continue
        if kind.sniff is not None and kind.yaml in (None, is_yaml) and kind.sniff(head):
            return kind.name
    by_name = kind_for_name(path)
    if by_name is not None:
        return by_name.name
    return PREFECT if is_yaml else None
