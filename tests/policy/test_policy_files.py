"""Policy files: rules from ``policy-files`` give findings on the exact rows, work with
selection, suppressions, every output format and the cache, and a broken policy is one line
and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write

POLICY = r"""
rules:
  ORG001:
    description: Images come from our registry
    message: "image {{value}} is not from registry.example.com"
    severity: error
    given: "$.deployments[*].work_pool.job_variables.image"
    then:
      function: pattern
      functionOptions: {match: "^registry\\.example\\.com/"}
  ORG002:
    description: Production deployments set a concurrency limit
    given: "$.deployments[?@.tags[?@ == 'prod']]"
    then: {field: concurrency_limit, function: defined}
  ORG003:
    description: Deployments use a known pool
    message: "pool {{value}} at {{path}}: {{error}}"
    given: "$.deployments[*].work_pool.name"
    then: {function: enumeration, functionOptions: {values: [k8s, docker]}}
  ORG004:
    description: Kubernetes jobs set a cpu request
    message: "{{property}}: {{error}}"
    given: "$.deployments[?@.work_pool.name == 'k8s'].work_pool.job_variables"
    then:
      function: schema
      functionOptions:
        schema:
          type: object
          required: [cpu_request]
          properties:
            cpu_request: {type: string}
"""

PREFECT = """\
deployments:
  - name: good
    entrypoint: flows.py:main
    concurrency_limit: 2
    tags: [prod]
    work_pool:
      name: k8s
      job_variables:
        image: registry.example.com/app:1.0
        cpu_request: "1"
  - name: bad
    entrypoint: flows.py:main
    tags: [prod]
    work_pool:
      name: k9s
      job_variables:
        image: docker.io/app:1.0
  - name: bad2
    entrypoint: flows.py:main
    work_pool:
      name: k8s
      job_variables:
        image: registry.example.com/app:1.0
        cpu_request: 1
