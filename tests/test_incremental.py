"""The language server's incremental check (linter.run.incremental) gives exactly what a
full check gives, after every edit; and every rule declared ``Scope.DEPLOYMENT`` keeps the
promise that lets its findings be kept per deployment."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from linter.core.registry import Rule, Scope, all_rules
from linter.project.config import ConfigResolver
from linter.project.context import LintContext, Project
from linter.run.engine import check_document
from linter.run.incremental import IncrementalChecker, Split, split
from linter.run.runner import Runner
from linter.source.document import Document
from linter.source.splice import (
    Region,
    head_text,
    partial_document,
    partial_text,
    sequence_items,
)
from tests.conftest import REPO, corpus_params
from tests.rules.test_doc_examples import PROJECT, block_after

sys.path.insert(0, str(REPO / "benchmarks"))
from run import generated_file, make_project

LETTERS = "abz019 _."
SPECIALS = ":-'\"{}[]#*!,|>%@`&\n"


def project_for(root: Path) -> tuple[Project, list[Rule], Path]:
    path = root / "prefect.yaml"
    runner = Runner(ConfigResolver(cwd=root))
    settings = runner.resolver.for_path(path)
    return Project(root=settings.root, settings=settings), runner.rules_for(settings, path), path


def random_edit(text: str, rng: random.Random) -> str:
    """Mostly a few characters typed or deleted inside a line of a deployment; sometimes
    anywhere, or with a line break."""
    document = Document.from_text(text, "prefect.yaml")
    items = sequence_items(document, "deployments") if rng.random() < 0.9 else None
    if items is None:
        start, end = 0, len(text)
    else:
        region = items.regions[rng.randrange(len(items.regions))]
        start, end = region.start, region.end
    if end - start < 2:
        return text
    at = rng.randrange(start, end - 1)
    length = rng.randrange(0, 3) if text[at:at + 3].count("\n") == 0 else 0
    alphabet = SPECIALS if rng.random() < 0.1 else LETTERS
    inserted = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 4)))
    return text[:at] + inserted + text[at + length:]


def edit_session(text: str, root: Path, seed: int, edits: int) -> Counter[bool]:
    """Check ``edits`` successive random versions both ways; returns how many checks were
    incremental (True) and full (False)."""
    project, rules, path = project_for(root)
    checker = IncrementalChecker(project, rules, "prefect.yaml", path)
    rng = random.Random(seed)
    used: Counter[bool] = Counter()
    good = text
    for _ in range(edits):
        outcome = checker.check(text)
        document = Document.from_text(text, "prefect.yaml", path=path)
        expected = check_document(document, project, rules)
        assert outcome.diagnostics == expected, text
        used[outcome.incremental] += 1
        if document.root is not None:
            good = text
        text = random_edit(good, rng)  # a broken file is checked once, then typed on from
        # the last one that parsed, as a user typing mostly does
    return used


def test_typing_in_a_generated_project_is_checked_incrementally_and_exactly(
        tmp_path: Path) -> None:
    make_project(tmp_path, 15)
    used = edit_session((tmp_path / "prefect.yaml").read_text(), tmp_path, seed=1, edits=120)
    assert used[True] > 40, used  # the others follow a file that did not parse


def test_typing_in_the_example_project_is_checked_exactly() -> None:
    text = (REPO / "examples" / "prefect.yaml").read_text()
    used = edit_session(text, REPO / "examples", seed=2, edits=80)
    assert used[True] > 20, used


def test_a_changed_flow_file_is_seen(tmp_path: Path) -> None:
    """A file the deployment rules looked at changes between two keystrokes: the kept
    findings are not reused."""
    make_project(tmp_path, 3)
    project, rules, path = project_for(tmp_path)
    checker = IncrementalChecker(project, rules, "prefect.yaml", path)
    text = path.read_text()
    assert not checker.check(text).diagnostics
    (tmp_path / "flows" / "etl.py").write_text("def something_else():\n    pass\n")
    edited = text.replace("Deployment number 1", "Deployment number 1x")
    outcome = checker.check(edited)
    assert not outcome.incremental
    assert outcome.diagnostics == check_document(
        Document.from_text(edited, "prefect.yaml", path=path), project, rules)
    assert any(d.code.startswith("D") for d in outcome.diagnostics)


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_params("prefect_yaml"),
                         ids=lambda p: getattr(p, "name", str(p)))
def test_typing_in_corpus_files_is_checked_exactly(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    edit_session(text, configured(tmp_path), seed=len(text), edits=12)


def configured(root: Path) -> Path:
    """``root`` as the rule examples' project: pools mapped and a workspace snapshot, so that
    the P rules and the workspace rules speak too."""
    for relative, content in PROJECT.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)
    return root


# -- the promise of Scope.DEPLOYMENT --------------------------------------------------------

DEPLOYMENT_RULES = [rule for rule in all_rules() if rule.scope is Scope.DEPLOYMENT]


def placed(rule: Rule, document: Document, project: Project, regions: list[Region]
           ) -> Split | None:
    """The rule's findings on ``document``, split by where they live."""
    found = [(rule, finding) for finding in rule.check(LintContext(document, project))]
    return split(found, regions, len(document.text))


