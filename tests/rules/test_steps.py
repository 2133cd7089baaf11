"""T rules: step functions, arguments, id, requires, plain-text secrets; custom steps."""

from __future__ import annotations

import textwrap
from pathlib import Path

from linter.core.diagnostics import Diagnostic, Severity
from linter.core.fixer import apply_edits
from linter.core.selection import normalize_selectors
from linter.prefect.steps import StepSignature, custom_step, load_catalogue, plans
from linter.project.config import ConfigResolver, Overrides, Settings
from linter.run.runner import Runner
from linter.source.document import Document
from tests.conftest import codes, lint, spans, write


def fixed(text: str, diagnostic: Diagnostic) -> str:
    assert diagnostic.fix is not None
    return apply_edits(textwrap.dedent(text), list(diagnostic.fix.edits))


def lint_at(folder: Path, text: str, select: list[str]) -> list[Diagnostic]:
    """Lint ``text`` as ``folder/prefect.yaml`` (custom steps are looked up beside it)."""
    path = write(folder, "prefect.yaml", text)
    overrides = Overrides(select=tuple(normalize_selectors(select, "test")))
    runner = Runner(ConfigResolver(overrides, cwd=folder))
    settings = overrides.apply(Settings(root=folder))
    return runner.lint_text(path.read_text(), "prefect.yaml", path, settings).diagnostics


# -- catalogue ----------------------------------------------------------------------------------


def test_catalogue_describes_every_known_step_with_its_source() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.steps) == 14
    git_clone = catalogue.steps["prefect.deployments.steps.git_clone"]
    assert git_clone.required == ["repository"]
    assert ("access_token", "credentials") in git_clone.exclusive
    assert git_clone.outputs == frozenset({"directory"})
    assert git_clone.source.startswith("prefect 3.9.1")
    build = catalogue.steps["prefect_docker.deployments.steps.build_docker_image"]
    assert build.accepts_any_keyword and build.source.startswith("prefect-docker 0.7.4")
    assert "image" in (build.outputs or ())
    assert catalogue.steps["prefect_azure.deployments.steps.push_to_azure_blob_storage"]\
        .required == ["container", "folder", "credentials"]


def test_catalogue_spellings() -> None:
    catalogue = load_catalogue()
    for spelling in ("prefect.deployments.steps:git_clone",
                     "prefect.deployments.steps.pull.git_clone",
                     "prefect.projects.steps.git_clone"):
        assert catalogue.lookup(spelling) is catalogue.steps[
            "prefect.deployments.steps.git_clone"]


# -- T001 ---------------------------------------------------------------------------------------


def test_t001_unknown_function_in_known_module() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clon:
          repository: https://github.com/org/repo.git
    """
    found = lint(text, select=["T001"])
    assert codes(found) == ["T001"]
    assert spans(text, found) == ["prefect.deployments.steps.git_clon"]
    assert (found[0].start.row, found[0].start.column) == (2, 5)
    assert found[0].help == "did you mean `prefect.deployments.steps.git_clone`?"


def test_t001_step_in_the_wrong_package() -> None:
    text = """\
    push:
      - prefect.deployments.steps.push_to_s3:
          bucket: b
          folder: f
    """
    found = lint(text, select=["T001"])
    assert found[0].help == "did you mean `prefect_aws.deployments.steps.push_to_s3`?"


def test_t001_miss_known_custom_and_legacy() -> None:
    text = """\
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          image_name: x
      - mycompany.steps.do_thing: {}
      - prefect.projects.steps.git_clone_project:
          repository: x
    pull:
      - prefect.deployments.steps:set_working_directory:
          directory: /opt
    """
    assert lint(text, select=["T001"]) == []


def test_t001_custom_file_without_the_function(tmp_path: Path) -> None:
    write(tmp_path, "steps/tools.py", "def clean_up(path: str) -> dict:\n    return {}\n")
    text = """\
    pull:
      - steps.tools.clean_upp:
          path: x
    """
    found = lint_at(tmp_path, text, ["T001"])
    assert codes(found) == ["T001"]
    assert "`steps/tools.py` defines no top-level function `clean_upp`" in found[0].message
    assert found[0].help == "did you mean `clean_up`?"


# -- T002 / T003 / T004 / T005 ------------------------------------------------------------------


def test_t002_unknown_argument_with_position_and_unsafe_fix() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/org/repo.git
          brnach: main
    """
    found = lint(text, select=["T002"])
    assert codes(found) == ["T002"]
    assert spans(text, found) == ["brnach"]
    assert (found[0].start.row, found[0].start.column) == (4, 7)
    assert found[0].fix is not None and not found[0].fix.is_safe
    assert fixed(text, found[0]).splitlines()[3] == "      branch: main"


