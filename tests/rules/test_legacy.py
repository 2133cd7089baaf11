"""L rules on prefect.yaml: agent-era keys and step names, with their fixes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from linter.core.diagnostics import Applicability, Severity
from linter.core.selection import normalize_selectors
from linter.project.config import ConfigResolver, Overrides, Settings
from linter.run.runner import Runner
from tests.conftest import codes, lint, spans


def fixed(text: str, select: list[str], unsafe: bool = False) -> str:
    """The text after ``--fix`` (``--unsafe-fixes``) with only ``select`` rules."""
    text = textwrap.dedent(text)
    overrides = Overrides(select=tuple(normalize_selectors(select, "test")))
    runner = Runner(ConfigResolver(overrides, cwd=Path("/")), fix=True, unsafe=unsafe)
    settings = overrides.apply(Settings(root=Path("/")))
    result = runner.lint_text(text, "prefect.yaml", None, settings)
    return result.fixed_text if result.fixed_text is not None else text


# -- L001 ---------------------------------------------------------------------------------------

INFRA = """\
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    infra_overrides:   # old name
      image: acme/etl:1.4
      env.LOG_LEVEL: DEBUG
"""


def test_l001_hit_position_and_fix_creates_work_pool() -> None:
    found = lint(INFRA, select=["L001"])
    assert codes(found) == ["L001"]
    assert (found[0].start.row, found[0].start.column) == (4, 5)
    assert spans(INFRA, found) == ["infra_overrides"]
    assert found[0].severity is Severity.ERROR
    # unsafe: the image Prefect 3 ignored until now starts being used
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert fixed(INFRA, ["L001"]) == textwrap.dedent(INFRA)
    assert fixed(INFRA, ["L001"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        entrypoint: flows/etl.py:etl
        work_pool:
          job_variables:  # old name
            image: acme/etl:1.4
            env:
              LOG_LEVEL: DEBUG
    """)


def test_l001_miss() -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          job_variables: {image: x}
    """
    assert lint(text, select=["L001"]) == []


def test_l001_fix_adds_job_variables_to_existing_pool_keeping_comments() -> None:
    text = """\
    deployments:
      - name: etl
        infra_overrides:
          image: "acme/etl:1.4"  # pinned
        work_pool:
          name: docker  # the pool
    """
    assert fixed(text, ["L001"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: docker  # the pool
          job_variables:
            image: "acme/etl:1.4"  # pinned
    """)