def partial(document: Document, regions: list[Region], index: int) -> Document:
    text = document.text
    return partial_document(document, partial_text(text, head_text(text, regions),
                                                   regions[index]), index)


def swapped(text: str, regions: list[Region], index: int) -> str | None:
    """``text`` with deployment ``index`` replaced by the next one's text (a change to one
    deployment that keeps the head); None when that would not be a valid list."""
    other = regions[(index + 1) % len(regions)]
    replacement = text[other.start:other.end]
    if not replacement.endswith("\n") or len(regions) < 2:
        return None
    region = regions[index]
    return text[:region.start] + replacement + text[region.end:]


def promise_broken(text: str, root: Path, swaps: int = 3) -> list[str]:
    """The deployment rules that break their promise on ``text``: a finding in one
    deployment that its partial text does not give, one that spans two parts of the file, or
    head findings that change when a deployment is replaced by another whose partial text
    gives the same head findings."""
    project, _, path = project_for(root)
    document = Document.from_text(text, "prefect.yaml", path=path)
    items = sequence_items(document, "deployments")
    if items is None or document.plain.fatal is not None:
        return []
    regions = list(items.regions)
    partials = [partial(document, regions, index) for index in range(len(regions))]
    variants = []
    for index in range(min(swaps, len(regions))):
        edited = swapped(text, regions, index)
        if edited is None:
            continue
        changed = Document.from_text(edited, "prefect.yaml", path=path)
        changed_items = sequence_items(changed, "deployments")
        if changed_items is not None:
            moved_regions = list(changed_items.regions)
            variants.append((index, changed, moved_regions,
                             partial(changed, moved_regions, index)))
    broken = []
    for rule in DEPLOYMENT_RULES:
        if "prefect" in rule.kinds and not _keeps_promise(rule, project, document, regions,
                                                          partials, variants):
            broken.append(rule.code)
    return broken


def _keeps_promise(rule: Rule, project: Project, document: Document, regions: list[Region],
                   partials: list[Document], variants: list[tuple[int, Document, list[Region],
                                                                  Document]]) -> bool:
    whole = placed(rule, document, project, regions)
    if whole is None:
        return False
    for index, piece in enumerate(partials):
        alone = placed(rule, piece, project, regions)
        if alone is None or any(part for i, part in enumerate(alone.parts) if i != index):
            return False
        if sorted(map(repr, alone.parts[index])) != sorted(map(repr, whole.parts[index])):
            return False
    for index, changed, changed_regions, changed_piece in variants:
        after = placed(rule, changed, project, changed_regions)
        piece_after = placed(rule, changed_piece, project, changed_regions)
        piece_before = placed(rule, partials[index], project, regions)
        if after is None or piece_after is None or piece_before is None:
            return False
        if piece_after.head == piece_before.head and after.head != whole.head:
            return False
    return True


def promise_texts() -> list[tuple[str, str]]:
    texts = [("examples", (REPO / "examples" / "prefect.yaml").read_text()),
             ("generated", generated_file(4))]
    # unnamed deployments, numbered in messages, with an unknown key
    texts += [(f"{name} unnamed", text.replace("- name:", "- nam:")) for name, text in texts]
    # two deployments of one pool without a template (the examples map theirs)
    texts.append(("shared pool", "deployments:\n" + "".join(
        f"  - name: {name}\n    work_pool:\n      name: docker-pool\n"
        "      job_variables:\n        cap_add: [NET_ADMIN]\n" for name in "ab")))
    for rule in all_rules():
        for heading in ("**Example**", "**Use instead**"):
            block = block_after(rule.doc, heading)
            if block and "deployments:" in block and "prefect" in rule.kinds:
                texts.append((f"{rule.code} {heading.strip('*')}", block))
    return texts


