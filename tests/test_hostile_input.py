"""Hostile and broken input: a clear finding or error, never a traceback, never a hang."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.conftest import REPO, lint, write


def codes_of(result_output: str) -> list[str]:
    return [d["code"] for d in json.loads(result_output)]


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_ten_thousand_levels_of_nesting(shape: str) -> None:
    depth = 10_000
    if shape == "flow":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join("  " * i + "k:\n" for i in range(depth))
    found = lint(text, dedent=False)
    assert "Y006" in [d.code for d in found] or "Y001" in [d.code for d in found]
    assert all(d.start.row >= 1 for d in found)


def test_top_level_list_nested_deeply() -> None:
    depth = 4_000  # deep enough for Y006, not so deep that the parser refuses it
    found = lint("[" * depth + "]" * depth + "\n", dedent=False)
    assert {"Y004", "Y006"} <= {d.code for d in found}


DEEP_SHAPES = {
    "flow": "deployments: " + "[" * 30_000 + "]" * 30_000 + "\n",
    "mappings": "deployments: " + "{a: " * 30_000 + "}" * 30_000 + "\n",
    "compact-block": "deployments:\n" + "- " * 30_000 + "x\n",
    "quoted-closers": "deployments: " + '[ "]", ' * 30_000 + "\n",
}


@pytest.mark.parametrize("shape", DEEP_SHAPES)
def test_nesting_that_would_overflow_the_c_stack_is_a_finding(tmp_path: Path, shape: str) -> None:
    """30,000 levels killed the process (exit 139) with every other file's results."""
    write(tmp_path, "deep/prefect.yaml", DEEP_SHAPES[shape])
    write(tmp_path, "other/prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    for jobs in ("1", "2"):
        done = run_cli(tmp_path, "check", "--output-format", "json", "-j", jobs)
        assert done.returncode == 1, (done.returncode, done.stderr)
        found = {(d["filename"], d["code"]): d["message"] for d in json.loads(done.stdout)}
        assert "more than 5,000 levels" in found[("deep/prefect.yaml", "Y001")]
        assert ("other/prefect.yaml", "D001") in found


def test_deep_nesting_in_migrate_and_the_shared_parse(tmp_path: Path) -> None:
    """``migrate`` and the language server (through ``Runner.lint_text``) parse with the same
    entry point, so they get the same guard."""
    text = "### DO NOT EDIT\nname: x\nflow_name: f\ntags: " + "[" * 30_000 + "]" * 30_000
    write(tmp_path, "deployment.yaml", text + "\n")
    assert "more than 5,000 levels" in one_line_error(
        run_cli(tmp_path, "migrate", "deployment.yaml", "--dry-run"))
    script = ("import sys; from pathlib import Path; "
              "from linter.project.config import ConfigResolver; "
              "from linter.run.runner import Runner; "
              "r = Runner(ConfigResolver(cwd=Path('.'))).lint_text(sys.stdin.read(), 'p.yaml'); "
              "print([d.code for d in r.diagnostics])")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, input=DEEP_SHAPES["flow"], timeout=TIMEOUT,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert "Y001" in done.stdout


def test_depth_bound_is_exact_where_the_cheap_one_cannot_tell() -> None:
    from linter.source.errors import YamlSyntaxError
    from linter.source.parse import MAX_NESTING, _surely_shallow, compose_documents

    flow_heavy = "deployments:\n" + "".join(
        f"  - {{name: d{i}, tags: [a, b], parameters: {{x: [1, 2]}}}}\n" for i in range(3_000))
    assert _surely_shallow(flow_heavy)  # leaf collections do not count
    long_line = "deployments:\n  - name: a\n    description: " + "x" * 5_000 + "\n"
    assert not _surely_shallow(long_line)
    assert compose_documents(long_line)  # the exact count lets it through
    levels = MAX_NESTING - 1  # and the mapping `a:` makes MAX_NESTING
    assert compose_documents("a: " + "[" * levels + "]" * levels)
    with pytest.raises(YamlSyntaxError, match="more than 5,000 levels"):
        compose_documents("a: " + "[" * (levels + 1) + "]" * (levels + 1))


def test_size_limit_is_a_finding(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", "max-file-size = 1000\n")
    write(tmp_path, "prefect.yaml", "deployments: []\n" + "# padding\n" * 200)
    result = cli("check", "--output-format", "json", "--no-cache")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)
    assert finding["code"] == "Y000"
    assert "more than the limit of 1,000" in finding["message"]


def test_broken_symlink(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").symlink_to(tmp_path / "gone.yaml")
    result = cli("check", "prefect.yaml", "--output-format", "json", "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("prefect-lint: prefect.yaml: cannot read the file: it is a "
                                     "symbolic link to a file that does not exist")
    assert json.loads(result.stdout) == []


def test_paths_with_spaces_and_non_ascii(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "équipe données/flows x/prefect.yaml",
          "deployments:\n  - name: é\n  - name: é\n")
    result = cli("check", "--output-format", "json", "--no-cache", "--select", "D001")
    (finding,) = json.loads(result.output)
    assert finding["filename"] == os.path.join("équipe données", "flows x", "prefect.yaml")
    assert finding["code"] == "D001"


def test_nul_byte_and_utf16(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "prefect.yaml").write_bytes(b"deployments: []\n\x00\n")
    assert codes_of(cli("check", "--output-format", "json", "--no-cache").output) == ["Y001"]
    (tmp_path / "prefect.yaml").write_bytes(b"\xff\xfe" + "deployments: []\n".encode(
        "utf-16-le"))
    assert cli("check", "--no-cache").exit_code == 0


def test_alias_bomb_stays_small_and_names_the_anchor() -> None:
    import resource

    lines = ['a0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &lol{level} [" + ",".join([f"*lol{level - 1}"] * 10) + "]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found = lint("\n".join(lines) + "\n", dedent=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (bomb,) = [d for d in found if d.code == "Y006"]
    assert "&lol" in bomb.message
    assert after - before < 100 * 1024  # KB: a billion nodes were never built


def test_flow_file_that_is_binary_or_imports_nothing_real(tmp_path: Path) -> None:
    from linter.project.config import ConfigResolver
    from linter.run.runner import Runner

    write(tmp_path, "flows/bin.py", "")
    (tmp_path / "flows" / "bin.py").write_bytes(b"\x00\x01\x02" * 1000)
    write(tmp_path, "flows/imports.py",
          "import does_not_exist\nfrom prefect import flow\n\n\n@flow\ndef f() -> None:\n"
          "    does_not_exist.boom()\n")
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n    entrypoint: flows/bin.py:f\n"
          "  - name: b\n    entrypoint: flows/imports.py:f\n")
    result = Runner(ConfigResolver(cwd=tmp_path)).lint_path(tmp_path / "prefect.yaml")
    assert result is not None
    by_row = {d.start.row: d.code for d in result.diagnostics if d.code.startswith("D")}
    assert by_row.get(3) == "D004"  # not Python source
    assert 5 not in by_row  # never imported, so the missing module does not matter


# -- inputs that are not regular files, or never end --------------------------------------------
#
# These run the real command in a subprocess with a timeout: a regression hangs, and the timeout
# turns the hang into a failure.

TIMEOUT = 30


class Done(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_cli(cwd: Path, *args: str, stdin: Any = subprocess.DEVNULL,
            input_bytes: bytes | None = None, shell_redirect: str = "",
            extra_env: dict[str, str] | None = None) -> Done:
    """``python -m linter ARGS`` in ``cwd``; ``shell_redirect`` (``>&-``) goes through sh."""
    env = {**os.environ, "NO_COLOR": "1", "PREFECT_LINT_NO_CACHE": "1"}
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra_env or {})
    command = [sys.executable, "-m", "linter", *args]
    if shell_redirect:
        quoted = " ".join(shlex.quote(part) for part in command)
        command = ["sh", "-c", f"exec {quoted} {shell_redirect}"]
    if input_bytes is not None:
        stdin = None
    done = subprocess.run(command, cwd=cwd, stdin=stdin, input=input_bytes, capture_output=True,
                          timeout=TIMEOUT, env={**env, "PYTHONPATH": str(REPO)})
    return Done(done.returncode, done.stdout.decode("utf-8", "replace"),
                done.stderr.decode("utf-8", "replace"))


def one_line_error(done: Done) -> str:
    """The single line on standard error of a run that failed with exit 2 (no traceback)."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    return line


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@needs_fifo
def test_fifo_in_a_folder_is_reported_and_the_rest_checked(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "deployment.yaml")
    os.mkfifo(tmp_path / "team-deployment.yaml")  # sniffed by content in a walk
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    done = run_cli(tmp_path, "check", "--output-format", "json")
    found = {(d["filename"], d["code"]): d["message"] for d in json.loads(done.stdout)}
    assert "not a regular file" in found[("deployment.yaml", "Y000")]
    assert "not a regular file" in found[("team-deployment.yaml", "Y000")]
    assert ("prefect.yaml", "D001") in found


@needs_fifo
def test_fifo_config_template_and_snapshot_are_one_line_errors(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n    work_pool:\n      name: p\n")
    assert "not a regular file" in one_line_error(
        run_cli(tmp_path, "check", "--config", "fifo"))
    assert "not a regular file" in one_line_error(
        run_cli(tmp_path, "check", "--config", "/dev/zero"))
    write(tmp_path, "prefect-lint.toml", '[pools]\np = { template = "fifo" }\n')
    assert "not a regular file" in one_line_error(run_cli(tmp_path, "check"))
    write(tmp_path, "prefect-lint.toml", '[pools]\np = { template = "/dev/zero" }\n')
    assert "not a regular file" in one_line_error(run_cli(tmp_path, "check"))
    (tmp_path / "prefect-lint.toml").unlink()
    snapshots = tmp_path / ".prefect-lint" / "pools"
    snapshots.mkdir(parents=True)
    (snapshots / "p.json").symlink_to("/dev/zero")
    assert "cannot read the pool snapshot" in one_line_error(run_cli(tmp_path, "check"))
    (snapshots / "p.json").unlink()
    os.mkfifo(snapshots / "p.json")
    assert "cannot read the pool snapshot" in one_line_error(run_cli(tmp_path, "check"))


@needs_fifo
def test_migrate_from_or_into_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "deployment.yaml")
    assert "not a regular file" in one_line_error(
        run_cli(tmp_path, "migrate", "deployment.yaml", "--dry-run"))
    (tmp_path / "deployment.yaml").unlink()
    write(tmp_path, "deployment.yaml", "name: x\nflow_name: f\nentrypoint: a.py:f\n")
    os.mkfifo(tmp_path / "prefect.yaml")
    assert "not a regular file" in one_line_error(
        run_cli(tmp_path, "migrate", "deployment.yaml"))


def test_endless_standard_input_stops_at_the_size_limit(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zeros:
        done = run_cli(tmp_path, "check", "--output-format", "json", "-", stdin=zeros)
    (finding,) = json.loads(done.stdout)
    assert finding["code"] == "Y000"
    assert "standard input is more than the limit of 10,485,760 bytes" in finding["message"]


def test_configuration_limit_applies_to_standard_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", "max-file-size = 100\n")
    result = cli("check", "--output-format", "json", "-", input="deployments: []\n" * 10)
    (finding,) = json.loads(result.output)
    assert "more than the limit of 100 bytes" in finding["message"]


def test_closed_standard_input(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "check", "-", shell_redirect="<&-")
    assert "standard input is closed" in one_line_error(done)


def test_invalid_utf8_on_standard_input_is_a_finding(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "check", "--output-format", "json", "--stdin-filename", "x.yaml",
                   input_bytes=b"deployments: [\xc3\x28]\n")
    (finding,) = json.loads(done.stdout)
    assert (finding["filename"], finding["code"]) == ("x.yaml", "Y000")
    assert "not valid UTF-8 text: byte 0xc3 at offset 14" in finding["message"]
    fixing = run_cli(tmp_path, "check", "--fix", "--stdin-filename", "x.yaml",
                     input_bytes=b"\xff\xfe\x00\xd8")  # a lone UTF-16 surrogate
    assert "not valid UTF-16-LE text" in one_line_error(fixing)
    assert fixing.stdout == ""  # an editor must not take an empty buffer back


# -- one line and exit 2 (or a finding), never a traceback ------------------------------------


def test_symlink_loop_and_overlong_name_are_one_line_and_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    long_folder = "a" * 300
    result = cli("check", "--output-format", "json", "--select", "D001", "loop.yaml",
                 f"{long_folder}/prefect.yaml", long_folder, "prefect.yaml")
    errors = result.stderr.splitlines()
    assert errors[0] == ("prefect-lint: loop.yaml: cannot read the file: too many levels of "
                         "symbolic links (a link loop?)")
    assert all("too long" in line for line in errors[1:3]) and len(errors) == 3
    # the other files are still checked and reported
    assert [d["code"] for d in json.loads(result.stdout)] == ["D001"]
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.prefect-lint]\nselect = ['D']\n# caf\xe9\n".encode("latin-1"),
         "not UTF-8 text (byte 0xe9 at offset 40)"),
        ("[tool.prefect-lint]\nselect = ['D']\n".encode("utf-16"), "not UTF-8 text"),
        (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
    ],
    ids=["latin-1", "utf-16", "deep"],
)
def test_unreadable_pyproject_is_one_line(
    cli, tmp_path: Path, content: bytes, message: str  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    write(tmp_path, "prefect.yaml", "deployments: []\n")
    result = cli("check")
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_huge_max_file_size_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """2**63 - 1 ended in an OverflowError traceback; more than 1 GiB is refused (what is
    read is held in memory), 1 GiB itself is accepted."""
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    write(tmp_path, "prefect-lint.toml", f"max-file-size = {2**63 - 1}\n")
    result = cli("check")
    assert result.exit_code == 2
    assert "`max-file-size` must be at most 1,073,741,824 bytes (1 GiB)" in result.output
    assert len(result.output.strip().splitlines()) == 1
    write(tmp_path, "prefect-lint.toml", f"max-file-size = {2**30}\n")
    result = cli("check", "--output-format", "json", "--select", "D001")
    assert [d["code"] for d in json.loads(result.output)] == ["D001"]


def test_closed_standard_output(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", "deployments: []\n")
    done = run_cli(tmp_path, "check", "prefect.yaml", shell_redirect=">&-")
    assert "standard output is closed" in one_line_error(done)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_report_to_a_full_device(tmp_path: Path) -> None:
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    done = run_cli(tmp_path, "check", "prefect.yaml", "-o", "/dev/full")
    assert "cannot write the report to /dev/full: No space left on device" in one_line_error(done)
    done = run_cli(tmp_path, "check", "prefect.yaml", shell_redirect=">/dev/full")
    assert "cannot write the report: No space left on device" in one_line_error(done)


def test_a_report_that_cannot_be_written_leaves_the_old_one(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    import errno

    import linter.report

    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    write(tmp_path, "report.txt", "the previous report\n")
    (tmp_path / "report.txt").chmod(0o640)
    real_renderer = linter.report.renderer

    def failing_renderer(name: str) -> Any:
        def render(report: Any, stream: Any) -> None:
            real_renderer(name)(report, stream)
            raise OSError(errno.ENOSPC, "No space left on device")

        return render

    monkeypatch.setattr(linter.report, "renderer", failing_renderer)
    result = cli("check", "prefect.yaml", "-o", "report.txt")
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert (tmp_path / "report.txt").read_text() == "the previous report\n"
    monkeypatch.setattr(linter.report, "renderer", real_renderer)
    assert cli("check", "prefect.yaml", "-o", "report.txt").exit_code == 1
    assert "D001" in (tmp_path / "report.txt").read_text()
    assert (tmp_path / "report.txt").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_a_large_file_without_aliases_is_no_alias_bomb() -> None:
    """A 9 MB file with no alias was reported as an alias bomb (its size passed the bound) and
    its 93,000 real findings were hidden: only nodes reached through aliases count."""
    from linter.source.parse import compose_documents
    from linter.source.view import build_plain_view

    plain = "deployments:\n" + "".join(f"  - {{name: d{i}, tags: [a, b]}}\n" for i in range(500))
    (root,) = compose_documents(plain)
    view = build_plain_view(root, plain, 100)  # 2,500 nodes, none through an alias
    assert view.fatal is None
    assert len(view.data["deployments"]) == 500

    aliased = "base: &base {a: 1, b: 2, c: 3, d: 4}\nuses: [" + ", ".join(["*base"] * 30) + "]\n"
    (root,) = compose_documents(aliased)
    # the list reaches its mapping 30 times: 29 x 9 nodes more than the document's own
    assert build_plain_view(root, aliased, 300).fatal is None
    view = build_plain_view(root, aliased, 200)
    assert view.fatal is not None and "beyond the document's own" in view.fatal


@pytest.mark.parametrize("selection", ["", ",", " , "])
def test_an_empty_selection_is_refused(cli, tmp_path: Path, selection: str) -> None:  # type: ignore[no-untyped-def]
    """`--select ""` ran no rule and printed "All checks passed!"."""
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    result = cli("check", "--select", selection, "prefect.yaml")
    assert result.exit_code == 2
    assert "--select names no rule" in result.output
    assert "All checks passed" not in result.output


@needs_fifo
def test_fifo_pyproject_flow_file_step_module_and_gitignore(tmp_path: Path) -> None:
    """A FIFO is never opened for reading, wherever it is met: a discovered configuration
    (an error naming it, not silently passed over), an entrypoint's flow file, a custom step's
    module, a .gitignore."""
    write(tmp_path, "prefect.yaml", "build:\n  - steps.build_it: {}\ndeployments:\n"
          "  - name: a\n    entrypoint: flows/f.py:f\n    work_pool: {name: p}\n")
    (tmp_path / "flows").mkdir()
    for name in ("flows/f.py", "steps.py", ".gitignore"):
        os.mkfifo(tmp_path / name)
    done = run_cli(tmp_path, "check", "--output-format", "json")
    assert done.returncode == 1, done.stderr
    assert {d["code"] for d in json.loads(done.stdout)} <= {"D003", "D004"}
    os.mkfifo(tmp_path / "pyproject.toml")
    assert "pyproject.toml: cannot read the configuration: it is not a regular file" in (
        one_line_error(run_cli(tmp_path, "check")))


def test_report_to_a_file_with_standard_output_closed_under_github_actions(
        tmp_path: Path) -> None:
    """Under GitHub Actions the annotations go to standard output besides the -o report; with
    standard output closed they are left out instead of ending in a traceback."""
    write(tmp_path, "prefect.yaml", "deployments:\n  - name: a\n  - name: a\n")
    done = run_cli(tmp_path, "check", "prefect.yaml", "-o", "report.txt",
                   shell_redirect=">&-", extra_env={"GITHUB_ACTIONS": "true"})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "D001" in (tmp_path / "report.txt").read_text()


def test_reader_limit_is_exact_for_files_and_streams(tmp_path: Path) -> None:
    from linter.reading import InputError, read_limited, read_regular_file

    (tmp_path / "f").write_bytes(b"x" * 1000)
    assert read_regular_file(tmp_path / "f", 1000) == b"x" * 1000
    with pytest.raises(InputError, match="1,000 bytes, more than the limit of 999"):
        read_regular_file(tmp_path / "f", 999)
    assert read_limited(io.BytesIO(b"y" * 5000), 5000, first_read=7) == b"y" * 5000
    with pytest.raises(InputError, match="more than the limit of 4,999 bytes"):
        read_limited(io.BytesIO(b"y" * 5000), 4999)
    with pytest.raises(InputError, match="it is a directory"):
        read_regular_file(tmp_path)
