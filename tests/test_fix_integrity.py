"""`--fix` writes only what it means to: it keeps the file's owner, group, mode and extended
attributes, never overwrites an edit saved meanwhile, and reports only what it wrote."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import write

STALE = "deployments: []  # prefect-lint: disable=D001\n"
OTHER_UID, OTHER_GID = 4321, 4322


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file another owner")
def test_fix_keeps_owner_group_and_mode(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    os.chown(path, OTHER_UID, OTHER_GID)
    os.chmod(path, 0o640)
    result = cli("check", "--fix")
    assert result.exit_code == 0, result.output
    assert path.read_text() == "deployments: []\n"
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (OTHER_UID, OTHER_GID)
    assert stat.S_IMODE(info.st_mode) == 0o640


def test_fix_keeps_extended_attributes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    try:
        os.setxattr(path, "user.origin", b"deploy-bot")
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.EPERM):
            pytest.skip(f"this file system takes no user attributes: {error.strerror}")
        raise
    assert cli("check", "--fix").exit_code == 0
    assert path.read_text() == "deployments: []\n"
    assert os.getxattr(path, "user.origin") == b"deploy-bot"


def test_fix_of_hard_linked_file_says_the_other_link_keeps_old_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    other = tmp_path / "elsewhere.txt"
    os.link(path, other)
    result = cli("check", "--fix")
    assert result.exit_code == 0
    assert path.read_text() == "deployments: []\n"
    assert other.read_text() == STALE
    assert "1 other hard link(s)" in result.output


def _json_run(cli) -> tuple[int, list[dict[str, object]], str]:  # type: ignore[no-untyped-def]
    result = cli("check", "--fix", "--output-format", "json")
    start = result.output.index("[")
    return result.exit_code, json.loads(result.output[start:]), result.output[:start]


def test_read_only_file_reports_the_findings_still_in_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "prefect.yaml", STALE)
    os.chmod(path, 0o444)
    code, findings, messages = _json_run(cli)
    assert code == 2
    assert [f["code"] for f in findings] == ["M001"]
    assert "read-only" in messages
    assert path.read_text() == STALE


def test_read_only_folder_reports_the_findings_still_in_it(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "prefect.yaml", STALE)
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        # what a read-only folder answers (root ignores folder modes, so it is simulated)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, findings, messages = _json_run(cli)
    assert code == 2
    assert "Permission denied" in messages
    assert [f["code"] for f in findings] == ["M001"]
    assert path.read_text() == STALE


def test_full_disk_reports_the_findings_and_no_fix(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "prefect.yaml", STALE)

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = cli("check", "--fix")
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert "Fixed" not in result.output
    assert "M001" in result.output
    assert path.read_text() == STALE
    assert [p.name for p in tmp_path.iterdir()] == ["prefect.yaml"]  # no temp file left


def test_edit_saved_during_fix_is_kept(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "prefect.yaml", STALE)
    edited = "deployments: []  # prefect-lint: disable=D001\n# saved by the editor\n"
    import linter.run.runner
    real = linter.run.runner.fix_until_stable

    def fix_while_editing(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(edited)  # the user saves while the fix is computed
        return outcome

    monkeypatch.setattr(linter.run.runner, "fix_until_stable", fix_while_editing)
    result = cli("check", "--fix", "-j", "1")
    assert result.exit_code == 2
    assert "changed while it was being fixed" in result.output
    assert "Fixed" not in result.output
    assert path.read_text() == edited
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_attributes_the_new_file_inherited_are_not_kept(tmp_path: Path) -> None:
    """A folder's default ACL lands on the temp file: the result has only the original's."""
    from linter.core.fixer import _copy_xattrs

    original = write(tmp_path, "prefect.yaml", STALE)
    temp = write(tmp_path, ".prefect.yaml.tmp", "new")
    try:
        os.setxattr(temp, "user.inherited", b"1")
        os.setxattr(original, "user.kept", b"2")
    except OSError as error:
        pytest.skip(f"this file system takes no user attributes: {error.strerror}")
    handle = os.open(temp, os.O_RDWR)
    try:
        _copy_xattrs(handle, original)
    finally:
        os.close(handle)
    assert os.listxattr(temp) == ["user.kept"]
