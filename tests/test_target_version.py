"""The target Prefect release: parsing, configuration, inference from pins, CLI and cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.errors import ConfigError
from linter.prefect.releases import NEWEST, TargetError, make_target, parse_version
from linter.project.config import ConfigResolver
from linter.project.target import inferred_target, upper_bound

DAY_OR = """\
deployments:
  - name: nightly
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s-prod
    schedules:
      - cron: "0 3 1 * 1"
        day_or: false
"""


@pytest.mark.parametrize(("text", "version"), [
    ("3.3", (3, 3, 7)),  # a minor means its newest patch, where the data comes from
    ("3.4.23", (3, 4, 23)),
    ("2.10", (2, 10, 21)),
    ("2.12", (2, 12, 999)),  # a minor with no dump: after every change inside it
    (" v3.9.1 ", (3, 9, 1)),
])
def test_parse_version(text: str, version: tuple[int, int, int]) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["3", "three", "3.x", "", "3.4.5.6"])
def test_not_a_version(text: str) -> None:
    with pytest.raises(TargetError, match="not a Prefect version"):
        make_target(text, "--target-version")


def test_older_than_2_10_is_refused() -> None:
    with pytest.raises(TargetError, match="did not exist yet"):
        make_target("2.9", "--target-version")


def test_newer_than_newest_is_the_newest_with_a_note() -> None:
    target = make_target("4.1", "--target-version")
    assert target.version == NEWEST
    assert target.note is not None and "newer than the newest" in target.note


@pytest.mark.parametrize(("spec", "bound"), [
    ("==2.19.9", (2, 19, 9)),
    ("==2.19.*", (2, 19, 9)),
    (">=2.14,<3", (2, 20, 27)),
    (">=2.14, <3.0.0", (2, 20, 27)),
    ("<3.4.23", (3, 4, 22)),
    ("<=3.2.1", (3, 2, 1)),
    ("~=3.3.0", (3, 3, 7)),
    ("^2.19", (2, 20, 27)),  # Poetry caret: below 3.0
    ("~2.19", (2, 19, 9)),
    ("2.16.4", (2, 16, 4)),  # Poetry: a bare version is an exact pin
    (">=2.14", None),  # no upper bound says nothing
])
def test_upper_bound(spec: str, bound: tuple[int, int, int] | None) -> None:
    assert upper_bound(spec) == bound


def test_inferred_from_pyproject_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "etl"\ndependencies = ["prefect-aws>=0.4", "prefect==2.19.9"]\n')
    target = inferred_target(tmp_path)
    assert target is not None
    assert target.version == (2, 19, 9)
    assert "pyproject.toml" in target.source and "prefect==2.19.9" in target.source


def test_inferred_from_poetry_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry.dependencies]\npython = "^3.11"\nprefect = {version = "~3.3", '
        'extras = ["aws"]}\n')
    target = inferred_target(tmp_path)
    assert target is not None and target.version == (3, 3, 7)


def test_inferred_from_requirements(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# pinned\nprefect-docker==0.4.0\nprefect[aws]>=2.14,<2.17 ; python_version>'3.8'\n")
    target = inferred_target(tmp_path)
    assert target is not None and target.version[:2] == (2, 16)
    assert "requirements.txt" in target.source


def test_lock_file_wins_over_a_range(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["prefect>=2.14"]\n')
    (tmp_path / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "prefect"\nversion = "3.4.10"\n')
    target = inferred_target(tmp_path)
    assert target is not None and target.version == (3, 4, 10)
    assert "uv.lock" in target.source


def test_inferred_from_poetry_lock_and_pipfile_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text('{"default": {"prefect": {"version": "==2.16.4"}}}')
    target = inferred_target(tmp_path)
    assert target is not None and target.version == (2, 16, 4)
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "prefect"\nversion = "3.1.2"\n')
    target = inferred_target(tmp_path)
    assert target is not None and target.version == (3, 1, 2)


def test_no_pin_and_unreadable_pins_give_nothing(tmp_path: Path) -> None:
    assert inferred_target(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("not [valid toml")
    (tmp_path / "requirements.txt").write_text("prefect-aws==0.4\nprefect>=2.14\n")
    assert inferred_target(tmp_path) is None


def test_config_key_and_bad_values(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\ntarget-version = "3.3"\n'
                                             '[project]\ndependencies = ["prefect==2.19.9"]\n')
    settings = ConfigResolver(cwd=tmp_path).for_path(tmp_path / "prefect.yaml")
    assert settings.target_version is not None and settings.target_version.version == (3, 3, 7)
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\ntarget-version = "1.0"\n')
    with pytest.raises(ConfigError, match="did not exist yet"):
        ConfigResolver(cwd=tmp_path).for_path(tmp_path / "prefect.yaml")
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\ntarget-version = 3.3\n')
    with pytest.raises(ConfigError, match="must be a string"):
        ConfigResolver(cwd=tmp_path).for_path(tmp_path / "prefect.yaml")


def test_resolver_infers_and_defaults(tmp_path: Path) -> None:
    settings = ConfigResolver(cwd=tmp_path).for_path(tmp_path / "prefect.yaml")
    assert settings.target_version is not None and settings.target_version.version == NEWEST
    (tmp_path / "requirements.txt").write_text("prefect==3.2.15\n")
    settings = ConfigResolver(cwd=tmp_path).for_path(tmp_path / "prefect.yaml")
    assert settings.target_version is not None and settings.target_version.version == (3, 2, 15)


def _write_project(tmp_path: Path, pin: str) -> None:
    (tmp_path / "prefect.yaml").write_text(DAY_OR)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "etl.py").write_text(
        "from prefect import flow\n\n@flow\ndef etl():\n    pass\n")
    (tmp_path / "requirements.txt").write_text(f"{pin}\n")


def test_cli_verbose_names_target_and_source(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write_project(tmp_path, "prefect==3.3.7")
    result = cli("check", "--no-cache", "--select", "V", "--verbose", "prefect.yaml")
    assert result.exit_code == 1
    assert "V001" in result.stdout and "day_or" in result.stdout
    assert "target Prefect 3.3.7, from " in result.stderr
    assert "requirements.txt (prefect==3.3.7)" in result.stderr


def test_cli_option_overrides_pin_and_bad_option_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write_project(tmp_path, "prefect==3.3.7")
    result = cli("check", "--no-cache", "--select", "V", "--target-version", "3.9",
                 "prefect.yaml")
    assert result.exit_code == 0, result.stdout
    result = cli("check", "--target-version", "2.7", "prefect.yaml")
    assert result.exit_code == 2
    assert "did not exist yet" in result.stderr and "Traceback" not in result.stderr
    result = cli("check", "--no-cache", "--select", "V", "--target-version", "4.0",
                 "prefect.yaml")
    assert result.exit_code == 0
    assert result.stderr.count("newer than the newest Prefect") == 1


def test_cache_key_includes_target(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write_project(tmp_path, "prefect==3.3.7")
    first = cli("check", "--select", "V", "prefect.yaml")
    assert first.exit_code == 1
    second = cli("check", "--select", "V", "--target-version", "3.9", "prefect.yaml")
    assert second.exit_code == 0, "a cached 3.3 result was reused for 3.9"
    third = cli("check", "--select", "V", "prefect.yaml")
    assert third.exit_code == 1


def test_pins_are_read_again_only_when_they_change(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The language server resolves the configuration on every check; a large uv.lock is
    parsed once, then again only after its content (or the folder's names) changed."""
    from linter.project import target

    parsed: list[int] = []
    real = target._toml

    def counted(text: str) -> dict[str, object]:
        parsed.append(len(text))
        return real(text)

    monkeypatch.setattr(target, "_toml", counted)
    lock = tmp_path / "uv.lock"
    lock.write_text('[[package]]\nname = "prefect"\nversion = "3.3.7"\n')
    first = inferred_target(tmp_path)
    assert first is not None and first.label.startswith("3.3")
    count = len(parsed)
    assert inferred_target(tmp_path) == first
    assert len(parsed) == count  # nothing read again
    lock.write_text('[[package]]\nname = "prefect"\nversion = "2.20.27"\n')
    second = inferred_target(tmp_path)
    assert second is not None and second.label.startswith("2.20")
    (tmp_path / "requirements.txt").write_text("prefect==3.1.15\n")  # below the lock: same
    assert inferred_target(tmp_path) == second
    lock.unlink()
    third = inferred_target(tmp_path)
    assert third is not None and third.label.startswith("3.1")
