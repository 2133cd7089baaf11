"""Our matcher for simple gitignore patterns agrees with pathspec, and with git itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pathspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linter.project.ignore_patterns import SimpleSpec, compile_patterns, parse_simple

NAMES = ["a", "b", "ab", ".a", "a.b", "b.yaml", "build", "x y"]
GLOB_PIECES = ["a", "b", ".", "*", "?", "yaml", "build", " "]

names = st.sampled_from(NAMES)
paths = st.builds(
    lambda parts, folder: "/".join(parts) + ("/" if folder else ""),
    st.lists(names, min_size=1, max_size=4), st.booleans())
globs = st.lists(st.sampled_from(GLOB_PIECES), min_size=1, max_size=3).map("".join).filter(
    lambda glob: "**" not in glob)
patterns = st.builds(
    lambda lead, parts, trail: ("/" if lead else "") + "/".join(parts) + ("/" if trail else ""),
    st.booleans(), st.lists(globs, min_size=1, max_size=3), st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=4), st.lists(paths, min_size=1, max_size=6))
def test_simple_patterns_match_as_pathspec_does(lines: list[str], files: list[str]) -> None:
    ours = compile_patterns(lines)
    assume(isinstance(ours, SimpleSpec))  # a few generated lists are not simple ("/ ")
    reference = pathspec.GitIgnoreSpec.from_lines(lines)
    for file in files:
        assert ours.match_file(file) == reference.match_file(file), (lines, file)


@pytest.mark.parametrize("pattern", ["!keep", "**/x", "a/**", "[ab]", "a\\ b", "/", "a//b",
                                     "\\#x"])
def test_anything_else_goes_to_pathspec(pattern: str) -> None:
    assert parse_simple(pattern) is None
    assert not isinstance(compile_patterns(["build", pattern]), SimpleSpec)


def test_comments_and_blank_lines_match_nothing() -> None:
    spec = compile_patterns(["# build", "", "   ", "dist/"])
    assert isinstance(spec, SimpleSpec)
    assert not spec.match_file("build/x.yaml") and spec.match_file("dist/x.yaml")


TABLE = ["*.pyc", "build/", "/top.yaml", "docs/*.md", "node_modules", ".venv", "a?c",
         "deep/er/", "*.yaml ", "x y"]
FILES = ["m.pyc", "sub/m.pyc", "build/p.yaml", "sub/build/p.yaml", "build", "top.yaml",
         "sub/top.yaml", "docs/a.md", "docs/sub/a.md", "sub/docs/a.md", "node_modules/x/y",
         ".venv/bin/python", "abc", "sub/axc", "deep/er/f", "deep/er", "f.yaml", "x y",
         "keep.txt"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_table_of_patterns_against_git_check_ignore(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("\n".join(TABLE) + "\n")
    for file in FILES:
        path = tmp_path / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("x\n")
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=tmp_path,
                          input="\n".join(FILES) + "\n", capture_output=True, text=True)
    ignored_by_git = set(done.stdout.splitlines())
    spec = compile_patterns(TABLE)
    assert isinstance(spec, SimpleSpec)
    ours = {file for file in FILES if spec.match_file(file + ("/" if (
        tmp_path / file).is_dir() else ""))}
    assert ours == ignored_by_git
    assert len(ours) >= 10
