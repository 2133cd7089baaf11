"""`prefect-lint pull` against a fake Prefect API on 127.0.0.1 (fast): paging, the snapshot's
content (names only, never the key or a value), and hostile or failing servers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from linter.prefect.workspace import parse_workspace
from tests import fake_api
from tests.conftest import write
from tests.fake_api import Request, send

SECRET = "pnu_workspace-test-key-0123456789"
BLOCK_VALUE = "hunter2-block-value"
VARIABLE_VALUE = "variable-value-never-stored"
TEMPLATE = {
    "job_configuration": {"command": "{{ command }}"},
    "variables": {"type": "object", "properties": {"command": {"type": "string"}}},
}
MANY = 205  # more than one page (Prefect's pages have at most 200 items)


def workspace_lists(pool_count: int) -> dict[str, list[dict[str, Any]]]:
    """The lists of a fake workspace: pools, MANY blocks and variables."""
    pools = [{"name": f"pool-{n:03}", "type": "process", "base_job_template": TEMPLATE}
             for n in range(pool_count)]
    blocks = [{"name": f"doc-{n:03}", "is_anonymous": False, "data": {"value": BLOCK_VALUE},
               "block_type": {"slug": "secret" if n % 2 else "json", "name": "Secret"}}
              for n in range(MANY)]
    blocks.append({"name": "anonymous-thing", "is_anonymous": True, "data": {},
                   "block_type": {"slug": "secret"}})
    variables = [{"name": f"var_{n:03}", "value": VARIABLE_VALUE} for n in range(MANY)]
    return {"/api/work_pools/filter": pools, "/api/block_documents/filter": blocks,
            "/api/variables/filter": variables}


def paged_workspace(handler: BaseHTTPRequestHandler, path: str, body: dict[str, Any],
                    pool_count: int = 3) -> None:
    """Answer as Prefect does: each list sliced by the body's offset and limit; the first
    pool has MANY work queues, the others one."""
    lists = workspace_lists(pool_count)
    if path.endswith("/queues/filter"):
        pool = path.split("/")[3]
        count = MANY if pool == "pool-000" else 1
        items: list[dict[str, Any]] | None = [
            {"name": "default" if n == 0 else f"queue-{n:03}"} for n in range(count)]
    else:
        items = lists.get(path)
    if items is None:
        send(handler, 404, {"detail": "Not Found"})
        return
    offset, limit = int(body.get("offset", 0)), int(body.get("limit", 200))
    send(handler, 200, items[offset:offset + min(limit, 200)])


Respond = Callable[[BaseHTTPRequestHandler, str, dict[str, Any]], None]


def serve(respond: Respond) -> contextlib.AbstractContextManager[tuple[str, list[Request]]]:
    """The fake API answering with ``respond(handler, path, JSON body)``; its URL ends in
    ``/api``."""
    return fake_api.serve(
        lambda handler: respond(handler, handler.path, json.loads(handler.body or "{}")),
        prefix="/api")


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], None]:
    write(tmp_path, "pyproject.toml", "[tool.prefect-lint]\n")
    return fake_api.pointing_at_the_api(monkeypatch, tmp_path / "no-prefect-home", SECRET)


def test_pull_pages_every_list_to_the_end_and_keeps_names_only(  # type: ignore[no-untyped-def]
        cli, api_env, tmp_path: Path) -> None:
    def many_pools(handler: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        paged_workspace(handler, path, body, pool_count=MANY)

    with serve(many_pools) as (url, seen):
        api_env(url)
        result = cli("pull")
    assert result.exit_code == 0, result.output
    assert (f"Pulled {MANY} work pools ({MANY + MANY - 1} work queues), {MANY} block documents "
            f"and {MANY} variables from 127.0.0.1:") in result.output
    snapshot_path = tmp_path / ".prefect-lint/workspace.json"
    text = snapshot_path.read_text()
    workspace = parse_workspace(json.loads(text))
    assert len(workspace.pools) == MANY and workspace.pools["pool-204"].pool_type == "process"
    assert len(workspace.pools["pool-000"].work_queues) == MANY
    assert workspace.pools["pool-001"].work_queues == {"default"}
    assert len(workspace.blocks["secret"]) + len(workspace.blocks["json"]) == MANY
    assert "anonymous-thing" not in text
    assert "var_204" in workspace.variables and len(workspace.variables) == MANY
    assert workspace.api_host.startswith("127.0.0.1:") and workspace.pulled_at.endswith("Z")
    for secret in (SECRET, BLOCK_VALUE, VARIABLE_VALUE):
        assert secret not in text
    # pool templates are saved as `pools pull` saves them
    assert (tmp_path / ".prefect-lint/pools/pool-204.json").is_file()
    # every list was asked page by page, with the key, and blocks without their secrets
    assert all(request.headers.get("Authorization") == f"Bearer {SECRET}" for request in seen)
    block_bodies = [json.loads(request.body) for request in seen
                    if request.path == "/api/block_documents/filter"]
    assert [body["offset"] for body in block_bodies] == [0, 200]
    assert all(body["include_secrets"] is False for body in block_bodies)
    assert sum(request.path == "/api/work_pools/pool-000/queues/filter"
               for request in seen) == 2


def test_the_snapshot_is_stable_and_sorted(cli, api_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(paged_workspace) as (url, _):
        api_env(url)
        cli("pull")
        first = json.loads((tmp_path / ".prefect-lint/workspace.json").read_text())
        cli("pull")
        second = json.loads((tmp_path / ".prefect-lint/workspace.json").read_text())
    first.pop("pulled_at"), second.pop("pulled_at")
    assert first == second
    assert first["variables"] == sorted(first["variables"])
    assert list(first["work_pools"]) == sorted(first["work_pools"])


def _failing_on(path_part: str, answer: Callable[[BaseHTTPRequestHandler], None]) -> Respond:
    """Answer as Prefect does, except for requests whose path contains ``path_part``."""

    def respond(handler: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        if path_part in path:
            answer(handler)
        else:
            paged_workspace(handler, path, body)

    return respond


def _redirect_elsewhere(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(307)
    handler.send_header("Location", "http://127.0.0.2:1/api/variables/filter")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@pytest.mark.parametrize(("path_part", "answer", "expected"), [
    ("/variables/", lambda h: send(h, 500, {"detail": "boom"}), "answered HTTP 500"),
    ("/block_documents/", lambda h: send(h, 200, b"<html>not json</html>"), "did not answer "
                                                                             "with JSON"),
    ("/queues/", lambda h: send(h, 200, {"not": "a list"}), "not a list of work queues"),
    ("/variables/", _redirect_elsewhere, "redirects (HTTP 307) to another origin"),
    ("/block_documents/", lambda h: send(h, 200, [{"name": "x"}]), "without its block type"),
])
def test_a_failing_request_is_one_line_exit_2_and_the_snapshot_is_untouched(  # type: ignore[no-untyped-def]
        cli, api_env, tmp_path: Path, path_part: str,
        answer: Callable[[BaseHTTPRequestHandler], None], expected: str) -> None:
    previous = write(tmp_path, ".prefect-lint/workspace.json", '{"previous": true}\n')
    old_pool = write(tmp_path, ".prefect-lint/pools/old.json", "{}\n")
    with serve(_failing_on(path_part, answer)) as (url, _):
        api_env(url)
        result = cli("pull")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output
    assert SECRET not in result.output
    assert previous.read_text() == '{"previous": true}\n' and old_pool.read_text() == "{}\n"
    assert sorted(p.name for p in (tmp_path / ".prefect-lint").iterdir()) == [
        "pools", "workspace.json"]
    assert [p.name for p in (tmp_path / ".prefect-lint/pools").iterdir()] == ["old.json"]


def test_a_server_that_is_down_is_one_line_and_exit_2(cli, api_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = fake_api.free_port()
    previous = write(tmp_path, ".prefect-lint/workspace.json", "previous\n")
    api_env(f"http://127.0.0.1:{port}/api")
    result = cli("pull", "--timeout", "5")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "cannot reach" in result.output or "no complete answer" in result.output
    assert previous.read_text() == "previous\n"


def test_a_slow_server_meets_the_one_deadline(cli, api_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import time

    def slow_variables(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(handler, 200, [])

    with serve(_failing_on("/variables/", slow_variables)) as (url, _):
        api_env(url)
        result = cli("pull", "--timeout", "0.8")
    assert result.exit_code == 2
    assert "within 0.8 s" in result.output
    assert not (tmp_path / ".prefect-lint/workspace.json").exists()


def test_an_api_that_repeats_a_full_page_is_not_asked_forever(  # type: ignore[no-untyped-def]
        cli, api_env) -> None:
    def same_page(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, [{"name": f"v{n}"} for n in range(200)])

    with serve(_failing_on("/variables/", same_page)) as (url, seen):
        api_env(url)
        result = cli("pull")
    assert result.exit_code == 2
    assert "answered the same variables again for offset 200" in result.output
    assert sum("/variables/" in request.path for request in seen) == 2


CHECKED = """\
deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: pool-001
      work_queue_name: default
      job_variables:
        image: "org/etl:{{ prefect.variables.var_001 }}"
        env:
          TOKEN: "{{ prefect.blocks.secret.doc-001 }}"
  - name: wrong
    entrypoint: flows/etl.py:etl
    work_pool:
      name: pool-999
      job_variables:
        image: "org/etl:{{ prefect.variables.var_999 }}"