@pytest.mark.parametrize(("name", "text"), promise_texts(), ids=lambda v: str(v)[:30])
def test_deployment_rules_keep_their_promise(name: str, text: str) -> None:
    assert promise_broken(text, REPO / "examples") == []


@pytest.mark.slow
@pytest.mark.parametrize("path", corpus_params("prefect_yaml"),
                         ids=lambda p: getattr(p, "name", str(p)))
def test_deployment_rules_keep_their_promise_on_the_corpus(path: Path, tmp_path: Path) -> None:
    assert promise_broken(path.read_text(encoding="utf-8", errors="replace"),
                          configured(tmp_path)) == []


def test_the_promise_test_catches_a_rule_that_breaks_it() -> None:
    """D001 (duplicate deployment names) compares deployments with each other: declared a
    deployment rule, it would break the promise on its own example."""
    d001 = next(rule for rule in all_rules() if rule.code == "D001")
    example = block_after(d001.doc, "**Example**")
    assert example is not None
    global DEPLOYMENT_RULES
    saved = DEPLOYMENT_RULES
    DEPLOYMENT_RULES = [d001._replace(scope=Scope.DEPLOYMENT)]
    try:
        assert promise_broken(example, REPO / "examples") == ["D001"]
    finally:
        DEPLOYMENT_RULES = saved


def test_a_failure_of_the_incremental_path_falls_back_to_the_whole_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import linter.run.incremental as incremental

    make_project(tmp_path, 3)
    project, rules, path = project_for(tmp_path)
    checker = IncrementalChecker(project, rules, "prefect.yaml", path)
    text = path.read_text()
    checker.check(text)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in splicing")

    monkeypatch.setattr(incremental, "splice", broken)
    edited = text.replace("Deployment number 1", "Deployment number 1x")
    outcome = checker.check(edited)
    assert not outcome.incremental
    assert outcome.diagnostics == check_document(
        Document.from_text(edited, "prefect.yaml", path=path), project, rules)


def incremental_and_full(root: Path, *versions: str) -> list[bool]:
    """Check ``versions`` one after another incrementally, each compared with a full check;
    whether each was incremental."""
    project, rules, path = project_for(root)
    checker = IncrementalChecker(project, rules, "prefect.yaml", path)
    used = []
    for text in versions:
        outcome = checker.check(text)
        assert outcome.diagnostics == check_document(
            Document.from_text(text, "prefect.yaml", path=path), project, rules), text
        used.append(outcome.incremental)
    return used


def test_a_block_scalar_name_that_ends_a_deployment() -> None:
    """D013's message quotes the name, which in the partial text took the blanked lines."""
    text = ("deployments:\n  - name: |-\n      a b\n\n"
            "  - name: b\n    entrypoint: flows/b.py:f\n")
    assert incremental_and_full(REPO / "examples", text, text.replace("a b", "a c")) == [
        False, False]


def test_a_conflict_marker_reported_because_of_another_deployment() -> None:
    """Y010 reports `=======` only in a file with `<<<<<<<` or `>>>>>>>`: here those are in
    another deployment (continued quoted scalars parse), so it is a whole-file rule."""
    text = ('deployments:\n  - name: a\n    description: "x\n<<<<<<< HEAD\n    y"\n'
            '  - name: b\n    description: "p\n=======\n    q"\n')
    incremental_and_full(REPO / "examples", text, text.replace("name: b", "name: c"))


def test_a_deployment_that_becomes_a_mapping_next_to_one_that_overrides_the_steps() -> None:
    """With no deployment a mapping, the top-level steps are checked on their own: the
    partial text of the scalar item found T008 in the top-level build, the whole file (where
    the other deployment overrides `build`) did not; once the item is a mapping it does."""
    step = "  - prefect.deployments.steps.run_shell_script:\n      id: x\n      script: a\n"
    text = (f"name: n\nbuild:\n{step}{step}deployments:\n  - name: a\n    build: []\n"
            "  - nameX b\n")
    assert incremental_and_full(REPO / "examples", text, text.replace("nameX b", "name: b"),
                                text.replace("nameX b", "name: c")) == [False, False, True]


