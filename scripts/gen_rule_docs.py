#!/usr/bin/env python3
"""Write the rule reference under ``docs/rules/``: one Markdown page per registered rule and
an index (``README.md``), from the registry (``linter.core.rule_docs``). Pages of rules that no
longer exist are removed. ``--check`` writes nothing and exits 1 when a page is out of date.

    python scripts/gen_rule_docs.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import linter.rules  # noqa: E402, F401  (after the path above; registers every rule)
from linter.core.rule_docs import pages  # noqa: E402

DOCS = REPO / "docs" / "rules"


def stale(expected: dict[str, str]) -> list[str]:
    """Names of the pages to write or remove."""
    present = {p.name for p in DOCS.glob("*.md")} if DOCS.is_dir() else set()
    changed = [name for name, text in expected.items()
               if not (DOCS / name).is_file()
               or (DOCS / name).read_text(encoding="utf-8") != text]
    return sorted({*changed, *(present - set(expected))})


def main(argv: list[str]) -> int:
    expected = pages()
    names = stale(expected)
    if "--check" in argv:
        for name in names:
            print(f"docs/rules/{name} is out of date (run scripts/gen_rule_docs.py)")
        return 1 if names else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in expected:
            (DOCS / name).write_text(expected[name], encoding="utf-8")
        else:
            (DOCS / name).unlink()
    print(f"{len(names)} page(s) written or removed under docs/rules/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
