"""Reading work pools from a Prefect API for ``prefect-lint pools pull`` (stdlib only).

The API is found as Prefect's own CLI finds it (see :mod:`linter.prefect.profiles`):
``PREFECT_API_URL`` (for example ``http://127.0.0.1:4200/api`` or a Prefect Cloud workspace URL)
and, for Cloud, ``PREFECT_API_KEY``, from the environment or else the active Prefect profile.
This is the only module that uses the network, and only when the user runs ``pools pull``.

An API is not trusted more than it must be:

- the key is sent as a bearer token to the origin (scheme, host and port) of
  ``PREFECT_API_URL`` only: a redirect to another origin is refused, never followed;
- the key never reaches output: error messages name the URL without credentials, query or
  fragment, and any text from the server is shown with the key and bearer tokens redacted and
  control characters escaped;
- a whole pull has one deadline (``--timeout``), however slowly the server answers; an answer
  has a size limit and is read in pieces; the JSON has a depth and size limit; paging stops.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import math
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

from linter import __version__
from linter.prefect.pools import PoolSnapshot, TemplateError, template_from_json

if TYPE_CHECKING:
    import ssl

DEFAULT_TIMEOUT = 15.0
#: The longest ``--timeout`` accepted (a day): larger values overflow the system's timers.
MAX_TIMEOUT = 86_400.0
PAGE_SIZE = 200
#: At most this many pools are read by one pull (a server that always answers a full page
#: would otherwise be asked forever).
MAX_POOLS = 10_000
DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024
#: Nesting deeper than any real base job template (Kubernetes manifests are about 12 deep).
MAX_JSON_DEPTH = 100
#: JSON objects and arrays in one answer: each costs about 100 bytes of memory once parsed.
MAX_JSON_CONTAINERS = 1_000_000
MAX_REDIRECTS = 5
_READ_SIZE = 64 * 1024
_ERROR_BODY_LIMIT = 64 * 1024
_SHOWN_DETAIL = 200


class PoolsApiError(Exception):
    """Reading pools failed; the message says why, and never contains the API key."""


class ApiAccess(NamedTuple):
    """Where the API is and how to authenticate to it."""

    url: str
    key: str | None
    auth_string: str | None = None  # PREFECT_API_AUTH_STRING: basic auth of a self-hosted API
    ssl_cert_file: str | None = None  # PREFECT_API_SSL_CERT_FILE: the CA of a private API
    verify_tls: bool = True  # False with PREFECT_API_TLS_INSECURE_SKIP_VERIFY


def api_from_environment(environ: Mapping[str, str], folder: Path | None = None) -> ApiAccess:
    """The API settings from the environment, project files (of ``folder``, by default the
    current one) or the active Prefect profile, or a PoolsApiError saying what to set."""
    from linter.prefect.profiles import ProfileError, read_api_settings

    try:
        found = read_api_settings(environ, folder)
    except ProfileError as error:
        raise PoolsApiError(str(error)) from None
    if not found.url:
        raise PoolsApiError(
            f"PREFECT_API_URL is not set ({found.looked_in}): set it to your Prefect API, "
            "for example http://127.0.0.1:4200/api (self-hosted) or "
            "https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace> "
            "(with PREFECT_API_KEY), in the environment or with `prefect config set`"
        )
    cert_file = (found.found.get("PREFECT_API_SSL_CERT_FILE", (None, ""))[0]
                 or environ.get("SSL_CERT_FILE") or None)  # Prefect's default
    return ApiAccess(checked_url(found.url, found.url_source),
                     checked_key(found.key, found.key_source), found.auth_string, cert_file,
                     not _skip_verify(found.found.get("PREFECT_API_TLS_INSECURE_SKIP_VERIFY")))


def _skip_verify(setting: tuple[str, str] | None) -> bool:
    """PREFECT_API_TLS_INSECURE_SKIP_VERIFY as Prefect's settings read a boolean."""
    if setting is None:
        return False
    value, where = setting
    if value.lower() in ("1", "true", "t", "yes", "y", "on"):
        return True
    if value.lower() in ("0", "false", "f", "no", "n", "off"):
        return False
    raise PoolsApiError(f"{where} must be true or false, got {printable(value)!r}")


