"""The language server's standard input: LSP messages framed by ``Content-Length`` headers,
read so that no client can wedge the server.

pygls's own reader matches a header line exactly and reads lines until a blank one; after a
malformed header (``Content-Length: abc``), junk between messages or a body without a line
break, it glues a body to the next header and never finds a message again. This reader works
on the byte stream instead: it looks for the next ``Content-Length:`` wherever it is, skips
whatever came before it, and skips a header whose length is not a number or is larger than
:data:`MAX_BODY`. A body cannot hold a raw line break followed by ``Content-Length: N``
(JSON strings escape line breaks, and the name is no JSON token), so when one shows up inside
a body that is still being read, the declared length was a lie: the reader drops that body
and starts again at the header it found, instead of waiting for bytes that never come.

Each complete body is parsed here: a body that is not JSON is answered with a JSON-RPC
"parse error" (id null), a request whose parameters do not fit its method with "invalid
params" for its id, and anything else goes to pygls, which answers unknown methods itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from pygls.protocol import JsonRPCProtocol
    from pygls.server import JsonRPCServer

log = logging.getLogger(__name__)

#: A body larger than this is refused (its header skipped): a 10 MB document fits easily.
MAX_BODY = 64 * 1024 * 1024
#: Header lines after ``Content-Length:`` longer than this are junk, not headers.
MAX_HEADER = 8 * 1024
READ_SIZE = 1024 * 1024

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602

_CONTENT_LENGTH = re.compile(rb"content-length:", re.IGNORECASE)
_HEADER_VALUE = re.compile(rb"[ \t]*(\d{1,12})[ \t]*\r?\n")
_PARTIAL_VALUE = re.compile(rb"[ \t]*\d{0,12}[ \t]*\r?")
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
_OTHER_HEADERS = re.compile(rb"(?:[A-Za-z][A-Za-z0-9-]*:[^\r\n]{0,1024}\r?\n)+")
#: A header that starts after a raw line break (or a closing brace) inside a body
_HEADER_INSIDE_BODY = re.compile(rb"(?<=[\n}])content-length:[ \t]*\d{1,12}[ \t]*\r?\n",
                                 re.IGNORECASE)


class Skipped(NamedTuple):
    """Bytes the reader threw away, and why (for the log)."""

    size: int
    reason: str


class MessageFramer:
    """Bytes in, message bodies out; resynchronises on the next ``Content-Length:``."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.body_length: int | None = None  # set while a body is being read
        self.scanned = 0  # how much of a partial body was searched for a header

    def feed(self, data: bytes) -> Iterator[bytes | Skipped]:
        self.buffer += data
        while True:
            if self.body_length is None:
                found = self._next_header()
                if found is None:
                    return
                if isinstance(found, Skipped):
                    yield found
                    continue
                self.body_length = found
            if len(self.buffer) < self.body_length:
                lied = _HEADER_INSIDE_BODY.search(self.buffer, max(0, self.scanned - 64))
                if lied is None:
                    self.scanned = len(self.buffer)
                    return
                # the declared length runs into the next message: drop this one
                del self.buffer[: lied.start()]
                self.body_length = None
                yield Skipped(lied.start(), "a body shorter than its Content-Length")
                continue
            body = bytes(self.buffer[: self.body_length])
            del self.buffer[: self.body_length]
            self.body_length = None
            yield body

    def _next_header(self) -> int | Skipped | None:
        """The body length of the header at the front of the buffer (junk before it is
        dropped), a Skipped for a header that cannot be used, or None for more bytes."""
        match = _CONTENT_LENGTH.search(self.buffer)
        if match is None:
            keep = len("content-length:") - 1  # a header may be split across reads
            if len(self.buffer) > keep:
                dropped = len(self.buffer) - keep
                del self.buffer[:dropped]
                return Skipped(dropped, "bytes outside any message")
            return None
        if match.start():
            dropped = match.start()
            other_headers = _OTHER_HEADERS.fullmatch(self.buffer, 0, dropped) is not None
            del self.buffer[:dropped]
            if other_headers:  # such as Content-Type, allowed before Content-Length
                return self._next_header()
            return Skipped(dropped, "bytes before a Content-Length header")
        value = _HEADER_VALUE.match(self.buffer, match.end())
        if value is None:
            if _PARTIAL_VALUE.fullmatch(self.buffer, match.end()):
                return None  # the number or its line break is still to come
            del self.buffer[: match.end()]
            return Skipped(match.end(), "a malformed Content-Length header")
        end = _END_OF_HEADERS.search(self.buffer, match.end())
        if end is None or end.start() > match.end() + MAX_HEADER:
            if len(self.buffer) <= match.end() + MAX_HEADER:
                return None
            del self.buffer[: match.end()]
            return Skipped(match.end(), "a header block without its blank line")
        length = int(value.group(1))
        if length > MAX_BODY:
            del self.buffer[: match.end()]
            return Skipped(match.end(), f"a Content-Length of {length} bytes")
        del self.buffer[: end.end()]
        self.scanned = 0
        return length


