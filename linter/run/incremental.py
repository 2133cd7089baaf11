"""Check a new version of a ``prefect.yaml`` by re-running the deployment rules only for the
deployment an edit changed (the language server's check on every keystroke).

A rule declared with ``scope=Scope.DEPLOYMENT`` promises two things. What it finds inside a
deployment depends only on that deployment and on the file outside the ``deployments`` list
(the *head*: definitions, build/push/pull steps, other top-level keys). What it finds in the
head is determined by the head and by what each deployment's *partial* text gives in the
head: the text with every other deployment blanked out (spaces, line breaks kept, so offsets
and rows stay the file's). A schema error inside a definition that three deployments alias,
for instance, is found through each of them.

So after an edit inside one deployment (see ``linter.source.splice``: the tree is built from
the previous one, the deployment parsed again from its partial text), the deployment rules
run on that deployment's partial text only; their findings elsewhere are kept from before,
moved with the text, as long as the deployment's partial text gives the same findings in the
head as before the edit. Every other rule (``Scope.FILE``, the default) runs on the whole
document, and suppressions are applied to the merged findings of the whole document, so the
result is what a full check gives: ``tests/test_incremental.py`` compares both after random
edits, and checks each deployment rule's promise on the rule examples and the corpus.

Anything else is a full check, which also refreshes what is kept: another shape of file, an
edit elsewhere or across lines, an edit that changes what the deployment adds to the
head's findings, other settings, a change to a file the rules looked at.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from ruamel.yaml.nodes import Node

from linter.core.dependencies import Stamp, recording, unchanged
from linter.core.diagnostics import Diagnostic, Edit, Finding, Span
from linter.core.registry import Rule, Scope
from linter.project.context import LintContext, Project
from linter.run.engine import (
    RuleFinding,
    active_rules,
    finish,
    is_foreign,
    run_rules,
    to_diagnostic,
)
from linter.source.document import Document
from linter.source.splice import (
    Items,
    NodeKey,
    Region,
    head_text,
    nodes_before,
    partial_document,
    partial_spills,
    partial_text,
    sequence_items,
    splice,
)

log = logging.getLogger(__name__)

DEPLOYMENTS = "deployments"

#: Where a finding lives: before the first deployment (offsets as they are), after the last
#: one (offsets from the end of the text), or in deployment n (PART + n, offsets from its
#: start). An edit inside one deployment moves none of these origins but the later ones.
PREFIX, SUFFIX, PART = -2, -1, 0

#: A head finding of a deployment rule, placed: (rule's code, PREFIX or SUFFIX, finding).
HeadFinding = tuple[str, int, Finding]


def place(start: int, end: int, regions: Sequence[Region], length: int) -> tuple[int, int] | None:
    """(where, origin) of an offset range that lies within one part of the text; None for a
    range that spans parts or sits on the border of two deployments."""
    if end <= regions[0].start:
        return PREFIX, 0
    if start >= regions[-1].end:
        return SUFFIX, length
    # the regions are contiguous and in order: the last one starting at or before ``start``
    index = bisect_right(regions, start, key=lambda region: region.start) - 1
    if index < 0 or end > regions[index].end:
        return None
    if start == end == regions[index].start and index > 0:
        return None  # an empty range on a border: whose is it?
    return PART + index, regions[index].start


def finding_place(finding: Finding, regions: Sequence[Region], length: int
                  ) -> tuple[int, int] | None:
    """Where a finding lives (see ``place``): its span and its fix's edits, all in one part."""
    where = place(finding.span.start, finding.span.end, regions, length)
    edits = () if finding.fix is None else finding.fix.edits
    if where is None or any(place(e.start, e.end, regions, length) != where for e in edits):
        return None
    return where


def moved(finding: Finding, delta: int) -> Finding:
    if delta == 0:
        return finding
    fix = finding.fix
    if fix is not None:
        fix = fix._replace(edits=tuple(Edit(e.start + delta, e.end + delta, e.content)
                                       for e in fix.edits))
    return finding._replace(span=Span(finding.span.start + delta, finding.span.end + delta),
                            fix=fix)


