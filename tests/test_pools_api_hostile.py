"""`pools pull` against hostile or broken Prefect APIs, keys, settings and pool names.

Every server here is a local fake (``http.server`` in a thread on 127.0.0.1) whose loops are
bounded, so that a client that fails to stop still ends the test.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

import linter.prefect.pools
from linter.prefect.pools import PoolSnapshot, read_snapshots, snapshot_filename, write_snapshots
from linter.prefect.pools_api import PoolsApiError, PoolsClient, api_from_environment, redacted
from linter.prefect.profiles import ProfileError, read_api_settings
from tests.conftest import write
from tests.fake_api import pointing_at_the_api, send, serve

SECRET = "pnu_hostile-test-key-0123456789"
TEMPLATE = {
    "job_configuration": {"command": "{{ command }}"},
    "variables": {"type": "object", "properties": {"command": {"type": "string"}}},
}



def pool(name: str) -> dict[str, Any]:
    return {"name": name, "type": "process", "base_job_template": TEMPLATE}


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], None]:
    """Point PREFECT_API_URL at a server (with the test key); no Prefect profile is read."""
    return pointing_at_the_api(monkeypatch, tmp_path / "no-prefect-home", SECRET)


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


# -- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_refused_and_the_key_stays(  # type: ignore[no-untyped-def]
        cli, api_env, code: int) -> None:
    # repro: API answers 302 Location: http://other-host:port/... -> Bearer key sent there
    with serve(lambda h: send(h, 200, pool("team"))) as (other, other_seen):
        def redirect(handler: BaseHTTPRequestHandler) -> None:
            send(handler, code, {}, {"Location": other + handler.path})

        with serve(redirect) as (url, seen):
            api_env(url + "/api")
            result = cli("pools", "pull", "team")
    assert result.exit_code == 2
    message = one_line(result.output)
    assert "redirects" in message and "another origin" in message and other in message
    assert "never sent elsewhere" in message
    assert other_seen == []  # the other origin was never asked, so it never saw the key
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in result.output


def test_a_redirect_from_https_to_http_is_another_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.prefect.pools_api import _origin

    assert _origin("https://h.example/api") != _origin("http://h.example:443/api")
    assert _origin("http://H.example/api") == _origin("http://h.example:80/other")
    assert _origin("http://h.example:99999/api") is None


def test_a_redirect_within_the_origin_keeps_the_method_and_the_key(  # type: ignore[no-untyped-def]
        cli, api_env, tmp_path: Path) -> None:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/old/"):
            send(handler, 307, {}, {"Location": handler.path.removeprefix("/old")})
        elif handler.headers.get("Authorization") != f"Bearer {SECRET}":
            send(handler, 401, {"detail": "Unauthorized"})
        elif handler.command == "POST" and handler.path == "/api/work_pools/filter":
            send(handler, 200, [pool("team")])
        else:
            send(handler, 404, {"detail": "Not Found"})

    with serve(respond) as (url, seen):
        api_env(url + "/old/api")
        result = cli("pools", "pull")
    assert result.exit_code == 0, result.output
    assert [(request.method, request.path) for request in seen] == [
        ("POST", "/old/api/work_pools/filter"), ("POST", "/api/work_pools/filter")]
    assert sorted(read_snapshots(tmp_path / ".prefect-lint/pools")) == ["team"]


def test_the_body_of_a_redirect_is_not_read(cli, api_env) -> None:  # type: ignore[no-untyped-def]
    # repro: a same-origin 302 with an endless body -> urllib read it all into memory
    sent = []

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/old/"):
            handler.wfile.write(f"HTTP/1.0 302 Found\r\nLocation: "
                                f"{handler.path.removeprefix('/old')}\r\n\r\n".encode())
            for _ in range(1600):  # 100 MB at most
                handler.wfile.write(b" " * 65536)
                sent.append(65536)
        else:
            send(handler, 200, [pool("team")])

    with serve(respond) as (url, seen):
        api_env(url + "/old/api")
        result = cli("pools", "pull", "--timeout", "60")
    assert result.exit_code == 0, result.output
    assert len(seen) == 2
    assert sum(sent) < 50 * 1024 * 1024  # the client hung up instead of reading it


@pytest.mark.parametrize("key", ["pnu_x\nsecretpart", "pnu_x\rsecretpart", "pnu_x secretpart",
                                 "pnu_x\x1bsecretpart", "pnu_xésecretpart"])
def test_a_key_with_control_characters_is_refused_without_showing_it(  # type: ignore[no-untyped-def]
        cli, api_env, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    # repro: PREFECT_API_KEY=$'pnu_x\nx' prefect-lint pools pull -> traceback showing the key
    with serve(lambda h: send(h, 200, [])) as (url, seen):
        api_env(url + "/api")
        monkeypatch.setenv("PREFECT_API_KEY", key)
        result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "PREFECT_API_KEY contains" in one_line(result.output)
    assert "secretpart" not in result.output
    assert seen == []


def test_text_the_server_echoes_never_shows_the_key(cli, api_env) -> None:  # type: ignore[no-untyped-def]
    echo = {"detail": f"bad request: Authorization: Bearer {SECRET} and token={SECRET}x"}
    with serve(lambda h: send(h, 500, echo)) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull")
    assert result.exit_code == 2
    message = one_line(result.output)
    assert "answered HTTP 500 (bad request: Authorization: Bearer [redacted]" in message
    assert SECRET not in result.output and "pnu_" not in result.output


def test_a_garbled_status_line_echoing_the_key_is_not_shown(cli, api_env) -> None:  # type: ignore[no-untyped-def]
    # repro: a server answering "HTTP/1.1 abc Bearer <key>" -> BadStatusLine traceback with it
    def garble(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(f"HTTP/1.1 abc {handler.headers['Authorization']}\r\n\r\n".encode())

    with serve(garble) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "cannot reach" in one_line(result.output)
    assert SECRET not in result.output


def test_basic_authentication_with_the_auth_string(cli, api_env,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # repro: a self-hosted server with PREFECT_SERVER_API_AUTH_STRING -> HTTP 401, "set
    # PREFECT_API_KEY (Prefect Cloud needs one)": PREFECT_API_AUTH_STRING was not sent
    token = "Basic YWRtaW46czNjcmV0LXB3"  # base64 of admin:s3cret-pw

    def respond(handler: BaseHTTPRequestHandler) -> None:
        got = handler.headers.get("Authorization", "")
        if got != token:
            decoded = base64.b64decode(got.removeprefix("Basic ")).decode()
            send(handler, 401, {"detail": f"got {got}, that is {decoded}"})
        else:
            send(handler, 200, [pool("team")])

    with serve(respond) as (url, seen):
        api_env(url + "/api")  # with a key too: the auth string wins, as in Prefect's client
        monkeypatch.setenv("PREFECT_API_AUTH_STRING", "admin:s3cret-pw")
        assert cli("pools", "pull").exit_code == 0
        assert seen[0].headers["Authorization"] == token
        monkeypatch.setenv("PREFECT_API_AUTH_STRING", "admin:wrong-pw")
        result = cli("pools", "pull")
    assert result.exit_code == 2
    message = one_line(result.output)
    assert message.endswith("(HTTP 401): check PREFECT_API_AUTH_STRING (got Basic [redacted], "
                            "that is [redacted])")


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Any]:
    """A certificate for 127.0.0.1 made by openssl, and a server TLS context using it."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_tls_settings_are_those_of_prefect(cli, api_env, self_signed,  # type: ignore[no-untyped-def]
                                           monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    # repro: an API with a private CA and PREFECT_API_SSL_CERT_FILE set (which `prefect`
    # uses) -> "cannot reach ...: certificate verify failed"
    cert, context = self_signed
    with serve(lambda h: send(h, 200, [pool("team")]), tls=context) as (url, seen):
        api_env(url + "/api")
        refused = cli("pools", "pull")
        monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(cert))
        trusted = cli("pools", "pull")
        monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(tmp_path / "missing.pem"))
        missing = cli("pools", "pull")
        monkeypatch.delenv("PREFECT_API_SSL_CERT_FILE")
        monkeypatch.setenv("PREFECT_API_TLS_INSECURE_SKIP_VERIFY", "true")
        unchecked = cli("pools", "pull")
        monkeypatch.setenv("PREFECT_API_TLS_INSECURE_SKIP_VERIFY", "maybe")
        unclear = cli("pools", "pull")
    assert refused.exit_code == 2
    assert "CERTIFICATE_VERIFY_FAILED" in one_line(refused.output)
    assert trusted.exit_code == 0, trusted.output
    assert missing.exit_code == 2
    assert "PREFECT_API_SSL_CERT_FILE: cannot use " in one_line(missing.output)
    assert unchecked.exit_code == 0, unchecked.output
    assert "warning: the API's certificate is not checked" in unchecked.output
    assert unclear.exit_code == 2
    assert "PREFECT_API_TLS_INSECURE_SKIP_VERIFY must be true or false, got 'maybe'" in \
        one_line(unclear.output)
    assert [request.headers["Authorization"] for request in seen] == [f"Bearer {SECRET}"] * 2


