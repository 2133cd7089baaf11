"""Keystroke-to-diagnostics latency of the language server, side by side with a cold CLI check.

    python benchmarks/lsp_latency.py [--sizes 10 100 1000] [--keystrokes 15] [--burst 200]

For each size, a generated prefect.yaml (the files of benchmarks/run.py) is opened in one
`prefect-lint server` over standard input/output; then, taking turns, a whole
`prefect-lint check` process checks the file and one keystroke is typed into the server: one
character added to a deployment's description in the middle of the file (a full-text
didChange, as most clients send), timed from sending the change to receiving the
publishDiagnostics of that version. The medians of both are reported with their ratio.
prefect-lint runs from a wheel install with the server extra in its own venv (as users run
it), unless --command says otherwise.

Then the burst: --burst changes (default 200) sent back to back to the 1,000-deployment file
(about 215 KB), timed from the first send to the diagnostics of the last version, as a
multiple of one whole-file check in the server and of one cold check. The whole-file check:
the median of five edits outside the deployments (the file's `name`), which the server
answers with a check of the whole text. A second burst follows them: its last version
differs from the last one checked outside the deployments, so it ends in a whole-file check.

Results go to benchmarks/results/lsp.md and lsp.json. Speed is never asserted in a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import install_checkout, make_project

from linter.lsp.transport import MessageFramer, Skipped

RESULTS = Path(__file__).resolve().parent / "results"


class Server:
    """A `prefect-lint server` process and the messages it sends."""

    def __init__(self, command: list[str], root: Path) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=root)
        self.messages: Queue[dict[str, Any]] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.send({"id": 0, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}}})
        self.wait(lambda m: m.get("id") == 0)
        self.send({"method": "initialized", "params": {}})

    def _read(self) -> None:
        assert self.process.stdout is not None
        framer = MessageFramer()
        while data := self.process.stdout.read1(1 << 20):
            for item in framer.feed(data):
                if not isinstance(item, Skipped):
                    self.messages.put(json.loads(item))

    @staticmethod
    def framed(message: dict[str, Any]) -> bytes:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(self.framed(message))
        self.process.stdin.flush()

    def wait(self, matches: Any, timeout: float = 600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except Empty:
                raise TimeoutError("the server did not answer") from None
            if matches(message):
                return message

    def diagnostics_of(self, uri: str, version: int) -> dict[str, Any]:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") == version)

    def open(self, uri: str, text: str) -> None:
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
        self.diagnostics_of(uri, 1)

    def change(self, uri: str, version: int, text: str) -> None:
        self.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]}})

    def close(self) -> None:
        self.send({"id": -1, "method": "shutdown", "params": None})
        self.wait(lambda m: m.get("id") == -1, timeout=30)
        self.send({"method": "exit", "params": None})
        self.process.wait(timeout=30)


def cold_check(command: list[str], path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*command, "check", "--no-cache", "--exit-zero", "-q",
                    "--output-format", "concise", str(path)],
                   cwd=path.parent, capture_output=True, check=True)
    return time.perf_counter() - start


def typed(text: str, keystroke: int) -> str:
    """The text after ``keystroke`` characters typed into the middle deployment's
    description."""
    lines = text.splitlines(keepends=True)
    descriptions = [i for i, line in enumerate(lines) if "description:" in line]
    row = descriptions[len(descriptions) // 2]
    lines[row] = lines[row].rstrip("\n") + "abcdefghij"[keystroke % 10] * (keystroke + 1) + "\n"
    return "".join(lines)


def side_by_side(server: Server, command: list[str], path: Path, text: str, count: int
                 ) -> tuple[list[float], list[float]]:
    """Cold checks and keystrokes taking turns (so that the load of this shared machine
    weighs on both alike): their times."""
    uri = path.as_uri()
    cold, latencies = [], []
    for keystroke in range(count):
        cold.append(cold_check(command, path))
        version = keystroke + 2
        start = time.perf_counter()
        server.change(uri, version, typed(text, keystroke))
        server.diagnostics_of(uri, version)
        latencies.append(time.perf_counter() - start)
    return cold, latencies


def full_rechecks(server: Server, uri: str, text: str, count: int, first_version: int
                  ) -> list[float]:
    """Seconds for edits outside the deployments (the file's `name`), which the server
    answers with a check of the whole text: what a keystroke cost before checks were
    incremental, and the measure of "one check" in the server."""
    times = []
    for index in range(count):
        edited = text.replace("name: generated", f"name: generated{index}", 1)
        start = time.perf_counter()
        server.change(uri, first_version + index, edited)
        server.diagnostics_of(uri, first_version + index)
        times.append(time.perf_counter() - start)
    return times


def burst(server: Server, uri: str, text: str, count: int, first_version: int) -> float:
    """Seconds from sending the first of ``count`` changes (written back to back, prepared
    beforehand so the client's own work is not timed) to the last version's diagnostics."""
    messages = [server.framed({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": first_version + index},
        "contentChanges": [{"text": typed(text, index)}]}}) for index in range(count)]
    assert server.process.stdin is not None
    start = time.perf_counter()
    for message in messages:
        server.process.stdin.write(message)
    server.process.stdin.flush()
    server.diagnostics_of(uri, first_version + count - 1)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--keystrokes", type=int, default=15)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--command", nargs="+", default=None,
                        help="how to start prefect-lint (default: this checkout installed "
                             "as a wheel with the server extra, as users install it)")
    args = parser.parse_args()
    if args.command is None:
        args.command = [str(install_checkout("prefect-lint-server", "server"))]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="prefect-lint-lsp-bench-") as temp:
        for size in args.sizes:
            path = make_project(Path(temp) / str(size), size)
            text = path.read_text(encoding="utf-8")
            server = Server([*args.command, "server"], path.parent)
            server.open(path.as_uri(), text)
            cold, latencies = side_by_side(server, args.command, path, text, args.keystrokes)
            row: dict[str, Any] = {
                "deployments": size, "bytes": len(text.encode()),
                "cold_check_s": statistics.median(cold),
                "keystroke_median_s": statistics.median(latencies),
                "keystroke_max_s": max(latencies),
            }
            row["ratio"] = row["keystroke_median_s"] / row["cold_check_s"]
            version = args.keystrokes + 2
            if size == max(args.sizes) and args.burst:
                row["burst_changes"] = args.burst
                row["burst_s"] = burst(server, path.as_uri(), text, args.burst, version)
                version += args.burst
            row["full_check_s"] = statistics.median(
                full_rechecks(server, path.as_uri(), text, 5, version))
            version += 5
            if size == max(args.sizes) and args.burst:
                # the last version checked has another `name`: the burst ends in a whole-file
                # check rather than a deployment's
                row["burst_after_name_edit_s"] = burst(server, path.as_uri(), text, args.burst,
                                                       version)
            server.close()
            rows.append(row)
            print(json.dumps(row), flush=True)
    write(rows)
    return 0


def write(rows: list[dict[str, Any]]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lsp.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = ["| deployments | size | cold CLI check | keystroke (median) | ratio "
             "| whole-file re-check in the server |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| {row['deployments']:,} | {row['bytes'] / 1024:.0f} KB | "
                     f"{row['cold_check_s'] * 1000:.0f} ms | "
                     f"{row['keystroke_median_s'] * 1000:.0f} ms | {row['ratio']:.2f}x | "
                     f"{row['full_check_s'] * 1000:.0f} ms |")
    for row in rows:
        if "burst_s" in row:
            lines.append("")
            lines.append(
                f"{row['burst_changes']} changes back to back to the {row['bytes'] / 1024:.0f} KB "
                f"file: the last version's diagnostics after {row['burst_s']:.2f} s "
                f"({row['burst_s'] / row['full_check_s']:.1f}x one whole-file check in the "
                f"server, {row['burst_s'] / row['cold_check_s']:.1f}x one cold check); sent "
                f"after an edit of the file's `name`, so that the last check is of the whole "
                f"file, after {row['burst_after_name_edit_s']:.2f} s "
                f"({row['burst_after_name_edit_s'] / row['full_check_s']:.1f}x, "
                f"{row['burst_after_name_edit_s'] / row['cold_check_s']:.1f}x).")
    (RESULTS / "lsp.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