class Split(NamedTuple):
    """A deployment rules' run, split by where its findings live."""

    head: Counter[HeadFinding]
    parts: list[list[RuleFinding]]  # per deployment, offsets from its start


def split(found: Iterable[RuleFinding], regions: Sequence[Region], length: int) -> Split | None:
    head: Counter[HeadFinding] = Counter()
    parts: list[list[RuleFinding]] = [[] for _ in regions]
    for rule, finding in found:
        where = finding_place(finding, regions, length)
        if where is None:
            return None
        part, origin = where
        if part in (PREFIX, SUFFIX):
            head[(rule.code, part, moved(finding, -origin))] += 1
        else:
            parts[part - PART].append((rule, moved(finding, -origin)))
    return Split(head, parts)


class State(NamedTuple):
    document: Document  # the last version: its tree is reused for the next
    items: Items
    before: dict[NodeKey, Node]  # its nodes before the first deployment (alias targets)
    key: object  # the project's settings and the rules: a change to either starts over
    head: Counter[HeadFinding]  # the deployment rules' findings in the head
    #: what each deployment's partial text gave in the head, where known
    head_parts: dict[int, Counter[HeadFinding]]
    parts: tuple[tuple[RuleFinding, ...], ...]  # their findings in each deployment
    stamps: dict[str, Stamp | None]  # the other files looked at, as they were


class Outcome(NamedTuple):
    diagnostics: list[Diagnostic]
    paths: frozenset[str]  # the other files the check looked at
    incremental: bool  # whether results were reused


