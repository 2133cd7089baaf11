"""`prefect-lint pools pull`: a fake API in-process (fast), and a real Prefect server (slow)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linter.prefect.pools import read_snapshots
from linter.prefect.pools_api import PoolsApiError, PoolsClient, api_from_environment, shown_url
from tests.conftest import REPO, prefect_venv, write
from tests.fake_api import free_port

SECRET = "pnu_not-a-real-key-0123456789"

TEMPLATE = {
    "job_configuration": {"command": "{{ command }}", "env": "{{ env }}",
                          "working_dir": "{{ working_dir }}", "labels": {"tier": "{{ tier }}"}},
    "variables": {
        "type": "object",
        "properties": {
            "command": {"type": "string"},
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "working_dir": {"type": "string", "default": "/opt/flows"},
            "tier": {"type": "string", "enum": ["small", "large"]},
        },
    },
}


class FakeApi:
    """A tiny Prefect-like API: two pools, optional bearer key, optional slowness."""

    def __init__(self, key: str | None = None, delay: float = 0.0) -> None:
        self.key = key
        self.delay = delay
        self.pools = {
            "team pool": {"name": "team pool", "type": "process", "base_job_template": TEMPLATE},
            "other": {"name": "other", "type": "docker", "base_job_template": {}},
        }
        self.seen_headers: list[dict[str, str]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                with contextlib.suppress(OSError):  # a client that gave up (the slow test)
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def _authorised(self) -> bool:
                api.seen_headers.append(dict(self.headers))
                time.sleep(api.delay)
                if api.key and self.headers.get("Authorization") != f"Bearer {api.key}":
                    self._answer(401, {"detail": "Unauthorized"})
                    return False
                return True

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                from urllib.parse import unquote

                prefix = "/api/work_pools/"
                name = unquote(self.path[len(prefix):]) if self.path.startswith(prefix) else ""
                if name in api.pools:
                    self._answer(200, api.pools[name])
                else:
                    self._answer(404, {"detail": "Work pool not found."})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                if not self._authorised():
                    return
                if self.path == "/api/work_pools/filter":
                    self._answer(200, list(api.pools.values()))
                else:
                    self._answer(404, {"detail": "Not Found"})

        return Handler


@pytest.fixture
def fake_api() -> Iterator[tuple[FakeApi, str]]:
    api = FakeApi(key=SECRET)
    server = ThreadingHTTPServer(("127.0.0.1", 0), api.handler())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_pull_all_writes_snapshots_and_sends_the_key(cli, tmp_path: Path, fake_api,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    api, url = fake_api
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.setenv("PREFECT_API_KEY", SECRET)
    write(tmp_path, ".prefect-lint/pools/gone.json",
          json.dumps({"name": "gone", "type": "process", "base_job_template": {}}))
    result = cli("pools", "pull")
    assert result.exit_code == 0, result.output
    assert "Pulled 2 work pools" in result.output
    assert SECRET not in result.output
    snapshots = read_snapshots(tmp_path / ".prefect-lint" / "pools")
    assert sorted(snapshots) == ["other", "team pool"]  # the stale "gone" was removed
    assert snapshots["team pool"].base_job_template == TEMPLATE
    assert (tmp_path / ".prefect-lint/pools/team pool.json").is_file()
    assert api.seen_headers[0]["Authorization"] == f"Bearer {SECRET}"
    saved = (tmp_path / ".prefect-lint/pools/team pool.json").read_text()
    assert SECRET not in saved and '"pulled_from"' in saved


def test_pull_then_check_uses_the_snapshot(cli, tmp_path: Path, fake_api,  # type: ignore[no-untyped-def]
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, url = fake_api
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.setenv("PREFECT_API_KEY", SECRET)
    assert cli("pools", "pull", "team pool").exit_code == 0
    write(tmp_path, "prefect.yaml", """\
        deployments:
          - name: etl
            work_pool:
              name: team pool
              job_variables:
                tier: medium
                workdir: /tmp
        """)
    result = cli("check", "--select", "P", "--output-format", "concise", "prefect.yaml")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("prefect.yaml:6:15: P002")
    assert 'must be one of "small", "large"' in lines[0]
    assert lines[1].startswith("prefect.yaml:7:9: P001")
    assert 'did you mean "working_dir"' in lines[1]
    listing = cli("pools", "list")
    assert "team pool" in listing.output and "snapshot" in listing.output


def test_pull_errors_are_one_line_without_the_key(cli, tmp_path: Path, fake_api,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, url = fake_api
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.setenv("PREFECT_API_KEY", "wrong-" + SECRET)
    result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "refused the request (HTTP 401): check PREFECT_API_KEY" in result.output
    assert SECRET not in result.output
    monkeypatch.setenv("PREFECT_API_KEY", SECRET)
    result = cli("pools", "pull", "nope")
    assert result.exit_code == 2
    assert 'no work pool named "nope"' in result.output
    assert not (tmp_path / ".prefect-lint").exists()
    monkeypatch.setenv("PREFECT_API_URL", url.removesuffix("/api"))
    result = cli("pools", "pull")
    assert result.exit_code == 2 and "usually ends in /api" in result.output


def test_a_pull_that_cannot_write_is_one_line_and_exit_2(cli, tmp_path: Path, fake_api,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import linter.prefect.pools

    def disk_full(*args: Any, **options: Any) -> Any:
        raise OSError(28, "No space left on device")

    _, url = fake_api
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.setenv("PREFECT_API_KEY", SECRET)
    monkeypatch.setattr(linter.prefect.pools, "write_snapshots", disk_full)
    result = cli("pools", "pull")
    assert result.exit_code == 2
    assert result.output == ("prefect-lint: cannot write the pool snapshot: No space left on "
                             "device\n")


def test_pull_needs_the_api_url(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PREFECT_API_URL", "PREFECT_PROFILES_PATH", "PREFECT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))  # no profile either
    result = cli("pools", "pull")
    assert result.exit_code == 2
    assert "PREFECT_API_URL is not set (neither in the environment nor in .env, prefect.toml " \
           "or pyproject.toml here, nor in the Prefect profiles file" in result.output
    assert "profiles.toml: it does not exist" in result.output


def test_unreachable_and_slow_servers_fail_clearly(fake_api) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    with pytest.raises(PoolsApiError, match=r"cannot reach http://127\.0\.0\.1"):
        PoolsClient(f"http://127.0.0.1:{port}/api", None, timeout=2).read_pools([])
    api, url = fake_api
    api.delay = 0.5
    with pytest.raises(PoolsApiError, match=r"no complete answer from .* within 0\.1 s"):
        PoolsClient(url, SECRET, timeout=0.1).read_pools([])


def test_api_settings_and_shown_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env, prefect.toml or pyproject.toml
    home = {"PREFECT_HOME": str(tmp_path)}  # and no profile
    access = api_from_environment({"PREFECT_API_URL": "https://h.example/api/",
                                   "PREFECT_API_KEY": "k", **home})
    assert access[:3] == ("https://h.example/api", "k", None) and access.verify_tls
    assert shown_url("https://user:pw@h.example:8443/api?token=x") == "https://h.example:8443/api"
    with pytest.raises(PoolsApiError, match="must be an http"):
        api_from_environment({"PREFECT_API_URL": "ftp://h/api", **home})
    assert SECRET not in repr(PoolsClient("http://h/api", SECRET))


# -- a real Prefect server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[Path, dict[str, str]]]:
    """``prefect server start`` on 127.0.0.1 with its own PREFECT_HOME; always stopped. One
    server serves the module's tests (each creates and asserts on names of its own): starting
    one waits for its health check, up to 90 s."""
    python = prefect_venv()
    port = free_port()
    tmp_path = tmp_path_factory.mktemp("prefect-server")
    home = tmp_path / "prefect-home"
    home.mkdir()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_KEY", None)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(python.parent / "prefect"), "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError("the Prefect server did not start:\n"
                                         + (tmp_path / "server.log").read_text()[-3000:]
                                         ) from error
                time.sleep(0.5)
        yield python.parent, env
    finally:
        _stop_group(server, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _stop_group(server, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _stop_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the server and the workers it started (its own session, so its own group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


@pytest.mark.slow
def test_pull_from_a_real_prefect_server(prefect_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bin_folder, env = prefect_server
    template = json.loads((REPO / "schemas/pools/process.json").read_text())
    template["variables"]["properties"]["tier"] = {
        "type": "string", "enum": ["small", "large"], "default": "small"}
    template["variables"]["properties"]["queue_region"] = {"type": "string"}
    template["variables"].setdefault("required", []).append("queue_region")
    template["job_configuration"]["env"] = {"TIER": "{{ tier }}", "REGION": "{{ queue_region }}"}
    template_file = write(tmp_path, "template.json", json.dumps(template))
    created = subprocess.run(
        [str(bin_folder / "prefect"), "work-pool", "create", "custom-proc", "--type", "process",
         "--base-job-template", str(template_file)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr

    project = tmp_path / "project"
    write(project, "pyproject.toml", "[tool.prefect-lint]\n")
    write(project, "prefect.yaml", """\
        deployments:
          - name: etl
            entrypoint: flows/etl.py:etl
            work_pool:
              name: custom-proc
              job_variables:
                tier: medium
                streamOutput: false
        """)
    lint_env = {**env, "NO_COLOR": "1"}
    prefect_lint = [str(REPO / ".venv/bin/python"), "-m", "linter"]
    pulled = subprocess.run([*prefect_lint, "pools", "pull"], cwd=project, env=lint_env,
                            capture_output=True, text=True, timeout=60)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "custom-proc (process)" in pulled.stdout
    assert (project / ".prefect-lint/pools/custom-proc.json").is_file()

    offline = {**lint_env, "PREFECT_API_URL": "http://127.0.0.1:9/api"}  # no network needed
    checked = subprocess.run(
        [*prefect_lint, "check", "--select", "P", "--output-format", "concise", "prefect.yaml"],
        cwd=project, env=offline, capture_output=True, text=True, timeout=60,
    )
    lines = checked.stdout.splitlines()
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert lines[0].startswith("prefect.yaml:6:7: P003") and '"queue_region"' in lines[0]
    assert lines[1].startswith("prefect.yaml:7:15: P002")
    assert 'must be one of "small", "large"' in lines[1]
    assert lines[2].startswith("prefect.yaml:8:9: P001")
    assert 'did you mean "stream_output"' in lines[2]


WORKSPACE_FILE = """\
pull:
  - prefect.deployments.steps.run_shell_script:
      script: "echo {{ prefect.blocks.secret.db-password }} {{ prefect.blocks.secret.db-pasword }}"
