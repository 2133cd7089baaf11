"""linter.prefect.entrypoints: entrypoints resolved and read with ast, never imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.prefect import entrypoints as flows
from linter.prefect.entrypoints import Status, resolve, split_entrypoint
from tests.conftest import write

ETL = """\
import prefect
from prefect import flow as prefect_flow, task


@prefect_flow(log_prints=True)
def etl(days: int = 1, *, full: bool) -> None:
    pass


@prefect.flow
async def async_etl(**options):
    pass


@task
def load():
    pass


def helper(x):
    pass


class Pipelines:
    @staticmethod
    @prefect_flow
    def nightly(region: str = "eu"):
        pass

    def plain(self):
        pass


wrapped = prefect_flow(name="w")(helper)

if __name__ == "__main__":
    def only_when_run():
        pass
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "flows/etl.py", ETL)
    return tmp_path


def test_flow_with_alias_and_parameters(root: Path) -> None:
    found = resolve("flows/etl.py:etl", root)
    assert found.status is Status.FOUND and found.function is not None
    assert found.function.is_flow is True
    assert [(p.name, p.required) for p in found.function.parameters] == [
        ("days", False), ("full", True)]
    assert found.function.takes_any_keyword is False


def test_async_flow_through_module_attribute_takes_kwargs(root: Path) -> None:
    found = resolve("flows/etl.py:async_etl", root)
    assert found.function is not None and found.function.is_flow is True
    assert found.function.takes_any_keyword is True


@pytest.mark.parametrize("name", ["load", "helper"])
def test_task_and_plain_function_are_not_flows(root: Path, name: str) -> None:
    found = resolve(f"flows/etl.py:{name}", root)
    assert found.function is not None and found.function.is_flow is False


def test_class_method_flow_and_plain_method(root: Path) -> None:
    method = resolve("flows/etl.py:Pipelines.nightly", root).function
    assert method is not None and method.is_flow is True
    assert [p.name for p in method.parameters] == ["region"]
    plain = resolve("flows/etl.py:Pipelines.plain", root).function
    assert plain is not None and plain.is_flow is False and plain.parameters == ()
    assert resolve("flows/etl.py:Pipelines.missing", root).status is Status.NO_OBJECT


def test_flow_call_assignment_uses_the_wrapped_signature(root: Path) -> None:
    found = resolve("flows/etl.py:wrapped", root).function
    assert found is not None and found.is_flow is True
    assert [p.name for p in found.parameters] == ["x"]


def test_missing_function_lists_names_but_not_main_block(root: Path) -> None:
    found = resolve("flows/etl.py:only_when_run", root)
    assert found.status is Status.NO_OBJECT
    assert "etl" in found.names and "only_when_run" not in found.names


def test_module_paths_resolve_under_the_root(root: Path) -> None:
    write(root, "flows/__init__.py", "")
    assert resolve("flows.etl:etl", root).status is Status.FOUND
    assert resolve("flows.etl.etl", root).status is Status.FOUND
    assert resolve("installed_pkg.flows:main", root).status is Status.UNKNOWN


def test_windows_backslashes_still_find_the_file(root: Path) -> None:
    assert resolve("flows\\etl.py:etl", root).status is Status.FOUND


def test_missing_file(root: Path) -> None:
    found = resolve("flows/nope.py:etl", root)
    assert found.status is Status.NO_FILE and found.path == root / "flows/nope.py"


@pytest.mark.parametrize(
    ("text", "words"),
    [("flows/etl.py", "names a file but no function"),
     ("etl", "is neither"),
     ("flows/etl:etl", "does not end in `.py`"),
     ("flows/etl.py:not-a-name", "is not a Python name")],
)
def test_bad_formats(text: str, words: str) -> None:
    problem = split_entrypoint(text)
    assert isinstance(problem, str) and words in problem


def test_syntax_error_binary_and_huge_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "broken.py", "def etl(:\n    pass\n")
    found = resolve("broken.py:etl", tmp_path)
    assert found.status is Status.UNPARSABLE and "line 1" in found.detail
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02def etl(): pass")
    assert resolve("binary.py:etl", tmp_path).status is Status.UNPARSABLE
    monkeypatch.setattr(flows, "MAX_SOURCE_BYTES", 10)
    write(tmp_path, "big.py", "from prefect import flow\n@flow\ndef etl(): pass\n")
    found = resolve("big.py:etl", tmp_path)
    assert found.status is Status.UNKNOWN and found.detail.startswith("skipped")


def test_imported_or_star_imported_names_are_unknown(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "from .impl import etl\n")
    write(tmp_path, "b.py", "from .impl import *\n")
    assert resolve("a.py:etl", tmp_path).status is Status.UNKNOWN
    assert resolve("b.py:etl", tmp_path).status is Status.UNKNOWN


def test_unknown_decorator_is_not_judged(tmp_path: Path) -> None:
    write(tmp_path, "c.py", "from mylib import retrying\n@retrying\ndef etl(): pass\n")
    found = resolve("c.py:etl", tmp_path).function
    assert found is not None and found.is_flow is None