def test_a_pool_without_a_template_is_reported_once_per_file() -> None:
    """P005 speaks once per pool and file, in the first deployment that uses the pool: what
    it finds in a deployment depends on the ones before it (the examples map their pools,
    so it is active there)."""
    deployment = ("  - name: {}\n    work_pool:\n      name: docker-pool\n"
                  "      job_variables:\n        cap_add: [NET_ADMIN]\n")
    text = "deployments:\n" + deployment.format("a") + deployment.format("b")
    incremental_and_full(REPO / "examples", text, text.replace("name: b", "name: c"))


def test_an_alias_typed_in_a_deployment_makes_a_top_level_key_an_anchor_holder() -> None:
    """S001 tells an unknown top-level key that only holds anchors used elsewhere by node
    identity: the partial text's tree must share its head with the item's aliases (it named
    the previous tree's nodes, so `templates` looked unused and S001 stayed an error)."""
    text = ("name: n\ntemplates:\n  pool: &pool\n    name: k8s-prod\ndeployments:\n"
            "  - name: a\n    entrypoint: flows/etl.py:etl\n    work_pool: xxxxx\n"
            "  - name: b\n    entrypoint: flows/etl.py:etl\n    work_pool: {name: k8s-prod}\n")
    aliased = text.replace("xxxxx", "*pool")
    assert incremental_and_full(REPO / "examples", text, aliased,
                                aliased.replace("name: a", "name: c")) == [False, False, True]


CORNER_CASES = """\
name: corners
prefect-version: 3.9
templates:
  pool: &pool {name: k8s-prod, job_variables: {image: x}}
  tags: &tags
    tags: [t]
  cron: &cron "0 3 * * *"
pull: &pull
  - prefect.deployments.steps.git_clone:
      repository: https://example.com/flows.git
deployments:
- name: one
  <<: [*tags]
  description: |2
      indented
    text
  entrypoint: flows/etl.py:etl
  ? complex
  : value
  # entrypoint: a comment that looks like a key
  parameters: {x: 1,
    y: [1, 2]}
  schedules:
    - cron: *cron
      timezone: Europe/Berlin
  pull: *pull
  work_pool: *pool
- version: 1.10  # prefect-lint: disable=Y008
  description: >-
    folded
    text
  work_pool: {name: docker-pool, job_variables: {cap_add: [y]}}
  name: |-
    two
- name: three
  entrypoint: "flows/etl.py:\\
    etl"
  work_pool: {name: docker-pool, job_variables: {cap_add: [x]}}
- name: four
  description: 'it''s
    multi'
  tags: yes
# trailing comment
after: *tags
"""


def test_typing_in_a_file_of_yaml_corner_cases_is_checked_exactly() -> None:
    """Random edits to a file of what splicing must get right (block scalars, one of them
    ending a deployment, merge keys, aliases after the list, lines continued, comments and
    suppressions, a pool without a template twice); fails on the checker before the fixes
    of block scalars and P005."""
    used = edit_session(CORNER_CASES, REPO / "examples", seed=3, edits=60)
    assert used[True] > 10, used


def test_place_finds_the_one_part_holding_a_range() -> None:
    """``place`` searches the regions by bisection; it must agree with the definition: the
    prefix, the suffix, or the one region holding the range (None for none or two)."""
    import itertools

    from linter.run.incremental import PART, PREFIX, SUFFIX, place

    def by_definition(start: int, end: int, regions: list[Region], length: int
                      ) -> tuple[int, int] | None:
        if end <= regions[0].start:
            return PREFIX, 0
        if start >= regions[-1].end:
            return SUFFIX, length
        holding = [(PART + i, r.start) for i, r in enumerate(regions)
                   if r.start <= start and end <= r.end]
        return holding[0] if len(holding) == 1 else None

    rng = random.Random(3)
    for _ in range(5000):
        bounds = [rng.randint(0, 5)]
        for _ in range(rng.randint(1, 6)):
            bounds.append(bounds[-1] + rng.randint(1, 5))
        regions = [Region(a, b) for a, b in itertools.pairwise(bounds)]
        length = bounds[-1] + rng.randint(0, 5)
        start = rng.randint(0, length)
        end = rng.randint(start, length)
        assert place(start, end, regions, length) == by_definition(start, end, regions, length)
