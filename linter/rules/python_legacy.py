"""L: agent-era Prefect 2 code in Python files, each construct on its own row.

Imports of names Prefect 3 no longer has (L030), ``Deployment(...)`` /
``Deployment.build_from_flow(...)`` (L031), their ``.apply()`` (L032), the ``infrastructure=``,
``storage=`` and ``infra_overrides=`` arguments (L033) and infrastructure blocks (L034). The
file is parsed with ``ast`` (never imported or run): text in strings, comments and docstrings
is not code, and names are resolved through the file's imports and aliases.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity
from linter.core.registry import Needs, rule
from linter.lazy_regex import lazy_compile
from linter.prefect.python_agent_era import (
    INFRASTRUCTURE_BLOCKS,
    Removal,
    apply_calls,
    deployment_calls,
    infrastructure_uses,
    legacy_keywords,
    removal_hint,
    removed_imports,
)
from linter.prefect.python_code import ImportedName, PythonModule, keyword_span, module_of
from linter.project.context import LintContext
from linter.project.filekinds import PYTHON

_FROM_MODULE = lazy_compile(r"from(?:[ \t]|\\\r?\n)+([A-Za-z_][\w.]*)")
_UPGRADE = "https://docs.prefect.io/v3/how-to-guides/migrate/upgrade-agents-to-workers"


@rule("L030", "removed-prefect-import", Severity.ERROR,
      "An import of a name Prefect 3 no longer has", fix=Applicability.SAFE, kinds=(PYTHON,),
      needs=Needs.TEXT)
def removed_prefect_import(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an import of a module or name that Prefect 2 had and Prefect 3 does not:
    `prefect.deployments.Deployment`, `prefect.infrastructure.*`, `prefect.agent`,
    `prefect.filesystems.GitHub`/`S3`/`GCS`/`Azure`, `prefect.orion.*`, the 2.0-era packagers,
    and the agent-era blocks of the collections (`prefect_aws.ECSTask`...). The table is
    generated from the real packages (Prefect 2.20.27 against 3.9.1). An import inside a
    version guard (`if PREFECT_VERSION < ...`, `try: ... except ImportError:`) is not reported.

    **Why**: the import raises `ImportError` on Prefect 3, so the script fails before it does
    anything.

    **Fix** (safe): when Prefect 3 has the very same object elsewhere, the import is moved
    there; otherwise the message says what replaced it.
    """
    module = module_of(context.document)
    if module is None:
        return
    statements: dict[int, list[tuple[ImportedName, Removal]]] = {}
    for imported, found in removed_imports(module):
        statements.setdefault(id(imported.statement), []).append((imported, found))
    for removed in statements.values():
        statement = removed[0][0].statement
        names = ", ".join(f"`{found.name}`" for _, found in removed)
        hints = [hint for _, found in removed if (hint := _hint(found)) is not None]
        yield Finding(
            module.first_row_span(statement),
            f"Prefect 3 has no {names}: this import raises ImportError",
            help=hints[0] if hints else f"see {_UPGRADE}",
            fix=_move_import(module, statement, removed),
        )


def _hint(found: Removal) -> str | None:
    if found.replacement is not None:
        return f"the same object is `{found.replacement}` in Prefect 3"
    return removal_hint(found.name)


def _move_import(module: PythonModule, statement: ast.Import | ast.ImportFrom,
                 removed: list[tuple[ImportedName, Removal]]) -> Fix | None:
    """``from OLD import a, b`` -> ``from NEW import a, b`` when every name of the statement
    is removed and Prefect 3 has each, under the same name, in one module ``NEW``."""
    if not isinstance(statement, ast.ImportFrom) or statement.module is None:
        return None
    if len(removed) != len(statement.names):
        return None
    targets = set()
    for imported, found in removed:
        if found.replacement is None:
            return None
        new_module, _, new_name = found.replacement.rpartition(".")
        if new_name != imported.alias.name:
            return None
        targets.add(new_module)
    if len(targets) != 1:
        return None
    start = module.span(statement).start
    match = _FROM_MODULE.match(module.text, start)
    if match is None or match.group(1) != statement.module:
        return None
    new_module = targets.pop()
    return Fix(f"import from `{new_module}`",
               (Edit(match.start(1), match.end(1), new_module),), Applicability.SAFE)


@rule("L031", "deployment-class", Severity.ERROR,
      "`Deployment(...)` or `Deployment.build_from_flow(...)`: Prefect 3 removed the class",
      kinds=(PYTHON,), needs=Needs.TEXT)
