"""The bundled step catalogue and placeholder grammar against the real Prefect 3.9.1 and the
docker/aws/gcp/azure collections (slow: builds a venv with them once, then reuses it)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from linter.prefect.templating import find_placeholders
from linter.resources import load_json
from tests.conftest import REPO, prefect_venv

COLLECTIONS = (
    "prefect-docker==0.7.4",
    "prefect-aws==0.7.12",
    "prefect-gcp==0.6.22",
    "prefect-azure[blob-storage]==0.4.13",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def collections_python() -> Path:
    return prefect_venv(COLLECTIONS)


def _run(python: Path, code: str, payload: object) -> object:
    done = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        input=json.dumps(payload), capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


BIND = """
    import importlib, inspect, json, sys
    catalogue = json.load(sys.stdin)
    report = {}
    for fqn, entry in catalogue["steps"].items():
        module, _, name = fqn.rpartition(".")
        function = inspect.unwrap(getattr(importlib.import_module(module), name))
        signature = inspect.signature(function)
        required = {a: "x" for a, spec in entry["arguments"].items() if spec["required"]}
        everything = {a: "x" for a in entry["arguments"]}
        outcome = {}
        for label, kwargs in (("required", required), ("all", everything),
                              ("unknown", {**required, "not_an_argument_of_it": 1})):
            try:
                signature.bind(**kwargs)
                outcome[label] = "ok"
            except TypeError:
                outcome[label] = "TypeError"
        if required:
            try:
                signature.bind(**dict(list(required.items())[1:]))
                outcome["one_missing"] = "ok"
            except TypeError:
                outcome["one_missing"] = "TypeError"
        real = [p.name for p in signature.parameters.values()
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        outcome["real_arguments"] = real
        outcome["var_keyword"] = any(p.kind is p.VAR_KEYWORD
                                     for p in signature.parameters.values())
        report[fqn] = outcome
    print(json.dumps(report))
"""


def test_every_catalogue_entry_binds_like_the_real_function(collections_python: Path) -> None:
    catalogue = load_json("steps.json")
    report = _run(collections_python, BIND, catalogue)
    assert isinstance(report, dict)
    assert set(report) == set(catalogue["steps"])
    for fqn, entry in catalogue["steps"].items():
        outcome = report[fqn]
        assert outcome["real_arguments"] == list(entry["arguments"]), fqn
        assert outcome["var_keyword"] == (entry["var_keyword"] is not None), fqn
        assert outcome["required"] == "ok" and outcome["all"] == "ok", fqn
        # what T002 reports (an unknown argument) is exactly what the real call rejects
        expected_unknown = "ok" if entry["var_keyword"] else "TypeError"
        assert outcome["unknown"] == expected_unknown, fqn
        # what T003 reports (a missing required argument) is rejected too
        if "one_missing" in outcome:
            assert outcome["one_missing"] == "TypeError", fqn


def test_regenerated_catalogue_equals_the_shipped_one(
    collections_python: Path, tmp_path: Path
) -> None:
    out = tmp_path / "steps.json"
    done = subprocess.run(
        [str(collections_python), str(REPO / "scripts" / "dump_step_catalogue.py"),
         "--python", str(collections_python), "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(out.read_text()) == load_json("steps.json")


GRAMMAR = """
    import json, sys
    from prefect.utilities.templating import find_placeholders
    values = json.load(sys.stdin)
    print(json.dumps([sorted([p.name, p.type.value] for p in find_placeholders(v))
                      for v in values]))
"""

SAMPLES = [
    "{{ build-image.image }}", "{{build_image.tag}}", "a {{ x }} b {{ $HOME }}",
    "{{ a.b[0].c }}", "{{ a b }}", "{{ x | upper }}", "{{ 'lit' }}", "{{}}",
    "{{ prefect.blocks.secret.tok }}-{{ prefect.variables.v }}", "{{.Names}}",
    "{{ json .Config }}", "${{ secrets.TOKEN }}", "{{\n  a }}", "{{ {{ a }} }}",
    "{{ ctx.flow_run.name }}", "{{ a-b.c_d[1] }}{{ a-b.c_d[1] }}", "plain",
]


def test_placeholder_grammar_matches_prefect(prefect_python: Path) -> None:
    theirs = _run(prefect_python, GRAMMAR, SAMPLES)
    ours = [sorted([p.name, p.kind.value] for p in {(p.name, p.kind): p for p in
                                                    find_placeholders(v)}.values())
            for v in SAMPLES]
    assert ours == theirs
