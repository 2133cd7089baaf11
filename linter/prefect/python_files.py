"""Python files that deploy flows, recognised by their text: an import of Prefect or of a
``prefect_*`` collection. Nothing is parsed, imported or run."""

from __future__ import annotations

import re

from linter.lazy_regex import lazy_compile

#: an import of Prefect or a collection (``prefect_aws``...) at the start of a line
_PREFECT_IMPORT = lazy_compile(
    r"^[ \t]*(?:from[ \t]+prefect(?:_\w+)?\b"
    r"|import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*prefect(?:_\w+)?\b)",
    re.MULTILINE,
)


def imports_prefect(text: str) -> bool:
    """Does this Python text import Prefect or a ``prefect_*`` collection? A cheap look at
    the text for folder walks: nothing is parsed, imported or run."""
    return _PREFECT_IMPORT.search(text) is not None
