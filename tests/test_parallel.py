"""Many files in worker processes give the same report as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import linter.core.registry as registry
from linter.core.dependencies import recording
from linter.core.diagnostics import Diagnostic
from linter.project.config import ConfigResolver, Settings
from linter.project.context import Project
from linter.run.engine import SPLIT_THRESHOLD, RuleCrash, check_document, split_families
from linter.run.parallel import PARALLEL_THRESHOLD, deal, lint_paths
from linter.run.runner import Runner
from linter.source.document import Document
from tests.conftest import write

BROKEN = "deployments:\n  - name: a\n    version: 1.10\n  - name: a\n"


def make_tree(root: Path, count: int) -> list[Path]:
    return [write(root, f"team-{i % 5}/p{i}/prefect.yaml", BROKEN if i % 3 else
                  "deployments: []\n") for i in range(count)]


def test_parallel_equals_serial(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 6)
    runner = Runner(ConfigResolver(cwd=tmp_path))
    serial = lint_paths(runner, paths, jobs=1)
    parallel = lint_paths(runner, paths, jobs=2)
    assert [o.path for o in parallel] == paths
    assert [o.result.diagnostics for o in parallel if o.result] == [
        o.result.diagnostics for o in serial if o.result]


def test_crash_in_worker_is_reported_per_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 2)
    rule = registry.get_rule("D001")
    assert rule is not None

    def boom(context):  # type: ignore[no-untyped-def]
        raise ValueError("kaboom")

    monkeypatch.setitem(registry._RULES, "D001", rule._replace(check=boom))
    outcomes = lint_paths(Runner(ConfigResolver(cwd=tmp_path)), paths, jobs=2)
    assert all(o.error and "kaboom" in o.error for o in outcomes)
    assert all(o.details and "ValueError" in o.details for o in outcomes)


def test_cli_many_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_tree(tmp_path, PARALLEL_THRESHOLD + 6)
    one = json.loads(cli("check", "-j", "1", "--no-cache", "--output-format", "json").output)
    two = json.loads(cli("check", "-j", "2", "--no-cache", "--output-format", "json").output)
    assert one == two and len(one) > PARALLEL_THRESHOLD


@pytest.mark.parametrize(("how", "reason"), [
    ("exit", "failed (exit status 3)"),
    ("kill", "was killed by signal 9"),
])
def test_a_worker_that_dies_fails_only_its_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, reason: str
) -> None:
    import os
    import signal

    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 4)
    parent = os.getpid()
    rule = registry.get_rule("D001")
    assert rule is not None

    def dies_in_a_child(context):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            if how == "exit":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return rule.check(context)

    monkeypatch.setitem(registry._RULES, "D001", rule._replace(check=dies_in_a_child))
    outcomes = lint_paths(Runner(ConfigResolver(cwd=tmp_path)), paths, jobs=2)
    assert [o.path for o in outcomes] == paths
    failed = [o for o in outcomes if o.error]
    checked = [o for o in outcomes if o.result is not None]
    assert failed and checked and len(failed) + len(checked) == len(paths)
    assert all(reason in (o.error or "") and str(o.path) in (o.error or "") for o in failed)


def test_shares_are_balanced_by_size(tmp_path: Path) -> None:
    big = write(tmp_path, "big/prefect.yaml", "# " + "x" * 200_000 + "\n")
    small = [write(tmp_path, f"s{i}/prefect.yaml", "deployments: []\n") for i in range(9)]
    paths = [*small[:4], big, *small[4:]]
    shares = deal(paths, 2)
    assert sorted(i for share in shares for i in share) == list(range(len(paths)))
    (alone,) = [share for share in shares if 4 in share]
    assert alone == [4]  # the big file is one worker's whole share; the other takes the rest


# -- one large file, its rule families split between processes --------------------------------

MIXED_ENTRY = """\
  - name: flow-{i}
    entrypoint: flows/etl.py:etl
    version: 1.{i}
    schedule:
      cron: "61 * * * *"
    work_pool:
      name: pool
      job_variables:
        image: "{{{{ build-image.image | lower }}}}"
    tag: oops
