"""Properties of the L fixes (hypothesis), and what survives `check --fix` on disk: CRLF line
endings, a BOM, a missing final newline, a symlink."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.core.selection import normalize_selectors
from linter.project.config import ConfigResolver, Overrides, Settings
from linter.run.runner import Runner
from linter.source.document import Document

LEGACY_BLOCKS = {
    "infra": ["    infra_overrides:", "      env.LOG_LEVEL: DEBUG", "      image: acme/etl:1"],
    "infra_flow": ["    infra_overrides: {cpu: 2}"],
    "schedule": ["    schedule:", '      cron: "0 3 * * *"', "      timezone: UTC"],
    "schedule_flow": ["    schedule: {interval: 600}"],
    "schedule_null": ["    schedule: null"],
    "active": ["    is_schedule_active: true"],
    "pool_name": ["    work_pool_name: k8s"],
    "queue_name": ["    work_queue_name: critical"],
    "manifest": ["    manifest_path: null"],
    "pull": ["    pull:", "      - prefect.projects.steps.git_clone_project:",
             "          repository: https://x/y.git"],
}

deployment_strategy = st.tuples(
    st.lists(st.sampled_from(sorted(LEGACY_BLOCKS)), unique=True, max_size=5),
    st.booleans(),  # has a work_pool block
)


def _build(deployments: list[tuple[list[str], bool]], newline: str, final: bool) -> str:
    lines = ["# top comment  # keep-top", "deployments:"]
    for index, (blocks, has_pool) in enumerate(deployments):
        lines.append(f"  - name: d{index}  # keep-{index}-name")
        lines.append(f"    entrypoint: flows/f.py:f  # keep-{index}-entry")
        for block in blocks:
            lines.extend(LEGACY_BLOCKS[block])
        if has_pool:
            lines.extend(["    work_pool:", f"      name: pool{index}  # keep-{index}-pool"])
    text = newline.join(lines)
    return text + newline if final else text


def _fix(text: str) -> tuple[str, list[str], list[str]]:
    """Fixed text, codes of the applied fixes, codes of what remains (L rules only)."""
    overrides = Overrides(select=tuple(normalize_selectors(["L"], "test")))
    runner = Runner(ConfigResolver(overrides, cwd=Path("/")), fix=True, unsafe=False)
    result = runner.lint_text(text, "prefect.yaml", None,
                              overrides.apply(Settings(root=Path("/"))))
    fixed = result.fixed_text if result.fixed_text is not None else text
    return fixed, [d.code for d in result.applied], [d.code for d in result.diagnostics
                                                      if d.fix is not None and d.fix.is_safe]


@settings(max_examples=60, deadline=None)
@given(st.lists(deployment_strategy, min_size=1, max_size=3), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_l_fix_properties(deployments: list[tuple[list[str], bool]], newline: str,
                          final: bool) -> None:
    text = _build(deployments, newline, final)
    fixed, applied, remaining_fixable = _fix(text)
    # fixing twice equals fixing once
    assert _fix(fixed)[0] == fixed
    # the fixed file re-lints with nothing left that a safe fix would change
    assert remaining_fixable == []
    assert Document.from_text(fixed, "prefect.yaml").parse_error is None
    # the lines no fix is about survive byte for byte, line ending included
    for line in text.splitlines(keepends=True):
        if "# keep-" in line and line.endswith(("\n", "\r")):
            # (the last line of a file without a final newline gives up its line break)
            assert line in fixed or (not final and fixed.endswith(line.rstrip("\r\n")))
    if newline == "\r\n":
        assert "\n" not in fixed.replace("\r\n", "")
    assert fixed.endswith(newline) == final
    if not any(blocks for blocks, _ in deployments):
        assert applied == [] and fixed == text


def test_check_fix_keeps_bom_crlf_missing_final_newline_and_symlink(
    cli, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    body = ("deployments:\r\n  - name: a  # keep\r\n    infra_overrides:\r\n"
            "      env.A: \"1\"\r\n    schedule: {cron: '0 3 * * *'}")
    real = tmp_path / "real" / "prefect.yaml"
    real.parent.mkdir()
    real.write_bytes(b"\xef\xbb\xbf" + body.encode())
    os.chmod(real, 0o640)
    link = tmp_path / "prefect.yaml"
    link.symlink_to(real)
    result = cli("check", "--fix", "--unsafe-fixes", "--select", "L", "prefect.yaml")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    after = real.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert (real.stat().st_mode & 0o777) == 0o640
    assert after.decode("utf-8-sig") == (
        "deployments:\r\n  - name: a  # keep\r\n    work_pool:\r\n      job_variables:\r\n"
        "        env:\r\n          A: \"1\"\r\n    schedules: [{cron: '0 3 * * *'}]")
