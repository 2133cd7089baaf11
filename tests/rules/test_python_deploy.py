"""Prefect 3 deployments in Python checked like prefect.yaml: C001-C005, P001, L009."""

from __future__ import annotations

import textwrap
from pathlib import Path

from linter.core.diagnostics import Severity
from linter.core.registry import all_rules
from linter.project.config import ConfigResolver, Overrides
from linter.run.runner import Runner
from tests.conftest import codes, lint, spans

all_rules()

HEAD = ("from datetime import timedelta\n\n"
        "from prefect import deploy, flow\n"
        "from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule\n"
        "from prefect.schedules import Cron, RRule\n\n\n"
        "@flow\ndef etl(day: str = 'today') -> None:\n    pass\n\n\n")


def check(body: str, select: tuple[str, ...] = ("C", "L009", "P001")) -> list:  # type: ignore[type-arg]
    return lint(HEAD + textwrap.dedent(body), select=list(select), filename="deploy.py",
                dedent=False)


def underlined(body: str, found: list) -> list[str]:  # type: ignore[type-arg]
    return spans(HEAD + textwrap.dedent(body), found)


def test_schedule_keywords_of_deploy_serve_and_to_deployment() -> None:
    body = """\
        etl.deploy(name="a", work_pool_name="k8s", cron="0 9 * * MON-FRY", interval=0)
        etl.serve(name="c", interval=[600, -5], cron=["0 1 * * *"])
        etl.to_deployment(name="d", rrule="FREQ=WEEKLY;BYHOUR=25")
        """
    found = check(body)
    assert codes(found) == ["C001", "C002", "C002", "C003"]
    assert underlined(body, found) == ['"0 9 * * MON-FRY"', "0", "-5",
                                       '"FREQ=WEEKLY;BYHOUR=25"']
    assert all(d.severity is Severity.ERROR for d in found)


def test_schedule_objects_and_dicts_wherever_they_are_made() -> None:
    body = """\
        nightly = CronSchedule(cron="61 * * * *", timezone="europe/berlin")
        etl.deploy(name="b", work_pool_name="k8s", schedules=[
            nightly, {"cron": "0 0 * *"}, IntervalSchedule(interval=timedelta(minutes=5)),
            Cron("@daily ", timezone="UTC"), RRule("FREQ=DAILY"),
        ])
        """
    found = check(body)
    assert codes(found) == ["C001", "C004", "C001", "C001"]
    assert underlined(body, found) == ['"61 * * * *"', '"europe/berlin"', '"0 0 * *"',
                                       '"@daily "']


def test_valid_and_computed_schedules_are_clean() -> None:
    body = """\
        import os
        etl.deploy(name="a", work_pool_name="k8s", cron=os.environ["CRON"],
                   interval=timedelta(hours=1), rrule="FREQ=DAILY;BYHOUR=9")
        etl.serve(name="b", schedules=[CronSchedule(cron="0 2 * * *", timezone="Europe/Berlin"),
                                       Cron("*/5 * * * *")])
        """
    assert check(body) == []


