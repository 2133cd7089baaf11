"""P rules: job variables against the pool's base job template."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from linter.core.diagnostics import Applicability, Diagnostic, Severity
from linter.core.selection import normalize_selectors
from linter.errors import ConfigError
from linter.project.config import ConfigResolver, Overrides, read_config_file
from linter.run.runner import Runner
from tests.conftest import codes, spans, write

POOLS = """\
[tool.prefect-lint.pools]
k8s = "kubernetes"
k8s-b = "kubernetes"
dock = "docker"
proc = "process"
ecs = "ecs"
run = "cloud-run"
run2 = "cloud-run-v2"
vertex = "vertex-ai"
aci = "azure-container-instance"
"""


def lint_pools(
    root: Path, text: str, select: tuple[str, ...] = ("P",), config: str = POOLS
) -> list[Diagnostic]:
    """Lint ``text`` as ``root/prefect.yaml`` with ``config`` as ``root/pyproject.toml``."""
    config_path = write(root, "pyproject.toml", config)
    settings = read_config_file(config_path)
    assert settings is not None
    overrides = Overrides(select=tuple(normalize_selectors(select, "test")))
    settings = overrides.apply(settings)
    runner = Runner(ConfigResolver(overrides, cwd=root))
    return runner.lint_text(textwrap.dedent(text), "prefect.yaml", None, settings).diagnostics


def apply_fix(text: str, diagnostic: Diagnostic) -> str:
    text = textwrap.dedent(text)
    assert diagnostic.fix is not None
    for edit in sorted(diagnostic.fix.edits, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


# -- P001 unknown job variable ------------------------------------------------------------------


def test_p001_camel_case_with_did_you_mean_and_unsafe_fix(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables:
            imagePullPolicy: Always  # keep me
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P001"]
    (d,) = found
    assert d.severity is Severity.ERROR
    assert (d.start.row, d.start.column) == (6, 9)
    assert spans(text, found) == ["imagePullPolicy"]
    assert 'did you mean "image_pull_policy"' in d.message
    assert "silently never uses it" in d.message
    assert d.fix is not None and d.fix.applicability is Applicability.UNSAFE
    assert apply_fix(text, d).splitlines()[5] == "        image_pull_policy: Always  # keep me"


def test_p001_quoted_key_fix_keeps_quotes(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool: {name: k8s, job_variables: {"namespce": prod}}
    """
    (d,) = lint_pools(tmp_path, text)
    assert apply_fix(text, d).splitlines()[2].endswith('{"namespace": prod}}')


