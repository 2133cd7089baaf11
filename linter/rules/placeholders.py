"""D: values left over from a template (``YOUR_WORK_POOL_NAME``, ``<image>``, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Scope, rule
from linter.lazy_regex import lazy_compile
from linter.project.context import LintContext
from linter.source.document import NodePath

#: Whole values that are a template's blanks, not real settings: the upper-case blanks of
#: templates and docs (`YOUR_WORK_POOL_NAME`, `FULL_PATH_TO_DIR`, `CHANGE_ME`, `TODO`) and
#: `<...>`. Case matters: `your_uniq_id` or `todo` is an ordinary value someone chose.
TEMPLATE_BLANK = lazy_compile(
    r"^(?:YOUR[_\-][A-Z0-9_\-]+|<[^<>{}]+>|FULL_PATH_TO_[A-Z0-9_]+|CHANGE[_\-]?ME"
    r"|REPLACE[_\-]?ME|TODO|FIXME|XXX+)$"
)
SECTIONS = ("build", "push", "pull", "deployments")
#: Labels and prose: a blank there is harmless text.
FREE_TEXT_KEYS = frozenset({"description", "tags", "version"})


def _strings(value: Any, path: NodePath) -> Iterator[tuple[NodePath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key not in FREE_TEXT_KEYS:
                yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _strings(item, (*path, position))


@rule("D014", "template-placeholder", Severity.ERROR,
      "A value left from a template (`YOUR_WORK_POOL_NAME`, `<image>`)", scope=Scope.DEPLOYMENT)
def template_placeholder(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a value that is a template's blank rather than a setting:
    `YOUR_WORK_POOL_NAME`, `<bucket>`, `FULL_PATH_TO_DIR`, `CHANGE_ME`, `TODO` (written in
    capitals, as templates write their blanks), in a deployment or a build/push/pull step.
    A lower-case value such as `your_uniq_id` is taken as one the author chose. (`name: null`
    is reported by D011, a missing pool by D013.)

    **Why**: Prefect takes the text literally: the deploy fails on a work pool that does not
    exist, or a worker fails on a directory, image or bucket of that name.

    **Fix**: write the real value.
    """
    document = context.document
    data = document.data
    if not isinstance(data, dict):
        return
    seen: set[Span] = set()
    for section in SECTIONS:
        for path, text in _strings(data.get(section), (section,)):
            if not TEMPLATE_BLANK.match(text.strip()):
                continue
            span = document.value_span_at(path)
            if span is None or span in seen:
                continue
            seen.add(span)
            key = next((part for part in reversed(path) if isinstance(part, str)), section)
            yield Finding(span, f'`{key}` is "{text}", a blank left from a template; Prefect '
                                "would use this text literally",
                          help=f"replace it with the real {key.replace('_', ' ')}")