"""


def _check(cli, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("check", "--select", "P006,P007,R007,R008", "--output-format", "concise",
                 *extra, "prefect.yaml")
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in result.output.splitlines()
            if line.startswith("prefect.yaml:")]


def test_pull_then_check_finds_missing_names_and_the_cache_follows_the_snapshot(  # type: ignore[no-untyped-def]
        cli, api_env, tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", CHECKED)
    assert _check(cli) == []  # no snapshot: nothing to say
    with serve(paged_workspace) as (url, _):
        api_env(url)
        assert cli("pull").exit_code == 0
    assert _check(cli) == ["prefect.yaml:14:13: P006", "prefect.yaml:16:25: R008"]
    # the cached result is dropped when the snapshot changes
    snapshot = tmp_path / ".prefect-lint/workspace.json"
    data = json.loads(snapshot.read_text())
    data["variables"].append("var_999")
    snapshot.write_text(json.dumps(data))
    assert _check(cli) == ["prefect.yaml:14:13: P006"]


def test_check_says_once_when_the_snapshot_is_old(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pyproject.toml", "[tool.prefect-lint]\n")
    write(tmp_path, "prefect.yaml", CHECKED)
    write(tmp_path, "other/prefect.yaml", CHECKED)
    write(tmp_path, ".prefect-lint/workspace.json", json.dumps({
        "snapshot": "prefect-lint workspace", "version": 1, "api_host": "h",
        "pulled_at": "2020-01-01T00:00:00Z", "work_pools": {}, "block_documents": {},
        "variables": []}))
    result = cli("check", "--output-format", "concise", ".")
    notices = [line for line in result.output.splitlines() if "prefect-lint: info:" in line]
    assert len(notices) == 1 and "(more than 30 days)" in notices[0], result.output
    quiet = cli("check", "--select", "D", "--output-format", "concise", ".")
    assert "prefect-lint: info:" not in quiet.output  # no rule that reads it runs


def test_paging_of_every_list_stops_at_the_item_limit() -> None:
    from linter.prefect.pools_api import PoolsApiError, PoolsClient
    from linter.prefect.workspace_api import read_workspace_names

    def endless_variables(handler: BaseHTTPRequestHandler, path: str,
                          body: dict[str, Any]) -> None:
        if "/variables/" not in path:
            paged_workspace(handler, path, body)
            return
        offset = int(body["offset"])
        send(handler, 200, [{"name": f"v{offset + n}"} for n in range(200)])

    with serve(endless_variables) as (url, seen):
        client = PoolsClient(url, None, max_pools=1000)
        with pytest.raises(PoolsApiError, match="lists more than 1000 variables"):
            read_workspace_names(client, "2026-01-01T00:00:00Z")
    assert sum("/variables/" in request.path for request in seen) == 6  # offsets 0 .. 1000


def test_pull_without_an_api_url_says_what_to_set(  # type: ignore[no-untyped-def]
        cli, api_env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = cli("pull")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "PREFECT_API_URL is not set" in result.output
    assert not (tmp_path / ".prefect-lint").exists()


def test_a_pull_that_cannot_write_the_pools_leaves_the_snapshot_as_it_was(  # type: ignore[no-untyped-def]
        cli, api_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import linter.prefect.pools

    def disk_full(*args: Any, **options: Any) -> Any:
        raise OSError(28, "No space left on device")

    previous = write(tmp_path, ".prefect-lint/workspace.json", "previous\n")
    monkeypatch.setattr(linter.prefect.pools, "write_snapshots", disk_full)
    with serve(paged_workspace) as (url, _):
        api_env(url)
        result = cli("pull")
    assert result.exit_code == 2
    assert result.output == ("prefect-lint: cannot write the workspace snapshot: No space left "
                             "on device\n")
    assert previous.read_text() == "previous\n"
    assert [p.name for p in (tmp_path / ".prefect-lint").iterdir()] == ["workspace.json"]