def test_redacted_hides_the_key_tokens_and_control_characters() -> None:
    text = (f"key {SECRET}; Bearer abc.def, BASIC dXNlcjpwdw== token=xyz pnb_Other1 "
            "invalid token given \x1b[31mred\nline")
    shown = redacted(text, SECRET)
    assert shown == ("key [redacted]; Bearer [redacted], BASIC [redacted] token=[redacted] "
                     "[redacted] invalid token given \\x1b[31mred\\nline")
    assert redacted("Basic dXNlcjpwdw==", "user:pw", "dXNlcjpwdw==") == "Basic [redacted]"


# -- deadline and limits ------------------------------------------------------------------------


@pytest.mark.parametrize("drip_where", ["headers", "body"])
def test_the_deadline_covers_the_whole_pull_not_each_read(  # type: ignore[no-untyped-def]
        cli, api_env, drip_where: str) -> None:
    # repro: a server that sends one byte a second outlives `pools pull --timeout 3`
    finished = threading.Event()
    body = json.dumps([pool("team")]).encode()

    def drip(handler: BaseHTTPRequestHandler) -> None:
        head = (f"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n").encode()
        if drip_where == "body":
            handler.wfile.write(head + b"\r\n")
        padding = (b"X-Padding: " + b"p" * 60 + b"\r\n") if drip_where == "headers" else b""
        for byte in (padding + b"\r\n" if drip_where == "headers" else body)[:80]:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.1)  # 80 bytes: 8 s in all, far beyond the 1 s deadline
        finished.set()

    with serve(drip) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull", "--timeout", "1")
        gave_up_before_the_server_finished = not finished.is_set()
    assert result.exit_code == 2
    assert "no complete answer from" in one_line(result.output)
    assert "within 1 s" in result.output
    assert gave_up_before_the_server_finished


