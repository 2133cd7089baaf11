"""L: legacy ``deployment.yaml`` files written by Prefect 2's ``prefect deployment build``.

They are recognised by content whatever their name (file kind ``legacy``); a folder walk reads
``*deployment.yaml`` files and keeps the ones whose content confirms it. Prefect 3 has no
command that reads them, so the whole file is reported once, with a pointer to
``prefect-lint migrate``.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Needs, rule
from linter.prefect import versions
from linter.prefect.legacy_files import (
    DO_NOT_EDIT,
    FLOW_NAME,
    HEADER,
    LEGACY,
    STRONG_KEYS,
    WEAK_KEYS,
)
from linter.project.context import LintContext


def _marker_span(text: str) -> Span:
    """Where to point: the generated header, the DO-NOT-EDIT line, or the first legacy key."""
    for pattern in (HEADER, DO_NOT_EDIT, STRONG_KEYS, WEAK_KEYS):
        match = pattern.search(text)
        if match is None:
            continue
        start = match.start()
        if pattern is HEADER:
            start = text.index("### A complete", start)
        end = start
        while end < len(text) and text[end] not in "\r\n":
            end += 1
        if pattern in (STRONG_KEYS, WEAK_KEYS):
            end = match.end(1)
        return Span(start, end)
    return Span(0, 0)


@rule("L011", "legacy-deployment-file", Severity.ERROR,
      "A Prefect 2 deployment.yaml (`prefect deployment build`), which Prefect 3 cannot read",
      kinds=(LEGACY,), needs=Needs.TEXT)
def legacy_deployment_file(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment file written by Prefect 2's `prefect deployment build` (the `###`
    header, `### DO NOT EDIT BELOW THIS LINE`, top-level `flow_name`, `infrastructure`,
    `storage`, `manifest_path`), or a hand-written file of the same shape.

    **Why**: Prefect 3.0 removed `prefect deployment build` / `apply`, agents, and the
    infrastructure and storage blocks these files point to. No Prefect 3 command reads the
    file; given to `prefect deploy --prefect-file` it passes as an empty file and the deploy
    fails with the puzzling "An entrypoint must be provided".

    **Target**: on a Prefect 2 target `prefect deployment apply` still reads the file: a
    warning that 3.0 removes it.

    **Fix**: `prefect-lint migrate FILE --into prefect.yaml` writes the equivalent
    prefect.yaml deployment entry (work pool, job variables, pull steps, schedules) and lists
    what it could not carry over; then delete this file.
    """
    document = context.document
    match = FLOW_NAME.search(document.text)
    if match:
        what = f"a Prefect 2 deployment file for flow '{match.group(1)}' (`prefect deployment " \
               "build`)"
    else:
        what = "an agent-era (Prefect 2) deployment file"
    target = context.project.settings.target_version
    if versions.agent_commands_work(target):
        yield Finding(
            _marker_span(document.text),
            f"this is {what}: {versions.target_words(target)} still applies it, but Prefect "
            f"3.0 removes `prefect deployment build/apply`; run `prefect-lint migrate "
            f"{document.filename}` to turn it into a prefect.yaml deployment",
            help="`prefect deploy` reads deployments from prefect.yaml on 2.10 and later",
            severity=Severity.WARNING,
        )
        return
    yield Finding(
        _marker_span(document.text),
        f"this is {what}, which Prefect 3 cannot read; run `prefect-lint migrate "
        f"{document.filename}` to turn it into a prefect.yaml deployment",
        help="Prefect 3 has no `deployment build/apply`, agents, or infrastructure and storage "
             "blocks; `prefect deploy` reads deployments from prefect.yaml",
    )
