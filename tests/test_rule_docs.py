"""The rule reference: committed pages equal the generated ones; SARIF embeds each rule's
page; links to a rule's page exist only when a ``docs-url`` base is configured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.core.registry import all_rules, get_rule, rule_url
from linter.core.rule_docs import pages, rule_page
from linter.errors import ConfigError
from linter.project.config import ConfigResolver, settings_from_table
from tests.conftest import REPO, write

DOCS = REPO / "docs" / "rules"

BROKEN = "deployments:\n  - name: a\n    name: b\n    entrypoint: f.py:f\n"


def test_committed_rule_pages_are_the_generated_ones() -> None:
    expected = pages()
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(expected)
    for name, text in expected.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run python scripts/gen_rule_docs.py")


def test_generator_check_mode_agrees() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_rule_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "")


def test_index_links_every_rule_page() -> None:
    index = pages()["README.md"]
    for rule in all_rules():
        assert f"[{rule.code}]({rule.code}.md)" in index


def test_rule_url_needs_a_base() -> None:
    assert rule_url("Y002", None) == ""
    assert rule_url("Y002", "https://example.org/rules/") == "https://example.org/rules/Y002"
    assert rule_url("Y002", "https://h/x/{code}.md") == "https://h/x/Y002.md"


def test_docs_url_must_be_an_http_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="`docs-url` must be an http"):
        settings_from_table({"docs-url": "prefect-lint.dev"}, tmp_path / "prefect-lint.toml")


FORMATS = ["full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit"]


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_rule_link_without_docs_url(cli, tmp_path: Path, output_format: str) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    result = cli("check", "--no-cache", "--output-format", output_format, "prefect.yaml")
    assert "Y002" in result.output
    assert "prefect-lint.dev" not in result.output
    assert "/rules/Y002" not in result.output
    assert "helpUri" not in result.output


@pytest.mark.parametrize("output_format", ["json", "github", "sarif", "junit"])
def test_configured_docs_url_links_findings(cli, tmp_path: Path, output_format: str) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect-lint.toml", 'docs-url = "https://docs.example.org/rules/"\n')
    write(tmp_path, "prefect.yaml", BROKEN)
    result = cli("check", "--no-cache", "--select", "Y002", "--output-format", output_format,
                 "prefect.yaml")
    assert "https://docs.example.org/rules/Y002" in result.output
    if output_format == "sarif":
        (rule,) = json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]
        assert rule["helpUri"] == "https://docs.example.org/rules/Y002"


def test_sarif_embeds_the_whole_rule_page(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "prefect.yaml", BROKEN)
    result = cli("check", "--no-cache", "--select", "Y002", "--output-format", "sarif",
                 "prefect.yaml")
    (rule,) = json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]
    y002 = get_rule("Y002")
    assert y002 is not None
    assert rule["help"] == {"text": rule_page(y002), "markdown": rule_page(y002)}


def test_rule_command_prints_the_page_and_a_link_only_when_configured(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    y002 = get_rule("Y002")
    assert y002 is not None
    assert cli("rule", "Y002").output == rule_page(y002)
    write(tmp_path, "prefect-lint.toml", 'docs-url = "https://d.example/{code}.html"\n')
    assert cli("rule", "Y002").output == rule_page(y002) + "\nhttps://d.example/Y002.html\n"
    listed = json.loads(cli("rules", "--output-format", "json").output)
    assert listed[0]["url"] == f"https://d.example/{listed[0]['code']}.html"


def test_language_server_links_only_with_docs_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pygls")
    from linter.lsp.server import PrefectLintServer
    from linter.run.runner import Runner
    from linter.source.document import LineIndex

    monkeypatch.setattr(PrefectLintServer, "encoding", property(lambda self: "utf-16"))
    server = PrefectLintServer()
    configured = tmp_path / "configured"
    write(configured, "prefect-lint.toml", 'docs-url = "https://docs.example.org/r"\n')
    plain = tmp_path / "plain"
    plain.mkdir()
    for folder, expected in ((configured, "https://docs.example.org/r/Y002"), (plain, None)):
        result = Runner(ConfigResolver(cwd=folder)).lint_text(
            BROKEN, "prefect.yaml", folder / "prefect.yaml")
        lsp = [server.to_lsp(d, LineIndex(BROKEN)) for d in result.diagnostics
               if d.code == "Y002"]
        hrefs = {d.code_description.href if d.code_description else None for d in lsp}
        assert hrefs == {expected}