def test_the_deadline_covers_a_resolver_that_does_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.getaddrinfo
    release, answered = threading.Event(), threading.Event()

    def hanging_resolver(host: str, *args: Any, **options: Any) -> Any:
        if host == "prefect.invalid":
            release.wait(10)  # a resolver that does not answer (bounded for the test)
            answered.set()
        return real(host, *args, **options)

    monkeypatch.setattr(socket, "getaddrinfo", hanging_resolver)
    try:
        with pytest.raises(PoolsApiError, match=r"no complete answer within 0\.5 s"):
            PoolsClient("http://prefect.invalid:4200/api", None, timeout=0.5).read_pools([])
        assert not answered.is_set()  # the pull gave up without waiting for the resolver
    finally:
        release.set()


def test_a_deadline_whose_timer_fired_has_passed() -> None:
    # the timer may wake a hair early: an answer cut short by it must not be read as complete
    import socket

    from linter.prefect.pools_api import Deadline

    deadline = Deadline(60)
    assert not deadline.passed
    deadline._expire()
    assert deadline.passed
    with socket.socket() as late:  # a socket connected just after: shut down at once
        late.bind(("127.0.0.1", 0))
        late.listen()
        with socket.create_connection(late.getsockname()) as sock:
            sock.settimeout(5)  # bounds the test should the guard not shut it down
            deadline.guard(sock)
            assert sock.recv(1) == b""  # shut down, not waiting for the server