"""


def large_mixed_file(root: Path, count: int = 1_200, threshold: int = SPLIT_THRESHOLD) -> Path:
    """Over the split threshold, with findings of several families in every entry."""
    write(root, "flows/etl.py", "from prefect import flow\n\n@flow\ndef etl():\n    pass\n")
    text = "deployments:\n" + "".join(MIXED_ENTRY.format(i=i % 900) for i in range(count))
    path = write(root, "prefect.yaml", text)
    assert len(text) > threshold
    return path


def check(root: Path, path: Path, jobs: int, rules: list[registry.Rule] | None = None
          ) -> list[Diagnostic]:
    settings = Settings(root=root)
    document = Document.from_text(path.read_text(), "prefect.yaml", path=path)
    chosen = rules if rules is not None else settings.selection.rules()
    return check_document(document, Project(root, settings), chosen, jobs)


def test_a_large_file_split_between_processes_gives_the_same_diagnostics(tmp_path: Path) -> None:
    path = large_mixed_file(tmp_path)
    alone = check(tmp_path, path, jobs=1)
    split = check(tmp_path, path, jobs=2)
    assert split == alone
    assert {d.code[0] for d in alone} >= {"C", "D", "L", "R", "S"}
    assert len(split_families(registry.all_rules(), 2)) == 2


def test_a_crash_in_a_split_child_surfaces_as_in_one_process(tmp_path: Path) -> None:
    path = large_mixed_file(tmp_path)
    rules = registry.all_rules()
    in_child = split_families(rules, 2)[1][0]

    def boom(context):  # type: ignore[no-untyped-def]
        raise ValueError("kaboom")

    broken = [rule._replace(check=boom) if rule is in_child else rule for rule in rules]
    with pytest.raises(RuleCrash, match=f"rule {in_child.code} .*kaboom"):
        check(tmp_path, path, jobs=2, rules=broken)


def test_files_a_split_child_looked_at_reach_the_cache(tmp_path: Path) -> None:
    path = large_mixed_file(tmp_path)
    rules = [r for r in registry.all_rules() if r.family in ("R", "D")]
    assert [g[0].family for g in split_families(rules, 2)] == ["R", "D"]  # D in the child
    with recording() as notes:
        check(tmp_path, path, jobs=2, rules=rules)
    assert str((tmp_path / "flows" / "etl.py").resolve()) in notes


@pytest.mark.parametrize("mode", ["--fix", "--add-suppressions"])
def test_fixing_a_large_split_file_writes_what_one_process_writes(
    cli, tmp_path: Path, mode: str  # type: ignore[no-untyped-def]
) -> None:
    import linter.run.engine

    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        large_mixed_file(folder, count=150, threshold=32_000)
    args = ("check", "--no-cache", *(["--unsafe-fixes"] if mode == "--fix" else []), mode,
            "--output-format", "json")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linter.run.engine, "SPLIT_THRESHOLD", 32_000)  # a smaller file, still split
        patch.chdir(one)
        alone = cli(*args, "-j", "1", "prefect.yaml")
        patch.chdir(two)
        split = cli(*args, "-j", "2", "prefect.yaml")
    assert alone.exit_code == split.exit_code != 2
    assert alone.output == split.output
    fixed = (one / "prefect.yaml").read_text()
    assert fixed == (two / "prefect.yaml").read_text()
    written = large_mixed_file(tmp_path / "three", count=150, threshold=32_000).read_text()
    assert fixed != written  # something was written


def test_when_no_process_can_be_forked_the_work_is_done_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 4)
    runner = Runner(ConfigResolver(cwd=tmp_path))
    serial = lint_paths(runner, paths, jobs=1)
    monkeypatch.setattr(os, "fork", refuse)
    refused = lint_paths(runner, paths, jobs=2)
    assert [o.result.diagnostics for o in refused if o.result] == [
        o.result.diagnostics for o in serial if o.result]
    assert not any(o.error for o in refused)
    large = large_mixed_file(tmp_path / "large")
    assert check(tmp_path / "large", large, jobs=2) == check(tmp_path / "large", large, jobs=1)


@pytest.mark.parametrize("jobs", ["2", "4"])
def test_a_configuration_error_in_a_worker_surfaces_as_in_one_process(
    cli, tmp_path: Path, jobs: str  # type: ignore[no-untyped-def]
) -> None:
    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 6)
    # a pool template that cannot be read, in the configuration of one folder only
    write(paths[7].parent, "pyproject.toml",
          '[tool.prefect-lint.pools]\np = {template = "missing.json"}\n')
    one = cli("check", "-j", "1", "--no-cache")
    many = cli("check", "-j", jobs, "--no-cache")
    assert one.exit_code == many.exit_code == 2
    assert "missing.json" in one.stderr and "worker process" not in many.stderr
    assert many.stderr == one.stderr and many.stdout == one.stdout


def test_the_error_met_first_in_path_order_is_the_one_reported(tmp_path: Path) -> None:
    from linter.errors import ConfigError

    paths = make_tree(tmp_path, PARALLEL_THRESHOLD + 6)
    for index in (3, 11):
        write(paths[index].parent, "pyproject.toml",
              f'[tool.prefect-lint.pools]\np{index} = {{template = "missing.json"}}\n')
    with pytest.raises(ConfigError, match="p3") as serial:
        lint_paths(Runner(ConfigResolver(cwd=tmp_path)), paths, jobs=1)
    with pytest.raises(ConfigError, match="p3") as parallel:
        lint_paths(Runner(ConfigResolver(cwd=tmp_path)), paths, jobs=3)
    assert str(parallel.value) == str(serial.value)


def test_a_child_exception_is_raised_by_result() -> None:
    from linter.core.forking import ChildError, can_fork, fork_call

    if not can_fork():
        pytest.skip("no fork on this platform")

    def config_error() -> None:
        from linter.errors import ConfigError
        raise ConfigError("bad pools")

    class Unpicklable(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"{a}{b}")

    def odd_error() -> None:
        raise Unpicklable(1, 2)

    from linter.errors import ConfigError
    with pytest.raises(ConfigError, match="bad pools"):
        fork_call(config_error).result()
    with pytest.raises(ChildError, match="Unpicklable: 12"):
        fork_call(odd_error).result()
