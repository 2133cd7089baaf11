"""The declared licence is the shipped one, the sdist carries what its tests need, and the
wheel carries the data the package reads (the rules' examples files)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import linter.rules  # noqa: F401  (registers every rule)
from linter.core.registry import all_rules
from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10 only
    import tomli as tomllib


def test_license_file_is_the_declared_apache_2_0() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert any(c.startswith("Programming Language :: Python :: 3")
               for c in project["classifiers"])


def test_sdist_manifest_carries_what_the_tests_read() -> None:
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8").splitlines()
    for line in ("graft tests", "graft examples", "graft docs", "graft scripts",
                 "include .ci/run"):
        assert line in manifest


def test_package_data_covers_every_examples_file() -> None:
    """The wheel (and the sdist, which carries package data) ships linter/rules/examples/."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["linter.rules"]
    folder = REPO / "linter" / "rules"
    files = sorted(str(p.relative_to(folder)) for p in (folder / "examples").iterdir())
    assert files and all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in files)


@pytest.mark.slow
def test_the_installed_wheel_shows_the_rules_examples(tmp_path: Path) -> None:
    """Built and installed apart from the checkout, the package finds its examples files
    (beside linter/rules/, as Path(__file__) finds them) and every rule page reads the same.
    The wheel is built from a copy of the sources: a checkout's build/ and *.egg-info may
    remember files of an earlier build."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(REPO / name, source / name)
    for folder in ("linter", "schemas"):
        shutil.copytree(REPO / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source),
                    "-w", str(tmp_path / "wheel")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "wheel").glob("prefect_lint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("linter/rules/examples/")}
    assert shipped == {f"linter/rules/examples/{p.name}"
                       for p in (REPO / "linter" / "rules" / "examples").iterdir()}
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True, capture_output=True)
    script = ("import json, linter.rules\n"
              "from linter.core.registry import all_rules\n"
              "print(json.dumps({r.code: [r.examples, r.doc] for r in all_rules()}))\n")
    installed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True,
                               capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(tmp_path / "site")})
    here = {rule.code: rule.doc for rule in all_rules()}
    there = json.loads(installed.stdout)
    assert sorted(there) == sorted(here)
    for code, (path, doc) in there.items():
        assert Path(path).is_relative_to(tmp_path / "site"), path
        assert doc == here[code], code
