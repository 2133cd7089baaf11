"""D rules: entrypoints, flow parameters, names, pools and template blanks."""

from __future__ import annotations

import textwrap
from pathlib import Path

from linter.core.diagnostics import Diagnostic, Severity
from linter.core.fixer import apply_edits
from linter.core.selection import normalize_selectors
from linter.project.config import ConfigResolver, Overrides
from linter.run.runner import Runner
from tests.conftest import codes, lint, spans, write

FLOWS = '''\
from prefect import flow, task
from typing import Literal, Optional


@flow
def etl(days: int = 1, mode: Literal["full", "delta"] = "full",
        since: Optional[str] = None, ratio: float = 0.5) -> None:
    pass


@flow(name="reports")
def build_reports(days: int, region: str = "eu") -> None:
    pass


@flow
def anything(**extra):
    pass


@task
def load():
    pass
'''


def lint_on_disk(tmp_path: Path, text: str, select: list[str]) -> list[Diagnostic]:
    """Lint ``text`` as ``tmp_path/prefect.yaml`` next to ``flows/etl.py``."""
    write(tmp_path, "flows/etl.py", FLOWS)
    path = write(tmp_path, "prefect.yaml", text)
    overrides = Overrides(select=tuple(normalize_selectors(select, "test")))
    result = Runner(ConfigResolver(overrides, cwd=tmp_path)).lint_path(path)
    assert result is not None
    return result.diagnostics


def deployment(body: str) -> str:
    return "deployments:\n  - name: a\n" + textwrap.indent(textwrap.dedent(body), "    ")


def test_d002_invalid_format_even_in_memory() -> None:
    text = deployment("entrypoint: flows/etl.py\n")
    found = lint(text, select=["D002"])
    assert codes(found) == ["D002"] and spans(text, found) == ["flows/etl.py"]
    assert "names a file but no function" in found[0].message


def test_d003_missing_file_position(tmp_path: Path) -> None:
    text = deployment("entrypoint: flow/etl.py:etl\n")
    found = lint_on_disk(tmp_path, text, ["D003"])
    assert codes(found) == ["D003"]
    assert (found[0].start.row, found[0].start.column) == (3, 17)
    assert spans(text, found) == ["flow/etl.py"]
    assert "relative to this prefect.yaml's folder" in found[0].message
    assert lint_on_disk(tmp_path, deployment("entrypoint: flows/etl.py:etl\n"), ["D003"]) == []


def test_file_checks_need_a_place_on_disk() -> None:
    on_disk = ["D003", "D004", "D005", "D006", "D008", "D009", "D010"]
    assert lint(deployment("entrypoint: flow/etl.py:etl\n"), select=on_disk) == []


def test_d004_unparsable(tmp_path: Path) -> None:
    write(tmp_path, "flows/bad.py", "def etl(:\n")
    found = lint_on_disk(tmp_path, deployment("entrypoint: flows/bad.py:etl\n"), ["D004"])
    assert codes(found) == ["D004"] and "line 1" in found[0].message


def test_d005_missing_function_with_suggestion(tmp_path: Path) -> None:
    text = deployment("entrypoint: flows/etl.py:build_report\n")
    found = lint_on_disk(tmp_path, text, ["D005"])
    assert codes(found) == ["D005"] and spans(text, found) == ["build_report"]
    assert found[0].help == "did you mean `build_reports`?"


def test_d006_not_a_flow(tmp_path: Path) -> None:
    text = deployment("entrypoint: flows/etl.py:load\n")
    found = lint_on_disk(tmp_path, text, ["D006"])
    assert codes(found) == ["D006"] and spans(text, found) == ["load"]
    assert lint_on_disk(tmp_path, deployment("entrypoint: flows/etl.py:etl\n"), ["D006"]) == []


def test_d007_backslashes_safe_fix() -> None:
    text = deployment('entrypoint: "flows\\\\etl.py:etl"\n')
    found = lint(text, select=["D007"], dedent=False)
    assert codes(found) == ["D007"] and found[0].severity is Severity.WARNING
    fix = found[0].fix
    assert fix is not None and fix.is_safe
    assert 'entrypoint: "flows/etl.py:etl"' in apply_edits(text, list(fix.edits))
    assert lint(deployment("entrypoint: flows/etl.py:etl\n"), select=["D007"]) == []


def test_d008_unknown_parameter_in_deployment_and_schedule(tmp_path: Path) -> None:
    text = deployment("""\
        entrypoint: flows/etl.py:etl
        parameters:
          day: 7
          days: 7
        schedules:
          - cron: "0 6 * * *"
            parameters: {full_refresh: true}
        """)
    found = lint_on_disk(tmp_path, text, ["D008"])
    assert [(d.start.row, d.start.column) for d in found] == [(5, 7), (9, 22)]
    assert spans(text, found) == ["day", "full_refresh"]
    assert found[0].help == "did you mean `days`?"
    kwargs = deployment("entrypoint: flows/etl.py:anything\nparameters: {whatever: 1}\n")
    assert lint_on_disk(tmp_path, kwargs, ["D008"]) == []