def checked_url(url: str, source: str = "PREFECT_API_URL") -> str:
    """The API URL without a trailing slash, or a PoolsApiError saying what is wrong."""
    if _CONTROL_OR_SPACE.search(url):
        raise PoolsApiError(f"{source} contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PoolsApiError(f"{source} must be an http(s) URL, got {printable(shown_url(url))!r}")
    if parts.username is not None or parts.password is not None:
        raise PoolsApiError(
            f"{source} must not contain a user or password (it would be looked up as part of "
            "the host name); prefect-lint sends only PREFECT_API_KEY"
        )
    try:
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        port = 0
    if port == 0:
        raise PoolsApiError(
            f"{source} has an invalid port (a number from 1 to 65535 is needed): "
            f"{printable(shown_url(url))}"
        )
    return url.rstrip("/")


def checked_key(key: str | None, source: str = "PREFECT_API_KEY") -> str | None:
    """The key, or a PoolsApiError (that never shows it) when it cannot be sent in a header."""
    if not key:
        return None
    if not _HEADER_SAFE.fullmatch(key):
        raise PoolsApiError(
            f"{source} contains a space, a control character (such as a newline) or a "
            "non-ASCII character, which an API key never has: copy it again (it is not shown "
            "here)"
        )
    return key


def checked_timeout(timeout: float) -> float:
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        raise PoolsApiError(
            f"--timeout must be a number of seconds more than 0 and at most {MAX_TIMEOUT:g}, "
            f"got {timeout}"
        )
    return timeout


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]")
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOKEN = re.compile(r"(?i)\b(bearer\s+|basic\s+|token\s*[=:]\s*)[^\s\"',;{}\[\]]+")
_PREFECT_KEY = re.compile(r"\bpn[ub]_[A-Za-z0-9]+")


def shown_url(url: str) -> str:
    """The URL without user, password, query or fragment (safe to print)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def printable(text: str) -> str:
    """``text`` with control characters (newlines, terminal escapes) shown as escapes."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def redacted(text: str, *secrets: str | None) -> str:
    """``text`` safe to print: the secrets (the key, the auth string and its encoded form),
    anything shaped like a Prefect key (``pnu_...``, ``pnb_...``) and bearer/basic tokens
    replaced, control characters escaped."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    text = _PREFECT_KEY.sub("[redacted]", text)
    return printable(_TOKEN.sub(lambda match: f"{match.group(1)}[redacted]", text))


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    if default is None or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or default


# -- the deadline --------------------------------------------------------------------------------


class Deadline:
    """One deadline for a whole pull. Sockets given to :meth:`guard` are shut down when it
    passes, so that a server that drips its answer a byte at a time cannot outlive it (a socket
    timeout bounds each read, not the sum of them)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._expired = threading.Event()  # set when the sockets were shut down

    @property
    def passed(self) -> bool:
        """True once the deadline has passed; the timer may wake a hair before the clock says
        so, which is why its own flag counts too."""
        return self._expired.is_set() or time.monotonic() >= self._end

    def remaining(self) -> float:
        """Seconds left (more than 0), or a PoolsApiError when none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise PoolsApiError(self.message())
        return left

    def message(self, shown: str | None = None) -> str:
        where = f" from {shown}" if shown else ""
        return (f"no complete answer{where} within {self.seconds:g} s (is the server running "
                "and reachable? --timeout sets the limit for the whole pull)")

    def guard(self, sock: socket.socket) -> None:
        with self._lock:  # the flag is set before _expire takes the lock: no socket slips by
            late = self._expired.is_set()  # connected just as the deadline passed
            if not late:
                self._sockets.append(sock)
                self._start_timer()
        if late:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _start_timer(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(max(self._end - time.monotonic(), 0.0), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self._expired.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._sockets = []


def _guarded(base: type[http.client.HTTPConnection], deadline: Deadline) -> Callable[..., Any]:
    """A connection class of ``base`` whose sockets the deadline shuts down."""

    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        connection = base(host, **options)

        def create(address: tuple[str, int], timeout: float = deadline.seconds,
                   source_address: Any = None) -> socket.socket:
            errors: list[OSError] = []
            for resolved in _resolve(address, deadline):
                try:
                    sock = socket.create_connection(
                        resolved, min(timeout, deadline.remaining()), source_address)
                except OSError as error:
                    errors.append(error)
                    continue
                deadline.guard(sock)
                return sock
            raise errors[0] if errors else OSError("the host name has no address")

        connection._create_connection = create  # type: ignore[attr-defined]
        return connection

    return make


def _resolve(address: tuple[str, int], deadline: Deadline) -> list[tuple[str, int]]:
    """The addresses of a host, looked up in a thread so that a resolver that does not answer
    cannot outlive the deadline (the system's lookup has no timeout of its own)."""
    found: list[tuple[str, int]] = []
    failed: list[OSError] = []

    def look_up() -> None:
        try:
            for *_, sockaddr in socket.getaddrinfo(*address, type=socket.SOCK_STREAM):
                found.append((str(sockaddr[0]), int(sockaddr[1])))
        except OSError as error:
            failed.append(error)

    worker = threading.Thread(target=look_up, daemon=True, name="prefect-lint-resolve")
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise PoolsApiError(deadline.message())
    if failed:
        raise failed[0]
    return list(dict.fromkeys(found))


class _GuardedHttp(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPConnection, self._deadline), req)


