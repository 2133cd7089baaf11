"""Which open documents a change to another file can affect, so the server checks them again.

A check notes the other files it looked at (entrypoints, custom steps, pool templates and
snapshots: see ``linter.core.dependencies``); a configuration file (``pyproject.toml``,
``prefect-lint.toml``) affects every document in its folder and below. When the client says
such a file was saved, created, changed or deleted, the documents that depend on it are
checked again, and no others.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

CONFIGURATION_FILES = frozenset({"pyproject.toml", "prefect-lint.toml"})


class Dependents:
    """document uri -> the absolute paths its last check depended on (thread-safe: checks
    record from their thread, notifications read on the event loop)."""

    def __init__(self) -> None:
        self._paths: dict[str, frozenset[str]] = {}
        self._folders: dict[str, str] = {}  # uri -> the document's folder
        self._lock = threading.Lock()

    def record(self, uri: str, document_path: str, paths: Iterable[str]) -> None:
        recorded = frozenset(os.path.abspath(path) for path in paths)
        with self._lock:
            self._paths[uri] = recorded
            self._folders[uri] = os.path.dirname(os.path.abspath(document_path))

    def forget(self, uri: str) -> None:
        with self._lock:
            self._paths.pop(uri, None)
            self._folders.pop(uri, None)

    def affected_by(self, changed: str) -> list[str]:
        """The documents whose diagnostics a change to the file at ``changed`` can alter."""
        changed = os.path.abspath(changed)
        configuration = os.path.basename(changed) in CONFIGURATION_FILES
        scope = os.path.dirname(changed) + os.sep
        with self._lock:
            return sorted(
                uri for uri, paths in self._paths.items()
                if changed in paths
                or (configuration and (self._folders[uri] + os.sep).startswith(scope)))
