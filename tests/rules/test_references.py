"""R rules: step-output references, malformed placeholders, block/variable names, $ENV."""

from __future__ import annotations

import pytest

from linter.core.diagnostics import Severity
from tests.conftest import codes, lint, spans

BUILD = """\
build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build_image
      image_name: org/etl
"""


def test_r001_the_classic_dash_versus_underscore_id() -> None:
    text = BUILD + """\
deployments:
  - name: etl
    work_pool:
      job_variables:
        image: "{{ build-image.image }}"
"""
    found = lint(text, select=["R001"], dedent=False)
    assert codes(found) == ["R001"]
    assert spans(text, found) == ["{{ build-image.image }}"]
    assert (found[0].start.row, found[0].start.column) == (9, 17)
    assert "no earlier step has the id `build-image`" in found[0].message
    assert "drops this setting" in found[0].message
    assert found[0].help is not None
    assert "did you mean `build_image.image`?" in found[0].help
    assert "line 2" in found[0].help


def test_r001_miss_id_flat_output_and_ctx() -> None:
    text = BUILD + """\
deployments:
  - name: etl
    version: "{{ image_name }}-{{ build_image.tag }}"
    work_pool:
      job_variables:
        image: "{{ build_image.image }}"
        name: "{{ ctx.flow_run.name }}"
"""
    assert lint(text, select=["R001", "R002"], dedent=False) == []


def test_r001_pull_output_is_not_available_to_deployment_fields() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          id: clone
          repository: r
    deployments:
      - name: etl
        parameters:
          where: "path={{ clone.directory }}"
    """
    found = lint(text, select=["R001"])
    assert spans(text, found) == ["{{ clone.directory }}"]
    assert "pull steps run on the worker" in found[0].message
    assert "empty text" in found[0].message


def test_r001_pull_sees_earlier_pull_and_build_but_not_later() -> None:
    text = """\
    build:
      - prefect.deployments.steps.run_shell_script:
          id: sha
          script: git rev-parse HEAD
    pull:
      - prefect.deployments.steps.git_clone:
          id: clone
          repository: r
          commit_sha: "{{ sha.stdout }}"
      - prefect.deployments.steps.set_working_directory:
          directory: "{{ clone.directory }}"
      - prefect.deployments.steps.run_shell_script:
          script: "echo {{ later.stdout }}"
      - prefect.deployments.steps.run_shell_script:
          id: later
          script: echo
    """
    found = lint(text, select=["R001"])
    assert spans(text, found) == ["{{ later.stdout }}"]
    assert "runs after this value is resolved" in found[0].message


def test_r001_build_does_not_see_push() -> None:
    text = """\
    build:
      - prefect.deployments.steps.run_shell_script:
          script: "echo {{ pushed.bucket }}"
    push:
      - prefect_aws.deployments.steps.push_to_s3:
          id: pushed
          bucket: b
          folder: f
    """
    assert codes(lint(text, select=["R001"])) == ["R001"]


def test_r001_per_deployment_build_replaces_global() -> None:
    text = BUILD + """\
deployments:
  - name: uses-global
    work_pool: {job_variables: {image: "{{ build_image.image }}"}}
  - name: own-build
    build:
      - prefect.deployments.steps.run_shell_script:
          id: other
          script: echo
    work_pool: {job_variables: {image: "{{ build_image.image }}"}}
"""
    found = lint(text, select=["R001"], dedent=False)
    assert [d.start.row for d in found] == [13]


def test_r001_unknown_outputs_of_custom_steps_are_not_guessed() -> None:
    text = """\
    build:
      - my_company.steps.make_image:
          id: make
    deployments:
      - name: etl
        work_pool:
          job_variables:
            image: "{{ image_uri }}"
            other: "{{ make.whatever }}"
    """
    assert lint(text, select=["R001", "R002"]) == []


def test_r001_go_template_and_flow_run_help() -> None:
    text = """\
    build:
      - prefect.deployments.steps.run_shell_script:
          script: docker ps --format '{{.Names}}'
    deployments:
      - name: etl
        work_pool:
          job_variables:
            env:
              HOST: "{{ flow_run.name }}"
    """
    found = lint(text, select=["R001"])
    assert spans(text, found) == ["{{.Names}}", "{{ flow_run.name }}"]
    assert "Go/Docker template" in (found[0].help or "")
    assert "ctx.flow_run" in (found[1].help or "")


def test_r001_recipe_inputs_are_accepted() -> None:
    text = """\
    required_inputs:
      bucket: the bucket
      folder: the folder
    push:
      - prefect_aws.deployments.steps.push_to_s3:
          bucket: "{{ bucket }}"
          folder: "{{ folder }}"
    """
    assert lint(text, select=["R001"]) == []


def test_r001_values_prefect_init_fills_are_accepted_in_a_recipe() -> None:
    """A recipe's `{{ name }}`, `{{ directory }}`, `{{ repository }}`, `{{ branch }}` and
    `{{ dockerfile }}` are filled by `prefect init`, with or without `required_inputs`."""
    text = """\
    description: "Keep the code in git and build an image"
    required_inputs:
      image_name: the image
    build:
      - prefect_docker.deployments.steps.build_docker_image:
          id: build_image
          image_name: "{{ image_name }}"
          dockerfile: "{{ dockerfile }}"
    push:
      - prefect_aws.deployments.steps.push_to_s3:
          id: push_code
          bucket: my-bucket
          folder: "{{ name }}"
    pull:
      - prefect.deployments.steps.git_clone:
          repository: "{{ repository }}"
          branch: "{{ branch }}"
      - prefect.deployments.steps.set_working_directory:
          directory: "{{ directory }}"
      - prefect_aws.deployments.steps.pull_from_s3:
          id: pull_code
          bucket: my-bucket
          folder: "{{ pull_code.folder }}"
    """
    found = lint(text, select=["R001"])
    assert spans(text, found) == ["{{ pull_code.folder }}"]  # a true self-reference stays
    plain = text.replace('description: "Keep the code in git and build an image"\n    ', "")
    plain = plain.replace("required_inputs:\n      image_name: the image\n    ", "")
    assert spans(plain, lint(plain, select=["R001"])) == [  # not a recipe: nothing fills them
        "{{ image_name }}", "{{ dockerfile }}", "{{ name }}", "{{ repository }}",
        "{{ branch }}", "{{ pull_code.folder }}"]  # (git_clone's output is `directory`)


def test_r002_unknown_output_key_of_known_step() -> None:
    text = BUILD + """\
