"""``--add-suppressions``: silence every current finding with a suppression comment, so a team
can switch the hook on today and clean up over time (like ruff's ``--add-noqa``).

For each row with findings, in order of preference:

1. merge the codes into a directive that already applies to that row;
2. add a trailing ``# prefect-lint: disable=CODE`` where the line has no comment yet;
3. add an own-line directive just above the row, indented like it (it applies to the next
   line of YAML);
4. when none of these silences the finding without changing what the YAML means (a row
   inside a block scalar or a multi-line string, a comment line, a file that does not parse),
   a ``disable-file`` directive at the top of the file.

Every candidate edit is checked before it is kept: the YAML must mean exactly what it meant
(same node tree, comments aside) and the new directive must target the row. A stale
suppression (M001) is not suppressed but removed with its own safe fix. All of this is text
edits on the original text, written by the fixer's atomic write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator
from typing import NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.core.diagnostics import Diagnostic, Edit
from linter.core.fixer import Linter, OverlapError, apply_edits, fix_until_stable
from linter.core.suppressions import Directive, code_matches, find_directives
from linter.run.engine import UNUSED_SUPPRESSION, _directive_like_scalar_spans
from linter.source.document import NOT_YAML_KINDS, Document
from linter.source.view import tag_of


class SuppressionOutcome(NamedTuple):
    text: str
    suppressed: list[Diagnostic]  # the findings now silenced
    removed_stale: list[Diagnostic]  # M001 fixed instead
    remaining: list[Diagnostic]  # what the last check reported


def add_suppressions(text: str, lint: Linter) -> SuppressionOutcome:
    """Suppress every finding ``lint`` reports for ``text``."""
    stale = fix_until_stable(text, _only_stale(lint), unsafe=False)
    text = stale.text
    document, diagnostics = lint(text)
    file_wide: set[str] = set()
    if document.parse_error is not None:
        file_wide = {d.code for d in diagnostics}
    else:
        text, leftover = _suppress_rows(document, diagnostics)
        file_wide = {d.code for d in leftover}
    if file_wide:
        text = _add_file_wide(text, file_wide, lint)
    _, remaining = lint(text)
    if remaining:
        # what a row directive silenced in isolation but not together: fall back once more
        codes = {d.code for d in remaining}
        text = _add_file_wide(text, codes, lint)
        _, remaining = lint(text)
    silenced = {id(d) for d in remaining}
    suppressed = [d for d in diagnostics if id(d) not in silenced]
    return SuppressionOutcome(text, suppressed, stale.applied, remaining)


def _only_stale(lint: Linter) -> Linter:
    def stale_only(text: str) -> tuple[Document, list[Diagnostic]]:
        document, diagnostics = lint(text)
        return document, [d for d in diagnostics if d.code == UNUSED_SUPPRESSION]

    return stale_only


def _suppress_rows(
    document: Document, diagnostics: list[Diagnostic]
) -> tuple[str, list[Diagnostic]]:
    """A directive for every row with findings; the findings no row directive could silence
    are returned for a file-wide one."""
    by_row: dict[int, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_row[diagnostic.start.row].append(diagnostic)
    at_once = _suppress_rows_at_once(document, by_row)
    if at_once is not None:
        return at_once, []
    return _suppress_rows_one_by_one(document, by_row)


def _parse_like(document: Document, text: str) -> Document:
    return Document.from_text(text, document.filename, path=document.path, kind=document.kind)


def _suppress_rows_at_once(document: Document, by_row: dict[int, list[Diagnostic]]
                           ) -> str | None:
    """Every row's first choice of directive, applied together and checked with one parse.
    Checking row by row parses the file again for each row, which took minutes on a file
    with thousands of findings. None when the combined text means something else than the
    file or a row is not covered: then the rows are tried one by one."""
    directives = _directives(document)
    edits: list[Edit] = []
    planned: list[tuple[int, bool, list[str]]] = []
    for row in sorted(by_row):
        codes = sorted({d.code for d in by_row[row]})
        first = next(_candidate_edits(document, directives, row, codes), None)
        if first is None:
            return None
        edits.append(first[0])
        planned.append((row, first[1], codes))
    try:
        text = apply_edits(document.text, edits)
    except OverlapError:
        return None
    trial = _parse_like(document, text)
    if trial.parse_error is not None or tree_shape(trial) != tree_shape(document):
        return None
    covered = _row_codes(trial)
    shift = 0  # lines added above the current row so far
    for row, adds_line, codes in planned:
        shift += adds_line
        if not _all_covered(covered.get(row + shift, []), codes):
            return None
    return text


def _suppress_rows_one_by_one(
    document: Document, by_row: dict[int, list[Diagnostic]]
) -> tuple[str, list[Diagnostic]]:
    """Row by row from the bottom (so offsets above stay valid), each candidate checked by
    parsing the result."""
    text = document.text
    shape = tree_shape(document)
    leftover: list[Diagnostic] = []
    for row in sorted(by_row, reverse=True):
        codes = sorted({d.code for d in by_row[row]})
        current = document if text is document.text else _parse_like(document, text)
        for edit, adds_line in _candidate_edits(current, _directives(current), row, codes):
            candidate = apply_edits(text, [edit])
            trial = _parse_like(document, candidate)
            if (trial.parse_error is None and tree_shape(trial) == shape
                    and _covers(trial, row + adds_line, codes)):
                text = candidate
                break
        else:
            leftover.extend(by_row[row])
    return text, leftover


def _candidate_edits(document: Document, directives: list[Directive], row: int,
                     codes: list[str]) -> Iterator[tuple[Edit, bool]]:
    """Edits that might silence ``codes`` on ``row``, best first; True when the edit adds a
    line above the row (the finding is then one row lower)."""
    text = document.text
    targeting = [d for d in directives if not d.file_wide and d.target_row == row]
    for directive in sorted(targeting, key=lambda d: d.own_line):
        missing = [c for c in codes
                   if not any(code_matches(have, c) for have in directive.codes)]
        if not missing:
            continue
        yield Edit.insert(directive.code_spans[-1].end, "," + ",".join(missing)), False
        return
    line_span = document.lines.line_span(row)
    line = text[line_span.start : line_span.end]
    comment = f"# prefect-lint: disable={','.join(codes)}"
    if line.strip() and "#" not in line:
        yield Edit.insert(line_span.end, "  " + comment), False
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    yield Edit.insert(line_span.start, f"{indent}{comment}{document.newline}"), True


def _directives(document: Document) -> list[Directive]:
    return find_directives(
        document.text, document.lines.starts, list(_directive_like_scalar_spans(document))
    )


def _covers(document: Document, row: int, codes: list[str]) -> bool:
    return _all_covered(_row_codes(document).get(row, []), codes)


def _row_codes(document: Document) -> dict[int, list[str]]:
    """Row -> the codes its (not file-wide) directives name."""
    covered: dict[int, list[str]] = defaultdict(list)
    for directive in _directives(document):
        if not directive.file_wide:
            covered[directive.target_row].extend(directive.codes)
    return covered


def _all_covered(have: list[str], codes: list[str]) -> bool:
    return all(any(code_matches(c, code) for c in have) for code in codes)


def _add_file_wide(text: str, codes: set[str], lint: Linter) -> str:
    """Merge ``codes`` into the first own-line ``disable-file`` directive, or add one on the
    first line."""
    document, _ = lint(text)
    for directive in _directives(document):
        if directive.file_wide and directive.own_line:
            missing = sorted(c for c in codes
                             if not any(code_matches(have, c) for have in directive.codes))
            if not missing:
                return text
            edit = Edit.insert(directive.code_spans[-1].end, "," + ",".join(missing))
            return apply_edits(text, [edit])
    line = f"# prefect-lint: disable-file={','.join(sorted(codes))}{document.newline}"
    return line + text


def tree_shape(document: Document) -> Hashable:
    """What the YAML means, comments and layout aside: tags and values of every node of
    every document (an alias is recorded as a back-reference, so alias bombs stay cheap).
    For a Python file, its syntax tree without positions: a comment after a line-continuing
    backslash, or inside a string, changes it (or stops it parsing) and is not kept."""
    if document.kind in NOT_YAML_KINDS:
        return _python_shape(document.text)
    seen: dict[int, int] = {}

    def shape(node: Node) -> Hashable:
        if id(node) in seen:
            return ("alias", seen[id(node)])
        seen[id(node)] = len(seen)
        if isinstance(node, ScalarNode):
            return ("scalar", tag_of(node), node.value)
        if isinstance(node, SequenceNode):
            return ("seq", tag_of(node), tuple(shape(item) for item in node.value))
        if isinstance(node, MappingNode):
            return ("map", tag_of(node),
                    tuple((shape(key), shape(value)) for key, value in node.value))
        return ("other", type(node).__name__)

    roots = ([document.root] if document.root is not None else []) + document.extra_documents
    return tuple(shape(root) for root in roots)


def _python_shape(text: str) -> Hashable:
    import ast

    try:
        return ast.dump(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ("does not parse", text)  # never equal to a text that parses, nor another
