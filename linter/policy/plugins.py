"""Plugin rules: Python rules from installed packages, for what a JSONPath cannot say.

A package declares ``[project.entry-points."prefect_lint.plugins"]`` with ``NAME =
"module"``; the module registers its rules with :func:`linter.api.rule` when imported. A
plugin is imported only when the configuration names it in ``plugins = ["NAME"]``. A plugin
that is not installed, fails to import or registers a bad code stops the run (exit 2) with
one line naming it.
"""

from __future__ import annotations

from collections.abc import Sequence

from linter.core.codes import EXTERNAL_CODE
from linter.core.registry import Rule
from linter.errors import ConfigError

GROUP = "prefect_lint.plugins"

#: Rules registered by ``linter.api.rule`` while a plugin module is being imported.
PENDING: list[Rule] = []
_LOADED: dict[str, list[Rule]] = {}


def load_plugins(names: Sequence[str], origin: str) -> list[Rule]:
    """The rules of the named plugins, each imported once per process."""
    rules: list[Rule] = []
    for name in names:
        loaded = _LOADED.get(name)
        if loaded is None:
            loaded = _LOADED[name] = _load(name, origin)
        rules.extend(loaded)
    return rules


def _load(name: str, origin: str) -> list[Rule]:
    from importlib.metadata import entry_points

    found = {point.name: point for point in entry_points(group=GROUP)}
    point = found.get(name)
    if point is None:
        installed = ", ".join(sorted(found)) or "none"
        raise ConfigError(f"{origin}: plugin {name!r} is not installed (entry point group "
                          f"{GROUP}; installed: {installed})")
    PENDING.clear()
    try:
        point.load()
    except Exception as error:
        PENDING.clear()
        detail = str(error).splitlines()[0] if str(error) else ""
        raise ConfigError(f"{origin}: plugin {name!r} ({point.value}) failed to load: "
                          f"{type(error).__name__}: {detail}".rstrip(": ")) from None
    rules, seen = [], set()
    for registered in PENDING:
        if not EXTERNAL_CODE.match(registered.code):
            PENDING.clear()
            raise ConfigError(f"{origin}: plugin {name!r}: rule code {registered.code!r} must "
                              "be 2 to 5 upper-case letters and 3 digits, such as ACME001 "
                              "(one-letter prefixes are reserved for built-in rules)")
        if registered.code in seen:
            PENDING.clear()
            raise ConfigError(f"{origin}: plugin {name!r}: rule {registered.code} is "
                              "registered twice")
        seen.add(registered.code)
        rules.append(registered._replace(origin=f"plugin {name}"))
    PENDING.clear()
    if not rules:
        raise ConfigError(f"{origin}: plugin {name!r} ({point.value}) registers no rule")
    return rules