def test_d009_required_parameter(tmp_path: Path) -> None:
    scheduled = deployment("""\
        entrypoint: flows/etl.py:build_reports
        schedules:
          - cron: "0 6 * * *"
          - cron: "0 7 * * *"
            parameters: {days: 3}
        """)
    found = lint_on_disk(tmp_path, scheduled, ["D009"])
    assert [(d.start.row, d.severity) for d in found] == [(5, Severity.ERROR)]
    assert spans(scheduled, found) == ["cron"]
    manual = deployment("entrypoint: flows/etl.py:build_reports\n")
    found = lint_on_disk(tmp_path, manual, ["D009"])
    assert [d.severity for d in found] == [Severity.INFO]
    given = deployment("entrypoint: flows/etl.py:build_reports\nparameters: {days: 1}\n")
    assert lint_on_disk(tmp_path, given, ["D009"]) == []


def test_d010_types(tmp_path: Path) -> None:
    text = deployment("""\
        entrypoint: flows/etl.py:etl
        parameters:
          days: "7"
          mode: fast
          since: null
          ratio: 1
        """)
    found = lint_on_disk(tmp_path, text, ["D010"])
    assert spans(text, found) == ['"7"', "fast"]
    assert "declares it as an integer" in found[0].message
    assert "'full' or 'delta'" in found[1].message
    relaxed = text + "    enforce_parameter_schema: false\n"
    assert lint_on_disk(tmp_path, relaxed, ["D010"]) == []
    templated = deployment("""\
        entrypoint: flows/etl.py:etl
        parameters: {days: "{{ $DAYS }}"}
        """)
    assert lint_on_disk(tmp_path, templated, ["D010"]) == []


def test_d011_missing_name() -> None:
    text = """\
    deployments:
      - name: null
        entrypoint: flows/etl.py:etl
      - name: b
    """
    found = lint(text, select=["D011"])
    assert codes(found) == ["D011"] and spans(text, found) == ["null"]
    assert "`prefect deploy` skips it" in found[0].message
    single = lint("deployments:\n  - entrypoint: flows/etl.py:etl\n", select=["D011"])
    assert "A deployment name must be provided" in single[0].message


def test_d012_forbidden_characters() -> None:
    text = "deployments:\n  - name: etl/nightly\n  - name: etl-nightly\n"
    found = lint(text, select=["D012"])
    assert codes(found) == ["D012"] and spans(text, found) == ["etl/nightly"]


def test_d013_follows_anchors() -> None:
    text = """\
    definitions:
      pool: &pool {name: k8s}
    deployments:
      - name: a
        work_pool: *pool
      - name: b
        work_pool: {name: null}
    """
    found = lint(text, select=["D013"])
    assert codes(found) == ["D013"] and found[0].start.row == 7  # the anchored pool counts
    assert "D013" in codes(lint(text))  # on by default (a warning)


def test_d014_template_blank() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.set_working_directory:
          directory: FULL_PATH_TO_DIR
    deployments:
      - name: a
        tags: [your-team]
        work_pool:
          name: YOUR_WORK_POOL_NAME
          job_variables: {image: "<your-image>"}
    """
    found = lint(text, select=["D014"])
    assert spans(text, found) == ["FULL_PATH_TO_DIR", "YOUR_WORK_POOL_NAME", '"<your-image>"']


def test_d015_missing_entrypoint_hit_miss_position() -> None:
    from tests.conftest import lint as lint_text

    text = ("deployments:\n"
            "  - name: nightly\n"
            "    work_pool: {name: k8s}\n"
            "  - name: typo\n"
            "    entrypont: flows/etl.py:etl\n"
            "  - name: templated\n"
            "    entrypoint: null\n"
            "  - name: fine\n"
            "    entrypoint: flows/etl.py:etl\n")
    found = [d for d in lint_text(text, select=["D015"])]
    assert [(d.start.row, d.start.column) for d in found] == [(2, 11), (4, 11), (7, 5)]
    assert found[0].message.startswith('deployment "nightly" has no `entrypoint`')
    assert found[1].help == "the key is spelt `entrypont`: write `entrypoint`"
    assert "has `entrypoint: null`" in found[2].message


def test_d014_ordinary_values_are_not_template_blanks() -> None:
    text = """\
    deployments:
      - name: a
        parameters:
          runner: "your_uniq_id"
          note: todo
          owner: Your Team
          image: <your-image>
        work_pool: {name: YOUR-POOL}
    """
    found = lint(text, select=["D014"])
    assert spans(text, found) == ["<your-image>", "YOUR-POOL"]
