#!/usr/bin/env python3
"""Print the README's test command: the one line of the ``sh`` block that follows the line
``Run the tests`` near the top of README.md. ``.ci/run`` runs exactly this line in a fresh
clone, so the README cannot drift from what CI proves.

    python3 scripts/readme_test_command.py [README.md]

Exit 2 with one line on standard error when the README has no such block.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADING = "Run the tests"
#: the test command must be visible without scrolling
FIRST_SCREEN = 40


def test_command(readme: str) -> str:
    """The command, or ValueError saying what is wrong with the README."""
    lines = readme.splitlines()[:FIRST_SCREEN]
    starts = [i for i, line in enumerate(lines) if line.startswith(HEADING)]
    if not starts:
        raise ValueError(f"no line starting with {HEADING!r} in the first {FIRST_SCREEN} lines")
    rest = lines[starts[0] + 1 :]
    fence = next((i for i, line in enumerate(rest) if line.strip()), None)
    if fence is None or rest[fence].strip() != "```sh":
        raise ValueError(f"{HEADING!r} is not followed by a ```sh block")
    body = rest[fence + 1 :]
    end = next((i for i, line in enumerate(body) if line.strip() == "```"), None)
    if end is None:
        raise ValueError(f"the ```sh block after {HEADING!r} is not closed in the first screen")
    commands = [line for line in body[:end] if line.strip()]
    if len(commands) != 1:
        raise ValueError(
            f"the ```sh block after {HEADING!r} must hold one line, not {len(commands)}")
    return commands[0].strip()


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "README.md"
    try:
        print(test_command(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
