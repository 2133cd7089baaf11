"""Run the selected rules over one document and turn their findings into diagnostics.

This is where suppression comments are honoured, and where a suppression that silenced
nothing is itself reported (code M001), so stale comments do not pile up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial

from ruamel.yaml.nodes import ScalarNode

from linter.core.codes import prefix_names
from linter.core.dependencies import Dependency, note, recording
from linter.core.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Finding,
    Fix,
    Position,
    Span,
    check_span,
)
from linter.core.forking import balance, can_fork, fork_call
from linter.core.registry import Needs, Rule, get_rule, rule_url
from linter.core.suppressions import Directive, code_matches, find_directives
from linter.errors import ConfigError
from linter.project.context import LintContext, Project
from linter.project.filekinds import PREFECT, is_foreign_configuration
from linter.source.document import NOT_YAML_KINDS, Document
from linter.source.view import iter_nodes

UNUSED_SUPPRESSION = "M001"
#: The one rule that speaks about a YAML file with none of Prefect's keys (S007)
FOREIGN_FILE = "S007"


class RuleCrash(Exception):
    """A rule raised: an internal error, reported with the file and the rule's code."""

    def __init__(self, rule: Rule, filename: str, error: BaseException) -> None:
        super().__init__(f"rule {rule.code} ({rule.name}) failed on {filename}: "
                         f"{type(error).__name__}: {error}")
        self.rule = rule
        self.original = error


def runnable(rule: Rule, document: Document) -> bool:
    if document.kind not in rule.kinds:
        return False
    if rule.needs is Needs.TEXT or document.kind in NOT_YAML_KINDS:
        return True  # a Python file has no YAML tree: its rules read the text
    if document.root is None:
        return False
    if rule.needs is Needs.DATA:
        return document.plain.fatal is None
    return True


def is_foreign(document: Document) -> bool:
    """A parsed ``prefect`` file with none of Prefect's keys: another tool's file under a
    Prefect name. Only S007 says so; every other rule stays silent, as for compose and
    Kubernetes files."""
    if document.kind != PREFECT or document.root is None or document.plain.fatal is not None:
        return False
    return is_foreign_configuration(document.data)


def to_diagnostic(rule: Rule, finding: Finding, document: Document) -> Diagnostic:
    fix_positions: tuple[tuple[Position, Position], ...] = ()
    if finding.fix is not None:
        fix_positions = tuple(
            (document.position(edit.start), document.position(edit.end))
            for edit in finding.fix.edits
        )
    return Diagnostic(
        code=rule.code,
        name=rule.name,
        severity=finding.severity or rule.severity,
        message=finding.message,
        filename=document.filename,
        span=check_span(finding.span),
        start=document.position(finding.span.start),
        end=document.position(finding.span.end),
        help=finding.help,
        fix=finding.fix,
        fix_positions=fix_positions,
    )


#: From this size on (about 1,500 deployments) a file's rule families are split between
#: processes when the run may use several; below it a fork costs more than it saves.
SPLIT_THRESHOLD = 256 * 1024

#: Milliseconds per 1,000 deployments each family took (benchmarks/stages.py on 10,000
#: deployments): how the families are balanced between processes.
FAMILY_COST = {"R": 96, "D": 57, "S": 50, "C": 37, "T": 18, "L": 15, "Y": 9, "P": 9}


def check_document(
    document: Document, project: Project, rules: Sequence[Rule], jobs: int = 1
) -> list[Diagnostic]:
    """All diagnostics for ``document`` from ``rules`` after suppressions, sorted. With
    ``jobs`` > 1, a large file's rule families run in that many processes."""
    context = LintContext(document, project)
    active = active_rules(document, rules)
    if jobs > 1 and len(document.text) >= SPLIT_THRESHOLD and can_fork():
        diagnostics = _run_split(context, active, jobs)
    else:
        diagnostics = _run(context, active)
    return finish(document, project, rules, diagnostics)


