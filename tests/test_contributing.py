"""CONTRIBUTING.md's layout section is the map of the tree: it must name every module of
``linter/`` and name no module that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _layout_section() -> str:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    start = text.index("## Layout")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_layout_names_every_module_and_only_real_ones() -> None:
    named = set(re.findall(r"`(linter/[\w/]+\.py)`", _layout_section()))
    real = {str(path.relative_to(REPO)) for path in (REPO / "linter").rglob("*.py")
            if path.name != "__init__.py" or path.parent.name == "report"}
    real -= {"linter/__init__.py"}
    assert sorted(named - real) == [], "CONTRIBUTING.md names modules that do not exist"
    assert sorted(real - named) == [], "modules missing from CONTRIBUTING.md's layout"


def test_every_subpackage_says_its_job_and_what_it_may_import() -> None:
    for init in sorted((REPO / "linter").glob("*/__init__.py")):
        if init.parent.name == "schemas":
            continue
        doc = init.read_text(encoding="utf-8")
        assert doc.startswith('"""'), init
        assert "May import" in doc.split('"""')[1], f"{init}: say what the layer may import"
