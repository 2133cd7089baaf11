"""Output through the command line: every format is accepted (flag and config), annotations
under GitHub Actions, --output-file, and colour (terminal only, NO_COLOR, FORCE_COLOR)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli.main import FORMAT_NAMES
from linter.report import FORMATS
from tests.conftest import REPO, run_python, write

BROKEN = """\
deployments:
  - name: a
    entrypoint: f.py:f
  - name: a
    entrypoint: f.py:f
"""
#: rules added later must not change what these tests see
SELECT = '[tool.prefect-lint]\nselect = ["D001", "M001", "Y"]\n'
ANNOTATION = "::error file=prefect.yaml,line=4,col=11,endLine=4,endColumn=12,title=D001::"


def test_cli_formats_are_the_report_formats() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES
    assert {"json-lines", "github", "gitlab", "sarif", "junit"} <= set(FORMAT_NAMES)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_from_flag_and_config(cli, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    by_flag = cli("check", "--output-format", name)
    assert by_flag.exit_code == 1
    assert "D001" in by_flag.output
    write(tmp_path, "pyproject.toml", SELECT + f'output-format = "{name}"\n')
    by_config = cli("check")
    assert by_config.exit_code == 1
    assert by_config.output == by_flag.output


def test_unknown_format_in_config_names_the_choices(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    write(tmp_path, "pyproject.toml", SELECT + 'output-format = "xml"\n')
    result = cli("check")
    assert result.exit_code == 2
    assert "sarif" in result.output and "'xml'" in result.output


def test_github_actions_adds_annotations_to_the_full_text(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(ANNOTATION)
    assert "prefect.yaml:4:11: D001 [error]" in result.output  # the full text follows
    assert "  = help:" in result.output


def test_github_actions_respects_a_chosen_format(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error" not in cli("check", "--output-format", "concise").output
    assert "::error" not in cli("check", "--output-format", "full").output
    write(tmp_path, "pyproject.toml", SELECT + 'output-format = "full"\n')
    assert "::error" not in cli("check").output
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    write(tmp_path, "pyproject.toml", SELECT)
    assert "::error" not in cli("check").output


def test_github_actions_annotations_stay_on_stdout_with_output_file(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("check", "-o", "report.txt")
    assert result.output.startswith(ANNOTATION)
    written = (tmp_path / "report.txt").read_text()
    assert "::error" not in written and "D001 [error]" in written


def test_output_file_sarif(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    result = cli("check", "--output-format", "sarif", "--output-file", "reports/ci/run.sarif")
    assert result.exit_code == 1
    assert result.output == ""
    log = json.loads((tmp_path / "reports/ci/run.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["ruleId"] == "D001"


def test_output_file_that_cannot_be_written_is_a_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    (tmp_path / "a-folder").mkdir()
    result = cli("check", "-o", "a-folder")
    assert result.exit_code == 2
    assert result.output.startswith("prefect-lint: cannot write the report to a-folder: ")
    assert "Traceback" not in result.output


def test_colour_env_and_flags(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in cli("check").output  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in cli("check").output
    assert "\x1b[" in cli("check", "--output-format", "concise").output
    for machine in ("json", "sarif", "github", "gitlab", "junit", "json-lines"):
        assert "\x1b[" not in cli("check", "--output-format", machine).output
    assert "\x1b[" not in cli("check", "--no-color").output
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR beats FORCE_COLOR
    assert "\x1b[" not in cli("check").output
    assert "\x1b[" in cli("check", "--color").output  # the flag beats both
    cli("check", "--color", "-o", "coloured.txt")
    assert "\x1b[" in (tmp_path / "coloured.txt").read_text()
    cli("check", "-o", "plain.txt")
    assert "\x1b[" not in (tmp_path / "plain.txt").read_text()


def run_check_then(tmp_path: Path, before: str, after: str) -> str:
    """Run ``check`` in a fresh interpreter between two snippets; the last line of stderr
    (what ``after`` printed)."""
    script = (
        f"import sys\n{before}"
        "from linter.cli.main import main\n"
        "try:\n"
        "    main(['check', '--no-cache', 'prefect.yaml', '--output-format', 'sarif'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"{after}"
    )
    done = run_python(script, tmp_path)
    return done.stderr.strip().splitlines()[-1]


def test_the_cli_does_not_import_the_language_server(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, "pyproject.toml", SELECT)
    loaded = run_check_then(tmp_path, "", (
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')\n"
        "             or m == 'linter.lsp.server'), file=sys.stderr)\n"))
    assert loaded == "[]"


def test_a_check_that_finds_no_file_loads_no_rule(tmp_path: Path) -> None:
    """An empty folder is reported without importing a rule (nor the runner that loads them
    all): start-up alone, 0.05 s instead of 0.09 s."""
    script = (
        "import sys\n"
        "from linter.cli.main import main\n"
        "try:\n"
        "    main(['check', '--no-cache', '.'])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, sorted(m for m in sys.modules if m.startswith(('linter.rules', "
        "'linter.run.runner'))), file=sys.stderr)\n"
    )
    done = run_python(script, tmp_path)
    assert done.stderr.strip().splitlines()[-1] == "2 []"


def test_a_check_with_a_workspace_snapshot_and_no_selectors_runs(tmp_path: Path) -> None:
    """The staleness notice asks the rule registry which rules are selected: in a fresh
    interpreter, without --select, the rules must be loaded first (a RuntimeError traceback
    and exit 1 when they were not)."""
    write(tmp_path, "prefect.yaml", BROKEN)
    write(tmp_path, ".prefect-lint/workspace.json",
          '{"snapshot": "prefect-lint workspace", "version": 1, "api_host": "h", '
          '"pulled_at": "2000-01-01T00:00:00Z", "work_pools": {}, "block_documents": {}, '
          '"variables": []}')
    script = (
        "import sys\n"
        "from linter.cli.main import main\n"
        "try:\n"
        "    main(['check', '--no-cache', 'prefect.yaml'])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code, file=sys.stderr)\n"
    )
    done = run_python(script, tmp_path)
    assert "Traceback" not in done.stderr
    assert "prefect-lint: info: the workspace snapshot" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "exit 1"


def test_server_without_pygls_says_how_to_install(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "sys.modules['pygls'] = None  # as if the extra were not installed\n"
        "from linter.cli.main import main\n"
        "main(['server'])\n"
    )
    done = run_python(script, tmp_path)
    assert done.returncode == 2
    assert "pip install 'prefect-lint[server]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_command_flushes_everything_before_its_quick_exit(tmp_path: Path) -> None:
    """`run` leaves with os._exit: output larger than any pipe buffer must still arrive whole,
    and the status must be the command's."""
    many = "deployments:\n" + "".join(
        "  - name: same\n    entrypoint: f.py:f\n" for _ in range(400)
    )
    write(tmp_path, "prefect.yaml", many)
    # as a user runs it: output to a pipe is buffered (this sandbox sets PYTHONUNBUFFERED)
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    buffered["PYTHONPATH"] = str(REPO)
    write(tmp_path, "pyproject.toml", SELECT)
    done = subprocess.run([sys.executable, "-m", "linter", "check", "--no-cache",
                           "--output-format", "json"], cwd=tmp_path, capture_output=True,
                          env=buffered)
    assert done.returncode == 1
    findings = json.loads(done.stdout)
    assert len(findings) == 399 and len(done.stdout) > 65_536
    statistics = subprocess.run([sys.executable, "-m", "linter", "check", "--no-cache",
                                 "--statistics"], cwd=tmp_path, capture_output=True, text=True,
                                env=buffered)
    assert statistics.returncode == 1 and "399  D001" in statistics.stdout
    fixed = subprocess.run([sys.executable, "-m", "linter", "check", "--fix", "--select", "L", "-",
                            "--stdin-filename", "prefect.yaml"], cwd=tmp_path,
                           input="deployments:\n- name: x\n  schedule: {cron: '* * * * *'}\n",
                           capture_output=True, text=True,
                           env=buffered)
    assert "schedules:" in fixed.stdout
    usage = subprocess.run([sys.executable, "-m", "linter", "check", "--no-such-flag"],
                           cwd=tmp_path, capture_output=True, text=True,
                           env=buffered)
    assert usage.returncode == 2 and "No such option" in usage.stderr


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (256, 0),
                                              ("a message", 1)])
def test_exit_status_is_what_sys_exit_would_give(code: object, status: int,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from linter.cli.main import _exit_status

    assert _exit_status(code) == status
    assert capsys.readouterr().err == ("a message\n" if isinstance(code, str) else "")


def test_start_up_creates_no_dataclass(tmp_path: Path) -> None:
    """Records are named tuples or plain classes (see linter/__init__.py): a dataclass costs
    about a millisecond of every run. A check of a real file must not create one."""
    write(tmp_path, "prefect.yaml", BROKEN)
    made = run_check_then(tmp_path, (
        "import dataclasses\n"
        "made = []\n"
        "real = dataclasses.dataclass\n"
        "def spy(cls=None, /, **options):\n"
        "    made.append(sys._getframe(1).f_globals.get('__name__', '?'))\n"
        "    return real(cls, **options)\n"
        "dataclasses.dataclass = spy\n"
    ), "print([m for m in made if m.startswith('linter')], file=sys.stderr)\n")
    assert made == "[]"