def deployment_class(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a call of Prefect 2's `Deployment` class or its `build_from_flow` (through any
    import or alias), reported on the row where the call starts. Code inside a version guard
    (`if PREFECT_VERSION < ...`, `try: ... except ImportError:`) is not reported (nor by
    L032-L034): it does not run on Prefect 3.

    **Why**: Prefect 3 removed `prefect.deployments.Deployment`; the script fails at import or
    at this call.

    **Fix**: none automatic; `prefect-lint migrate script.py` writes the prefect.yaml
    deployment for calls whose arguments are literals.
    """
    module = module_of(context.document)
    if module is None:
        return
    for found in deployment_calls(module):
        what = "Deployment.build_from_flow(...)" if found.builder else "Deployment(...)"
        yield Finding(
            module.first_row_span(found.call.func),
            f"`{what}` is Prefect 2's deployment class, removed in Prefect 3",
            help="deploy with `flow.from_source(...).deploy(work_pool_name=...)`, "
            "`flow.serve()` or a prefect.yaml deployment (`prefect-lint migrate` writes one)",
        )


@rule("L032", "deployment-apply", Severity.ERROR,
      "`.apply()` (or `apply=True`) registers a Prefect 2 deployment", kinds=(PYTHON,),
      needs=Needs.TEXT)
def deployment_apply(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `.apply()` on a `Deployment` (the call itself or a variable assigned from it),
    reported on the row where `.apply` is written (often the closing `).apply()` line), and
    `apply=True` given to `build_from_flow`.

    **Why**: this is how Prefect 2 sent the deployment to the server; Prefect 3 has no such
    method, so nothing is registered.

    **Fix**: none automatic (the call is rewritten with the deployment, see L031).
    """
    module = module_of(context.document)
    if module is None:
        return
    for node in apply_calls(module):
        if isinstance(node, ast.keyword):
            span = keyword_span(module, node)
            what = "`apply=True`"
        else:
            span = module.attribute_name_span(node)
            what = "`.apply()`"
        yield Finding(span, f"{what} registers a Prefect 2 deployment; Prefect 3 has no such "
                      "method", help="`flow.deploy(...)` creates or updates the deployment")


_KEYWORD_ADVICE = {
    "infrastructure": "infrastructure blocks became work pools: give `work_pool_name=` and "
    "the values as `job_variables=` to `flow.deploy()`",
    "storage": "storage blocks became `flow.from_source(source=...)` (or pull steps in "
    "prefect.yaml)",
    "infra_overrides": "`infra_overrides` became `job_variables=` (nested keys, not dotted)",
}


@rule("L033", "deployment-legacy-argument", Severity.ERROR,
      "`infrastructure=`, `storage=` or `infra_overrides=` of a Prefect 2 deployment",
      kinds=(PYTHON,), needs=Needs.TEXT)
def deployment_legacy_argument(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the `infrastructure=`, `storage=` and `infra_overrides=` arguments of
    `Deployment(...)` / `Deployment.build_from_flow(...)`, each on its own row.

    **Why**: Prefect 3 has no infrastructure or storage blocks on deployments; the values
    would have to be carried over by hand (work pool job variables, `from_source`).

    **Fix**: none automatic; `prefect-lint migrate script.py` carries literal values over.
    """
    module = module_of(context.document)
    if module is None:
        return
    for item in legacy_keywords(module):
        name = item.arg or ""
        yield Finding(keyword_span(module, item),
                      f"`{name}=` is a Prefect 2 deployment argument with no Prefect 3 "
                      "counterpart on the call", help=_KEYWORD_ADVICE[name])


@rule("L034", "infrastructure-block", Severity.ERROR,
      "An infrastructure block (`KubernetesJob`, `DockerContainer`, `Process`, `ECSTask`...)",
      kinds=(PYTHON,), needs=Needs.TEXT)
def infrastructure_block(context: LintContext) -> Iterator[Finding]:
    """
    **What**: an instance of an agent-era infrastructure block class, or its `.load(...)`:
    `KubernetesJob`, `DockerContainer`, `Process` (from `prefect.infrastructure`), `ECSTask`
    (prefect-aws), `CloudRunJob` and `VertexAICustomTrainingJob` (prefect-gcp),
    `AzureContainerInstanceJob` (prefect-azure).

    **Why**: Prefect 3 and the collections' releases for it removed these classes; workers
    of a work pool run flows instead.

    **Fix**: none automatic: the pool is created once with `prefect work-pool create`.
    """
    module = module_of(context.document)
    if module is None:
        return
    for use in infrastructure_uses(module):
        short = use.block.rsplit(".", 1)[1]
        pool = INFRASTRUCTURE_BLOCKS[use.block]
        what = f"`{short}.load(...)`" if use.loaded else f"`{short}(...)`"
        yield Finding(
            module.first_row_span(use.node.func if not use.loaded else use.node),
            f"{what} is an agent-era infrastructure block, removed for Prefect 3",
            help=f"use a `{pool}` work pool and give these values as `job_variables`",
        )

