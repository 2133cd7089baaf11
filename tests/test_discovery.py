"""Which files a folder walk picks, and how excludes apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.project.config import ConfigResolver, Overrides
from linter.project.discovery import discover
from tests.conftest import write


def names(tmp_path: Path, paths: list[Path], overrides: Overrides | None = None) -> list[str]:
    resolver = ConfigResolver(overrides, cwd=tmp_path)
    return [t.path.resolve().relative_to(tmp_path).as_posix() for t in discover(paths, resolver)]


def test_walk_finds_prefect_files_anywhere(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", "deployments: []\n")
    write(tmp_path, "team/a/prefect.yml", "deployments: []\n")
    write(tmp_path, "team/a/other.yaml", "x: 1\n")
    write(tmp_path, "node_modules/prefect.yaml", "x: 1\n")
    assert names(tmp_path, [tmp_path]) == ["prefect.yaml", "team/a/prefect.yml"]


def test_gitignore_is_respected(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "generated/prefect.yaml", "x: 1\n")
    write(tmp_path, "sub/.gitignore", "prefect.yml\n")
    write(tmp_path, "sub/prefect.yml", "x: 1\n")
    write(tmp_path, "sub/deeper/prefect.yaml", "x: 1\n")
    assert names(tmp_path, [tmp_path]) == ["sub/deeper/prefect.yaml"]
    assert names(tmp_path, [tmp_path], Overrides(respect_gitignore=False)) == [
        "generated/prefect.yaml", "sub/deeper/prefect.yaml", "sub/prefect.yml"]


def test_gitignore_of_parent_applies_when_walking_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "build-*/\n")
    write(tmp_path, "src/build-1/prefect.yaml", "x: 1\n")
    write(tmp_path, "src/prefect.yaml", "x: 1\n")
    assert names(tmp_path, [tmp_path / "src"]) == ["src/prefect.yaml"]


def test_config_exclude_and_explicit_paths(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nextend-exclude = ["vendor/"]\n')
    target = write(tmp_path, "vendor/prefect.yaml", "x: 1\n")
    write(tmp_path, "prefect.yaml", "x: 1\n")
    assert names(tmp_path, [tmp_path]) == ["prefect.yaml"]
    # named on the command line: linted, unless --force-exclude
    assert names(tmp_path, [target]) == ["vendor/prefect.yaml"]
    assert names(tmp_path, [target], Overrides(force_exclude=True)) == []


def test_explicit_non_prefect_name_is_linted(tmp_path: Path) -> None:
    target = write(tmp_path, "deploy/prod.yaml", "x: 1\n")
    assert names(tmp_path, [target]) == ["deploy/prod.yaml"]


def test_each_file_once(tmp_path: Path) -> None:
    target = write(tmp_path, "prefect.yaml", "x: 1\n")
    assert names(tmp_path, [tmp_path, target, tmp_path]) == ["prefect.yaml"]


@pytest.mark.parametrize("name", ["prefect.yaml", "prefect.yml", "deployment.yaml",
                                  "Dockerfile", "Dockerfile.dev", "x.Dockerfile", "run.sh",
                                  "Makefile", "values.yaml", "a[b].yaml", "PREFECT.YAML", ""])
def test_one_expression_per_kind_matches_as_fnmatch_does(name: str) -> None:
    import fnmatch

    from linter.core.registry import all_rules
    from linter.project.filekinds import kinds, name_matcher

    all_rules()  # the rule families register their kinds
    checked = 0
    for kind in kinds():
        for patterns in (kind.name_patterns, kind.walk_patterns):
            if patterns:
                expected = any(fnmatch.fnmatchcase(name, p) for p in patterns)
                assert bool(name_matcher(patterns)(name)) == expected, (kind.name, name)
                checked += 1
    assert checked >= 3
    assert not name_matcher(())(name)  # no patterns: nothing matches


def test_extend_include_adds_other_file_names(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nextend-include = ["prefect-*.yaml"]\n')
    for name in ("prefect.yaml", "env/prefect-prod.yaml", "env/prefect-dev.yaml",
                 "env/other.yaml", "run.sh"):
        write(tmp_path, name, "deployments: []\n")
    assert names(tmp_path, [tmp_path]) == ["env/prefect-dev.yaml", "env/prefect-prod.yaml",
                                           "prefect.yaml", "run.sh"]


def test_include_replaces_the_default_names(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\ninclude = ["deploy/*.yaml"]\n')
    for name in ("prefect.yaml", "deploy/prod.yaml", "deploy/sub/x.yaml", "other/prod.yaml",
                 "Dockerfile"):
        write(tmp_path, name, "deployments: []\n")
    # scripts stay found by their own kind; the default prefect.yaml is replaced
    assert names(tmp_path, [tmp_path]) == ["Dockerfile", "deploy/prod.yaml"]


def test_include_must_be_a_list_of_strings(tmp_path: Path) -> None:
    from linter.errors import ConfigError

    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\ninclude = [1]\n')
    with pytest.raises(ConfigError, match="`include` must be a list of strings"):
        names(tmp_path, [tmp_path])


def test_a_folder_with_no_file_says_so_and_fails(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "env/prefect-prod.yaml", "deployments: []\n")
    result = cli("check", "--no-cache", "env")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no files matched in env" in result.stderr
    assert "extend-include" in result.stderr
    # with a file found elsewhere, an empty folder is a warning and the run goes on
    write(tmp_path, "ok/prefect.yaml", "deployments: []\n")
    (tmp_path / "empty").mkdir()
    result = cli("check", "--no-cache", "ok", "empty")
    assert result.exit_code == 0
    assert "no files matched in empty" in result.stderr
    assert "1 file checked" in result.stdout
    # and once the name is included, the file is checked
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nextend-include = ["prefect-*.yaml"]\n')
    result = cli("check", "--no-cache", "env")
    assert result.exit_code == 0 and "1 file checked" in result.stdout
