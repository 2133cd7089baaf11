"""Configuration discovery, precedence and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.diagnostics import Severity
from linter.errors import ConfigError
from linter.project.config import ConfigResolver, Overrides, read_config_file
from tests.conftest import write


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nignore = ["D001"]\n')
    write(tmp_path, "sub/prefect-lint.toml", 'ignore = ["Y002"]\n')
    resolver = ConfigResolver(cwd=tmp_path)
    assert resolver.for_path(tmp_path / "prefect.yaml").ignore == ("D001",)
    assert resolver.for_path(tmp_path / "sub" / "prefect.yaml").ignore == ("Y002",)
    assert resolver.for_path(tmp_path / "sub" / "deep" / "prefect.yaml").ignore == ("Y002",)


def test_prefect_lint_toml_before_pyproject_in_same_folder(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nignore = ["D001"]\n')
    write(tmp_path, "prefect-lint.toml", 'ignore = ["Y002"]\n')
    assert ConfigResolver(cwd=tmp_path).for_path(tmp_path / "x.yaml").ignore == ("Y002",)


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nselect = ["Y"]\n')
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "x"\n')
    assert ConfigResolver(cwd=tmp_path).for_path(tmp_path / "sub" / "a.yaml").select == ("Y",)


def test_cli_overrides_file(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml",
          '[tool.prefect-lint]\nselect = ["Y"]\nignore = ["Y003"]\nfail-level = "error"\n')
    overrides = Overrides(select=("D",), ignore=("D002",), fail_level=Severity.WARNING)
    settings = ConfigResolver(overrides, cwd=tmp_path).for_path(tmp_path / "a.yaml")
    assert settings.select == ("D",)
    assert settings.ignore == ("Y003", "D002")
    assert settings.fail_level is Severity.WARNING


def test_extend_select_adds(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nextend-select = ["Y001"]\n')
    overrides = Overrides(extend_select=("D001",))
    settings = ConfigResolver(overrides, cwd=tmp_path).for_path(tmp_path / "a.yaml")
    assert settings.extend_select == ("Y001", "D001")


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", '[tool.prefect-lint]\nselct = ["Y"]\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: unknown key `selct`"):
        read_config_file(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = "Y"\nfail-level = "fatal"\n', "fail-level"),
        ("select = [1]\n", "`select` must be a list of strings"),
        ('select = ["yamllint"]\n', "not a rule code"),
        ("respect-gitignore = 1\n", "respect-gitignore"),
        ("per-file-ignores = 3\n", "per-file-ignores"),
        ("max-file-size = -1\n", "max-file-size"),
        ('output-format = "xml"\n', "output-format"),
    ],
)
def test_wrong_types(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "prefect-lint.toml", body)
    with pytest.raises(ConfigError, match=message):
        read_config_file(path)


def test_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool.prefect-lint\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config_file(path)


def test_per_file_ignores_relative_to_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml",
          '[tool.prefect-lint.per-file-ignores]\n"legacy/*.yaml" = ["D001"]\n')
    settings = ConfigResolver(cwd=tmp_path).for_path(tmp_path / "legacy" / "prefect.yaml")
    assert settings.ignored_for(tmp_path / "legacy" / "prefect.yaml") == ("D001",)
    assert settings.ignored_for(tmp_path / "prefect.yaml") == ()


def test_explicit_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, "custom.toml", 'select = ["Y001"]\n')
    resolver = ConfigResolver(explicit=path, cwd=tmp_path)
    assert resolver.for_path(tmp_path / "deep" / "x.yaml").select == ("Y001",)


def test_pools_table_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml",
                 '[tool.prefect-lint.pools]\nk8s-prod = "kubernetes"\n')
    settings = read_config_file(path)
    assert settings is not None and settings.extra["pools"] == {"k8s-prod": "kubernetes"}
