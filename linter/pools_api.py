"""Reading work pools from a Prefect API for ``prefect-lint pools pull`` (stdlib only).

The API is found as Prefect's own CLI finds it: ``PREFECT_API_URL`` (for example
``http://127.0.0.1:4200/api`` or a Prefect Cloud workspace URL) and, for Cloud,
``PREFECT_API_KEY``. The key is sent as a bearer token and never printed: error messages name
the URL without credentials, query or fragment. This is the only module that uses the network,
and only when the user runs ``pools pull``.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from linter import __version__
from linter.pools import PoolSnapshot, TemplateError, template_from_json

DEFAULT_TIMEOUT = 15.0
PAGE_SIZE = 200


class PoolsApiError(Exception):
    """Reading pools failed; the message says why, and never contains the API key."""


def api_from_environment(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """``(api_url, api_key)`` from the environment, or a PoolsApiError saying what to set."""
    url = environ.get("PREFECT_API_URL", "").strip()
    if not url:
        raise PoolsApiError(
            "PREFECT_API_URL is not set: set it to your Prefect API, for example "
            "http://127.0.0.1:4200/api (self-hosted) or "
            "https://api.prefect.cloud/api/accounts/<account>/workspaces/<workspace> "
            "(with PREFECT_API_KEY)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PoolsApiError(f"PREFECT_API_URL must be an http(s) URL, got {shown_url(url)!r}")
    key = environ.get("PREFECT_API_KEY", "").strip() or None
    return url.rstrip("/"), key


def shown_url(url: str) -> str:
    """The URL without user, password, query or fragment (safe to print)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class PoolsClient:
    def __init__(self, api_url: str, api_key: str | None, timeout: float = DEFAULT_TIMEOUT):
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the key
        return f"PoolsClient({shown_url(self.api_url)!r})"

    def read_pool(self, name: str) -> PoolSnapshot:
        data = self._request("GET", f"/work_pools/{quote(name, safe='')}", pool_name=name)
        return _snapshot(data, shown_url(self.api_url))

    def read_all_pools(self) -> list[PoolSnapshot]:
        pools: list[PoolSnapshot] = []
        offset = 0
        while True:
            page = self._request("POST", "/work_pools/filter",
                                 body={"limit": PAGE_SIZE, "offset": offset})
            if not isinstance(page, list):
                raise PoolsApiError(f"{shown_url(self.api_url)}/work_pools/filter answered "
                                    "something that is not a list of work pools")
            pools.extend(_snapshot(item, shown_url(self.api_url)) for item in page)
            if len(page) < PAGE_SIZE:
                return pools
            offset += PAGE_SIZE

    def read_pools(self, names: Sequence[str]) -> list[PoolSnapshot]:
        """The named pools, or every pool when ``names`` is empty."""
        if not names:
            return self.read_all_pools()
        return [self.read_pool(name) for name in dict.fromkeys(names)]

    def _request(
        self, method: str, path: str, body: Any = None, pool_name: str | None = None
    ) -> Any:
        url = self.api_url + path
        shown = shown_url(url)
        headers = {
            "Accept": "application/json",
            "User-Agent": f"prefect-lint/{__version__}",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise PoolsApiError(self._http_error(error.code, shown, pool_name)) from None
        except TimeoutError:
            raise PoolsApiError(
                f"no answer from {shown} within {self.timeout:g} s (is the server running? "
                "--timeout sets the limit)"
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise PoolsApiError(f"no answer from {shown} within {self.timeout:g} s") from None
            raise PoolsApiError(f"cannot reach {shown}: {_reason(reason)}") from None
        except OSError as error:
            raise PoolsApiError(f"cannot reach {shown}: {error.strerror or error}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise PoolsApiError(
                f"{shown} did not answer with JSON: is PREFECT_API_URL the API (it usually "
                "ends in /api)?"
            ) from None

    def _http_error(self, code: int, shown: str, pool_name: str | None) -> str:
        if code in (401, 403):
            auth = ("check PREFECT_API_KEY" if self._api_key
                    else "set PREFECT_API_KEY (Prefect Cloud needs one)")
            return f"the Prefect API at {shown} refused the request (HTTP {code}): {auth}"
        if code == 404 and pool_name is not None:
            return f'no work pool named "{pool_name}" at {shown_url(self.api_url)} (HTTP 404)'
        if code == 404:
            return (f"{shown} was not found (HTTP 404): is PREFECT_API_URL the API (it usually "
                    "ends in /api)?")
        return f"the Prefect API at {shown} answered HTTP {code}"


def _reason(reason: Any) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    return str(reason)


def _snapshot(data: Any, source: str) -> PoolSnapshot:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PoolsApiError(f"{source} answered something that is not a work pool")
    try:
        template = template_from_json(data.get("base_job_template") or {})
    except TemplateError as error:
        raise PoolsApiError(f'work pool "{data["name"]}" from {source}: {error}') from None
    pool_type = data.get("type")
    return PoolSnapshot(data["name"], pool_type if isinstance(pool_type, str) else None,
                        template)
