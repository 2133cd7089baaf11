"""Plugins: rules from installed packages (entry point group ``prefect_lint.plugins``),
loaded only when named in ``plugins``; a broken plugin is one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import write

ROOT = Path(__file__).resolve().parents[2]

PLUGIN = '''
from linter.api import Finding, Severity, deployments, item_span, rule

@rule("{code}", "has-owner", Severity.WARNING, "Deployments name an owner")
def has_owner(context):
    """Every deployment has an `owner` parameter."""
    for index, deployment in deployments(context):
        if "owner" not in (deployment.get("parameters") or {{}}):
            yield Finding(item_span(context, ("deployments", index)), "no owner parameter")
'''

PREFECT = """\
deployments:
  - name: a
    entrypoint: flows.py:main
    parameters: {owner: ana}
  - name: b
    entrypoint: flows.py:main
"""


def _install(site: Path, name: str, module: str, source: str) -> None:
    """A package as pip leaves it: the module and a dist-info with its entry point."""
    write(site, f"{module}.py", source)
    info = site / f"{module}-0.1.dist-info"
    write(info, "METADATA", f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    write(info, "entry_points.txt", f"[prefect_lint.plugins]\n{name} = {module}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def _check(cli, tmp_path: Path, plugins: str):  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", f"plugins = {plugins}\n")
    write(tmp_path, "prefect.yaml", PREFECT)
    return cli("check", "--no-cache", "--output-format", "json", "prefect.yaml")


def test_a_named_plugin_fires_and_is_listed(cli, tmp_path: Path, site: Path) -> None:  # type: ignore[no-untyped-def]
    _install(site, "owners", "plugin_owners", PLUGIN.format(code="OWN001"))
    result = _check(cli, tmp_path, '["owners"]')
    assert result.exit_code == 1
    found = [(d["code"], d["location"]["row"]) for d in json.loads(result.stdout)
             if d["code"] == "OWN001"]
    assert found == [("OWN001", 5)]  # deployment b's `- name:` line; a has an owner
    listed = cli("rules", "--policy", "--output-format", "json")
    (entry,) = json.loads(listed.stdout)
    assert entry["code"] == "OWN001" and entry["origin"] == "plugin owners"
    assert "Every deployment has an `owner` parameter" in cli("rule", "OWN001").output


def test_an_installed_plugin_not_named_is_not_loaded(cli, tmp_path: Path, site: Path) -> None:  # type: ignore[no-untyped-def]
    _install(site, "unnamed", "plugin_unnamed", "raise RuntimeError('imported')\n")
    write(tmp_path, "prefect.yaml", PREFECT)
    result = cli("check", "--no-cache", "prefect.yaml")
    assert result.exit_code in (0, 1) and "imported" not in result.output


@pytest.mark.parametrize(("source", "plugins", "expected"), [
    ("raise ImportError('no module named acme_internal')\n", '["crashes"]',
     "plugin 'crashes' (plugin_crashes) failed to load: ImportError: no module named "
     "acme_internal"),
    (PLUGIN.format(code="X001"), '["badcode"]', "plugin 'badcode': rule code 'X001' must be"),
    ("x = 1\n", '["empty"]', "plugin 'empty' (plugin_empty) registers no rule"),
    ("", '["missing"]', "plugin 'missing' is not installed"),
])
def test_a_broken_plugin_is_one_line_and_exit_2(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, site: Path, source: str, plugins: str, expected: str) -> None:
    name = json.loads(plugins)[0]
    if name != "missing":
        _install(site, name, f"plugin_{name}", source)
    result = _check(cli, tmp_path, plugins)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert expected in line and "prefect-lint.toml" in line


def test_a_plugin_code_clashing_with_a_policy_code_is_refused(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, site: Path) -> None:
    _install(site, "clash", "plugin_clash", PLUGIN.format(code="CLA001"))
    write(tmp_path, "org.yaml", "rules:\n  CLA001:\n    given: $\n"
                                "    then: {field: name, function: defined}\n")
    write(tmp_path, "prefect-lint.toml", 'plugins = ["clash"]\npolicy-files = ["org.yaml"]\n')
    write(tmp_path, "prefect.yaml", PREFECT)
    result = cli("check", "--no-cache", "prefect.yaml")
    assert result.exit_code == 2
    assert "rule CLA001: clashes with CLA001 defined in" in result.output


@pytest.mark.slow
def test_the_example_plugin_installed_into_a_venv(tmp_path: Path) -> None:
    """examples/plugin installed with pip into a venv that sees this prefect-lint."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], check=True, capture_output=True,
                             text=True).stdout.strip()
    import sysconfig

    ours = sysconfig.get_paths()["purelib"]  # prefect-lint and its dependencies
    Path(purelib, "prefect_lint_under_test.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    str(ROOT / "examples" / "plugin")], check=True, timeout=600)
    project = tmp_path / "project"
    write(project, "prefect-lint.toml", 'plugins = ["acme"]\n')
    write(project, "prefect.yaml", textwrap.dedent("""\
        deployments:
          - name: etl
            entrypoint: flows.py:main
            tags: [prod]
            work_pool: {name: shared}
          - name: report
            entrypoint: flows.py:main
            tags: [prod]
            work_pool: {name: etl-prod}
        """))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), "-m", "linter", *args], cwd=project,
                              capture_output=True, text=True, timeout=120)

    listed = run("rules", "--policy")
    assert "ACME001" in listed.stdout and "plugin acme" in listed.stdout
    checked = run("check", "--no-cache", "--select", "ACME", "--output-format", "concise",
                  "prefect.yaml")
    assert checked.returncode == 1, checked.stderr
    assert "prefect.yaml:5:" in checked.stdout and "ACME001" in checked.stdout
    assert "prefect.yaml:9:" not in checked.stdout
