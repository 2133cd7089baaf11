"""The policy and plugin rules of one configuration, loaded once per process.

The runner asks for them with each configuration's settings; they are also registered by
code, so that ``prefect-lint rule ORG001``, SARIF and suppression comments know them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from linter.core.registry import Needs, Rule, register_external
from linter.errors import ConfigError
from linter.policy.evaluate import policy_findings
from linter.policy.load import PolicyRule, load_policies
from linter.project.config import Settings

Stamp = tuple[str, int, int]  # a policy file read: its name, modification time and size
_LOADED: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[tuple[Rule, ...], list[Stamp]]] = {}


def configured_rules(settings: Settings) -> tuple[Rule, ...]:
    """The policy and plugin rules ``settings`` name (none when it names none). They are
    read again when a policy file has changed since (the language server lives long)."""
    if not settings.policy_files and not settings.plugins:
        return ()
    key = (settings.policy_files, settings.plugins)
    loaded = _LOADED.get(key)
    if loaded is None or _stamps([stamp[0] for stamp in loaded[1]]) != loaded[1]:
        origin = str(settings.source or "configuration")
        policies, read = load_policies(settings.policy_files, origin)
        rules = tuple(_combined([policy_rule(p) for p in policies],
                                _plugin_rules(settings.plugins, origin)))
        loaded = _LOADED[key] = (rules, _stamps(read))
        register_external(rules)
    return loaded[0]


def _stamps(names: list[str]) -> list[Stamp]:
    import os

    stamps = []
    for name in names:
        try:
            status = os.stat(name)
            stamps.append((name, status.st_mtime_ns, status.st_size))
        except OSError:
            stamps.append((name, -1, -1))  # a pack (not a path) or a file gone since
    return stamps


def _plugin_rules(names: tuple[str, ...], origin: str) -> list[Rule]:
    if not names:
        return []
    from linter.policy.plugins import load_plugins

    return load_plugins(names, origin)


def _combined(policies: list[Rule], plugins: Iterable[Rule]) -> list[Rule]:
    by_code = {rule.code: rule for rule in policies}
    for rule in plugins:
        clash = by_code.get(rule.code)
        if clash is not None:
            raise ConfigError(f"{rule.origin}: rule {rule.code}: clashes with {rule.code} "
                              f"defined in {clash.origin}")
        by_code[rule.code] = rule
    return sorted(by_code.values(), key=lambda rule: rule.code)


def policy_rule(policy: PolicyRule) -> Rule:
    """A policy rule as the engine runs it."""
    return Rule(
        code=policy.code,
        name=_name(policy.description) or policy.code.lower(),
        severity=policy.severity,
        summary=policy.description.rstrip("."),
        docstring=policy_page(policy),
        check=partial(policy_findings, policy),
        kinds=frozenset({"prefect"}),
        needs=Needs.DATA,
        default=policy.default,
        origin=policy.origin,
        digest=policy.digest,
        sensitive=policy.sensitive,
    )


def _name(description: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in description).split()
    return "-".join(words[:6])


def policy_page(policy: PolicyRule) -> str:
    """What ``prefect-lint rule CODE`` prints under the title for a policy rule."""
    lines = [f"Policy rule from `{policy.origin}`.", "", "Checks:", ""]
    view = " (effective view: top-level build, push and pull in each deployment)" if (
        policy.effective) else ""
    lines += [f"- given `{text}`{view}" for text, _ in policy.given]
    for then in policy.then:
        field = f" on `{then.field}`" if then.field else ""
        options = {k: v for k, v in then.options.items() if not k.startswith("_")}
        shown = f" with {options}" if options else ""
        lines.append(f"- then `{then.function}`{field}{shown}")
    lines += ["", f"Message: {policy.message}"]
    return "\n".join(lines)


def pack_rules() -> list[Rule]:
    """The rules of every built-in pack (for their documentation pages)."""
    from linter.policy.load import PACKS_FOLDER

    names = [f"prefect-lint:{path.stem}" for path in sorted(PACKS_FOLDER.glob("*.yaml"))]
    policies, _read = load_policies(names, "prefect-lint")
    return [policy_rule(policy) for policy in policies]
