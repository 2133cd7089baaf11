"""Scripts and infrastructure files that may start Prefect (shell, Dockerfile, Makefile, CI,
compose, Kubernetes, Helm, Terraform), recognised by name or by their first lines."""

from __future__ import annotations

import re

from linter.lazy_regex import lazy_compile

SCRIPT = "script"

_SHEBANG = lazy_compile(r"\A#![^\n]*\b(sh|bash|zsh|dash|ksh)\b")
_GITHUB = (lazy_compile(r"^(on|\"on\"|'on'|true)[ \t]*:", re.M),
           lazy_compile(r"^jobs[ \t]*:", re.M))
_KUBERNETES = (lazy_compile(r"^apiVersion[ \t]*:", re.M), lazy_compile(r"^kind[ \t]*:", re.M))
_COMPOSE = lazy_compile(r"^services[ \t]*:", re.M)
_GITLAB = lazy_compile(r"^stages[ \t]*:", re.M)
_DEPLOYMENTS = lazy_compile(r"^deployments[ \t]*:", re.M)


def looks_like_script(head: str) -> bool:
    """A shell script by its shebang, or CI / compose / Kubernetes YAML by its top-level keys
    (so a GitHub workflow is never linted as a prefect.yaml)."""
    if _SHEBANG.match(head):
        return True
    if _DEPLOYMENTS.search(head):
        return False
    return bool(
        all(pattern.search(head) for pattern in _GITHUB)
        or all(pattern.search(head) for pattern in _KUBERNETES)
        or _COMPOSE.search(head)
        or _GITLAB.search(head)
    )
