"""L011: legacy deployment.yaml files, recognised by content whatever their name."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.registry import all_rules
from linter.project.filekinds import kind_for_file
from tests.conftest import CORPUS, codes, corpus_params, lint, spans, write

GENERATED = """\
###
### A complete description of a Prefect Deployment for flow 'etl'
###
name: nightly
work_queue_name: default
infra_overrides: {}

###
### DO NOT EDIT BELOW THIS LINE
###
flow_name: etl
storage: null
entrypoint: flows/etl.py:etl
"""

all_rules()  # registers the legacy kind


def test_l011_generated_file_reported_once_at_header() -> None:
    found = lint(GENERATED, filename="anything.yaml")
    assert codes(found) == ["L011"]
    assert (found[0].start.row, found[0].start.column) == (2, 1)
    assert spans(GENERATED, found) == [
        "### A complete description of a Prefect Deployment for flow 'etl'"]
    assert "prefect-lint migrate anything.yaml" in found[0].message
    assert "flow 'etl'" in found[0].message


def test_l011_hand_written_file_points_at_first_legacy_key() -> None:
    text = 'name: "local"\nflow: "./hello.py"\nwork_queue_name: "default"\n'
    found = lint(text, filename="x.yaml")
    assert codes(found) == ["L011"]
    assert spans(text, found) == ["work_queue_name"]
    assert "agent-era" in found[0].message


@pytest.mark.parametrize("head,expected", [
    (GENERATED, "legacy"),
    (GENERATED.replace("\n", "\r\n"), "legacy"),
    ("flow_name: etl\nentrypoint: a.py:f\nstorage: null\n", "legacy"),
    ("deployments:\n  - name: a\n    storage: null\n", "prefect"),
    ("name: proj\nwork_pool_name: x\n", "prefect"),
])
def test_sniffer(head: str, expected: str) -> None:
    assert kind_for_file(Path("whatever.yaml"), head) == expected


def test_l011_miss_on_prefect_yaml() -> None:
    assert "L011" not in codes(lint("deployments:\n  - name: a\n"))


def test_folder_walk_finds_legacy_files_by_content(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "flows/etl-deployment.yaml", GENERATED)
    write(tmp_path, "k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    write(tmp_path, "other.yaml", GENERATED)  # not a walk name: only when named
    result = cli("check", "--select", "L011", "--output-format", "concise", ".")
    assert result.exit_code == 1
    assert "flows/etl-deployment.yaml:2:1: L011" in result.output
    assert "k8s" not in result.output and "other.yaml" not in result.output


def test_shipped_example_is_reported(cli) -> None:  # type: ignore[no-untyped-def]
    repo = Path(__file__).resolve().parents[2]
    result = cli("check", "--output-format", "concise", str(repo / "examples"))
    assert "legacy/etl-deployment.yaml:2:1: L011" in result.output


@pytest.mark.parametrize("path", corpus_params("legacy_deployment"),
                         ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_every_corpus_legacy_file_is_recognised(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert kind_for_file(path, text[:4096]) == "legacy"
    assert codes(lint(text, select=["L"], filename=path.name, dedent=False)) == ["L011"]