def test_agent_pool_by_name_is_a_warning_and_by_configuration_an_error(tmp_path: Path) -> None:
    body = """\
        etl.deploy(name="a", work_pool_name="default-agent-pool")
        deploy(etl.to_deployment(name="b"), etl.to_deployment(name="c"),
               work_pool_name="default-agent-pool")
        """
    found = check(body)
    assert codes(found) == ["L009", "L009"]  # prefect.deploy's pool reported once
    assert {d.severity for d in found} == {Severity.WARNING}
    (tmp_path / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["L009", "P001"]\n'
        '[tool.prefect-lint.pools]\nold = "prefect-agent"\nk8s = "kubernetes"\n'
        'default-agent-pool = "process"\n', encoding="utf-8")
    script = tmp_path / "deploy.py"
    script.write_text(HEAD + 'etl.deploy(name="a", work_pool_name="old")\n'
                      'etl.deploy(name="b", work_pool_name="default-agent-pool")\n',
                      encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    assert [(d.code, d.severity, d.start.row) for d in result.diagnostics] == [
        ("L009", Severity.ERROR, HEAD.count("\n") + 1)]


def test_job_variables_are_checked_against_the_pools_template(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["P001"]\n[tool.prefect-lint.pools]\nk8s = "kubernetes"\n',
        encoding="utf-8")
    script = tmp_path / "deploy.py"
    body = ('etl.from_source(source="https://github.com/o/r.git", entrypoint="f.py:etl").deploy(\n'
            '    name="a", work_pool_name="k8s",\n'
            '    job_variables={"imagePullPolicy": "Always", "env.LEVEL": "DEBUG",\n'
            '                   "namespace": "data"})\n'
            'deploy(etl.to_deployment(name="b", job_variables={"cpu": 1}), work_pool_name="k8s")\n'
            'etl.deploy(name="c", work_pool_name="unknown", job_variables={"anything": 1})\n')
    script.write_text(HEAD + body, encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    found = result.diagnostics
    assert codes(found) == ["P001", "P001"]
    assert spans(HEAD + body, found) == ['"imagePullPolicy"', '"cpu"']
    assert 'did you mean "image_pull_policy"?' in found[0].message


def test_the_prefect3_fixtures_stay_clean_of_these_rules() -> None:
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "python" / "prefect3"
    for path in sorted(folder.glob("*.py")):
        found = lint(path.read_text(encoding="utf-8"), select=["C", "P", "L"],
                     filename=path.name, dedent=False)
        assert [d for d in found if d.severity is Severity.ERROR] == [], path.name


def test_parameters_are_checked_against_the_deployed_flow(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\nselect = ["D008", "P001"]\n'
                                             '[tool.prefect-lint.pools]\np = "process"\n',
                                             encoding="utf-8")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "etl.py").write_text(
        "from prefect import flow\n\n@flow\ndef etl(days: int = 1, region: str = 'eu'):\n"
        "    pass\n\n@flow\ndef loose(**kwargs):\n    pass\n", encoding="utf-8")
    body = (
        "from prefect import flow\n"
        "from flows.etl import etl as imported_etl, loose\n\n\n"
        "@flow\ndef local(name: str = 'x') -> None:\n    pass\n\n\n"
        "local.deploy(name='a', work_pool_name='p', parameters={'nmae': 'y'})\n"
        "imported_etl.deploy(name='b', work_pool_name='p', parameters=dict(day=7, region='us'),\n"
        "                    job_variables=dict(working_dir='/srv', workdir='/x'))\n"
        "flow.from_source(source='.', entrypoint='flows/etl.py:etl').deploy(\n"
        "    name='c', work_pool_name='p', parameters={'days': 1, 'zone': 'x'})\n"
        "local.serve(name='d', parameters={'name': 'ok'})\n"
        "loose.deploy(name='e', work_pool_name='p', parameters={'anything': 1})\n"
        "flow.from_source(source='.', entrypoint='flows/missing.py:etl').deploy(\n"
        "    name='f', work_pool_name='p', parameters={'whatever': 1})\n"
    )
    script = tmp_path / "deploy.py"
    script.write_text(body, encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    found = result.diagnostics
    assert [(d.code, d.start.row) for d in found] == [
        ("D008", 10), ("D008", 11), ("P001", 12), ("D008", 14)]
    assert spans(body, found) == ["'nmae'", "day", "workdir", "'zone'"]
    assert "did you mean `name`?" in (found[0].help or "")


def test_job_variable_values_are_checked_against_the_template(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["P002"]\n[tool.prefect-lint.pools]\nk8s = "kubernetes"\n',
        encoding="utf-8")
    body = (HEAD + 'etl.deploy(name="a", work_pool_name="k8s", job_variables={\n'
            '    "image_pull_policy": "Sometimes", "env": {"PORT": 8080},\n'
            '    "finished_job_ttl": "ten", "namespace": "data", "cpu_request": computed()})\n')
    script = tmp_path / "deploy.py"
    script.write_text(body, encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    found = result.diagnostics
    assert codes(found) == ["P002", "P002", "P002"]
    assert spans(body, found) == ['"Sometimes"', '{"PORT": 8080}', '"ten"']
    assert 'job variable "env.PORT" must be a string' in found[1].message


def test_required_parameters_of_scheduled_python_deployments(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\nselect = ["D009"]\n',
                                             encoding="utf-8")
    body = (
        "from prefect import flow\nfrom prefect.schedules import Cron\n\n\n"
        "@flow\ndef needs(day: str, region: str = 'eu') -> None:\n    pass\n\n\n"
        "needs.deploy(name='a', work_pool_name='p', cron='0 1 * * *')\n"
        "needs.deploy(name='b', work_pool_name='p')\n"
        "needs.deploy(name='c', work_pool_name='p', cron='0 1 * * *', parameters={'day': 'x'})\n"
        "needs.deploy(name='d', work_pool_name='p', schedules=[Cron('0 1 * * *', "
        "parameters={'day': 'x'})])\n"
        "needs.deploy(name='e', work_pool_name='p', interval=60, parameters=computed())\n"
        "needs.serve(name='f', schedules=[Cron('0 1 * * *')])\n"
        "needs.deploy(name='g', work_pool_name='p', cron='0 1 * * *', parameters=dict(day='x'))\n"
    )
    script = tmp_path / "deploy.py"
    script.write_text(body, encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    found = result.diagnostics
    assert [(d.start.row, d.severity) for d in found] == [
        (10, Severity.ERROR), (11, Severity.INFO), (15, Severity.ERROR)]
    assert spans(body, found) == ["deploy", "deploy", "serve"]
    assert "requires `day`" in found[0].message


def test_parameter_values_against_the_flows_annotations(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.prefect-lint]\nselect = ["D010"]\n',
                                             encoding="utf-8")
    body = (
        "from prefect import flow\n\n\n"
        "@flow\ndef typed(days: int = 1, name: str = 'x') -> None:\n    pass\n\n\n"
        "typed.deploy(name='a', work_pool_name='p', parameters={'days': 'seven', 'name': 'y'})\n"
        "typed.deploy(name='b', work_pool_name='p', parameters=dict(days=7, name=3))\n"
        "typed.deploy(name='c', work_pool_name='p', parameters={'days': 'seven'},\n"
        "             enforce_parameter_schema=False)\n"
    )
    script = tmp_path / "deploy.py"
    script.write_text(body, encoding="utf-8")
    result = Runner(ConfigResolver(Overrides(), cwd=tmp_path)).lint_path(script)
    assert result is not None
    found = result.diagnostics
    assert [(d.code, d.start.row) for d in found] == [("D010", 9), ("D010", 10)]
    assert spans(body, found) == ["'seven'", "3"]
    assert 'parameter "days" is "seven"' in found[0].message
