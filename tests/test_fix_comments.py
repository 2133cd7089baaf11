"""Fixes keep comments: every comment line of a file is still there, word for word, after all
fixes (safe and unsafe) are applied. Suppression comments are the exception (M001 removes
unused ones on purpose)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.core.registry import all_rules
from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from tests.conftest import corpus_params

SETTINGS = Settings(root=Path("/"), select=tuple(rule.code for rule in all_rules()))
RUNNER = Runner(ConfigResolver(cwd=Path("/")), fix=True, unsafe=True)


def comment_lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines()
                   if line.strip().startswith("#") and "prefect-lint:" not in line)


def fix_all(text: str, name: str) -> str:
    result = RUNNER.lint_text(text, name, None, SETTINGS)
    return result.fixed_text if result is not None and result.fixed_text is not None else text


def assert_comments_kept(text: str, name: str) -> None:
    fixed = fix_all(text, name)
    lost = comment_lines(text) - comment_lines(fixed)
    assert not lost, f"{name}: the fixes dropped {sorted(lost)}"


#: agent-era blocks whose fixes move or replace them, with comment lines inside
BLOCKS = {
    "infra": ["    infra_overrides:  # the old name", "      # the image", "      image: a:1",
              "", "      # an env", "      env.LOG_LEVEL: DEBUG  # loud"],
    "infra_pool": ["    work_pool:", "      name: k8s", "      infra_overrides:",
                   "        # under the pool", "        cpu: 2"],
    "infra_merge": ["    work_pool:", "      name: k8s", "      job_variables:",
                    "        # set already", "        image: b", "    infra_overrides:",
                    "      # merged", "      cpu: 1", "      # collides", "      image: c"],
    "schedule": ["    schedule:", "      # nightly", '      cron: "0 3 * * *"'],
    "storage": ["    storage:  # code", "      # from GitHub", "      repository: https://x/y",
                "      _block_type_slug: github"],
    "infrastructure": ["    work_pool:", "      name: docker", "    infrastructure:",
                       "      # the container", "      type: docker-container",
                       "      image: acme/etl:1"],
    "pool_keys": ["    # routing", "    work_pool_name: k8s  # the pool",
                  "    # the queue", "    work_queue_name: q"],
    "version": ["    # a number YAML reads as 1.1", "    version: 1.10"],
    "steps": ["    pull:", "      # clone it", "      - prefect.projects.steps.git_clone_project:",
              "          # where from", "          repository: https://x/y.git"],
}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(sorted(BLOCKS)), unique=True, max_size=3),
                min_size=1, max_size=3),
       st.sampled_from(["\n", "\r\n"]))
def test_fixes_keep_every_comment_line(deployments: list[list[str]], newline: str) -> None:
    lines = ["# top", "deployments:"]
    for index, blocks in enumerate(deployments):
        lines += [f"  - name: d{index}", f"    # entry {index}", "    entrypoint: f.py:f"]
        used: set[str] = set()
        for block in blocks:
            body = BLOCKS[block]
            keys = {line.split(":")[0] for line in body if line.startswith("    ") and
                    not line.startswith("     ") and ":" in line}
            if keys & used:  # one key once per deployment
                continue
            used |= keys
            lines += body
    text = newline.join(lines) + newline
    assert_comments_kept(text, "prefect.yaml")


@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: getattr(p, "name", str(p)))
def test_fixes_keep_every_comment_line_of_real_files(path: Path) -> None:
    assert_comments_kept(path.read_text(encoding="utf-8", errors="replace"), path.name)
