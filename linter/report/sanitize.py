"""Text from a checked file made safe to print in the human formats.

File text reaches the output in messages, paths and code frames. A control character there
could move the cursor, recolour or clear the terminal (escape sequences), start a new line
that GitHub Actions reads as a workflow command (``::add-mask::``, ``::stop-commands::``), or
reorder what the reader sees (bidirectional overrides). Messages and paths show such a
character as an escape (``\\n``, ``\\x1b``); code frames show one visible character in its
place, so the underline stays under the right column.
"""

from __future__ import annotations

import os

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]
_CONTROLS = [c for c in range(0x20) if c != 0x09] + [0x7F, *range(0x80, 0xA0), *_BIDI]
_NAMED = {0x0A: "\\n", 0x0D: "\\r"}

_ESCAPED = {c: _NAMED.get(c, f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _CONTROLS}
#: C0 controls as Unicode control pictures (U+2400 block), the others as U+FFFD
_PICTURED = {c: chr(0x2400 + c) if c < 0x20 else "\u2421" if c == 0x7F else "\ufffd"
             for c in _CONTROLS}


#: GitHub's runner also reads ``##[command]`` anywhere in a line (its first syntax)
_OLD_COMMAND = "##["
_OLD_COMMAND_SHOWN = "##\uff3b"  # a full-width bracket: one character, not a command


def under_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def visible(text: str) -> str:
    """A message or path with every control character written as an escape."""
    return _made_visible(text, _ESCAPED)


def visible_line(line: str) -> str:
    """A line of a code frame, each control character replaced by one visible character."""
    return _made_visible(line, _PICTURED)


def _made_visible(text: str, controls: dict[int, str]) -> str:
    """``text`` with its control characters translated by ``controls``, and never a workflow
    command under GitHub Actions."""
    if not text.isprintable():
        text = text.translate(controls)
    if _OLD_COMMAND in text and under_github_actions():
        text = text.replace(_OLD_COMMAND, _OLD_COMMAND_SHOWN)
    return text


def visible_path(filename: str) -> str:
    """A path at the start of an output line: escaped, and never read as a workflow command
    (a folder named ``::warning::x`` is shown as ``./::warning::x``)."""
    shown = visible(filename)
    return f"./{shown}" if shown.lstrip().startswith("::") else shown
