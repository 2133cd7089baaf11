"""A fake Prefect API on 127.0.0.1 for the `pools pull` and `pull` tests: a threaded HTTP
server answering with a function, recording every request it saw."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import pytest


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: str


class Handler(BaseHTTPRequestHandler):
    """A request being answered; ``body`` is what the client sent (read before answering)."""

    body: str

    def log_message(self, *args: Any) -> None:
        pass


Respond = Callable[[Handler], None]


def send(handler: BaseHTTPRequestHandler, code: int, body: Any,
         headers: dict[str, str] | None = None) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


@contextlib.contextmanager
def serve(respond: Respond, tls: Any = None, prefix: str = ""
          ) -> Iterator[tuple[str, list[Request]]]:
    """A server answering with ``respond`` (over TLS with the ``ssl.SSLContext`` ``tls``);
    yields its base URL (followed by ``prefix``) and the requests it saw."""
    seen: list[Request] = []

    class Answering(Handler):
        def _handle(self) -> None:
            self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            seen.append(Request(self.command, self.path, dict(self.headers), self.body))
            with contextlib.suppress(OSError):
                respond(self)

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}{prefix}", seen
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pointing_at_the_api(monkeypatch: pytest.MonkeyPatch, home: Path, key: str
                        ) -> Callable[[str], None]:
    """What the ``api_env`` fixtures give: a function pointing PREFECT_API_URL at a server,
    with ``key`` as the API key; no Prefect profile is read (PREFECT_HOME is ``home``)."""
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)

    def point(url: str) -> None:
        monkeypatch.setenv("PREFECT_API_URL", url)
        monkeypatch.setenv("PREFECT_API_KEY", key)

    return point
