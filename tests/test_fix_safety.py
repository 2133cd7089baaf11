"""Each rule's declared fix safety matches the fixes it emits.

A fix is safe when the result means exactly what the text already says to a reader (quoting a
value YAML would mis-type, removing an unused suppression); unsafe when it changes which
settings take effect (moving an ignored agent-era key to where Prefect 3 reads it). The
declaration (shown by `prefect-lint rules` and in SARIF) is the least safe fix a rule emits:
``safe`` only when every fix it emits is safe.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from linter.core.diagnostics import Applicability, Diagnostic
from linter.core.registry import Rule, all_rules
from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from tests.conftest import CORPUS

HERE = Path(__file__).parent

#: Inputs for fix variants the doc examples do not show (file name, text).
VARIANTS: list[tuple[str, str]] = [
    ("prefect.yaml", """\
    deployments:
      - name: a
        infra_overrides: {}
        work_pool: {name: k8s}
      - name: b
        work_pool:
          name: k8s
          infra_overrides:
            image: x
      - name: c
        infra_overrides:
          image: y
        work_pool:
          name: k8s
          job_variables:
            image: z
      - name: d
        infra_overrides:
          cpu: 1
        work_pool:
          name: k8s
          job_variables:
            image: z
      - name: e
        infra_overrides:
          cpu: 1
        work_pool:
          name: k8s
    """),
    ("prefect.yaml", """\
    deployments:
      - name: a
        is_schedule_active: true
      - name: b
        is_schedule_active: false
        schedules:
          - cron: "0 3 * * *"
      - name: c
        schedule: {cron: "0 3 * * *"}
      - name: d
        schedule:
    """),
    ("prefect.yaml", """\
    deployments:
      - name: a
        storage:
        infrastructure: {}
        manifest_path: x.json
        path: .
      - name: b
        storage:
          bucket_path: bucket/flows
          _block_type_slug: s3
        infrastructure:
          type: docker-container
          image: acme/etl:1.4
        work_pool:
          name: docker
    """),
    ("prefect.yaml", """\
    deployments:
      - name: a
        work_pool_name: k8s
        work_pool:
          name: k8s
      - name: b
        work_queue_name: q
        work_pool:
          name: k8s
          work_queue_name: other
      - name: c
        work_queue_name: q
        work_pool:
          name: k8s
      - name: d
        work_pool_name:
        work_pool:
          name: k8s
    """),
    ("prefect.yaml", """\
    deployments:
      - name: a
        entrypoint: flows\\etl.py:etl
        schedules:
          - interval: "600"
          - cron: "0 6 * * *"
            timezone: europe/berlin
        pull:
          - prefect.deployments.steps.git_clone:
              repositry: https://github.com/org/repo.git
        work_pool:
          name: k8s-prod
          job_variables:
            imagePullPolicy: Always
    """),
    ("Dockerfile", 'CMD prefect agent start --pool etl --limit 2\n'),
]


def doc_example(rule: Rule) -> str | None:
    """The indented block after ``**Example**:`` in the rule's documentation."""
    doc = textwrap.dedent(rule.doc)
    _, found, rest = doc.partition("**Example**:")
    if not found:
        return None
    block = rest.split("**", 1)[0]
    return textwrap.dedent(block).strip("\n") + "\n"


def example_name(rule: Rule, text: str) -> str:
    if "prefect" in rule.kinds:
        return "prefect.yaml"
    if "python" in rule.kinds:
        return "deploy.py"
    if "ENTRYPOINT" in text or "CMD " in text or "RUN " in text:
        return "Dockerfile"
    if text.lstrip().startswith(("deployments:", "name:", "flow_name:")):
        return "deployment.yaml"
    return "run.sh"


def inputs() -> Iterator[tuple[str, str]]:
    for rule in all_rules():
        text = doc_example(rule)
        if text is not None:
            yield example_name(rule, text), text
    for name, text in VARIANTS:
        yield name, textwrap.dedent(text)
    for path in sorted((HERE / "conformance" / "cases").glob("*.yaml")):
        yield "prefect.yaml", path.read_text(encoding="utf-8")
    if CORPUS.is_dir():  # other people's files: used where present, never copied here
        for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
            if path.name != "MANIFEST.tsv":
                yield path.name, path.read_text(encoding="utf-8", errors="replace")


def emitted_fixes() -> dict[str, set[Applicability]]:
    codes = tuple(rule.code for rule in all_rules())
    settings = Settings(root=Path("/"), select=codes,
                        extra={"pools": {"k8s-prod": "kubernetes"}})
    runner = Runner(ConfigResolver(cwd=Path("/")))
    found: dict[str, set[Applicability]] = {}
    for name, text in inputs():
        result = runner.lint_text(text, name, None, settings)
        diagnostics: list[Diagnostic] = list(result.diagnostics) if result else []
        for diagnostic in diagnostics:
            if diagnostic.fix is not None:
                found.setdefault(diagnostic.code, set()).add(diagnostic.fix.applicability)
    return found


EMITTED = emitted_fixes()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_declared_fix_safety_matches_the_fixes_emitted(rule: Rule) -> None:
    emitted = EMITTED.get(rule.code, set())
    if rule.fix is None:
        assert emitted == set(), f"{rule.code} declares no fix but emits {emitted}"
        return
    assert emitted, f"{rule.code} declares a {rule.fix.value} fix, but no input makes one"
    least_safe = Applicability.UNSAFE if Applicability.UNSAFE in emitted else Applicability.SAFE
    assert rule.fix == least_safe, (
        f"{rule.code} declares {rule.fix.value}, emits {sorted(a.value for a in emitted)}")


def test_the_pre_commit_fix_hook_leaves_unsafe_fixes_alone(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((HERE.parent / ".pre-commit-hooks.yaml").read_text())
    entry = next(hook["entry"] for hook in hooks if hook["id"] == "prefect-lint-fix").split()
    assert entry[0] == "prefect-lint"
    text = ("deployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n"
            "    version: 1.10\n    infra_overrides:\n      image: acme/etl:1.4\n"
            "    work_pool:\n      name: docker\n")
    (tmp_path / "prefect.yaml").write_text(text, encoding="utf-8")
    result = cli(*entry[1:], "--no-cache", "prefect.yaml")
    assert result.exit_code == 1  # it changed the file (the safe quoting of 1.10)
    after = (tmp_path / "prefect.yaml").read_text(encoding="utf-8")
    assert after == text.replace("1.10", '"1.10"')  # the image stays where Prefect ignores it