class _GuardedHttps(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, tls: ssl.SSLContext) -> None:
        super().__init__(context=tls)
        self._tls = tls
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPSConnection, self._deadline), req,
                            context=self._tls)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin of the request, keeping method and body for
    307/308; a redirect elsewhere is an error, so that the API key never leaves its origin."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if _origin(newurl) != _origin(req.full_url) or _origin(newurl) is None:
            fp.close()
            raise PoolsApiError(
                f"{shown_url(req.full_url)} redirects (HTTP {code}) to another origin, "
                f"{printable(shown_url(newurl))}: prefect-lint follows redirects only within "
                "the same scheme, host and port, so that the API key is never sent elsewhere; "
                "set PREFECT_API_URL to the address the API really has"
            )
        new: urllib.request.Request | None
        if code in (307, 308):
            new = urllib.request.Request(newurl, data=req.data, headers=dict(req.header_items()),
                                         method=req.get_method())
        else:
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
        fp.close()  # urllib would read the body of the redirect whole, however large
        return new


# -- the client ----------------------------------------------------------------------------------


class ApiSession(NamedTuple):
    """An opener whose connections the deadline guards, and that deadline."""

    opener: urllib.request.OpenerDirector
    deadline: Deadline



class PoolsClient:
    def __init__(
        self,
        api_url: str,
        api_key: str | None,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pools: int = MAX_POOLS,
        auth_string: str | None = None,
        ssl_cert_file: str | None = None,
        verify_tls: bool = True,
    ) -> None:
        self.api_url = checked_url(api_url)
        self._api_key = checked_key(api_key)
        self._auth_string = auth_string or None
        self._basic_token = (base64.b64encode(auth_string.encode("utf-8")).decode("ascii")
                             if auth_string else None)
        self.timeout = checked_timeout(timeout)
        self.max_response_bytes = max_response_bytes
        self.max_pools = max_pools
        self.ssl_cert_file = ssl_cert_file
        self.verify_tls = verify_tls

    def __repr__(self) -> str:  # never show the key
        return f"PoolsClient({shown_url(self.api_url)!r})"

    def read_pools(self, names: Sequence[str]) -> list[PoolSnapshot]:
        """The named pools, or every pool when ``names`` is empty, all within one deadline."""
        with self.session() as session:
            if not names:
                return self.read_all_pools(session)
            return [self._read_pool(session, name) for name in dict.fromkeys(names)]

    @contextlib.contextmanager
    def session(self) -> Iterator[ApiSession]:
        """Requests made with the session share one deadline; any error leaving it is a
        PoolsApiError with the key, the auth string and tokens redacted."""
        deadline = Deadline(self.timeout)
        handlers: list[urllib.request.BaseHandler] = [_GuardedHttp(deadline),
                                                      _SameOriginRedirects()]
        if self.api_url.startswith("https:"):  # redirects never change the scheme
            handlers.append(_GuardedHttps(deadline, self._tls_context()))
        try:
            yield ApiSession(urllib.request.build_opener(*handlers), deadline)
        except PoolsApiError as error:
            raise PoolsApiError(redacted(str(error), self._api_key, self._auth_string,
                                         self._basic_token)) from None
        finally:
            deadline.close()

    def _tls_context(self) -> ssl.SSLContext:
        """As Prefect's client: the CA file of PREFECT_API_SSL_CERT_FILE (else the system's,
        which honours SSL_CERT_FILE), or no check with PREFECT_API_TLS_INSECURE_SKIP_VERIFY."""
        import ssl

        if not self.verify_tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        try:
            return ssl.create_default_context(cafile=self.ssl_cert_file)
        except (OSError, ssl.SSLError) as error:
            reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or error
            raise PoolsApiError(f"PREFECT_API_SSL_CERT_FILE: cannot use {self.ssl_cert_file} as "
                                f"certificate authorities: {reason}") from None

    def _read_pool(self, session: ApiSession, name: str) -> PoolSnapshot:
        data = self.request(session, "GET", f"/work_pools/{quote(name, safe='')}",
                            pool_name=name)
        return _snapshot(data, shown_url(self.api_url))

    def read_all_pools(self, session: ApiSession) -> list[PoolSnapshot]:
        shown = f"{shown_url(self.api_url)}/work_pools/filter"
        pages = self.read_paged(session, "/work_pools/filter", "work pools",
                                key=lambda item: _snapshot(item, shown).name,
                                hint=" (name the pools to pull: `prefect-lint pools pull "
                                     "NAME ...`)")
        return [_snapshot(item, shown) for item in pages]

    def read_paged(self, session: ApiSession, path: str, what: str,
                   key: Callable[[Any], Any], body: Mapping[str, Any] | None = None,
                   hint: str = "") -> list[Any]:
        """Every item of a Prefect ``.../filter`` list, page by page to the end, at most
        ``max_pools`` items; ``key`` names an item (and raises PoolsApiError for one that is
        not what ``what`` says). Items are returned once each, in the order of the API."""
        items: dict[Any, Any] = {}
        shown = f"{shown_url(self.api_url)}{path}"
        for offset in range(0, self.max_pools + 1, PAGE_SIZE):
            page = self.request(session, "POST", path,
                                body={**(body or {}), "limit": PAGE_SIZE, "offset": offset})
            if not isinstance(page, list):
                raise PoolsApiError(f"{shown} answered something that is not a list of {what}")
            new = {name: item for name, item in ((key(item), item) for item in page)
                   if name not in items}
            if page and not new:
                raise PoolsApiError(
                    f"{shown} answered the same {what} again for offset {offset}: the API "
                    "does not page as Prefect's does, so the pull stopped"
                )
            items.update(new)
            if len(page) < PAGE_SIZE:
                return list(items.values())
        raise PoolsApiError(
            f"{shown} lists more than {self.max_pools} {what}: the pull stopped there{hint}"
        )

    def request(
        self, session: ApiSession, method: str, path: str, body: Any = None,
        pool_name: str | None = None,
    ) -> Any:
        """The JSON answer of one request (made within the session's deadline)."""
        opener, deadline = session
        url = self.api_url + path
        shown = shown_url(url)
        request = urllib.request.Request(url, data=self._body(body), method=method,
                                         headers=self._headers(body is not None))
        try:
            with opener.open(request, timeout=deadline.remaining()) as response:
                raw = _read_limited(response, self.max_response_bytes, deadline, shown)
        except urllib.error.HTTPError as error:
            detail = _error_detail(error, deadline)
            raise PoolsApiError(self._http_error(error.code, shown, pool_name) + detail) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            if deadline.passed or _is_timeout(error):
                raise PoolsApiError(deadline.message(shown)) from None
            raise PoolsApiError(f"cannot reach {shown}: {_reason(error)}") from None
        if deadline.passed:  # the deadline cut the answer short
            raise PoolsApiError(deadline.message(shown))
        return parse_json(raw, shown)

    def _body(self, body: Any) -> bytes | None:
        return None if body is None else json.dumps(body).encode("utf-8")

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": f"prefect-lint/{__version__}"}
        if has_body:
            headers["Content-Type"] = "application/json"
        if self._basic_token:  # as Prefect's client: the auth string wins over the key
            headers["Authorization"] = f"Basic {self._basic_token}"
        elif self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _http_error(self, code: int, shown: str, pool_name: str | None) -> str:
        if code in (401, 403):
            if self._auth_string:
                auth = "check PREFECT_API_AUTH_STRING"
            elif self._api_key:
                auth = "check PREFECT_API_KEY"
            else:
                auth = ("set PREFECT_API_KEY (Prefect Cloud needs one) or PREFECT_API_AUTH_STRING "
                        "(a self-hosted server with basic authentication)")
            return f"the Prefect API at {shown} refused the request (HTTP {code}): {auth}"
        if code == 404 and pool_name is not None:
            return f'no work pool named "{pool_name}" at {shown_url(self.api_url)} (HTTP 404)'
        if code == 404:
            return (f"{shown} was not found (HTTP 404): is PREFECT_API_URL the API (it usually "
                    "ends in /api)?")
        if 300 <= code < 400:
            return (f"the Prefect API at {shown} answered HTTP {code}, a redirect prefect-lint "
                    "does not follow: set PREFECT_API_URL to the address the API really has")
        return f"the Prefect API at {shown} answered HTTP {code}"


