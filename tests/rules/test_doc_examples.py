"""Every rule's documentation shows an example that fires the rule and a "use instead"
block that does not, both whole files linted as the kind of file the rule checks.

The two sections live in the rule's examples file (``linter/rules/examples/<CODE>.md``, one a
built-in rule and none without one), not in its docstring; the blocks are read from
``Rule.doc``, as every page of the rule shows them.

How the blocks are linted: each is written into a temporary project and linted with every
rule selected. A rule for prefect.yaml files gets ``prefect.yaml``; a rule only for Prefect 2
files gets ``etl-deployment.yaml`` (its "use instead" is the prefect.yaml it migrates to); a
rule only for scripts gets the file name in ``SCRIPT_NAMES`` (the kind of script its example
is). The project holds the context the examples mention: ``flows/etl.py`` (a flow
``etl(days: int = 1)`` and a task ``load``), ``flows/reports.py`` (a flow
``build_reports(days: int)``), and a ``prefect-lint.toml`` mapping the pools ``k8s-prod``
(``kubernetes``), ``aci-prod`` (``azure-container-instance``) and ``k8s-custom`` (a copy of
the bundled Kubernetes template in ``pools/k8s-custom.json``).
The project also has a workspace snapshot (``.prefect-lint/workspace.json``) with those
pools, the queues ``default`` and ``high-memory``, the blocks ``secret/db-password`` and
``github-credentials/my-creds`` and the variable ``image_tag``. ``EXAMPLE_CONTEXT`` changes
files for an example that is about such a file (a flow file that does not parse, a template
that lost a placeholder); the "use instead" block is linted in the unchanged project.
``LATIN_1`` examples are saved as Latin-1 (the rule is about the encoding).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

import linter.rules
from linter.core.registry import Rule, all_rules
from linter.core.rule_examples import EXAMPLE, USE_INSTEAD, read_examples
from linter.project.config import ConfigResolver, Overrides
from linter.resources import load_json
from linter.run.runner import Runner
from tests.conftest import write

FLOW = """\
from prefect import flow, task


@task
def load(rows: list[int]) -> int:
    return len(rows)


@flow
def etl(days: int = 1) -> None:
    load(list(range(days)))
"""

REPORTS = """\
from prefect import flow


@flow
def build_reports(days: int) -> None:
    print(days)
