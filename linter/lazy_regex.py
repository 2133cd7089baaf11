"""Regular expressions compiled on first use.

The linter has some sixty module-level patterns; compiling them all at import cost about 9 ms
of every run, while one file uses only a third of them (the cron, interval, script and
legacy-file patterns wait for a file that needs them). A lazy pattern compiles itself on the
first attribute access and then keeps the compiled methods on itself, so later calls cost
what a compiled pattern's do.

``re.sub(PATTERN, ...)`` and the other module-level functions need a real pattern: call the
pattern's own methods (``PATTERN.sub(...)``) instead.
"""

from __future__ import annotations

import re
from typing import Any, cast


class LazyPattern:
    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not found on the instance: the first use of each
        compiled = re.compile(self._source, self._flags)
        for attribute in dir(compiled):
            if not attribute.startswith("_"):
                setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source!r}, {self._flags!r})"


def lazy_compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern that behaves as ``re.compile(source, flags)`` and compiles when first used."""
    return cast("re.Pattern[str]", LazyPattern(source, flags))