def _read_limited(response: Any, limit: int, deadline: Deadline, shown: str) -> bytearray:
    """The body, read in pieces so that neither a huge nor a slow answer goes unnoticed."""
    length = response.headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > limit:
        raise PoolsApiError(_too_large(shown, limit))
    body = bytearray()
    while True:
        deadline.remaining()
        piece = response.read1(_READ_SIZE)
        if not piece:
            return body
        body += piece
        if len(body) > limit:
            raise PoolsApiError(_too_large(shown, limit))


def _too_large(shown: str, limit: int) -> str:
    return (f"{shown} answered more than {limit / 1024 / 1024:g} MB, more than a list of work "
            "pools needs (--max-size raises the limit)")


def _error_detail(error: urllib.error.HTTPError, deadline: Deadline) -> str:
    """``: <detail>`` from Prefect's JSON error body (``{"detail": ...}``), or nothing."""
    try:
        raw = _read_limited(error, _ERROR_BODY_LIMIT, deadline, "")
        detail = json.loads(raw).get("detail")
    except (PoolsApiError, OSError, http.client.HTTPException, ValueError, AttributeError,
            RecursionError):
        return ""
    finally:
        error.close()
    if not isinstance(detail, str) or not detail.strip():
        return ""
    text = " ".join(detail.split())
    if len(text) > _SHOWN_DETAIL:
        text = text[:_SHOWN_DETAIL] + "..."
    return f" ({text})"


