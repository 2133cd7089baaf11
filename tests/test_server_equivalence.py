"""The language server's diagnostics equal the command line's for the same text: every corpus
file is opened in one server, edited by a random (seeded) sequence of changes sent back to
back, and the diagnostics published for the last version are compared with
``prefect-lint check --stdin-filename`` on that text (code, range, message, severity)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import corpus_files
from tests.test_server_transport import RawClient, initialized, open_document

pytestmark = pytest.mark.slow

SEVERITIES = {"ERROR": 1, "WARNING": 2, "INFO": 3}


def edited(text: str, rng: random.Random) -> str:
    """One random edit: delete, duplicate or swap lines, or type or delete a character."""
    lines = text.splitlines(keepends=True) or [""]
    row = rng.randrange(len(lines))
    kind = rng.choice(("delete", "duplicate", "swap", "type", "erase"))
    if kind == "delete":
        del lines[row]
    elif kind == "duplicate":
        lines.insert(row, lines[row])
    elif kind == "swap" and row + 1 < len(lines):
        lines[row], lines[row + 1] = lines[row + 1], lines[row]
    elif kind == "type":
        column = rng.randrange(len(lines[row]) + 1)
        lines[row] = lines[row][:column] + rng.choice("x: -{'\"#") + lines[row][column:]
    elif lines[row]:
        column = rng.randrange(len(lines[row]))
        lines[row] = lines[row][:column] + lines[row][column + 1 :]
    return "".join(lines)


def utf16_column(line: str, byte_column: int) -> int:
    before = line.encode("utf-8", "surrogatepass")[: byte_column - 1]
    return len(before.decode("utf-8", "surrogatepass").encode("utf-16-le", "surrogatepass")) // 2


def cli_diagnostics(workspace: Path, relative: str, text: str) -> list[tuple[Any, ...]]:
    """The command line's findings (rdjson: message with its help, UTF-8 byte columns),
    with positions as the server gives them (0-based lines, UTF-16 columns)."""
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-cache", "--exit-zero",
         "--output-format", "rdjson", "--stdin-filename", relative, "-"],
        cwd=workspace, input=text.encode(), capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    lines = text.split("\n")

    def position(at: dict[str, int]) -> tuple[int, int]:
        line = lines[at["line"] - 1] if at["line"] <= len(lines) else ""
        return at["line"] - 1, utf16_column(line, at["column"])

    return sorted(
        (entry["code"]["value"], position(entry["location"]["range"]["start"]),
         position(entry["location"]["range"]["end"]), entry["message"],
         SEVERITIES[entry["severity"]])
        for entry in json.loads(done.stdout)["diagnostics"])


def server_diagnostics(published: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (d["code"], (d["range"]["start"]["line"], d["range"]["start"]["character"]),
         (d["range"]["end"]["line"], d["range"]["end"]["character"]), d["message"],
         d["severity"])
        for d in published["diagnostics"])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp-equivalence")


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[RawClient]:
    started = initialized(workspace)
    yield started
    started.close()


def opened(server: RawClient, workspace: Path, relative: str, source: Path) -> tuple[str, str]:
    """The corpus file ``source`` written at ``relative`` in the workspace and opened in the
    server: its text and URI."""
    path = workspace / relative
    path.parent.mkdir()
    text = source.read_text(encoding="utf-8", errors="replace")
    path.write_text(text, encoding="utf-8")
    open_document(server, path.as_uri(), text)
    return text, path.as_uri()


def changed(server: RawClient, uri: str, version: int, text: str) -> None:
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})


def diagnostics_of_version(server: RawClient, uri: str, version: int) -> dict[str, Any]:
    """The diagnostics the server publishes for that version (earlier ones are skipped)."""
    published = server.diagnostics(uri, timeout=120)
    while published.get("version") != version:
        published = server.diagnostics(uri, timeout=120)
    return published


def test_server_equals_cli_after_random_edit_sequences(server: RawClient,
                                                       workspace: Path) -> None:
    files = [f for f in corpus_files("prefect_yaml") if f.suffix in (".yaml", ".yml")]
    assert files
    rng = random.Random(20)
    compared = findings = 0
    for index, source in enumerate(files):
        relative = f"f{index}/prefect.yaml"
        text, uri = opened(server, workspace, relative, source)
        version = 1
        for _ in range(rng.randint(3, 12)):
            text = edited(text, rng)
            version += 1
            changed(server, uri, version, text)
        published = diagnostics_of_version(server, uri, version)
        expected = cli_diagnostics(workspace, relative, text)
        assert server_diagnostics(published) == expected, source.name
        compared += 1
        findings += len(expected)
    assert compared == len(files)
    assert findings > len(files)  # the edits broke things: there was something to compare


def typed_in_a_deployment(text: str, rng: random.Random) -> str | None:
    """One character typed inside a deployment, after its ``-`` (what the server checks
    incrementally); None for a file without a deployments list it can find."""
    from linter.source.document import Document
    from linter.source.splice import sequence_items

    items = sequence_items(Document.from_text(text, "prefect.yaml"), "deployments")
    if items is None:
        return None
    region = items.regions[rng.randrange(len(items.regions))]
    start = text.index("-", region.start) + 1
    if start >= region.end - 1:
        return None
    at = rng.randrange(start, region.end - 1)
    return text[:at] + rng.choice("xyz_") + text[at:]


def test_server_equals_cli_while_typing_in_deployments(server: RawClient,
                                                       workspace: Path) -> None:
    """Keystrokes one at a time, each waited for (the server then re-checks only the edited
    deployment); the last version's diagnostics equal the command line's."""
    files = [f for f in corpus_files("prefect_yaml") if f.suffix in (".yaml", ".yml")]
    rng = random.Random(21)
    typed = 0
    for index, source in enumerate(files):
        relative = f"t{index}/prefect.yaml"
        text, uri = opened(server, workspace, relative, source)
        server.diagnostics(uri, timeout=120)
        version = 1
        for _ in range(4):
            typed_text = typed_in_a_deployment(text, rng)
            if typed_text is None:
                break
            text, version = typed_text, version + 1
            changed(server, uri, version, text)
            published = diagnostics_of_version(server, uri, version)
            typed += 1
        if version > 1:
            assert server_diagnostics(published) == cli_diagnostics(workspace, relative, text), \
                source.name
    assert typed > 3 * len(files) // 2  # most corpus files have a deployments list
