"""Which open documents a change to another file affects."""

from __future__ import annotations

from pathlib import Path

from linter.lsp.dependents import Dependents


def test_a_file_affects_the_documents_whose_check_looked_at_it(tmp_path: Path) -> None:
    dependents = Dependents()
    flow = str(tmp_path / "a" / "flows" / "etl.py")
    dependents.record("uri-a", str(tmp_path / "a" / "prefect.yaml"), [flow])
    dependents.record("uri-b", str(tmp_path / "b" / "prefect.yaml"), [])
    assert dependents.affected_by(flow) == ["uri-a"]
    assert dependents.affected_by(str(tmp_path / "a" / "flows" / "other.py")) == []
    dependents.forget("uri-a")
    assert dependents.affected_by(flow) == []


def test_a_configuration_file_affects_every_document_below_its_folder(tmp_path: Path) -> None:
    dependents = Dependents()
    dependents.record("top", str(tmp_path / "prefect.yaml"), [])
    dependents.record("nested", str(tmp_path / "a" / "b" / "prefect.yaml"), [])
    dependents.record("beside", str(tmp_path.parent / "elsewhere" / "prefect.yaml"), [])
    assert dependents.affected_by(str(tmp_path / "pyproject.toml")) == ["nested", "top"]
    assert dependents.affected_by(str(tmp_path / "a" / "prefect-lint.toml")) == ["nested"]
    assert dependents.affected_by(str(tmp_path / "a" / "settings.toml")) == []
