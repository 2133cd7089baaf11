"""A rule's reference page, in Markdown: shown by ``prefect-lint rule CODE``, embedded in
SARIF (``help.markdown``) and committed under ``docs/rules/`` (``scripts/gen_rule_docs.py``
writes those pages; a test checks they are current)."""

from __future__ import annotations

from linter.core.registry import Rule, all_rules

FIX_WORDS = {None: "no automatic fix", "safe": "safe fix", "unsafe": "unsafe fix"}
KIND_WORDS = {
    "prefect": "prefect.yaml files",
    "legacy": "Prefect 2 deployment.yaml files",
    "script": "scripts, Dockerfiles and CI files",
}


def facts(rule: Rule) -> str:
    """One line: severity, fix, default selection, and the files the rule checks."""
    fix = FIX_WORDS[rule.fix.value if rule.fix else None]
    default = "On by default." if rule.default else "Opt-in (select it to enable)."
    kinds = ", ".join(KIND_WORDS.get(kind, kind) for kind in sorted(rule.kinds))
    return f"Severity: {rule.severity.value}. Fix: {fix}. {default} Checks: {kinds}."


def rule_page(rule: Rule) -> str:
    return f"# {rule.code} {rule.name}\n\n{rule.summary}.\n\n{facts(rule)}\n\n{rule.doc}\n"


def index_page(rules: list[Rule]) -> str:
    lines = [
        "# Rules",
        "",
        "Every rule of prefect-lint, one page each. Generated from the rule registry by",
        "`python scripts/gen_rule_docs.py`; do not edit by hand.",
        "",
        "| code | name | severity | fix | summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        fix = rule.fix.value if rule.fix else "-"
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity.value} "
                     f"| {fix} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name under ``docs/rules/`` -> content, for every registered rule and the index."""
    rules = all_rules()
    out = {f"{rule.code}.md": rule_page(rule) for rule in rules}
    out["README.md"] = index_page(rules)
    return out
