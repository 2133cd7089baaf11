"""Prefect 2's ``deployment.yaml`` files (written by ``prefect deployment build``), recognised
by their content whatever their name: the generated header, or top-level keys only such a file
has. Used to decide a file's kind (folder walks, explicit paths) and by ``migrate``.
"""

from __future__ import annotations

import re

from linter.lazy_regex import lazy_compile

LEGACY = "legacy"

HEADER = lazy_compile(r"^###[ \t]*\r?\n### A complete description of a Prefect Deployment",
                    re.MULTILINE)
DO_NOT_EDIT = lazy_compile(r"^### DO NOT EDIT BELOW THIS LINE", re.MULTILINE)
DEPLOYMENTS_KEY = lazy_compile(r"^deployments[ \t]*:", re.MULTILINE)
#: top-level keys that only a 2.x deployment file has
STRONG_KEYS = lazy_compile(
    r"^(flow_name|infrastructure|storage|manifest_path|parameter_openapi_schema|"
    r"infra_overrides|is_schedule_active)[ \t]*:", re.MULTILINE)
#: top-level keys a hand-written agent-style file has, next to a flow
WEAK_KEYS = lazy_compile(r"^(work_queue_name|work_pool_name)[ \t]*:", re.MULTILINE)
FLOW_KEYS = lazy_compile(r"^(flow|flow_name|entrypoint)[ \t]*:", re.MULTILINE)
FLOW_NAME = lazy_compile(r"^### A complete description of a Prefect Deployment for flow '(.*)'",
                       re.MULTILINE)


def looks_like_legacy_deployment(head: str) -> bool:
    """Is this the start of a Prefect 2 ``deployment.yaml`` (generated or hand-written)?"""
    if HEADER.search(head) or DO_NOT_EDIT.search(head):
        return True
    if DEPLOYMENTS_KEY.search(head):
        return False
    if STRONG_KEYS.search(head):
        return True
    return bool(WEAK_KEYS.search(head) and FLOW_KEYS.search(head))
