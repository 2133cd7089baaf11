"""``prefect-lint rule CODE`` and ``prefect-lint rules``: the built-in rules, and the policy
and plugin rules of the configuration that applies to the current folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from linter.cli.check import EXIT_ERROR, echo_error


@click.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Explain one rule: what it checks, why, an example, and its fix."""
    import linter.rules  # noqa: F401  (registers every rule)
    from linter.core.registry import get_rule, rule_url
    from linter.core.rule_docs import rule_page

    settings = _current_settings()
    _configured_rules(settings)
    found = get_rule(code) or _pack_rule(code)
    if found is None:
        echo_error(f"no rule {code.upper()} (see `prefect-lint rules`)")
        sys.exit(EXIT_ERROR)
    click.echo(rule_page(found), nl=False)
    url = rule_url(found.code, settings.docs_url if settings else None)
    if url:
        click.echo(f"\n{url}")


def _pack_rule(code: str) -> Any:
    """A rule of a built-in policy pack, documented even where no configuration uses it."""
    from linter.core.codes import EXTERNAL_CODE
    from linter.policy.provider import pack_rules

    if not EXTERNAL_CODE.match(code.upper()):
        return None
    return next((rule for rule in pack_rules() if rule.code == code.upper()), None)


def _current_settings() -> Any:
    """The configuration that applies to the current folder (None when it is broken: the
    rule pages of built-in rules are still shown)."""
    from linter.errors import ConfigError
    from linter.project.config import ConfigResolver

    try:
        return ConfigResolver().for_path(Path.cwd())
    except ConfigError:
        return None


def _configured_rules(settings: Any) -> list[Any]:
    """The policy and plugin rules of the current folder's configuration; a broken policy
    or plugin is one line and exit 2."""
    if settings is None or not (settings.policy_files or settings.plugins):
        return []
    from linter.errors import ConfigError
    from linter.policy.provider import configured_rules

    try:
        return list(configured_rules(settings))
    except ConfigError as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)


@click.command(name="rules")
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
@click.option("--policy", "policy_only", is_flag=True,
              help="List only the policy and plugin rules, with where each comes from.")
def rules_command(output_format: str, policy_only: bool) -> None:
    """List every rule: built-in, and the policy and plugin rules configured here."""
    import json

    import linter.rules  # noqa: F401  (registers every rule)
    from linter.core.registry import all_rules, rule_url

    settings = _current_settings()
    external = _configured_rules(settings)
    rules = external if policy_only else [*all_rules(), *external]
    docs_url = settings.docs_url if settings else None
    if output_format == "json":
        click.echo(json.dumps([
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "fix": r.fix.value if r.fix else None,
                "default": r.default,
                "url": rule_url(r.code, docs_url) or None,
                "origin": r.origin or "built-in",
            }
            for r in rules
        ], indent=2))
        return
    if not rules:
        click.echo("no policy or plugin rules are configured here (`policy-files`, `plugins`)")
        return
    width = max(len(r.name) for r in rules)
    code_width = max(5, *(len(r.code) for r in rules))
    origin = " (origin)" if policy_only else ""
    click.echo(f"{'code':<{code_width}} {'name':<{width}} {'severity':<8} fix     summary{origin}")
    for r in rules:
        fix = r.fix.value if r.fix else "-"
        where = f"  ({_shown_origin(r.origin)})" if policy_only else ""
        click.echo(f"{r.code:<{code_width}} {r.name:<{width}} {r.severity.value:<8} {fix:<7} "
                   f"{r.summary}{where}")


def _shown_origin(origin: str) -> str:
    """A policy file as the user would write it: relative to the current folder when inside
    it (packs and plugins as they are)."""
    if not os.path.isabs(origin):
        return origin
    relative = os.path.relpath(origin)
    return origin if relative.startswith("..") else relative