def test_l001_merge_is_unsafe_with_or_without_collision() -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: docker
          job_variables:
            image: a
        infra_overrides:
          cpu: 2
    """
    assert lint(text, select=["L001"])[0].fix.applicability is Applicability.UNSAFE  # type: ignore[union-attr]
    assert fixed(text, ["L001"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: docker
          job_variables:
            image: a
            cpu: 2
    """)
    colliding = textwrap.dedent(text).replace("cpu: 2", "image: b\n      cpu: 2")
    found = lint(colliding, select=["L001"])
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert fixed(colliding, ["L001"]) == textwrap.dedent(colliding)  # not without --unsafe
    assert fixed(colliding, ["L001"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: docker
          job_variables:
            image: a
            cpu: 2
    """)


def test_l001_under_work_pool_is_renamed_and_empty_one_removed() -> None:
    text = """\
    deployments:
      - name: etl
        work_pool:
          name: docker
          infra_overrides:
            env.A: "1"
      - name: other
        infra_overrides: {}
    """
    found = lint(text, select=["L001"])
    assert [d.start.row for d in found] == [5, 8]
    assert [d.fix.applicability for d in found if d.fix] == [Applicability.UNSAFE,
                                                              Applicability.SAFE]
    assert fixed(text, ["L001"]) == textwrap.dedent(text).replace(
        "  - name: other\n    infra_overrides: {}\n", "  - name: other\n")
    assert fixed(text, ["L001"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: docker
          job_variables:
            env:
              A: "1"
      - name: other
    """)


def test_l001_anywhere_but_no_fix_through_an_anchor() -> None:
    text = """\
    definitions:
      base: &base
        name: etl
        infra_overrides: {image: x}
    deployments:
      - *base
    """
    found = lint(text, select=["L001"])
    assert codes(found) == ["L001"]
    assert found[0].fix is None


# -- L002 / L003 --------------------------------------------------------------------------------


def test_l002_block_schedule_becomes_list() -> None:
    text = """\
    deployments:
      - name: etl
        schedule:
          cron: "0 3 * * *"  # nightly
          timezone: Europe/Berlin
        work_pool: {name: p}
    """
    found = lint(text, select=["L002"])
    assert spans(text, found) == ["schedule"]
    assert found[0].severity is Severity.WARNING
    assert fixed(text, ["L002"]) == textwrap.dedent("""\
    deployments:
      - name: etl
        schedules:
          - cron: "0 3 * * *"  # nightly
            timezone: Europe/Berlin
        work_pool: {name: p}
    """)


def test_l002_flow_and_empty_schedule_and_crlf() -> None:
    text = "deployments:\r\n  - name: a\r\n    schedule: {interval: 60}\r\n  - name: b\r\n" \
           "    schedule: null\r\n"
    assert codes(lint(text, select=["L002"], dedent=False)) == ["L002", "L002"]
    assert fixed(text, ["L002"]) == (
        "deployments:\r\n  - name: a\r\n    schedules: [{interval: 60}]\r\n  - name: b\r\n")


def test_l002_miss_and_l003_both() -> None:
    assert lint("deployments:\n  - schedules: [{cron: '* * * * *'}]\n", select=["L"]) == []
    text = """\
    deployments:
      - name: etl
        schedule:
          cron: "0 3 * * *"
        schedules:
          - interval: 60
    """
    found = lint(text, select=["L002", "L003"])
    assert codes(found) == ["L003"]
    assert spans(text, found) == ["schedule"]
    assert "line 5" in found[0].message


# -- L004 ---------------------------------------------------------------------------------------


def test_l004_true_is_removed_safely() -> None:
    text = """\
    deployments:
      - name: etl
        is_schedule_active: true
        schedules:
          - cron: "0 3 * * *"
    """
    found = lint(text, select=["L004"])
    assert spans(text, found) == ["is_schedule_active"]
    assert found[0].severity is Severity.WARNING
    assert fixed(text, ["L004"]) == textwrap.dedent("""\
    deployments:
      - name: etl
        schedules:
          - cron: "0 3 * * *"
    """)


def test_l004_false_deactivates_each_schedule_unsafely() -> None:
    text = """\
    deployments:
      - name: etl
        is_schedule_active: false
        schedules:
          - cron: "0 3 * * *"
          - interval: 60
            active: true
    """
    found = lint(text, select=["L004"])
    assert found[0].severity is Severity.ERROR
    assert fixed(text, ["L004"]) == textwrap.dedent(text)
    assert fixed(text, ["L004"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        schedules:
          - cron: "0 3 * * *"
            active: false
          - interval: 60
            active: true
    """)


# -- L005 / L006 / L008 -------------------------------------------------------------------------


def test_l005_storage_names_the_pull_step() -> None:
    text = """\
    deployments:
      - name: etl
        storage:
          repository: https://github.com/acme/etl
          _block_type_slug: github
          _block_document_name: etl-repo
        infrastructure: null
    """
    found = lint(text, select=["L005", "L006"])
    assert codes(found) == ["L005", "L006"]
    assert spans(text, found) == ["storage", "infrastructure"]
    assert "git_clone" in found[0].message
    assert found[0].fix is not None and not found[0].fix.is_safe  # only with --unsafe-fixes
    assert fixed(text, ["L006"]).endswith("_block_document_name: etl-repo\n")


def test_l006_infrastructure_names_pool_type_and_variables() -> None:
    text = """\
    deployments:
      - name: etl
        infrastructure:
          type: docker-container
          image: acme/etl:1.4
          auto_remove: false
          customizations: []
    """
    found = lint(text, select=["L006"])
    assert "`docker` work pool" in found[0].message
    assert "(image)" in found[0].message


def test_l008_path_and_manifest_path() -> None:
    text = """\
    deployments:
      - name: etl
        manifest_path: null
        path: /opt/prefect/flows
    """
    found = lint(text, select=["L008"])
    assert spans(text, found) == ["manifest_path", "path"]
    assert "set_working_directory" in found[1].message and found[1].fix is None
    assert fixed(text, ["L008"]) == textwrap.dedent("""\
    deployments:
      - name: etl
        path: /opt/prefect/flows
    """)


# -- L007 ---------------------------------------------------------------------------------------


def test_l007_both_keys_create_one_work_pool() -> None:
    text = """\
    deployments:
      - name: etl
        work_pool_name: k8s
        tags: [a]
        work_queue_name: critical  # busy
    """
    found = lint(text, select=["L007"])
    assert spans(text, found) == ["work_pool_name", "work_queue_name"]
    # unsafe: the deployment goes to a pool and queue Prefect 3 ignored until now
    assert {d.fix.applicability for d in found if d.fix} == {Applicability.UNSAFE}
    assert fixed(text, ["L007"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - name: etl
        work_pool:
          name: k8s
          work_queue_name: critical  # busy
        tags: [a]
    """)


def test_l007_into_existing_pool_and_conflict_is_unsafe() -> None:
    text = """\
    deployments:
      - work_queue_name: q
        work_pool:
          name: k8s
      - work_pool_name: other
        work_pool:
          name: k8s
      - work_pool_name: k8s
        work_pool:
          name: k8s
    """
    found = lint(text, select=["L007"])
    assert [d.fix.applicability for d in found if d.fix] == [Applicability.UNSAFE,
                                                              Applicability.UNSAFE,
                                                              Applicability.SAFE]
    assert fixed(text, ["L007"]) == textwrap.dedent(text).replace(
        "  - work_pool_name: k8s\n    work_pool:", "  - work_pool:")
    assert fixed(text, ["L007"], unsafe=True) == textwrap.dedent("""\
    deployments:
      - work_pool:
          name: k8s
          work_queue_name: q
      - work_pool:
          name: k8s
      - work_pool:
          name: k8s
    """)


def test_l007_miss() -> None:
    assert lint("deployments:\n  - work_pool: {name: a, work_queue_name: b}\n",
                select=["L007"]) == []


# -- L009 / L010 --------------------------------------------------------------------------------


def test_l009_agent_pool() -> None:
    text = """\
    deployments:
      - name: a
        work_pool:
          name: default-agent-pool
      - name: b
        work_pool:
          name: k8s
    """
    found = lint(text, select=["L009"])
    assert spans(text, found) == ["default-agent-pool"]


def test_l010_step_names_fixed_in_all_sections() -> None:
    text = """\
    pull:
      - prefect.projects.steps.git_clone_project:
          repository: https://x/y.git
      - "prefect.projects.steps.set_working_directory":
          directory: y
    deployments:
      - name: a
        pull:
          - prefect.deployments.steps.git_clone_project: {repository: z}
          - prefect.deployments.steps.git_clone: {repository: z}
    """
    found = lint(text, select=["L010"])
    assert [d.start.row for d in found] == [2, 4, 9]
    assert spans(text, found)[0] == "prefect.projects.steps.git_clone_project"
    assert fixed(text, ["L010"]) == textwrap.dedent(text).replace(
        "prefect.projects.steps.git_clone_project", "prefect.deployments.steps.git_clone"
    ).replace("prefect.projects.steps.set_working_directory",
              "prefect.deployments.steps.set_working_directory").replace(
        "git_clone_project: {", "git_clone: {")


def test_l001_fix_keeps_the_comment_of_the_infra_overrides_line() -> None:
    """A fix never drops bytes it did not mean to change: the key's comment moves with it."""
    from linter.core.fixer import apply_edits
    from tests.conftest import lint as lint_text

    for text, expected_line in [
        ("deployments:\n  - name: a\n    infra_overrides:  # keep me\n      image: x\n",
         "      job_variables:  # keep me\n"),
        ("deployments:\n  - name: a\n    infra_overrides:  # keep me\n      image: x\n"
         "    work_pool:\n      name: p\n", "      job_variables:  # keep me\n"),
        ("deployments:\n  - name: a\n    infra_overrides:  # keep me\n      image: x\n"
         "    work_pool:\n      name: p\n      job_variables:\n        env: {}\n",
         "        # keep me\n"),
    ]:
        (finding,) = [d for d in lint_text(text, select=["L001"]) if d.code == "L001"]
        assert finding.fix is not None
        fixed = apply_edits(text, finding.fix.edits)
        assert expected_line in fixed, fixed
        assert "image: x" in fixed


STORAGE_AND_INFRA = """\
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    storage:            # the old GitHub block
      repository: https://github.com/acme/etl.git
      reference: main
      _block_type_slug: github
    infrastructure:     # the old k8s block
      type: kubernetes-job
      image: ghcr.io/acme/etl:1.2
      namespace: data
      _block_type_slug: kubernetes-job
    work_pool:
      name: k8s-prod
"""


def test_l005_l006_unsafe_fixes_write_pull_step_and_job_variables() -> None:
    found = lint(STORAGE_AND_INFRA, select=["L005", "L006"])
    assert codes(found) == ["L005", "L006"]
    assert all(d.fix is not None and not d.fix.is_safe for d in found)
    assert fixed(STORAGE_AND_INFRA, ["L005", "L006"]) == STORAGE_AND_INFRA  # unsafe: not by
    # default
    runner = Runner(ConfigResolver(Overrides(select=("L005", "L006")), cwd=Path("/")),
                    fix=True, unsafe=True)
    result = runner.lint_text(STORAGE_AND_INFRA, "prefect.yaml", None,
                              Overrides(select=("L005", "L006")).apply(Settings(root=Path("/"))))
    assert result.fixed_text == textwrap.dedent("""\
    deployments:
      - name: etl
        entrypoint: flows/etl.py:etl
        pull:  # the old GitHub block
          - prefect.deployments.steps.git_clone:
              repository: https://github.com/acme/etl.git
              branch: main
        work_pool:
          name: k8s-prod
          job_variables:  # the old k8s block
            image: ghcr.io/acme/etl:1.2
            namespace: data
    """)


def test_l006_no_fix_without_a_pool_name_and_l005_none_beside_a_pull() -> None:
    text = STORAGE_AND_INFRA.replace("    work_pool:\n      name: k8s-prod\n",
                                     "    pull: []\n")
    found = lint(text, select=["L005", "L006"])
    assert codes(found) == ["L005", "L006"]
    assert all(d.fix is None for d in found)


AGENT_POOL_FILE = """\
deployments:
  - name: a
    entrypoint: f.py:f
    work_pool:
      name: default-agent-pool
"""


def l009_findings(cli, tmp_path: Path, pools: str | None,  # type: ignore[no-untyped-def]
                  snapshot: str | None = None) -> list[dict[str, object]]:
    import json

    (tmp_path / "prefect.yaml").write_text(AGENT_POOL_FILE, encoding="utf-8")
    if pools is not None:
        (tmp_path / "pyproject.toml").write_text(f"[tool.prefect-lint.pools]\n{pools}\n",
                                                 encoding="utf-8")
    if snapshot is not None:
        from linter.prefect.pools import PoolSnapshot, write_snapshots

        write_snapshots(tmp_path / ".prefect-lint" / "pools",
                        [PoolSnapshot("default-agent-pool", snapshot, {})], "http://h/api",
                        replace_all=True)
    result = cli("check", "--no-cache", "--select", "L009", "--output-format", "json")
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def test_l009_a_pool_configured_with_a_worker_type_is_not_an_agent_pool(
    cli, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    assert l009_findings(cli, tmp_path, 'default-agent-pool = "process"') == []


def test_l009_a_pool_pulled_with_a_worker_type_is_not_an_agent_pool(
    cli, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    assert l009_findings(cli, tmp_path, None, snapshot="process") == []


def test_l009_on_the_name_alone_it_is_probably_an_agent_pool(
    cli, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    [finding] = l009_findings(cli, tmp_path, None)
    assert finding["severity"] == "warning"
    assert "probably" in str(finding["message"])


@pytest.mark.parametrize(("pools", "snapshot"), [
    ('default-agent-pool = "prefect-agent"', None),
    (None, "prefect-agent"),
])
def test_l009_a_pool_known_to_be_prefect_agent_is_an_error(
    cli, tmp_path: Path, pools: str | None, snapshot: str | None  # type: ignore[no-untyped-def]
) -> None:
    [finding] = l009_findings(cli, tmp_path, pools, snapshot)
    assert finding["severity"] == "error"
    assert "probably" not in str(finding["message"])
