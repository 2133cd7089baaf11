"""Fixes never turn a file Prefect 3.9.1 deploys into one it rejects (slow: real Prefect).

Every prefect.yaml of ../shared/corpus and every hand-written case is fixed with all fixes,
safe and unsafe; Prefect's own loader (prefect_oracle.py) judges the file before and after.
A file Prefect loads and replays without an error must still load and replay without one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.registry import all_rules
from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from tests.conformance.test_conformance import CASES, ask_prefect
from tests.conftest import CORPUS

DEPLOYS = ("accept", "drops_key")


def deploys(answer: dict[str, object]) -> bool:
    return answer["verdict"] in DEPLOYS and not answer.get("deploy_errors")


def fixed_text(path: Path) -> str | None:
    settings = Settings(root=path.parent, select=tuple(rule.code for rule in all_rules()))
    runner = Runner(ConfigResolver(cwd=path.parent), fix=True, unsafe=True)
    result = runner.lint_text(path.read_text(encoding="utf-8"), path.name, path, settings)
    return result.fixed_text if result is not None else None


@pytest.mark.slow
def test_fixes_keep_deployable_files_deployable(prefect_python: Path, tmp_path: Path) -> None:
    originals = sorted(CASES.glob("*.yaml"))
    if CORPUS.is_dir():
        originals += sorted((CORPUS / "prefect_yaml").iterdir())
    pairs: list[tuple[Path, Path]] = []
    for index, original in enumerate(originals):
        text = fixed_text(original)
        if text is None:
            continue
        fixed = tmp_path / f"{index:03}-{original.name}"
        fixed.write_text(text, encoding="utf-8")
        pairs.append((original, fixed))
    assert len(pairs) >= 10, "too few files with fixes to say anything"
    before = ask_prefect(prefect_python, [original for original, _ in pairs], tmp_path)
    after = ask_prefect(prefect_python, [fixed for _, fixed in pairs], tmp_path)
    broken = [f"{original.name}: {after[fixed]['verdict']} "
              f"{after[fixed].get('errors') or after[fixed].get('deploy_errors')}"
              for original, fixed in pairs
              if deploys(before[original]) and not deploys(after[fixed])]
    assert broken == [], f"a fix made Prefect reject a file it deployed: {broken}"