def test_p001_no_fix_when_the_suggestion_is_already_set(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables: {imagePullPolicy: Always, image_pull_policy: Never}
    """
    (d,) = lint_pools(tmp_path, text)
    assert d.code == "P001" and d.fix is None


def test_p001_cpu_on_docker_has_no_suggestion(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: dock
          job_variables:
            image: acme/etl:1.2
            cpu: 2
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P001"]
    assert spans(text, found) == ["cpu"]
    assert "did you mean" not in found[0].message
    assert "image_pull_policy" in (found[0].help or "")


def test_p001_dotted_keys(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables:
            env.LOG_LEVEL: DEBUG
            labels.team: data
            image.tag: "1.2"
            envv.X: "1"
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P001", "P001"]
    assert spans(text, found) == ["image.tag", "envv.X"]
    assert '"image" is not an object variable' in found[0].message
    assert 'did you mean "env.X"' in found[1].message


def test_p001_miss_on_known_variables(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables:
            image: "{{ build-image.image }}"
            namespace: prod
            image_pull_policy: Always
            env: {A: "1"}
    """
    assert lint_pools(tmp_path, text) == []


# -- P002 types and enums -----------------------------------------------------------------------


def test_p002_reports_every_violation_at_its_own_value(tmp_path: Path) -> None:
    # Prefect's server names only the first of these five (case 14 of FORMAT.md).
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: dock
          job_variables:
            image: 123
            auto_remove: yes please
            mem_limit: 512
            env:
              A: 1
            networks: bridge
            no_such_variable: 1
    """
    found = lint_pools(tmp_path, text, select=("P002",))
    assert codes(found) == ["P002"] * 5
    assert spans(text, found) == ["123", "yes please", "512", "1", "bridge"]
    assert [(d.start.row, d.start.column) for d in found] == [
        (6, 16), (7, 22), (8, 20), (10, 14), (11, 19)
    ]
    assert 'job variable "image" must be a string or null, not 123' in found[0].message
    assert 'job variable "env.A" must be a string or null, not 1' in found[3].message
    assert "a list of strings" in found[4].message


def test_p002_enum_and_list_item(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables:
            image_pull_policy: Sometimes
      - name: etl2
        work_pool:
          name: dock
          job_variables:
            networks: [backend, 5]
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P002", "P002"]
    assert spans(text, found) == ["Sometimes", "5"]
    assert 'must be one of "IfNotPresent", "Always", "Never", not "Sometimes"' in found[0].message
    assert 'job variable "networks[1]" must be a string' in found[1].message


def test_p002_placeholders_block_references_and_nulls_are_not_errors(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: ecs
          job_variables:
            cpu: "{{ $ECS_CPU }}"
            memory: "{{ prefect.variables.ecs_memory }}"
            aws_credentials: {"$ref": {"block_document_id": "0b1f2c3d-0000-0000-0000-000000000000"}}
            vpc_id: null
            env:
              TOKEN: "{{ prefect.blocks.secret.token }}"
              PORT: 8080
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P002"]
    assert spans(text, found) == ["8080"]


def test_p002_dotted_key_value_is_checked(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool: {name: k8s, job_variables: {env.WORKERS: 4}}
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P002"] and spans(text, found) == ["4"]
    assert "dotted key" in (found[0].help or "")


# -- P003 required variables --------------------------------------------------------------------


def test_p003_required_without_default(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: train
        work_pool:
          name: vertex
          job_variables:
            machine_type: n1-standard-8
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P003", "P003"]
    assert spans(text, found) == ["job_variables", "job_variables"]
    assert 'requires the job variable "region"' in found[0].message
    assert 'requires the job variable "image"' in found[1].message
    assert "fail when it starts" in found[0].message


def test_p003_points_at_the_pool_name_without_job_variables(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: run
        work_pool:
          name: aci
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P003", "P003"]
    assert spans(text, found) == ["aci", "aci"]
    assert (found[0].start.row, found[0].start.column) == (4, 13)


def test_p003_miss_when_set(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: run
        work_pool:
          name: aci
          job_variables:
            resource_group_name: rg-data
            subscription_id: "{{ $AZURE_SUBSCRIPTION_ID }}"
    """
    assert lint_pools(tmp_path, text) == []


# -- P004 unused variable in a custom template ------------------------------------------------


def _custom_template(root: Path) -> None:
    template = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "pools" /
                           "kubernetes.json").read_text())
    manifest = json.dumps(template["job_configuration"]).replace("{{ service_account_name }}",
                                                                 "fixed-account")
    template["job_configuration"] = json.loads(manifest)
    write(root, "pools/custom.json", json.dumps(template))


def test_p004_unreferenced_variable_in_custom_template(tmp_path: Path) -> None:
    _custom_template(tmp_path)
    config = '[tool.prefect-lint.pools]\ncustom = { template = "pools/custom.json" }\n'
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: custom
          job_variables:
            service_account_name: etl-runner
            namespace: prod
    """
    found = lint_pools(tmp_path, text, config=config)
    assert codes(found) == ["P004"]
    assert found[0].severity is Severity.WARNING
    assert spans(text, found) == ["service_account_name"]
    assert "never uses {{ service_account_name }}" in found[0].message
    assert "template file" in found[0].message


def test_p004_never_for_bundled_templates(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: etl
        work_pool: {name: k8s, job_variables: {service_account_name: etl}}
    """
    assert lint_pools(tmp_path, text, select=("P004",)) == []


# -- P005 unknown pool --------------------------------------------------------------------------