deployments:
  - name: good
    entrypoint: flows/etl.py:etl
    work_pool:
      name: lint-pool
      work_queue_name: lint-queue
      job_variables:
        env:
          REGION: "{{ prefect.variables.region }}"
          ZONE: "{{ prefect.variables.zone }}"
  - name: wrong
    entrypoint: flows/etl.py:etl
    work_pool:
      name: lint-pol
  - name: wrong-queue
    entrypoint: flows/etl.py:etl
    work_pool:
      name: lint-pool
      work_queue_name: lint-queu
"""


@pytest.mark.slow
def test_pull_a_workspace_from_a_real_prefect_server(prefect_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A pool, a queue, a Secret block and a variable created with Prefect 3.9.1 itself;
    `pull`; one good and one wrong reference of each kind found on its row."""
    bin_folder, env = prefect_server
    block_value = "s3cr3t-block-value-never-in-the-snapshot"
    for command in (
        ["prefect", "work-pool", "create", "lint-pool", "--type", "process"],
        ["prefect", "work-queue", "create", "lint-queue", "--pool", "lint-pool"],
        ["prefect", "variable", "set", "region", "eu-west-1"],
        ["python", "-c", "from prefect.blocks.system import Secret; "
                         f"Secret(value={block_value!r}).save('db-password')"],
    ):
        done = subprocess.run([str(bin_folder / command[0]), *command[1:]], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    project = tmp_path / "project"
    write(project, "pyproject.toml", "[tool.prefect-lint]\n")
    write(project, "prefect.yaml", WORKSPACE_FILE)
    lint_env = {**env, "NO_COLOR": "1", "PREFECT_API_KEY": SECRET}  # a key must stay unsaved
    prefect_lint = [str(REPO / ".venv/bin/python"), "-m", "linter"]

    def check() -> list[str]:
        offline = {**lint_env, "PREFECT_API_URL": "http://127.0.0.1:9/api"}
        checked = subprocess.run(
            [*prefect_lint, "check", "--select", "P006,P007,R007,R008", "--output-format",
             "concise", "prefect.yaml"],
            cwd=project, env=offline, capture_output=True, text=True, timeout=60)
        return [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1]
                for line in checked.stdout.splitlines() if line.startswith("prefect.yaml:")]

    assert check() == []  # without a snapshot, none of these findings
    pulled = subprocess.run([*prefect_lint, "pull"], cwd=project, env=lint_env,
                            capture_output=True, text=True, timeout=120)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    snapshot = project / ".prefect-lint/workspace.json"
    text = snapshot.read_text()
    assert SECRET not in text and block_value not in text and "eu-west-1" not in text
    data = json.loads(text)
    assert data["work_pools"]["lint-pool"] == {"type": "process",
                                               "work_queues": ["default", "lint-queue"]}
    assert data["block_documents"]["secret"] == ["db-password"]
    assert data["variables"] == ["region"]
    assert (project / ".prefect-lint/pools/lint-pool.json").is_file()

    assert check() == [
        "prefect.yaml:3:61: R007",  # db-pasword; db-password on the same row is not reported
        "prefect.yaml:13:18: R008",  # zone; region on row 12 is not reported
        "prefect.yaml:17:13: P006",  # lint-pol; lint-pool on rows 8 and 21 is not reported
        "prefect.yaml:22:24: P007",  # lint-queu; lint-queue on row 9 is not reported
    ]

    before = snapshot.read_bytes()
    down = subprocess.run([*prefect_lint, "pull", "--timeout", "10"], cwd=project,
                          env={**lint_env, "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"},
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 2
    assert len(down.stderr.strip().splitlines()) == 1 and down.stdout == "", down.stderr
    assert SECRET not in down.stderr
    assert snapshot.read_bytes() == before