def parse_json(raw: bytearray, shown: str) -> Any:
    """The JSON in ``raw``, within the depth and size limits, or a PoolsApiError.

    ``raw`` is emptied once decoded, so that the bytes and the parsed values are not both held
    (for a 50 MB answer, 50 MB less at the peak)."""
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_CONTAINERS:
        raise PoolsApiError(f"{shown} answered JSON with more than {MAX_JSON_CONTAINERS:,} "
                            "objects and arrays, more than a list of work pools has")
    try:
        text = raw.decode("utf-8-sig")
        raw.clear()
        data = json.loads(text)
    except RecursionError:
        raise PoolsApiError(_too_deep(shown)) from None
    except ValueError:  # also UnicodeDecodeError
        raise PoolsApiError(
            f"{shown} did not answer with JSON: is PREFECT_API_URL the API (it usually "
            "ends in /api)?"
        ) from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise PoolsApiError(_too_deep(shown))
    return data


def _too_deep(shown: str) -> str:
    return (f"{shown} answered JSON nested more than {MAX_JSON_DEPTH} levels deep, deeper than "
            "any work pool")


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` deep (without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False


def _is_timeout(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, (TimeoutError, socket.timeout))


def _reason(error: BaseException) -> str:
    reason: Any = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    text = str(reason) or type(reason).__name__
    return text if len(text) <= _SHOWN_DETAIL else text[:_SHOWN_DETAIL] + "..."


def _snapshot(data: Any, source: str) -> PoolSnapshot:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PoolsApiError(f"{source} answered something that is not a work pool")
    try:
        template = template_from_json(data.get("base_job_template") or {})
    except TemplateError as error:
        raise PoolsApiError(f'work pool "{printable(data["name"])}" from {source}: '
                            f"{error}") from None
    pool_type = data.get("type")
    return PoolSnapshot(data["name"], pool_type if isinstance(pool_type, str) else None,
                        template)