deployments:
  - name: etl
    work_pool:
      job_variables:
        image: "{{ build_image.imag }}"
"""
    found = lint(text, select=["R002"], dedent=False)
    assert codes(found) == ["R002"]
    assert spans(text, found) == ["{{ build_image.imag }}"]
    assert found[0].help == "did you mean `build_image.image`?"


def test_r003_malformed_placeholders() -> None:
    text = """\
    deployments:
      - name: etl
        description: "built from {{ build image }} with {{ x | lower }} and {{ 'lit' }}"
        triggers:
          - enabled: true
            parameters:
              who: "{{ event.resource.name | upper }}"
    build:
      - prefect.deployments.steps.run_shell_script:
          script: docker inspect --format '{{ json .Config }}' x
    """
    found = lint(text, select=["R003"])
    assert codes(found) == ["R003", "R003", "R003"]
    assert found[0].severity is Severity.WARNING
    assert spans(text, found) == ["{{ build image }}", "{{ x | lower }}", "{{ 'lit' }}"]
    assert found[0].help == "a name cannot contain spaces: did you mean `{{ build-image }}`?"
    assert found[1].help == "Prefect has no filters: write `{{ x }}`"


def test_r004_block_placeholder_format() -> None:
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: r
          credentials: "{{ prefect.blocks.github-credentials }}"
          access_token: "{{ prefect.blocks.secret.My_Token }}"
      - prefect.deployments.steps.git_clone:
          repository: r
          credentials: "{{ prefect.blocks.github-credentials.ok-1.value }}"
    """
    found = lint(text, select=["R004"])
    assert spans(text, found) == [
        "{{ prefect.blocks.github-credentials }}", "{{ prefect.blocks.secret.My_Token }}"]


def test_r005_variable_name() -> None:
    text = """\
    deployments:
      - name: etl
        version: "{{ prefect.variables.Release }}-{{ prefect.variables.ok_name }}"
    """
    found = lint(text, select=["R005"])
    assert spans(text, found) == ["{{ prefect.variables.Release }}"]


def test_r006_is_opt_in_and_skips_pull(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PL_TEST_UNSET", raising=False)
    monkeypatch.setenv("PL_TEST_SET", "1")
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          repository: "{{ $PL_TEST_UNSET }}"
    deployments:
      - name: etl
        work_pool:
          name: "{{ $PL_TEST_UNSET }}"
          work_queue_name: "{{ $PL_TEST_SET }}"
    """
    assert "R006" not in codes(lint(text))
    found = lint(text, select=["R006"])
    assert spans(text, found) == ["{{ $PL_TEST_UNSET }}"]
    assert found[0].start.row == 7


def test_anchored_step_reported_once() -> None:
    text = """\
    definitions:
      build: &build
        - prefect.deployments.steps.run_shell_script:
            script: "echo {{ nothing.here }}"
    deployments:
      - name: a
        build: *build
      - name: b
        build: *build
    """
    assert codes(lint(text, select=["R001"])) == ["R001"]


def test_r001_and_r003_look_into_the_arguments_of_a_mis_indented_step() -> None:
    """T006's step (arguments beside the function key) hid a dangling reference until the
    fix; it is checked as the arguments it is meant to be."""
    text = """\
    pull:
      - prefect.deployments.steps.git_clone:
          id: clone
          repository: https://github.com/org/repo.git
      - prefect.deployments.steps.set_working_directory:
        directory: "{{ prefect.steps.git_clone.directory }}"
      - prefect.deployments.steps.run_shell_script:
        id: ignored
        script: "echo {{ clone.directory | upper }}"
    """
    found = lint(text, select=["R001", "R003", "T006"])
    assert [(d.code, d.start.row) for d in found] == [
        ("T006", 6), ("R001", 6), ("T006", 8), ("R003", 9)]
    assert "`prefect`" in found[1].message
    good = text.replace("{{ prefect.steps.git_clone.directory }}", "{{ clone.directory }}")
    assert "R001" not in codes(lint(good, select=["R001"]))