def error_response(message_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": message_id, "error": {"code": code, "message": message}}


def dispatch(protocol: JsonRPCProtocol, body: bytes) -> None:
    """Hand one body to pygls, answering what pygls would leave unanswered."""
    from pygls.exceptions import JsonRpcException

    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        log.warning("not a JSON body (%d bytes): %s", len(body), error)
        protocol._send_data(error_response(None, PARSE_ERROR, "Parse error: not JSON"))
        return
    if (not isinstance(data, dict) or data.get("jsonrpc") != "2.0"
            or not isinstance(data.get("method", ""), str)):
        protocol._send_data(error_response(data.get("id") if isinstance(data, dict) else None,
                                           INVALID_REQUEST, "Invalid Request"))
        return
    is_request = "id" in data and "method" in data
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as error:
        log.warning("cannot read %s: %s", data.get("method"), error)
        if is_request:
            protocol._send_data(error_response(
                data["id"], INVALID_PARAMS, f"Invalid params for {data['method']}"))
        return
    try:
        protocol.handle_message(message)
    except Exception:  # pygls answers a failing request itself; this is for the rest
        log.exception("cannot handle %s", data.get("method"))
        if is_request:
            protocol._send_data(error_response(data["id"], -32603, "Internal error"))


async def read_stdio(server: JsonRPCServer, stdin: BinaryIO,
                     pending: Callable[[bool], None] | None = None) -> None:
    """Read standard input until it closes or the server stops, dispatching each message;
    ``pending`` is told after each read whether part of a message is still to come."""
    loop = asyncio.get_running_loop()
    framer = MessageFramer()
    descriptor = stdin.fileno()
    _widen_pipe(descriptor)
    stop = server._stop_event
    while stop is None or not stop.is_set():
        data = await loop.run_in_executor(None, os.read, descriptor, READ_SIZE)
        if not data:
            return
        for item in framer.feed(data):
            if isinstance(item, Skipped):
                log.warning("skipped %d bytes: %s", item.size, item.reason)
            else:
                dispatch(server.protocol, item)
            if stop is not None and stop.is_set():
                return
        if pending is not None:
            pending(bool(framer.buffer))


def _widen_pipe(descriptor: int) -> None:
    """Ask for a 1 MiB pipe when standard input is one (Linux; the default is 64 KiB): a
    client sending a large document then wakes the reader a sixteenth as often. Anything
    else (a file, a socket, another system, a lower limit) keeps what it has."""
    try:
        import fcntl
        import stat

        if stat.S_ISFIFO(os.fstat(descriptor).st_mode):
            fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, READ_SIZE)
    except (ImportError, AttributeError, OSError):
        pass


def serve_stdio(server: JsonRPCServer, pending: Callable[[bool], None] | None = None) -> int:
    """``start_io`` with this reader; returns the exit status (0 after ``shutdown`` then
    ``exit``, 1 after ``exit`` alone, as LSP asks)."""
    import sys
    from threading import Event

    from pygls.io_ import StdoutWriter

    server._stop_event = Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    status = 0
    try:
        asyncio.run(read_stdio(server, sys.stdin.buffer, pending))
    except BrokenPipeError:
        log.error("the client closed the connection")
    except SystemExit as exiting:  # pygls's answer to `exit`
        status = exiting.code if isinstance(exiting.code, int) else 1
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
    return status