def test_t002_hint_instead_of_a_misleading_suggestion() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: r
          directory: src
    """
    found = lint(text, select=["T002"])
    assert found[0].fix is None and "clone_directory_name" in (found[0].help or "")


def test_t002_miss_kwargs_reserved_and_unknown_steps() -> None:
    text = """\
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          id: img
          requires: prefect-docker
          image_name: x
          platform: linux/amd64
      - unknown.module.step:
          anything: 1
    """
    assert lint(text, select=["T002"]) == []


def test_t003_missing_required_argument() -> None:
    text = """\
    push:
      - prefect_azure.deployments.steps.push_to_azure_blob_storage:
          container: flows
          folder: etl
    """
    found = lint(text, select=["T003"])
    assert codes(found) == ["T003"]
    assert spans(text, found) == ["prefect_azure.deployments.steps.push_to_azure_blob_storage"]
    assert "`credentials`" in found[0].message
    ok = text.replace("folder: etl", "folder: etl\n      credentials: '{{ prefect.blocks.x.y }}'")
    assert lint(ok, select=["T003"]) == []


def test_t004_number_where_string_with_unsafe_quote_fix() -> None:
    text = """\
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          image_name: org/etl
          tag: 1.10
    """
    found = lint(text, select=["T004"])
    assert codes(found) == ["T004"]
    assert found[0].severity is Severity.WARNING
    assert spans(text, found) == ["1.10"]
    assert fixed(text, found[0]).splitlines()[3] == '      tag: "1.10"'
    assert found[0].fix is not None and not found[0].fix.is_safe


def test_t004_string_where_boolean_and_placeholders_skipped() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: "{{ prefect.variables.repo }}"
          include_submodules: "false"
          branch: "{{ $BRANCH }}"
    """
    found = lint(text, select=["T004"])
    assert spans(text, found) == ['"false"']
    assert "non-empty string counts as true" in (found[0].help or "")


def test_t005_access_token_and_credentials() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: r
          access_token: "{{ prefect.blocks.secret.gh }}"
          credentials: "{{ prefect.blocks.github-credentials.org }}"
    """
    found = lint(text, select=["T005"])
    assert codes(found) == ["T005"]
    assert spans(text, found) == ["credentials"]
    assert lint(text.replace("      access_token", "      # access_token"),
                select=["T005"]) == []


# -- T006 / T007 --------------------------------------------------------------------------------


def test_t006_misindented_arguments_fix_keeps_comments() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
        repository: https://github.com/org/repo.git  # the repo
        # which branch
        branch: main
      - prefect.deployments.steps.set_working_directory:
          directory: x
    """
    found = lint(text, select=["T006"])
    assert codes(found) == ["T006"]
    assert spans(text, found) == ["repository"]
    assert (found[0].start.row, found[0].start.column) == (3, 5)
    assert found[0].fix is not None and not found[0].fix.is_safe
    assert fixed(text, found[0]) == textwrap.dedent("""\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/org/repo.git  # the repo
          # which branch
          branch: main
      - prefect.deployments.steps.set_working_directory:
          directory: x
    """)


def test_t006_id_beside_a_mapping_of_arguments() -> None:
    text = """\
    build:
      - prefect_docker.deployments.steps.build_docker_image:
            image_name: x
        id: build-image
    """
    found = lint(text, select=["T006"])
    assert fixed(text, found[0]).splitlines()[2:4] == [
        "        image_name: x", "        id: build-image"]


def test_t006_ambiguous_has_no_fix() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: r
        prefect.deployments.steps.set_working_directory:
          directory: x
    """
    found = lint(text, select=["T006"])
    assert codes(found) == ["T006"] and found[0].fix is None
    assert "several steps" in (found[0].help or "")


def test_t006_miss_one_key() -> None:
    assert lint("pull:\n  - a.b: {}\n", select=["T006"]) == []


def test_t007_null_arguments_safe_fix() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.pip_install_requirements:
      - prefect.deployments.steps.set_working_directory: ~
      - prefect.deployments.steps.run_shell_script: echo hi
    """
    found = lint(text, select=["T007"])
    assert codes(found) == ["T007", "T007", "T007"]
    assert spans(text, found)[0] == "prefect.deployments.steps.pip_install_requirements"
    assert found[0].fix is not None and found[0].fix.is_safe
    assert fixed(text, found[0]).splitlines()[1].endswith("pip_install_requirements: {}")
    assert fixed(text, found[1]).splitlines()[2].endswith("set_working_directory: {}")
    assert found[2].fix is None and "a single value" in found[2].message


# -- T008 / T009 / T010 / T011 ------------------------------------------------------------------


def test_t008_duplicate_id_in_build_and_push_but_not_across_pull() -> None:
    text = """\
    build:
      - a.b:
          id: step
    push:
      - c.d:
          id: step
    pull:
      - e.f:
          id: step
    """
    found = lint(text, select=["T008"])
    assert codes(found) == ["T008"]
    assert (found[0].start.row, found[0].start.column) == (6, 11)
    assert "line 3" in found[0].message