class IncrementalChecker:
    """Checks successive versions of one document; thread-confined (one per document)."""

    def __init__(self, project: Project, rules: Sequence[Rule], filename: str,
                 path: Path | None = None, kind: str = "prefect") -> None:
        self.project = project
        self.rules = list(rules)
        self.by_code = {rule.code: rule for rule in self.rules}
        self.filename = filename
        self.path = path
        self.kind = kind
        self.state: State | None = None
        self.key = (project.settings, tuple(rule.code for rule in self.rules), kind)

    def check(self, text: str) -> Outcome:
        state, self.state = self.state, None  # a failure below must not leave it half-changed
        outcome = None
        if state is not None:
            try:
                outcome = self._incremental(state, text)
            except Exception:  # whatever went wrong, the whole file's check says it too
                log.warning("incremental check of %s failed; checking the whole file",
                            self.filename, exc_info=True)
        if outcome is None:
            return self._full(Document.from_text(text, self.filename, path=self.path,
                                                 kind=self.kind))
        return outcome

    def _finish(self, document: Document, found: list[RuleFinding]) -> list[Diagnostic]:
        diagnostics = [to_diagnostic(rule, finding, document) for rule, finding in found]
        return finish(document, self.project, self.rules, diagnostics)

    def _deployment_rules(self, document: Document) -> tuple[list[Rule], list[Rule]]:
        """The active rules: the deployment rules, and the others."""
        active = active_rules(document, self.rules)
        return ([r for r in active if r.scope is Scope.DEPLOYMENT],
                [r for r in active if r.scope is not Scope.DEPLOYMENT])

    # -- the whole document ---------------------------------------------------------------------
    def _full(self, document: Document) -> Outcome:
        context = LintContext(document, self.project)
        mine, others = self._deployment_rules(document)
        with recording() as notes:
            found = run_rules(context, mine)
            self.state = self._keep(document, mine, found, dict(notes))
            found += run_rules(context, others)
        return Outcome(self._finish(document, found), frozenset(notes), False)

    def _keep(self, document: Document, mine: list[Rule], found: list[RuleFinding],
              notes: dict[str, Stamp | None]) -> State | None:
        """What to keep of a full check for the next version (None: nothing can be kept)."""
        if not mine or document.plain.fatal is not None or is_foreign(document):
            return None
        items = sequence_items(document, DEPLOYMENTS)
        if items is None or document.root is None:
            return None
        parts = split(found, items.regions, len(document.text))
        if parts is None:
            return None
        return State(document, items, nodes_before(document.root, items.regions[0].start),
                     self.key, parts.head, {}, tuple(tuple(p) for p in parts.parts), notes)

    # -- one deployment -------------------------------------------------------------------------
    def _incremental(self, state: State, text: str) -> Outcome | None:
        if state.key != self.key or not unchanged(list(state.stamps.items())):
            return None
        old_text, old_regions = state.document.text, state.items.regions
        spliced = splice(state.document, state.items, text, DEPLOYMENTS, state.before)
        if spliced is None:
            return None
        document, index = spliced.document, spliced.changed
        mine, others = self._deployment_rules(document)
        if not mine or document.plain.fatal is not None or is_foreign(document):
            return None
        stamps = dict(state.stamps)
        before = state.head_parts.get(index)
        if before is None:  # what the deployment gave before the edit
            old = partial_document(state.document, partial_text(
                old_text, head_text(old_text, old_regions), old_regions[index]), index)
            checked = (None if partial_spills(old, DEPLOYMENTS, old_regions[index]) else
                       self._check_partial(old, mine, old_regions, index, len(old_text), stamps))
            before = None if checked is None else checked.head
        after = self._check_partial(spliced.partial, mine, spliced.items.regions, index,
                                    len(text), stamps)
        if before is None or after is None or before != after.head:
            return None  # the head's findings may change: see the module's docstring
        head = state.head
        parts = list(state.parts)
        parts[index] = tuple(after.parts[index])
        with recording() as notes:
            found = run_rules(LintContext(document, self.project), others)
        stamps.update(notes)
        found += self._placed(head, parts, spliced.items.regions, len(text))
        self.state = state._replace(document=document, items=spliced.items, head=head,
                                    head_parts={**state.head_parts, index: after.head},
                                    parts=tuple(parts), stamps=stamps)
        return Outcome(self._finish(document, found), frozenset(stamps), True)

    def _check_partial(self, partial: Document, mine: list[Rule], regions: Sequence[Region],
                       index: int, length: int, stamps: dict[str, Stamp | None]
                       ) -> Split | None:
        """The deployment rules' findings on deployment ``index``'s partial text (the files
        they look at are added to ``stamps``)."""
        if (partial.root is None or active_rules(partial, mine) != mine
                or not _holds_a_mapping(partial)):
            return None
        with recording() as notes:
            found = run_rules(LintContext(partial, self.project), mine)
        stamps.update(notes)
        result = split(found, regions, length)
        if result is None or any(part for i, part in enumerate(result.parts) if i != index):
            return None  # a finding where the partial text has only blanks
        return result

    def _placed(self, head: Counter[HeadFinding], parts: Sequence[tuple[RuleFinding, ...]],
                regions: Sequence[Region], length: int) -> list[RuleFinding]:
        """The deployment rules' findings at today's offsets."""
        found = [(self.by_code[code], moved(finding, length if where == SUFFIX else 0))
                 for (code, where, finding), count in head.items() for _ in range(count)]
        for region, part in zip(regions, parts, strict=True):
            found.extend((rule, moved(finding, region.start)) for rule, finding in part)
        return found


def _holds_a_mapping(partial: Document) -> bool:
    """Whether the partial document's deployment is a mapping. The steps of the top level
    are checked on their own when no deployment is a mapping (``linter.prefect.steps.plans``):
    the partial text of an item that is not one would find in the head what the whole file,
    with a mapping elsewhere, does not."""
    data = partial.data
    deployments = data.get(DEPLOYMENTS) if isinstance(data, dict) else None
    return (isinstance(deployments, list) and len(deployments) == 1
            and isinstance(deployments[0], dict))