def active_rules(document: Document, rules: Sequence[Rule]) -> list[Rule]:
    """The rules that run on ``document``: those for its kind and for what it has (text,
    tree, usable data); for a file with none of Prefect's keys only S007."""
    active = [rule for rule in rules
              if rule.code != UNUSED_SUPPRESSION and runnable(rule, document)]
    if is_foreign(document):
        active = [rule for rule in active if rule.code == FOREIGN_FILE]
    return active


def finish(document: Document, project: Project, rules: Sequence[Rule],
           diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics after the suppressions (``rules`` are all the selected ones), sorted,
    with their rule pages' URLs."""
    diagnostics = apply_suppressions(document, diagnostics, {rule.code for rule in rules})
    diagnostics.sort(key=Diagnostic.sort_key)
    return with_urls(diagnostics, project.settings.docs_url)


def with_urls(diagnostics: list[Diagnostic], docs_url: str | None) -> list[Diagnostic]:
    """The diagnostics linked to their rule's page, when a ``docs-url`` base is configured."""
    if not docs_url:
        return diagnostics
    return [d._replace(url=rule_url(d.code, docs_url)) for d in diagnostics]


RuleFinding = tuple[Rule, Finding]


def run_rules(context: LintContext, rules: Iterable[Rule]) -> list[RuleFinding]:
    """Each rule's findings, with the rule; a rule that raises is a ``RuleCrash`` (a
    configuration error it meets stays one: exit 2, not a crash)."""
    found: list[RuleFinding] = []
    for rule in rules:
        try:
            for finding in rule.check(context):
                check_span(finding.span)  # a reversed span is the rule's bug
                found.append((rule, finding))
        except ConfigError:
            raise
        except Exception as error:  # RecursionError included
            raise RuleCrash(rule, context.document.filename, error) from error
    return found


def _run(context: LintContext, rules: Sequence[Rule]) -> list[Diagnostic]:
    document = context.document
    return [to_diagnostic(rule, finding, document)
            for rule, finding in run_rules(context, rules)]


def _run_recorded(context: LintContext, rules: Sequence[Rule]
                  ) -> tuple[list[Diagnostic], list[Dependency]]:
    """In a child: the diagnostics, and the other files the rules looked at (for the cache)."""
    with recording() as notes:
        diagnostics = _run(context, rules)
    return diagnostics, sorted(notes.items())


def _run_split(context: LintContext, rules: Sequence[Rule], jobs: int) -> list[Diagnostic]:
    """Each group of rule families in its own process, over the document parsed once (the
    children share it copy-on-write). A child that fails has its group run again here, so
    a crash or a configuration error surfaces exactly as in one process."""
    groups = split_families(rules, jobs)
    children = [(fork_call(partial(_run_recorded, context, group)), group)
                for group in groups[1:]]
    diagnostics = _run(context, groups[0])
    for child, group in children:
        try:
            value, _failure = child.result()
        except Exception:  # run again here: the same error, with its traceback
            value = None
        if value is None:
            diagnostics.extend(_run(context, group))
            continue
        found, dependencies = value
        diagnostics.extend(found)
        for path, _stamp in dependencies:
            note(path)
    return diagnostics


def split_families(rules: Sequence[Rule], jobs: int) -> list[list[Rule]]:
    """Rules in at most ``jobs`` groups of whole families (rules of a family share analyses
    through the document's cache), heaviest family first into the lightest group."""
    families: dict[str, list[Rule]] = {}
    for rule in rules:
        families.setdefault(rule.family, []).append(rule)
    members = list(families.values())
    shares = balance([FAMILY_COST.get(family, 5) for family in families],
                     min(jobs, len(members)))
    return [[rule for i in share for rule in members[i]] for share in shares] or [[]]


def apply_suppressions(
    document: Document, diagnostics: list[Diagnostic], selected: set[str]
) -> list[Diagnostic]:
    directives = find_directives(
        document.text, document.lines.starts, list(_directive_like_scalar_spans(document))
    )
    if not directives:
        return diagnostics
    # a finding is silenced by the file-wide directives and those aimed at its row: indexed,
    # so a file with thousands of suppressions is not checked thousands of times over
    file_wide = [d for d in directives if d.file_wide]
    by_row: dict[int, list[Directive]] = {}
    for directive in directives:
        if not directive.file_wide:
            by_row.setdefault(directive.target_row, []).append(directive)

    def applying(diagnostic: Diagnostic) -> list[Directive]:
        return [*by_row.get(diagnostic.start.row, ()), *file_wide]

    kept = [d for d in diagnostics if not _suppressed(d, applying(d))]
    unused_rule = get_rule(UNUSED_SUPPRESSION)
    if unused_rule is not None and UNUSED_SUPPRESSION in selected:
        unused = list(_unused_findings(document, directives, selected))
        for finding in unused:
            diagnostic = to_diagnostic(unused_rule, finding, document)
            if not _suppressed(diagnostic, applying(diagnostic), mark_used=False):
                kept.append(diagnostic)
    return kept


def _suppressed(
    diagnostic: Diagnostic, directives: Iterable[Directive], mark_used: bool = True
) -> bool:
    hit = False
    for directive in directives:
        if not directive.file_wide and directive.target_row != diagnostic.start.row:
            continue
        for code in directive.codes:
            if code_matches(code, diagnostic.code):
                if mark_used:
                    directive.used.add(code)
                hit = True
    return hit


def _unused_findings(
    document: Document, directives: list[Directive], selected: set[str]
) -> Iterator[Finding]:
    known = {rule_code for rule_code in selected}
    for directive in directives:
        unused_codes = []
        unused_spans = []
        for code, span in zip(directive.codes, directive.code_spans, strict=False):
            if code in directive.used or code == UNUSED_SUPPRESSION:
                continue
            is_known = get_rule(code) is not None or any(prefix_names(code, c) for c in known)
            if is_known and not any(prefix_names(code, c) for c in selected):
                continue  # the rule is not running now, so we cannot tell it is stale
            unused_codes.append((code, is_known))
            unused_spans.append(span)
        if not unused_codes:
            continue
        names = ", ".join(code for code, _ in unused_codes)
        unknown = [code for code, is_known in unused_codes if not is_known]
        what = "file-wide suppression" if directive.file_wide else "suppression"
        if unknown:
            message = f"{what} names unknown rule code(s) {', '.join(unknown)}"
        else:
            message = f"unused {what} of {names}: no such finding here"
        span = unused_spans[0] if len(unused_spans) == 1 else directive.comment_span
        yield Finding(
            span=span,
            message=message,
            help="remove the code from the comment (or the whole comment)",
            fix=_removal_fix(document, directive, [code for code, _ in unused_codes]),
        )


def _removal_fix(document: Document, directive: Directive, unused: list[str]) -> Fix:
    remaining = [code for code in directive.codes if code not in unused]
    text = document.text
    if remaining:
        start = directive.code_spans[0].start
        end = directive.code_spans[-1].end
        edit = Edit(start, end, ",".join(remaining))
        return Fix(f"remove {', '.join(unused)} from the comment", (edit,))
    # remove the whole directive: the comment part that is ours, keeping any reason text
    line_end = directive.line_span.end
    tail = text[directive.comment_span.end : line_end].strip()
    if directive.own_line and not tail:
        start = directive.line_span.start
        end = line_end
        while end < len(text) and text[end] in "\r\n":
            end += 1
            if text[end - 1] == "\n":
                break
        edit = Edit.delete(start, end)
    elif not tail:
        start = directive.comment_span.start
        while start > directive.line_span.start and text[start - 1] in " \t":
            start -= 1
        edit = Edit.delete(start, line_end)
    else:
        edit = Edit.delete(directive.comment_span.start, directive.comment_span.end)
        edit = Edit(edit.start, edit.end, "#")
    return Fix("remove the unused suppression comment", (edit,), Applicability.SAFE)


def _directive_like_scalar_spans(document: Document) -> Iterator[Span]:
    """Spans of scalars whose value mentions a directive: a '#' inside them is text, not a
    comment."""
    root = document.root
    if root is None or "prefect-lint:" not in document.text:
        return
    spans = [
        Document.node_span(node)
        for node in iter_nodes(root, *document.extra_documents)
        if isinstance(node, ScalarNode) and "prefect-lint:" in node.value
    ]
    yield from sorted(spans)