"""

ORG = ("--select", "ORG")


def _project(tmp_path: Path, policy: str = POLICY, prefect: str = PREFECT) -> None:
    write(tmp_path, "policies/org.yaml", policy)
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["policies/org.yaml"]\n')
    write(tmp_path, "prefect.yaml", prefect)


def _findings(cli, *args: str) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    result = cli("check", "--no-cache", "--output-format", "json", *args, "prefect.yaml")
    assert result.exit_code in (0, 1), result.output
    return [(d["code"], d["location"]["row"], d["location"]["column"], d["message"])
            for d in json.loads(result.stdout)]


def test_policy_rules_fire_on_the_exact_rows_and_spare_compliant_deployments(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    _project(tmp_path)
    found = _findings(cli, *ORG)
    assert found == [
        ("ORG002", 11, 5, "Production deployments set a concurrency limit: "
                          "deployments[1].concurrency_limit: it is not set"),
        ("ORG003", 15, 13, 'pool k9s at deployments[1].work_pool.name: "k9s" is not one of '
                           '"k8s", "docker"'),
        ("ORG001", 17, 16, "image docker.io/app:1.0 is not from registry.example.com"),
        ("ORG004", 24, 22, "cpu_request: expected a string, got an integer 1"),
    ]
    assert not [f for f in found if f[1] <= 10]  # the first deployment complies


def test_missing_required_key_sits_on_the_mapping_key(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path, prefect=PREFECT.replace('        cpu_request: "1"\n', ""))
    found = _findings(cli, "--select", "ORG004")
    assert ("ORG004", 8, 7, "job_variables: `cpu_request` is required but missing") in found


def test_select_ignore_and_per_file_ignores_take_policy_codes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path)
    assert {f[0] for f in _findings(cli, "--select", "ORG001")} == {"ORG001"}
    assert "ORG001" not in {f[0] for f in _findings(cli, "--ignore", "ORG001")}
    # a one-letter family does not reach a policy family that begins with the same letter
    assert "ORG001" in {f[0] for f in _findings(cli, "--ignore", "O")}
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["policies/org.yaml"]\n'
          '[per-file-ignores]\n"prefect.yaml" = ["ORG"]\n')
    assert not [f for f in _findings(cli) if f[0].startswith("ORG")]


def test_inline_suppression_and_unused_suppression(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = PREFECT.replace("image: docker.io/app:1.0",
                           "image: docker.io/app:1.0  # prefect-lint: disable=ORG001")
    text = text.replace("    concurrency_limit: 2\n",
                        "    concurrency_limit: 2  # prefect-lint: disable=ORG002\n")
    _project(tmp_path, prefect=text)
    found = _findings(cli, "--select", "ORG,M001")
    assert "ORG001" not in [f[0] for f in found]
    (unused,) = [f for f in found if f[0] == "M001"]
    assert unused[1] == 4 and "ORG002" in unused[3]


def test_sarif_carries_the_policy_rule_and_its_description(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path)
    result = cli("check", "--no-cache", "--output-format", "sarif", "--select", "ORG001",
                 "prefect.yaml")
    (rule,) = json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "ORG001"
    assert rule["shortDescription"]["text"] == "Images come from our registry"


@pytest.mark.parametrize("output_format", ["full", "concise", "github", "gitlab", "junit",
                                           "json-lines"])
def test_every_output_format_shows_policy_findings(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, output_format: str) -> None:
    _project(tmp_path)
    result = cli("check", "--no-cache", "--select", "ORG001", "--output-format",
                 output_format, "prefect.yaml")
    assert result.exit_code == 1
    assert "ORG001" in result.output


def test_rule_and_rules_commands_know_policy_rules(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path)
    page = cli("rule", "ORG002")
    assert page.exit_code == 0
    assert "Production deployments set a concurrency limit" in page.output
    assert "policies/org.yaml" in page.output
    listed = json.loads(cli("rules", "--output-format", "json").output)
    codes = [item["code"] for item in listed]
    assert "D001" in codes and "ORG004" in codes
    policy_only = cli("rules", "--policy")
    assert "ORG001" in policy_only.output and "D001" not in policy_only.output
    assert "policies/org.yaml" in policy_only.output


def test_a_policy_edit_invalidates_cached_results(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _project(tmp_path)
    first = cli("check", "--select", "ORG003", "--output-format", "concise", "prefect.yaml")
    assert "ORG003" in first.output
    write(tmp_path, "policies/org.yaml", POLICY.replace("[k8s, docker]", "[k8s, k9s]  "))
    second = cli("check", "--select", "ORG003", "--output-format", "concise", "prefect.yaml")
    assert "ORG003" not in second.output


def test_a_policy_file_may_only_extend(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "policies/base.yaml", POLICY)
    _project(tmp_path, policy="extends: [base.yaml]\n")
    assert {f[0] for f in _findings(cli, *ORG)} == {"ORG001", "ORG002", "ORG003", "ORG004"}


def test_an_extending_file_can_turn_off_or_reclassify_a_rule(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "policies/base.yaml", POLICY)
    _project(tmp_path, policy="extends: [base.yaml]\nrules:\n  ORG001: 'off'\n"
                              "  ORG003: error\n")
    result = cli("check", "--no-cache", "--output-format", "json", "prefect.yaml")
    found = {d["code"]: d["severity"] for d in json.loads(result.output)}
    assert "ORG001" not in found and found["ORG003"] == "error"
    # an `off` rule is still known: selecting it runs it
    assert "ORG001" in {f[0] for f in _findings(cli, "--select", "ORG001")}


BROKEN = {
    "clash": ("extends: [other.yaml]\nrules:\n  ORG001:\n    given: $\n"
              "    then: {function: truthy}\n", "rule ORG001: clashes with ORG001 defined in"),
    "unknown function": ("rules:\n  ORG001:\n    given: $\n    then: {function: exists}\n",
                         "rule ORG001: unknown function 'exists'"),
    "bad JSONPath": ("rules:\n  ORG001:\n    given: $.deployments[\n"
                     "    then: {function: defined}\n", "rule ORG001: bad JSONPath"),
    "bad regex": ("rules:\n  ORG001:\n    given: $.name\n    then: {function: pattern, "
                  "functionOptions: {match: '(['}}\n",
                  "rule ORG001: pattern `match` '([' is not a valid regular expression"),
    "extends loop": ("extends: [loop.yaml]\n", "`extends` loop:"),
    "one-letter code": ("rules:\n  X001:\n    given: $\n    then: {function: defined}\n",
                        "rule X001: a policy code is 2 to 5 upper-case letters"),
    "bad schema": ("rules:\n  ORG001:\n    given: $\n    then: {function: schema, "
                   "functionOptions: {schema: {type: nope}}}\n",
                   "rule ORG001: schema `schema` is not a valid JSON Schema"),
    "unknown pack": ("extends: ['prefect-lint:nope']\n", "no built-in policy pack"),
    "not YAML": ("rules: [\n", "not valid YAML"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)), "policies/org.yaml: "),
    "not a mapping": ("- rules\n", "a policy file is a mapping"),
    "unknown file key": ("rule: {}\n",
                         "unknown key `rule` (a policy file has extends and rules)"),
    "unknown rule key": ("rules:\n  ORG001:\n    given: $\n    then: {function: defined}\n"
                         "    when: x\n",
                         "rule ORG001: unknown key `when` (a rule has description, message, "
                         "severity, given, then, view, sensitive)"),
    "unknown check key": ("rules:\n  ORG001:\n    given: $\n"
                          "    then: {function: defined, options: {}}\n",
                          "rule ORG001: unknown key `options` in `then` (a check has field, "
                          "function, functionOptions)"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_policy_is_one_line_and_exit_2(cli, tmp_path: Path, case: str) -> None:  # type: ignore[no-untyped-def]
    policy, expected = BROKEN[case]
    write(tmp_path, "policies/other.yaml", "rules:\n  ORG001:\n    given: $\n"
                                           "    then: {function: defined}\n")
    write(tmp_path, "policies/loop.yaml", "extends: [org.yaml]\n")
    _project(tmp_path, policy=policy)
    result = cli("check", "--no-cache", "prefect.yaml")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert expected in lines[0] and "policies/" in lines[0]
    assert "Traceback" not in result.output


def test_an_unreadable_policy_file_is_one_line_and_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", 'policy-files = ["missing.yaml"]\n')
    write(tmp_path, "prefect.yaml", PREFECT)
    result = cli("check", "--no-cache", "prefect.yaml")
    assert result.exit_code == 2
    assert "missing.yaml: cannot read the policy file" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_given_sees_aliases_and_merges_resolved(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = """\
    definitions:
      pool: &pool
        name: k9s
    deployments:
      - name: a
        entrypoint: flows.py:main
        work_pool: *pool
      - name: b
        entrypoint: flows.py:main
        work_pool:
          <<: *pool
    """
    _project(tmp_path, prefect=text)
    found = _findings(cli, "--select", "ORG003")
    assert {f[3].split(":")[0] for f in found} == {
        "pool k9s at deployments[0].work_pool.name", "pool k9s at deployments[1].work_pool.name"}
    assert {f[1] for f in found} == {3}  # both sit where the value is written


def test_a_long_lived_process_sees_a_policy_edit(tmp_path: Path) -> None:
    """The language server makes a runner per request in one process."""
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    _project(tmp_path)

    def codes() -> set[str]:
        result = Runner(ConfigResolver(cwd=tmp_path)).lint_path(tmp_path / "prefect.yaml")
        assert result is not None
        return {d.code for d in result.diagnostics}

    assert "ORG003" in codes()
    write(tmp_path, "policies/org.yaml", POLICY.replace("[k8s, docker]", "[k8s, k9s]  "))
    assert "ORG003" not in codes()


def test_a_severity_override_invalidates_cached_results(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "policies/base.yaml", POLICY)
    _project(tmp_path, policy="extends: [base.yaml]\n")

    def severity() -> str:
        result = cli("check", "--select", "ORG003", "--output-format", "json", "prefect.yaml")
        (finding,) = json.loads(result.stdout)
        return str(finding["severity"])

    assert severity() == "warning"
    write(tmp_path, "policies/org.yaml", "extends: [base.yaml]\nrules: {ORG003: error}\n")
    assert severity() == "error"