def test_t009_requires_types() -> None:
    text = """\
    pull:
      - a.b:
          requires: {pkg: 1}
      - a.c:
          requires: [ok, 3]
      - a.d:
          requires: [prefect-aws>=0.5, s3fs]
      - a.e:
          requires: prefect-aws
    """
    found = lint(text, select=["T009"])
    assert [d.start.row for d in found] == [3, 5]
    assert spans(text, found)[1] == "[ok, 3]"


def test_t010_step_id_types() -> None:
    text = """\
    build:
      - a.b:
          id: [x]
      - a.c:
          id: 7
      - a.d:
          id: fine
    """
    found = lint(text, select=["T010"])
    assert [(d.start.row, d.severity) for d in found] == [
        (3, Severity.ERROR), (5, Severity.WARNING)]


def test_t011_token_never_echoed() -> None:
    token = "ghp_" + "A1b2C3d4" * 5
    text = f"""\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/org/repo.git
          access_token: {token}
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/org/repo.git
          credentials:
            username: me
            access_token: plain-secret
      - custom.step:
          url: https://x:glpat-{"a" * 20}@gitlab.com/r.git
    """
    found = lint(text, select=["T011"])
    assert [d.start.row for d in found] == [4, 9, 11]
    assert spans(text, found)[0] == token
    assert all(token not in d.message and token not in (d.help or "") for d in found)
    assert "GitHub token" in found[0].message
    assert "GitLab token" in found[2].message


def test_t011_miss_block_reference() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: r
          access_token: "{{ prefect.blocks.secret.github-token }}"
    """
    assert lint(text, select=["T011"]) == []


# -- custom steps read with ast -----------------------------------------------------------------


def test_custom_step_signature_from_the_project(tmp_path: Path) -> None:
    write(tmp_path, "deploy_steps.py", """\
        from typing import Optional

        def fetch(url: str, retries: int = 3, *, verbose: Optional[bool] = None) -> dict:
            return {"path": url, "count": retries}
        """)
    text = """\
    pull:
      - deploy_steps.fetch:
          retries: "3"
          verbos: true
    """
    found = lint_at(tmp_path, text, ["T002", "T003", "T004"])
    assert sorted(codes(found)) == ["T002", "T003", "T004"]
    signature = custom_step(tmp_path, "deploy_steps.fetch")
    assert isinstance(signature, StepSignature)
    assert signature.outputs == frozenset({"path", "count"})
    assert signature.arguments["verbose"].types == frozenset({"boolean", "null"})


def test_custom_step_file_path_syntax_and_kwargs(tmp_path: Path) -> None:
    write(tmp_path, "scripts/hook.py", "def run(**kwargs):\n    pass\n")
    text = """\
    build:
      - scripts/hook.py:run:
          anything: 1
    """
    assert lint_at(tmp_path, text, ["T"]) == []


def test_custom_step_decorated_or_imported_is_not_checked(tmp_path: Path) -> None:
    write(tmp_path, "helpers.py", """\
        from elsewhere import imported
        import functools

        @functools.cache
        def decorated(a):
            return {}
        """)
    text = """\
    build:
      - helpers.decorated:
          b: 1
      - helpers.imported:
          c: 1
    """
    assert lint_at(tmp_path, text, ["T"]) == []


# -- plans --------------------------------------------------------------------------------------


def test_plans_follow_prefects_replacement_rules() -> None:
    text = textwrap.dedent("""\
    build:
      - g.build: {}
    push:
      - g.push: {}
    pull:
      - g.pull: {}
    deployments:
      - name: own-build-null
        build: null
      - name: empty-push-falls-back
        push: []
      - name: empty-pull-means-none
        pull: []
      - name: own-pull
        pull:
          - d.pull: {}
    """)
    document = Document.from_text(text, "prefect.yaml")
    found = [([i.function for i in p.build], [i.function for i in p.push],
              [i.function for i in p.pull]) for p in plans(document)]
    assert found == [
        ([], ["g.push"], ["g.pull"]),
        (["g.build"], ["g.push"], ["g.pull"]),
        (["g.build"], ["g.push"], []),
        (["g.build"], ["g.push"], ["d.pull"]),
    ]


def test_t011_malformed_variable_reference_is_not_a_plain_text_secret() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://github.com/org/repo.git
          access_token: "{{ prefect.variables.get('github_token') }}"
    """
    found = lint(text, select=["T011", "R003"])
    assert codes(found) == ["R003"]  # the malformed placeholder, not a token to revoke
    literal = text.replace("\"{{ prefect.variables.get('github_token') }}\"", "s3cr3t-value")
    assert codes(lint(literal, select=["T011"])) == ["T011"]


def test_t011_code_frames_mask_the_secret(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The full format shows the offending line; for a secret, the secret is masked."""
    write(tmp_path, "prefect.yaml", "pull:\n  - prefect.deployments.steps.git_clone:\n"
          "      repository: https://github.com/org/repo.git\n"
          "      access_token: plain-secret-value\n")
    result = cli("check", "--no-cache", "--select", "T011", "prefect.yaml")
    assert "T011" in result.output
    assert "plain-secret-value" not in result.output
    assert "access_token: ******************" in result.output