def test_p005_once_per_pool_and_never_a_guess(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: a
        work_pool: {name: kubernetes, job_variables: {imagePullPolicy: Always}}
      - name: b
        work_pool: {name: kubernetes, job_variables: {cpu: 1}}
      - name: c
        work_pool: {name: other}
    """
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P005"]
    assert found[0].severity is Severity.INFO
    assert spans(text, found) == ["kubernetes"]
    assert '"kubernetes" = "<type>"' in found[0].message
    assert "docker, kubernetes" in (found[0].help or "")
    assert "prefect-lint pools pull kubernetes" in found[0].message


def test_p005_quiet_when_the_project_has_no_pool_setup(tmp_path: Path) -> None:
    text = """\
    deployments:
      - name: a
        work_pool: {name: k8s, job_variables: {image: x}}
    """
    assert lint_pools(tmp_path, text, select=("P",), config="[tool.prefect-lint]\n") == []
    found = lint_pools(tmp_path, text, select=("P005",), config="[tool.prefect-lint]\n")
    assert codes(found) == ["P005"]


# -- aliases and merges -------------------------------------------------------------------------

ALIASED = """\
definitions:
  work_pools:
    k8s: &k8s
      name: {first}
      job_variables: &vars
        imagePullPolicy: Always
        image_pull_policy: Sometimes
deployments:
  - name: a
    work_pool: *k8s
  - name: b
    work_pool:
      name: {second}
      job_variables:
        <<: *vars
        namespace: 5
"""


def test_aliases_report_once_at_the_written_line(tmp_path: Path) -> None:
    text = ALIASED.format(first="k8s", second="k8s-b")  # two names, the same template
    found = lint_pools(tmp_path, text)
    assert codes(found) == ["P001", "P002", "P002"]
    assert [d.start.row for d in found] == [6, 7, 16]
    assert spans(text, found) == ["imagePullPolicy", "Sometimes", "5"]


def test_aliases_report_per_template_when_the_pools_differ(tmp_path: Path) -> None:
    text = ALIASED.format(first="k8s", second="dock")
    found = lint_pools(tmp_path, text, select=("P001",))
    assert [d.start.row for d in found] == [6, 6, 16]  # namespace is not a docker variable
    assert sorted("kubernetes" in d.message for d in found[:2]) == [False, True]


# -- every worker type with a realistic configuration --------------------------------------------

REALISTIC = {
    "proc": "{working_dir: /opt/flows, stream_output: false, env: {PREFECT_LOGGING_LEVEL: INFO}}",
    "dock": ("{image: \"{{ build-image.image }}\", image_pull_policy: Always, auto_remove: true,"
             " volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"], networks: [etl],"
             " mem_limit: 2g}"),
    "k8s": ("{image: ghcr.io/acme/etl:1.4, namespace: data, service_account_name: etl,"
            " finished_job_ttl: 300, cpu_request: \"500m\", memory_limit: 2Gi,"
            " env.AWS_REGION: eu-west-1}"),
    "ecs": ("{image: 123.dkr.ecr.eu-west-1.amazonaws.com/etl:1.4, cpu: 1024, memory: 4096,"
            " cluster: data, launch_type: FARGATE, vpc_id: vpc-0a1b,"
            " network_configuration: {awsvpcConfiguration: {assignPublicIp: DISABLED}}}"),
    "run": ("{image: gcr.io/acme/etl:1.4, cpu: \"2\", memory: 4Gi, region: europe-west1,"
            " timeout: 900}"),
    "run2": ("{image: gcr.io/acme/etl:1.4, cpu: \"2\", memory: 4Gi, max_retries: 1,"
             " args: [\"--x\"]}"),
    "vertex": "{region: europe-west4, image: gcr.io/acme/train:2, machine_type: n1-highmem-8}",
    "aci": ("{resource_group_name: rg, subscription_id: sub, image: acme/etl:1, cpu: 2.0,"
            " memory: 4.0}"),
}

TYPO = {  # a plausible mistake per type, and the span it is reported at
    "proc": ("{workdir: /opt/flows}", "P001", "workdir"),
    "dock": ("{image_pull_policy: always}", "P002", "always"),
    "k8s": ("{imagePullPolicy: Always}", "P001", "imagePullPolicy"),
    "ecs": ("{cpu: \"1024\"}", "P002", "\"1024\""),
    "run": ("{memory: 512}", "P002", "512"),
    "run2": ("{max_retries: many}", "P002", "many"),
    "vertex": ("{region: r, image: i, accelerator_count: two}", "P002", "two"),
    "aci": ("{resource_group_name: rg, subscription_id: s, gpu_count: one}", "P002", "one"),
}


@pytest.mark.parametrize("pool", sorted(REALISTIC))
def test_each_worker_type_accepts_a_realistic_configuration(tmp_path: Path, pool: str) -> None:
    text = f"deployments:\n  - name: x\n    work_pool:\n      name: {pool}\n" \
           f"      job_variables: {REALISTIC[pool]}\n"
    assert lint_pools(tmp_path, text) == []


@pytest.mark.parametrize("pool", sorted(TYPO))
def test_each_worker_type_catches_a_mistake(tmp_path: Path, pool: str) -> None:
    variables, code, underlined = TYPO[pool]
    text = f"deployments:\n  - name: x\n    work_pool:\n      name: {pool}\n" \
           f"      job_variables: {variables}\n"
    found = lint_pools(tmp_path, text)
    assert codes(found) == [code]
    assert spans(text, found) == [underlined]


# -- configuration errors -----------------------------------------------------------------------


def test_bad_pool_type_is_a_config_error_naming_file_and_key(tmp_path: Path) -> None:
    text = "deployments:\n  - name: x\n    work_pool: {name: k, job_variables: {a: 1}}\n"
    with pytest.raises(ConfigError) as raised:
        lint_pools(tmp_path, text, config='[tool.prefect-lint.pools]\nk = "kubernetis"\n')
    message = str(raised.value)
    assert "pyproject.toml" in message and "`pools.k`" in message
    assert 'did you mean "kubernetes"' in message


def test_bad_pool_config_exits_2_from_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pyproject.toml",
          '[tool.prefect-lint.pools]\nk = { template = "missing.json" }\n')
    write(tmp_path, "prefect.yaml",
          "deployments:\n  - name: x\n    work_pool: {name: k, job_variables: {a: 1}}\n")
    result = cli("check", "prefect.yaml")
    assert result.exit_code == 2
    assert "`pools.k.template`: cannot read" in result.output
    assert "internal error" not in result.output


def test_the_pool_catalog_is_looked_up_once_per_checked_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each look-up scans the snapshot folder and re-hashes the files the catalog came from;
    the P rules and L009 (seven rules) share one per document, not one each."""
    from linter.prefect import pools

    calls: list[object] = []
    real = pools._folder_stamp

    def counted(folder: Path) -> Any:
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(pools, "_folder_stamp", counted)
    examples = Path(__file__).resolve().parents[2] / "examples"
    resolver = ConfigResolver(Overrides(select=tuple(normalize_selectors(["ALL"], "test"))),
                              cwd=examples)
    result = Runner(resolver, cache=False).lint_path(examples / "prefect.yaml")
    assert result is not None and any(d.code.startswith("P") for d in result.diagnostics)
    assert len(calls) == 1


def test_a_cached_catalog_reads_each_of_its_files_once_per_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking that a template file is unchanged reads it; recording it as the check's
    dependency must not read it again."""
    from linter.core import dependencies

    _custom_template(tmp_path)
    write(tmp_path, "pyproject.toml",
          '[tool.prefect-lint.pools]\ncustom = { template = "pools/custom.json" }\n')
    path = write(tmp_path, "prefect.yaml", "deployments:\n  - name: etl\n    work_pool:\n"
                 "      name: custom\n      job_variables:\n        image: x\n")
    runner = Runner(ConfigResolver(cwd=tmp_path), cache=False)
    runner.lint_path(path)  # builds and caches the catalog
    read: list[str] = []
    real = dependencies._digest_file

    def counted(file: str | Path) -> str:
        read.append(str(file))
        return real(file)

    monkeypatch.setattr(dependencies, "_digest_file", counted)
    with dependencies.recording() as notes:  # as the result cache and the server record
        runner.lint_path(path)
    assert str(tmp_path / "pools" / "custom.json") in notes
    assert read.count(str(tmp_path / "pools" / "custom.json")) == 1
