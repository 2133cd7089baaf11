"""The language server against bad clients: the byte-stream reader on its own, then a real
server over standard input/output fed malformed headers, bodies that are not JSON, junk
between messages, unknown methods, invalid parameters, a FIFO and a 10 MB document; after
each, it must still answer a request."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linter.lsp.transport import MAX_BODY, READ_SIZE, MessageFramer, Skipped, _widen_pipe

# -- the reader ------------------------------------------------------------------------------


def framed(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def bodies(*chunks: bytes) -> list[bytes]:
    framer = MessageFramer()
    return [item for chunk in chunks for item in framer.feed(chunk)
            if not isinstance(item, Skipped)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_a_pipe_on_standard_input_is_widened_and_other_files_are_left_alone(
        tmp_path: Path) -> None:
    """A client writing a 200 KB document 200 times wakes the reader a sixteenth as often
    (a burst of 200 changes went from 0.98 s to 0.46 s in benchmarks/lsp_latency.py)."""
    import fcntl

    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    read_end, write_end = os.pipe()
    try:
        before = fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ)
        _widen_pipe(read_end)
        after = fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ)
        assert after == (READ_SIZE if limit >= READ_SIZE else before)
    finally:
        os.close(read_end)
        os.close(write_end)
    with (tmp_path / "file").open("wb") as regular:
        _widen_pipe(regular.fileno())  # not a pipe: nothing happens, nothing raised


def test_reads_messages_split_anywhere() -> None:
    stream = framed(b'{"a": 1}') + framed(b'{"b": 2}')
    for cut in range(len(stream) + 1):
        assert bodies(stream[:cut], stream[cut:]) == [b'{"a": 1}', b'{"b": 2}'], cut


def test_other_headers_and_bare_line_feeds_are_accepted() -> None:
    stream = (b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
              b"content-length: 2\r\n\r\n{}" + b"Content-Length: 2\n\n[]")
    framer = MessageFramer()
    assert list(framer.feed(stream)) == [b"{}", b"[]"]  # nothing skipped


def test_malformed_header_and_junk_are_skipped() -> None:
    stream = (b"Content-Length: abc\r\n\r\n{\"lost\": 1}" + b"\x00\xffjunk\r\n"
              + framed(b'{"kept": 1}'))
    assert bodies(stream) == [b'{"kept": 1}']


def test_a_length_too_large_to_accept_is_skipped() -> None:
    stream = b"Content-Length: %d\r\n\r\n{}" % (MAX_BODY + 1) + framed(b'{"kept": 1}')
    assert bodies(stream) == [b'{"kept": 1}']


def test_a_body_shorter_than_its_length_gives_way_to_the_next_header() -> None:
    stream = b"Content-Length: 5000\r\n\r\n{\"short\": 1}" + framed(b'{"kept": 1}')
    assert bodies(stream) == [b'{"kept": 1}']


def test_a_header_inside_a_json_string_is_not_taken_for_one() -> None:
    body = json.dumps({"text": "Content-Length: 3\r\n\r\nabc"}).encode()
    assert bodies(framed(body)) == [body]


def test_partial_body_is_searched_once_not_again_on_every_read() -> None:
    framer = MessageFramer()
    assert list(framer.feed(b"Content-Length: 3000000\r\n\r\n")) == []
    for _ in range(29):
        assert list(framer.feed(b"x" * 100_000)) == []
    assert framer.scanned == len(framer.buffer) == 2_900_000
    assert list(framer.feed(b"x" * 100_000)) == [b"x" * 3_000_000]


# -- a real server over standard input/output -------------------------------------------------


class RawClient:
    """Writes bytes to the server; reads its messages on a thread."""

    def __init__(self, root: Path) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linter", "server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=root, env=environment)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        framer = MessageFramer()
        while True:
            data = self.process.stdout.read1(65536)
            if not data:
                return
            for item in framer.feed(data):
                if not isinstance(item, Skipped):
                    self.messages.put(json.loads(item))

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.write(framed(json.dumps({"jsonrpc": "2.0", **message}).encode()))

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def response(self, message_id: int | None, timeout: float = 30) -> dict[str, Any]:
        """The response with ``message_id`` (None: an error response without an id)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if "method" in message:
                if "id" in message:  # a request from the server: answer it
                    self.send({"id": message["id"], "result": None})
                else:
                    self.notifications.append(message)
                continue
            if message.get("id") == message_id:
                return message
        raise AssertionError(f"no response {message_id} within {timeout} s")

    def diagnostics(self, uri: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.notifications:
                if (message["method"] == "textDocument/publishDiagnostics"
                        and message["params"]["uri"] == uri):
                    self.notifications.remove(message)
                    return dict(message["params"])
            try:
                message = self.messages.get(timeout=0.05)
            except queue.Empty:
                continue
            if "method" in message and "id" not in message:
                self.notifications.append(message)
        raise AssertionError(f"no diagnostics for {uri} within {timeout} s")

    def still_answers(self) -> None:
        """A request after the trouble gets its answer."""
        answered = self.response(self.request("shutdown-probe/unknown", {}))
        assert answered["error"]["code"] == -32601  # method not found: an answer all the same

    def close(self) -> None:
        try:
            self.response(self.request("shutdown", None), timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp-transport")
    (root / "prefect-lint.toml").write_text('select = ["D001", "Y"]\n', encoding="utf-8")
    return root


def initialized(root: Path) -> RawClient:
    """A server for the workspace at ``root``, past ``initialize`` and ``initialized``."""
    started = RawClient(root)
    started.response(started.request("initialize", {
        "processId": None, "rootUri": root.as_uri(), "capabilities": {}}))
    started.notify("initialized", {})
    return started


@pytest.fixture
def client(workspace: Path) -> Iterator[RawClient]:
    started = initialized(workspace)
    yield started
    started.close()


def open_document(client: RawClient, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": version, "text": text}})


def hover(client: RawClient, uri: str) -> dict[str, Any]:
    return client.response(client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}))



@pytest.mark.slow
def test_malformed_header_then_requests_are_still_answered(client: RawClient) -> None:
    client.write(b"Content-Length: abc\r\n\r\n" + b'{"jsonrpc": "2.0", "id": 99, '
                 b'"method": "shutdown"}')
    client.still_answers()
    client.write(b"Content-Length: 5000\r\n\r\n{}")  # a length the body never reaches
    client.still_answers()


@pytest.mark.slow
def test_body_that_is_not_json_gets_a_parse_error(client: RawClient) -> None:
    client.write(framed(b"this is not json"))
    assert client.response(None)["error"]["code"] == -32700
    client.write(framed(b"[1, 2]"))
    assert client.response(None)["error"]["code"] == -32600
    client.still_answers()


@pytest.mark.slow
def test_junk_between_messages_is_skipped(client: RawClient, workspace: Path) -> None:
    uri = (workspace / "prefect.yaml").as_uri()
    client.write(b"\x00\xff garbage \r\n\r\n}}{{")
    open_document(client, uri, "name: a\nname: b\n")
    client.write(b"more junk without any header")
    assert [d["code"] for d in client.diagnostics(uri)["diagnostics"]] == ["Y002"]
    client.still_answers()


@pytest.mark.slow
def test_unknown_method_and_invalid_params_get_json_rpc_errors(client: RawClient,
                                                                workspace: Path) -> None:
    assert client.response(client.request("no/such/method", {}))["error"]["code"] == -32601
    bad = client.request("textDocument/hover", {"textDocument": 5, "position": "top"})
    assert client.response(bad)["error"]["code"] == -32602
    client.notify("textDocument/didOpen", {"textDocument": "not an object"})
    client.still_answers()


@pytest.mark.slow
def test_a_fifo_uri_does_not_block_the_server(client: RawClient, workspace: Path) -> None:
    fifo = workspace / "fifo" / "prefect.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    answer = hover(client, fifo.as_uri())  # never opened: the server must not read it
    assert "error" not in answer and answer["result"] is None
    actions = client.response(client.request("textDocument/codeAction", {
        "textDocument": {"uri": fifo.as_uri()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}}))
    assert "error" not in actions
    open_document(client, fifo.as_uri(), "name: a\nname: b\n")
    assert [d["code"] for d in client.diagnostics(fifo.as_uri())["diagnostics"]] == ["Y002"]
    client.still_answers()


@pytest.mark.slow
def test_a_10_mb_document_does_not_stop_the_answers(client: RawClient, workspace: Path) -> None:
    uri = (workspace / "big" / "prefect.yaml").as_uri()
    text = "name: big\n" + ("# " + "x" * 998 + "\n") * 10_000
    assert len(text.encode()) > 10_000_000
    open_document(client, uri, text)
    client.still_answers()
    published = client.diagnostics(uri, timeout=120)
    assert published["version"] == 1


@pytest.mark.slow
def test_a_burst_of_changes_ends_with_the_last_versions_diagnostics(client: RawClient,
                                                                     workspace: Path) -> None:
    uri = (workspace / "burst" / "prefect.yaml").as_uri()
    deployments = "".join(f"  - name: flow-{n}\n    entrypoint: f.py:f\n" for n in range(300))
    open_document(client, uri, "deployments:\n" + deployments)
    client.diagnostics(uri)
    for version in range(2, 102):
        duplicate = f"  - name: flow-{version % 300}\n    entrypoint: f.py:f\n"
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": "deployments:\n" + deployments + duplicate}]})
    published = [client.diagnostics(uri)]
    while published[-1]["version"] != 101:
        published.append(client.diagnostics(uri))
    assert len(published) < 20  # coalesced: not one check per change
    versions = [p["version"] for p in published]
    assert versions == sorted(versions)
    (last,) = published[-1]["diagnostics"]
    assert last["code"] == "D001" and "flow-101" in last["message"]
    client.still_answers()
    assert all(n["params"]["uri"] != uri for n in client.notifications)  # nothing stale after


@pytest.mark.slow
@pytest.mark.parametrize(("shutdown_first", "status"), [(True, 0), (False, 1)])
def test_exit_ends_the_process_with_the_lsp_status_even_while_checking(
    workspace: Path, shutdown_first: bool, status: int
) -> None:
    client = RawClient(workspace)
    try:
        client.response(client.request("initialize", {
            "processId": None, "rootUri": workspace.as_uri(), "capabilities": {}}))
        deployments = "".join(f"  - name: d{n}\n    entrypoint: f.py:f\n" for n in range(3000))
        open_document(client, (workspace / "exit" / "prefect.yaml").as_uri(),
                      "deployments:\n" + deployments)
        time.sleep(0.2)  # its check has started
        if shutdown_first:
            assert "error" not in client.response(client.request("shutdown", None))
        client.notify("exit", None)
        assert client.process.wait(timeout=30) == status
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


def served_and_cli(client: RawClient, workspace: Path, path: Path, text: str
                   ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, message) of what the server publishes for ``text`` opened as ``path``, and of
    what ``prefect-lint check`` finds in the file."""
    open_document(client, path.as_uri(), text)
    published = client.diagnostics(path.as_uri(), timeout=60)
    cli = subprocess.run([sys.executable, "-m", "linter", "check", "--no-cache",
                          "--output-format", "json", str(path.relative_to(workspace))],
                         cwd=workspace, capture_output=True, text=True, timeout=60, check=False)
    return ([(d["code"], d["message"]) for d in published["diagnostics"]],
            [(d["code"], d["message"]) for d in json.loads(cli.stdout)])


@pytest.mark.slow
def test_a_document_over_the_size_limit_gets_the_clis_finding(client: RawClient,
                                                              workspace: Path) -> None:
    path = workspace / "huge" / "prefect.yaml"
    path.parent.mkdir()
    text = "name: huge\n" + ("# " + "x" * 1022 + "\n") * 11 * 1024  # 11 MiB: over 10 MiB
    path.write_text(text, encoding="utf-8")
    served, expected = served_and_cli(client, workspace, path, text)
    assert expected and "max-file-size" in expected[0][1]
    assert served == expected
    client.still_answers()


def test_a_lone_surrogate_gets_the_clis_finding_for_such_bytes(client: RawClient,
                                                                workspace: Path) -> None:
    """JSON can carry "\\ud800", UTF-8 cannot: the server said "internal error" (the parser
    could not encode the text); now the finding the command line gives for those bytes."""
    path = workspace / "surrogate" / "prefect.yaml"
    path.parent.mkdir()
    text = "name: bad\ndeployments:\n  - name: a\ud800b\n"
    raw = text.encode("utf-8", "surrogatepass")
    path.write_bytes(raw)
    served, expected = served_and_cli(client, workspace, path, text)
    assert expected and expected[0][0] == "Y000"
    assert served == expected
    client.still_answers()


@pytest.mark.slow
def test_a_client_without_resolve_support_gets_the_edits_at_once(client: RawClient,
                                                                 workspace: Path) -> None:
    (workspace / "eager").mkdir()
    (workspace / "eager" / "prefect-lint.toml").write_text('select = ["D001", "M001", "Y"]\n')
    uri = (workspace / "eager" / "prefect.yaml").as_uri()
    text = "name: a  # prefect-lint: disable=D001\nname: b\n"
    open_document(client, uri, text)
    client.diagnostics(uri)
    actions = client.response(client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 4}},
        "context": {"diagnostics": []}}))["result"]
    titles = {action["title"]: action for action in actions}
    assert "Disable Y002 for this line" in titles
    assert "prefect-lint: fix all safe problems" in titles
    assert all(action.get("edit") for action in actions), actions


@pytest.mark.slow
def test_a_change_to_a_file_a_check_looked_at_checks_its_documents_again(
    client: RawClient, workspace: Path
) -> None:
    folder = workspace / "depends"
    (folder / "flows").mkdir(parents=True)
    (folder / "prefect-lint.toml").write_text('select = ["D"]\n')
    flow = folder / "flows" / "etl.py"
    flow.write_text("from prefect import flow\n\n@flow\ndef etl():\n    pass\n")
    other = folder / "other" / "prefect.yaml"  # looks at no flow: must not be checked again
    other.parent.mkdir()
    document = folder / "prefect.yaml"
    text = ("deployments:\n- name: etl\n  entrypoint: flows/etl.py:etl\n  parameters:\n"
            "    days: 3\n  work_pool:\n    name: default\n")
    open_document(client, document.as_uri(), text)
    assert [d["code"] for d in client.diagnostics(document.as_uri())["diagnostics"]] == ["D008"]
    open_document(client, other.as_uri(), "deployments: []\n")
    client.diagnostics(other.as_uri())

    flow.write_text("from prefect import flow\n\n@flow\ndef etl(days: int):\n    pass\n")
    client.notify("workspace/didChangeWatchedFiles",
                  {"changes": [{"uri": flow.as_uri(), "type": 2}]})
    assert client.diagnostics(document.as_uri())["diagnostics"] == []

    flow.write_text("from prefect import flow\n\n@flow\ndef etl():\n    pass\n")
    client.notify("textDocument/didSave", {"textDocument": {"uri": flow.as_uri()}})
    assert [d["code"] for d in client.diagnostics(document.as_uri())["diagnostics"]] == ["D008"]

    time.sleep(0.5)  # time enough for a check of `other`, had it been scheduled
    client.still_answers()
    assert not [n for n in client.notifications if n["params"].get("uri") == other.as_uri()]

    (folder / "prefect-lint.toml").write_text('select = ["D"]\nignore = ["D008"]\n')
    client.notify("workspace/didChangeWatchedFiles",
                  {"changes": [{"uri": (folder / "prefect-lint.toml").as_uri(), "type": 2}]})
    assert client.diagnostics(document.as_uri())["diagnostics"] == []
    client.diagnostics(other.as_uri())  # a configuration affects every document below it