"""

CONFIG = """\
[pools]
"k8s-prod" = "kubernetes"
"aci-prod" = "azure-container-instance"
"k8s-custom" = { template = "pools/k8s-custom.json" }
"""


def kubernetes_template(placeholder: bool = True) -> str:
    template = load_json("pools/kubernetes.json")
    text = json.dumps(template, indent=2)
    if not placeholder:
        text = text.replace('"{{ service_account_name }}"', '"etl-runner"')
    return text


#: The workspace snapshot (`prefect-lint pull`) the P006/P007/R007/R008 examples are about.
WORKSPACE = json.dumps({
    "snapshot": "prefect-lint workspace", "version": 1, "api_host": "127.0.0.1:4200",
    "pulled_at": "2099-01-01T00:00:00Z",
    "work_pools": {"k8s-prod": {"type": "kubernetes", "work_queues": ["default", "high-memory"]},
                   "aci-prod": {"type": "azure-container-instance", "work_queues": ["default"]},
                   "k8s-custom": {"type": "kubernetes", "work_queues": ["default"]}},
    "block_documents": {"secret": ["db-password"], "github-credentials": ["my-creds"]},
    "variables": ["image_tag"],
})

PROJECT = {
    "flows/etl.py": FLOW,
    "flows/reports.py": REPORTS,
    "prefect-lint.toml": CONFIG,
    "pools/k8s-custom.json": kubernetes_template(),
    ".prefect-lint/workspace.json": WORKSPACE,
}

#: rule code -> files its example is about (a relative path -> content in the example)
EXAMPLE_CONTEXT: dict[str, dict[str, str]] = {
    "D004": {"flows/etl.py": "from prefect import flow\n\n@flow\ndef etl(:\n    pass\n"},
    "P004": {"pools/k8s-custom.json": kubernetes_template(placeholder=False)},
}

#: rules whose example is saved as Latin-1 instead of UTF-8
LATIN_1 = {"Y000"}

#: rule code -> the file name its blocks are linted as, for rules that check scripts only
SCRIPT_NAMES: dict[str, str] = {
    "L020": "Dockerfile",
    "L021": "deploy.sh",
    "L022": "start-agent.sh",
    "L023": "values.yaml",
}


def block_after(doc: str, heading: str) -> str | None:
    """The first indented block after the paragraph starting with ``heading``, before the
    next ``**...**`` paragraph."""
    lines = doc.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(heading)]
    if not starts:
        return None
    body: list[str] = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("**"):
            break
        if line.startswith("    ") or (not line.strip() and body):
            body.append(line)
        elif line.strip() and body:
            break
    text = textwrap.dedent("\n".join(body)).strip("\n")
    return text + "\n" if text else None


def file_name(rule: Rule, instead: bool) -> str:
    if "prefect" in rule.kinds:
        return "prefect.yaml"
    if "legacy" in rule.kinds:
        return "prefect.yaml" if instead else "etl-deployment.yaml"
    if "python" in rule.kinds:
        return "deploy.py"
    return SCRIPT_NAMES[rule.code]


def target_line(rule: Rule) -> str:
    """The ``target-version`` a rule's example names in its heading
    (``**Example** (with `target-version = "3.3"`)``), as a configuration line."""
    match = re.search(r'\*\*Example\*\* \(with `(target-version = "[0-9.]+")`\)', rule.doc)
    return f"{match.group(1)}\n" if match else ""


def codes_for(rule: Rule, text: str, root: Path, instead: bool) -> list[str]:
    context = {} if instead else EXAMPLE_CONTEXT.get(rule.code, {})
    project = {**PROJECT, "prefect-lint.toml": target_line(rule) + CONFIG}
    for relative, content in {**project, **context}.items():
        write(root, relative, content)
    path = root / file_name(rule, instead)
    encoding = "latin-1" if rule.code in LATIN_1 and not instead else "utf-8"
    path.write_bytes(text.encode(encoding))
    runner = Runner(ConfigResolver(Overrides(select=("ALL",)), cwd=root))
    result = runner.lint_path(path)
    assert result is not None, f"{path.name} is not a kind of file any rule checks"
    return [d.code for d in result.diagnostics]


RULES = all_rules()
EXAMPLES = Path(linter.rules.__file__).resolve().parent / "examples"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_examples_are_in_the_rules_examples_file(rule: Rule) -> None:
    assert Path(rule.examples) == EXAMPLES / f"{rule.code}.md"
    text = read_examples(rule.examples)
    assert text.startswith(EXAMPLE), f"{rule.examples} must start with {EXAMPLE}"
    assert (text.count(EXAMPLE), text.count(USE_INSTEAD)) == (1, 1)
    assert block_after(text, EXAMPLE) and block_after(text, USE_INSTEAD)
    assert EXAMPLE not in rule.docstring and USE_INSTEAD not in rule.docstring
    assert text.strip("\n") in rule.doc


def test_every_examples_file_belongs_to_a_rule() -> None:
    registered = {f"{rule.code}.md" for rule in RULES}
    orphans = sorted(path.name for path in EXAMPLES.iterdir() if path.name not in registered)
    assert orphans == [], "examples files of no registered rule"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_example_fires_its_rule(rule: Rule, tmp_path: Path) -> None:
    example = block_after(rule.doc, "**Example**")
    assert example is not None, "no example block"
    assert rule.code in codes_for(rule, example, tmp_path, instead=False), example


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_use_instead_does_not_fire_its_rule(rule: Rule, tmp_path: Path) -> None:
    instead = block_after(rule.doc, "**Use instead**")
    assert instead is not None, "no 'use instead' block"
    assert rule.code not in codes_for(rule, instead, tmp_path, instead=True), instead