def test_an_answer_larger_than_the_limit_is_refused(cli, api_env) -> None:  # type: ignore[no-untyped-def]
    sent = []

    def flood(handler: BaseHTTPRequestHandler) -> None:  # no Content-Length: read to the end
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[")
        for _ in range(64):  # 4 MB at most
            handler.wfile.write(b" " * 65536)
            sent.append(65536)

    with serve(flood) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull", "--max-size", "1")
    assert result.exit_code == 2
    assert "answered more than 1 MB" in one_line(result.output)
    assert "--max-size raises the limit" in result.output


def test_an_announced_answer_larger_than_the_limit_is_not_read() -> None:
    release, sent_the_rest = threading.Event(), threading.Event()

    def announce(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 1073741824\r\n\r\n[")
        handler.wfile.flush()
        release.wait(10)  # bounded for the test
        sent_the_rest.set()

    try:
        with serve(announce) as (url, _), pytest.raises(PoolsApiError,
                                                        match="answered more than 50 MB"):
            PoolsClient(url + "/api", None, timeout=10).read_pools([])
        assert not sent_the_rest.is_set()  # refused from the header, without waiting for more
    finally:
        release.set()


def test_an_api_that_always_answers_a_full_page_is_not_asked_forever(  # type: ignore[no-untyped-def]
        cli, api_env) -> None:
    # repro: an API ignoring `offset` got 3,431 requests in 20 s from `pools pull`
    page = [pool(f"pool-{n:03}") for n in range(200)]

    def same_page(handler: BaseHTTPRequestHandler) -> None:
        if len(seen) > 20:  # bounds the test if the client does not stop
            send(handler, 500, {"detail": "enough"})
        else:
            send(handler, 200, page)

    with serve(same_page) as (url, seen):
        api_env(url + "/api")
        result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "answered the same work pools again for offset 200" in one_line(result.output)
    assert len(seen) == 2


def test_paging_stops_at_the_pool_limit() -> None:
    def endless(handler: BaseHTTPRequestHandler) -> None:
        start = 200 * (len(seen) - 1)
        send(handler, 200, [pool(f"pool-{start + n}") for n in range(200)])

    with serve(endless) as (url, seen), pytest.raises(PoolsApiError,
                                                     match="lists more than 1000 work pools"):
        PoolsClient(url + "/api", None, max_pools=1000).read_pools([])
    assert len(seen) == 6


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deeply_nested_json_is_refused(cli, api_env, depth: int) -> None:  # type: ignore[no-untyped-def]
    # repro: an API answering 100,000 nested `[` -> RecursionError traceback
    nested = b"[" * depth + b"]" * depth
    with serve(lambda h: send(h, 200, nested)) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "nested more than 100 levels deep" in one_line(result.output)


def test_json_with_too_many_containers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("linter.prefect.pools_api.MAX_JSON_CONTAINERS", 1000)
    many = b"[" + b",".join([b"{}"] * 1001) + b"]"
    with serve(lambda h: send(h, 200, many)) as (url, _), pytest.raises(
            PoolsApiError, match="more than 1,000 objects and arrays"):
        PoolsClient(url + "/api", None).read_pools([])


@pytest.mark.parametrize("timeout", ["inf", "nan", "-1", "0", "1e300"])
def test_an_impossible_timeout_is_one_line(cli, api_env, timeout: str) -> None:  # type: ignore[no-untyped-def]
    # repro: prefect-lint pools pull --timeout inf -> OverflowError traceback
    api_env("http://127.0.0.1:9/api")
    result = cli("pools", "pull", "--timeout", timeout)
    assert result.exit_code == 2
    assert "--timeout must be a number of seconds" in one_line(result.output)


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/api", "http://127.0.0.1:x/api",
                                 "http://127.0.0.1:0/api",
                                 "http://127.0.0.1:4200/a\npi", "http:///api",
                                 "http://user:s3cret@127.0.0.1:9/api"])
def test_an_impossible_api_url_is_one_line(cli, api_env, url: str) -> None:  # type: ignore[no-untyped-def]
    # repro: PREFECT_API_URL=http://127.0.0.1:99999/api prefect-lint pools pull -> traceback
    api_env(url)
    result = cli("pools", "pull")
    assert result.exit_code == 2
    assert one_line(result.output).startswith("prefect-lint: PREFECT_API_URL ")
    assert "s3cret" not in result.output  # nor looked up as a host name


# -- Prefect profiles ---------------------------------------------------------------------------


def profiles(folder: Path, text: str) -> Path:
    return write(folder, "profiles.toml", text)


def test_pull_reads_the_active_prefect_profile(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # repro: `prefect config set PREFECT_API_URL=...` then `prefect-lint pools pull` said
    # "PREFECT_API_URL is not set"
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "prefect-home"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    with serve(lambda h: send(h, 200, [pool("team")])) as (url, seen):
        profiles(home, f"""\
            active = "dev"

            [profiles.dev]
            PREFECT_API_URL = "{url}/api"
            PREFECT_API_KEY = "{SECRET}"

            [profiles.other]
            PREFECT_API_URL = "http://127.0.0.1:9/api"
            """)
        result = cli("pools", "pull")
    assert result.exit_code == 0, result.output
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert sorted(read_snapshots(tmp_path / ".prefect-lint/pools")) == ["team"]


@pytest.mark.parametrize("place", [".env", "prefect.toml", "pyproject.toml"])
def test_pull_reads_the_project_files_prefect_reads(cli, tmp_path: Path, place: str,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # repro: PREFECT_API_URL=... in .env (which `prefect` uses) -> "PREFECT_API_URL is not set"
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    with serve(lambda h: send(h, 200, [pool("team")])) as (url, seen):
        text = {".env": f"PREFECT_API_URL={url}/api\nPREFECT_API_KEY={SECRET}\n",
                "prefect.toml": f'[api]\nurl = "{url}/api"\nkey = "{SECRET}"\n',
                "pyproject.toml": f'[tool.prefect.api]\nurl = "{url}/api"\nkey = "{SECRET}"\n'}
        write(tmp_path, place, text[place])
        result = cli("pools", "pull")
    assert result.exit_code == 0, result.output
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_environment_wins_over_the_profile_setting_by_setting(tmp_path: Path) -> None:
    path = profiles(tmp_path, """\
        active = "dev"
        [profiles.dev]
        PREFECT_API_URL = "http://dev.example/api"
        PREFECT_API_KEY = "dev-key"
        [profiles.prod]
        PREFECT_API_URL = "http://prod.example/api"
        """)
    env = {"PREFECT_PROFILES_PATH": str(path)}
    active = read_api_settings(env, tmp_path)
    assert (active.url, active.key) == ("http://dev.example/api", "dev-key")
    chosen = read_api_settings({**env, "PREFECT_PROFILE": "prod"}, tmp_path)
    assert (chosen.url, chosen.key) == ("http://prod.example/api", None)
    assert 'profile "prod"' in chosen.url_source
    mixed = read_api_settings({**env, "PREFECT_API_URL": "http://env.example/api"}, tmp_path)
    assert (mixed.url, mixed.key) == ("http://env.example/api", "dev-key")
    assert read_api_settings({**env, "PREFECT_TEST_MODE": "1"}, tmp_path).url is None
    home = read_api_settings({"PREFECT_HOME": str(tmp_path), "HOME": "/nonexistent"},
                             tmp_path)
    assert home.url == "http://dev.example/api"
    user = read_api_settings({"HOME": str(tmp_path / "user")}, tmp_path)
    assert user.url is None and "profiles.toml: it does not exist" in user.looked_in


@pytest.mark.parametrize(("text", "said"), [
    ('active = "gone"\n[profiles.dev]\nPREFECT_API_URL = "http://h/api"\n',
     'it has no profile "gone"'),
    ('[profiles.dev]\nPREFECT_API_URL = "http://h/api"\n', "which has no active profile"),
])
def test_a_profile_prefect_would_not_use_gives_no_url(cli, tmp_path: Path, text: str, said: str,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    profiles(tmp_path / "home", text)
    result = cli("pools", "pull")
    assert result.exit_code == 2
    message = one_line(result.output)
    assert ("PREFECT_API_URL is not set (neither in the environment nor in .env, prefect.toml or "
            "pyproject.toml here, nor in the Prefect ") in message
    assert said in message


@pytest.mark.parametrize(("content", "said"), [
    (b"active = [\n", "it is not valid TOML (Invalid value (at end of document))"),
    (b"active = '\xff'\n", "it is not UTF-8 text"),
    (b"a = " + b"[" * 50_000, "it is not valid TOML"),
])
def test_a_profiles_file_prefect_cannot_read_is_one_line(cli, tmp_path: Path, content: bytes,  # type: ignore[no-untyped-def]
                                                         said: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home/profiles.toml").write_bytes(content)
    result = cli("pools", "pull")
    assert result.exit_code == 2
    message = one_line(result.output)
    assert "the Prefect profiles file " in message and said in message


def test_a_profile_setting_that_is_not_text_is_an_error(tmp_path: Path) -> None:
    path = profiles(tmp_path, 'active = "dev"\n[profiles.dev]\nPREFECT_API_URL = 4200\n')
    with pytest.raises(ProfileError, match=r'PREFECT_API_URL of the Prefect profile "dev" in .* '
                                           r"must be a string, not int"):
        read_api_settings({"PREFECT_PROFILES_PATH": str(path)}, tmp_path)


# -- hostile pool names -------------------------------------------------------------------------

HOSTILE_NAMES = ["", "x" * 300, "../../evil", "Prod", "prod", "PROD", "CON", ".hidden", "a.",
                 "red\x1b[31m", "line\nbreak", "ok-pool", "prod-0123456789abcdef",
                 "caf\u00e9", "cafe\u0301", "a/b", "a%2Fb", "a:b", "a\\b", "x" * 300 + "y"]


def test_hostile_pool_names_get_safe_unique_files(cli, api_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # repro: an API listing a pool named "" wrote `.json` (then every check exits 2); one named
    # "x" * 300 aborted the pull half way (file name too long)
    write(tmp_path, ".prefect-lint/pools/.json", json.dumps(pool("")))  # an older version's
    with serve(lambda h: send(h, 200, [pool(name) for name in HOSTILE_NAMES])) as (url, _):
        api_env(url + "/api")
        result = cli("pools", "pull")
    assert result.exit_code == 0, result.output
    assert 'skipped the work pool "": a pool needs a name' in result.output
    assert "\x1b" not in result.output and "red\\x1b[31m" in result.output
    folder = tmp_path / ".prefect-lint/pools"
    files = sorted(path.name for path in folder.iterdir())
    assert len(files) == len(HOSTILE_NAMES) - 1
    assert len({name.casefold() for name in files}) == len(files)
    assert all(len(name.encode()) < 200 and not name.startswith(".") for name in files)
    assert sorted(read_snapshots(folder)) == sorted(HOSTILE_NAMES[1:])
    write(tmp_path, "prefect.yaml", """\
        deployments:
          - name: etl
            entrypoint: flows.py:etl
            work_pool:
              name: Prod
              job_variables:
                commnd: run
        """)
    checked = cli("check", "--select", "P001", "--output-format", "concise", "prefect.yaml")
    assert checked.exit_code == 1, checked.output  # the snapshot is read and used by name
    assert 'did you mean "command"' in checked.output


def test_snapshot_file_names() -> None:
    assert snapshot_filename("team pool") == "team pool.json"
    assert snapshot_filename("a/b") == "a%2Fb.json"
    assert snapshot_filename("Prod").startswith("Prod#")
    assert snapshot_filename("Prod") != snapshot_filename("PROD")
    assert snapshot_filename("../../evil").startswith("%2F..%2Fevil#")
    assert snapshot_filename("nul").startswith("nul#")
    assert len(snapshot_filename("é" * 300)) < 200
    with pytest.raises(UnicodeError):
        snapshot_filename("\ud800")


def test_a_pool_name_that_is_not_text_is_skipped(tmp_path: Path) -> None:
    written = write_snapshots(tmp_path, [PoolSnapshot("\ud800", None, TEMPLATE),
                                         PoolSnapshot("ok", None, TEMPLATE)], "h", replace_all=True)
    assert list(written.files) == ["ok"]
    assert written.skipped == ['skipped the work pool "\\ud800": its name is not valid text']


def test_a_failed_write_leaves_the_previous_snapshot(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "pools"
    write_snapshots(folder, [PoolSnapshot("a", "process", TEMPLATE),
                             PoolSnapshot("b", "process", TEMPLATE)], "old", replace_all=True)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    dumps = json.dumps
    calls = []

    def disk_full_on_the_second_file(value: Any, **options: Any) -> str:
        calls.append(value)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return dumps(value, **options)

    monkeypatch.setattr(linter.prefect.pools.json, "dumps", disk_full_on_the_second_file)
    with pytest.raises(OSError, match="No space left"):
        write_snapshots(folder, [PoolSnapshot(name, "docker", {}) for name in "abc"], "new",
                        replace_all=True)
    monkeypatch.undo()
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_a_pull_replaces_the_file_an_older_version_wrote(tmp_path: Path) -> None:
    write(tmp_path, "Prod.json", json.dumps({"name": "Prod", "type": "process",
                                             "base_job_template": {}}))
    write(tmp_path, "Keep.json", json.dumps({"name": "Keep", "type": "process",
                                             "base_job_template": {}}))
    written = write_snapshots(tmp_path, [PoolSnapshot("Prod", "docker", TEMPLATE)], "h",
                              replace_all=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["Keep.json", written.files["Prod"].name])
    assert read_snapshots(tmp_path)["Prod"].pool_type == "docker"


def test_temporary_files_of_a_killed_pull_are_removed(tmp_path: Path) -> None:
    import os

    abandoned = [write(tmp_path, ".pull-abc123.tmp", "{"), write(tmp_path, "x.json.tmp", "{")]
    for path in abandoned:
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    running = write(tmp_path, ".pull-def456.tmp", "{")  # a pull may still be writing it
    write_snapshots(tmp_path, [PoolSnapshot("a", None, TEMPLATE)], "h", replace_all=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".pull-def456.tmp", "a.json"]
    assert running.exists()


# -- the same answer as Prefect ------------------------------------------------------------------

PROFILES = """\
    active = "dev"
    [profiles.dev]
    PREFECT_API_URL = "http://dev.example:4200/api"
    PREFECT_API_KEY = "pnu_devkey"
    [profiles.prod]
    PREFECT_API_URL = "http://prod.example/api"
    """


ALT_PROFILES = """\
    active = "alt"
    [profiles.alt]
    PREFECT_API_URL = "http://alt.example/api"
    """


@pytest.mark.slow
@pytest.mark.parametrize(("profiles_text", "environment", "project"), [
    (PROFILES, {}, {}),
    (PROFILES, {"PREFECT_PROFILE": "prod"}, {}),
    (PROFILES, {"PREFECT_API_URL": "http://env.example/api"}, {}),
    (PROFILES, {"PREFECT_PROFILE": "missing"}, {}),
    ('active = "dev"\n[profiles.dev]\nPREFECT_API_KEY = "pnu_only"\n', {}, {}),
    ("active = [\n", {}, {}),
    (None, {}, {}),
    (PROFILES, {}, {".env": "# comment\nexport PREFECT_API_URL='http://dotenv.example/api'\n"}),
    (PROFILES, {"PREFECT_API_URL": "http://env.example/api"},
     {".env": "PREFECT_API_URL=http://dotenv.example/api\nPREFECT_API_KEY=pnu_dotenv # key\n"}),
    (PROFILES, {}, {"prefect.toml": '[api]\nurl = "http://toml.example/api"\n',
                    "pyproject.toml": '[tool.prefect.api]\nurl = "http://py.example/api"\n'
                                      'key = "pnu_pyproject"\n'}),
    (PROFILES, {}, {"pyproject.toml": '[tool.prefect.api]\nurl = "http://py.example/api"\n'}),
    (PROFILES, {}, {".env": "PREFECT_PROFILES_PATH=alt/profiles.toml\n",
                    "alt/profiles.toml": ALT_PROFILES}),
    (PROFILES, {}, {"prefect.toml": 'profiles_path = "alt/profiles.toml"\n',
                    "alt/profiles.toml": ALT_PROFILES}),
    (PROFILES + '    PREFECT_API_AUTH_STRING = "admin:pw"\n', {}, {}),
    (PROFILES, {"PREFECT_API_AUTH_STRING": "env:pw"},
     {"prefect.toml": '[api]\nauth_string = "toml:pw"\n'}),
    (PROFILES, {}, {"prefect.toml": '[api]\nauth_string = "toml:pw"\n'}),
    (PROFILES, {}, {"prefect.toml": '[api]\nssl_cert_file = "/ca.pem"\n'
                                    "tls_insecure_skip_verify = true\n"}),
    (PROFILES, {"PREFECT_API_TLS_INSECURE_SKIP_VERIFY": "1"},
     {".env": "PREFECT_API_SSL_CERT_FILE=/env-ca.pem\n"}),
], ids=["active", "PREFECT_PROFILE", "environment-wins", "missing-profile", "key-only",
        "not-toml", "no-file", "dotenv", "environment-over-dotenv", "prefect.toml-over-pyproject",
        "pyproject", "dotenv-profiles-path", "prefect.toml-profiles-path",
        "auth-string-profile", "auth-string-environment", "auth-string-prefect.toml",
        "tls-prefect.toml", "tls-environment-and-dotenv"])
def test_settings_are_read_as_prefect_reads_them(tmp_path: Path, profiles_text: str | None,
                                                 environment: dict[str, str],
                                                 project: dict[str, str]) -> None:
    """Prefect 3.9.1's own settings are the oracle for the URL and key we find."""
    import os
    import subprocess

    from tests.conftest import prefect_venv

    home = tmp_path / "home"
    home.mkdir()
    if profiles_text is not None:
        write(home, "profiles.toml", profiles_text)
    folder = tmp_path / "project"
    folder.mkdir()
    for name, text in project.items():
        write(folder, name, text)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "HOME": str(tmp_path), **environment})
    probe = ("import json, warnings; warnings.simplefilter('ignore')\n"
             "from prefect.settings import get_current_settings\n"
             "api = get_current_settings().api\n"
             "key = api.key.get_secret_value() if api.key else None\n"
             "auth = api.auth_string.get_secret_value() if api.auth_string else None\n"
             "print(json.dumps([api.url, key, auth, api.ssl_cert_file,\n"
             "                  api.tls_insecure_skip_verify]))\n")
    prefect = subprocess.run([str(prefect_venv()), "-c", probe], cwd=folder, env=env,
                             capture_output=True, text=True, timeout=120)
    if prefect.returncode != 0:  # Prefect cannot use the file: neither can we
        assert "TOMLDecodeError" in prefect.stderr, prefect.stderr
        with pytest.raises(ProfileError, match="is not valid TOML"):
            read_api_settings(env, folder)
        return
    expected = json.loads(prefect.stdout.strip().splitlines()[-1])
    ours = read_api_settings(env, folder)
    access = api_from_environment(env, folder) if ours.url else None
    assert [ours.url, ours.key, ours.auth_string] == expected[:3]
    if access is not None:
        assert [access.ssl_cert_file, not access.verify_tls] == expected[3:]
