"""L030-L034: agent-era Prefect 2 code in Python files, each construct on its own row.

The scripts under tests/fixtures/python/agent_era mark every construct the rules must find
with a trailing ``# expect: CODE ...`` comment on its row; the Prefect 3 scripts under
tests/fixtures/python/prefect3 (look-alikes included) must get no error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.core.diagnostics import Severity
from linter.core.registry import all_rules
from linter.prefect.python_agent_era import removal
from linter.project.filekinds import PYTHON, kind_for_file, wanted_in_walk
from linter.source.document import Document
from tests.conftest import codes, lint, spans

all_rules()

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "python"
AGENT_ERA = sorted((FIXTURES / "agent_era").glob("*.py"))
PREFECT3 = sorted((FIXTURES / "prefect3").glob("*.py"))
LEGACY_CODES = ("L030", "L031", "L032", "L033", "L034")
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9 ]+)$")


def check(text: str, select: tuple[str, ...] = LEGACY_CODES) -> list:  # type: ignore[type-arg]
    return lint(text, select=list(select), filename="deploy.py")


def expected_rows(text: str) -> list[tuple[int, str]]:
    found = []
    for row, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found.extend((row, code) for code in match.group(1).split())
    return sorted(found)


@pytest.mark.parametrize("path", AGENT_ERA, ids=[p.name for p in AGENT_ERA])
def test_every_agent_era_construct_is_found_on_its_own_row(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = check(text)
    assert sorted((d.start.row, d.code) for d in found) == expected_rows(text)
    assert all(d.severity is Severity.ERROR for d in found)


def test_the_fixtures_cover_every_construct() -> None:
    every = [code for path in AGENT_ERA
             for _, code in expected_rows(path.read_text(encoding="utf-8"))]
    assert set(every) == set(LEGACY_CODES)
    assert len(every) >= 40


@pytest.mark.parametrize("path", PREFECT3, ids=[p.name for p in PREFECT3])
def test_prefect3_scripts_get_no_error(path: Path) -> None:
    found = lint(path.read_text(encoding="utf-8"), select=["ALL"], filename=path.name)
    assert [d for d in found if d.severity is Severity.ERROR] == []
    assert not [d for d in found if d.code in LEGACY_CODES]


def test_names_are_resolved_through_aliases_and_attribute_chains() -> None:
    text = (
        "import prefect.deployments as pd\n"
        "import prefect\n"
        "from prefect.deployments import Deployment as D\n"
        "pd.Deployment(name='a')\n"
        "prefect.deployments.Deployment.build_from_flow(flow=f, name='b')\n"
        "D(name='c')\n"
    )
    found = [d for d in check(text) if d.code == "L031"]
    assert [d.start.row for d in found] == [4, 5, 6]
    assert spans(text, found) == ["pd.Deployment", "prefect.deployments.Deployment.build_from_flow",
                                  "D"]


def test_text_in_strings_comments_and_docstrings_is_not_code() -> None:
    text = (
        '"""from prefect.deployments import Deployment"""\n'
        "# Deployment.build_from_flow(flow=f).apply()\n"
        "HELP = 'KubernetesJob(image=x) and infrastructure=...'\n"
    )
    assert check(text) == []


def test_a_name_of_our_own_is_not_prefects() -> None:
    text = "class Deployment:\n    pass\n\nDeployment().apply()\nKubernetesJob()\n"
    assert check(text) == []


def test_imports_in_version_guards_are_not_flagged() -> None:
    text = (
        "import prefect\n"
        "try:\n    from prefect.deployments import Deployment\n"
        "except (ImportError, AttributeError):\n    Deployment = None\n"
        "if prefect.__version__.startswith('2'):\n    from prefect.agent import PrefectAgent\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from prefect.infrastructure import Process\n"
    )
    assert check(text) == []
    unguarded = "try:\n    from prefect.deployments import Deployment\nexcept KeyError:\n    pass\n"
    assert codes(check(unguarded)) == ["L030"]


def test_a_multi_line_import_is_reported_on_its_first_row_with_every_name() -> None:
    text = "from prefect.filesystems import (\n    GitHub,\n    LocalFileSystem,\n    S3,\n)\n"
    (found,) = check(text)
    assert (found.code, found.start.row, found.end.row) == ("L030", 1, 1)
    assert "`prefect.filesystems.GitHub`" in found.message
    assert "`prefect.filesystems.S3`" in found.message
    assert "LocalFileSystem" not in found.message
    assert found.fix is None  # GitHub and S3 have no Prefect 3 home


def test_an_import_prefect_3_has_elsewhere_is_moved_safely() -> None:
    text = "from prefect.orion.schemas.schedules import CronSchedule  # nightly\n"
    (found,) = check(text)
    assert found.fix is not None and found.fix.is_safe
    (edit,) = found.fix.edits
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == "from prefect.client.schemas.schedules import CronSchedule  # nightly\n"
    assert check(fixed) == []


def test_a_move_that_would_rename_or_split_is_not_offered() -> None:
    # FlowRunContext is EngineContext in Prefect 3: moving would need a rename
    assert check("from prefect.deployments.deployments import FlowRunContext\n")[0].fix is None
    mixed = "from prefect.orion.schemas.schedules import CronSchedule, NoSuchThing\n"
    assert check(mixed)[0].fix is None


def test_the_prefect_3_homes_of_schedules_and_run_deployment_are_not_removed() -> None:
    for name in ("prefect.server.schemas.schedules.CronSchedule",
                 "prefect.client.schemas.schedules.CronSchedule",
                 "prefect.deployments.run_deployment", "prefect.filesystems.RemoteFileSystem",
                 "prefect.flow", "prefect.serve", "prefect.deploy", "prefect_aws.S3Bucket",
                 "prefect.infrastructure.provisioners.get_infrastructure_provisioner_for_work_pool_type",
                 "prefect.agent"):  # an empty stub module in 3.x: importing it works
        assert removal(name) is None, name
    for name in ("prefect.deployments.Deployment", "prefect.infrastructure.KubernetesJob",
                 "prefect.agent.PrefectAgent", "prefect.filesystems.GitHub", "prefect.orion.api",
                 "prefect_gcp.CloudRunJob"):
        assert removal(name) is not None, name


def test_apply_is_underlined_where_it_is_written() -> None:
    text = ("from prefect.deployments import Deployment\n"
            "d = Deployment.build_from_flow(flow=f, name='a')\n"
            "d.apply()\n"
            "other.apply()\n")
    found = [d for d in check(text) if d.code == "L032"]
    assert [(d.start.row, d.start.column) for d in found] == [(3, 3)]
    assert spans(text, found) == ["apply"]


def test_columns_count_characters_not_utf8_bytes() -> None:
    text = ("from prefect.deployments import Deployment\n"
            "x = ('é', Deployment(name='ü', infrastructure=i))\n")
    found = {d.code: d for d in check(text)}
    assert spans(text, [found["L031"], found["L033"]]) == ["Deployment", "infrastructure"]


@pytest.mark.parametrize("text", ["def broken(:\n", "x = 1\0\n", "(" * 300 + ")" * 300 + "\n"])
def test_python_that_does_not_parse_gives_no_finding_and_no_crash(text: str) -> None:
    assert check(text, select=("ALL",)) == []


def test_a_python_file_is_not_parsed_as_yaml() -> None:
    document = Document.from_text("key: [unclosed\n", "deploy.py", kind=PYTHON)
    assert document.root is None and document.parse_error is None


def test_python_files_are_linted_when_named_and_in_walks_only_when_they_import_prefect(
        tmp_path: Path) -> None:
    uses = tmp_path / "deploy.py"
    uses.write_text("import os\nfrom prefect_aws import S3Bucket\n", encoding="utf-8")
    other = tmp_path / "util.py"
    other.write_text("import os\n# import prefect  (a comment)\nx = 'from prefect import'\n",
                     encoding="utf-8")
    assert kind_for_file(other, other.read_text()) == PYTHON  # named: always
    assert wanted_in_walk(uses) and not wanted_in_walk(other)
    nested = tmp_path / "n.py"
    nested.write_text("def f():\n    import prefect.deployments\n", encoding="utf-8")
    assert wanted_in_walk(nested)
    licensed = tmp_path / "licensed.py"
    licensed.write_text("# licence text\n" * 600 + "from prefect import flow\n", encoding="utf-8")
    assert wanted_in_walk(licensed)  # the import is past 8 KiB


def test_a_folder_walk_checks_the_python_files_that_import_prefect(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    legacy = "from prefect.deployments import Deployment\n"
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "build.py").write_text(legacy, encoding="utf-8")
    (tmp_path / "tools.py").write_text("import os\nDOC = '''\n" + legacy + "'''\n",
                                       encoding="utf-8")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "old.py").write_text(legacy, encoding="utf-8")
    (tmp_path / "broken.py").write_text("from prefect import flow\ndef (:\n", encoding="utf-8")
    result = cli("check", "--output-format", "concise", "--no-cache")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if ": L0" in line]
    assert lines == ["deploy/build.py:1:1: L030 [error] Prefect 3 has no "
                     "`prefect.deployments.Deployment`: this import raises ImportError"]
