"""P: `work_pool.job_variables` checked against the pool's base job template.

Prefect checks job variables only on the server, stops at the first bad one, accepts any
unknown name (no template sets ``additionalProperties: false``), and enforces required
variables only when a flow run starts. These rules check all of it before commit, against the
template that ``linter.prefect.pools`` finds for the pool name (configuration or ``pools pull``
snapshot; never a guess from the name).

Job variables written once under ``definitions:`` and used through aliases or ``<<`` merges
are checked for each deployment that uses them, at the line where they are written; the same
finding at the same place for the same template is reported once.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect.pool_variables import (
    contains_placeholder,
    described_pool,
    type_help,
    type_message,
    unknown_variable,
    variable_type_problems,
)
from linter.prefect.pools import PoolTemplate, bundled_types
from linter.prefect.python_code import module_of
from linter.prefect.python_deploy import PoolArgument, pool_arguments
from linter.project.context import LintContext
from linter.project.filekinds import PREFECT, PYTHON
from linter.rules._shared import by_kind, deployment_entries, pool_catalog
from linter.source.document import NodePath


class PoolUse(NamedTuple):
    """One deployment's work pool: its name, template (if known) and job variables."""

    pool_name: str
    name_path: NodePath
    template: PoolTemplate | None
    job_variables: dict[Any, Any]
    job_variables_path: NodePath
    has_job_variables_key: bool


def pool_uses(context: LintContext) -> Iterator[PoolUse]:
    catalog = None
    for index, entry in deployment_entries(context.document.data):
        work_pool = entry.get("work_pool")
        if not isinstance(work_pool, dict):
            continue
        name = work_pool.get("name")
        if not isinstance(name, str) or not name.strip() or contains_placeholder(name):
            continue  # no pool, or one chosen at deploy time: nothing to look up
        job_variables = work_pool.get("job_variables")
        if job_variables is not None and not isinstance(job_variables, dict):
            continue  # a structural error, reported by the S rules
        if catalog is None:
            catalog = pool_catalog(context)
        base: NodePath = ("deployments", index, "work_pool")
        yield PoolUse(
            pool_name=name,
            name_path=(*base, "name"),
            template=catalog.template_for(name),
            job_variables=job_variables or {},
            job_variables_path=(*base, "job_variables"),
            has_job_variables_key="job_variables" in work_pool,
        )


def _checked_uses(context: LintContext) -> Iterator[tuple[PoolUse, PoolTemplate]]:
    """Each pool use whose template can be checked, with that template."""
    for use in pool_uses(context):
        if use.template is not None and use.template.checkable:
            yield use, use.template


def _identity(template: PoolTemplate) -> str:
    return template.origin if template.custom else f"type:{template.pool_type}"


class _Once:
    """Drops a finding already made at the same span for the same template and subject."""

    def __init__(self) -> None:
        self.seen: set[tuple[Any, ...]] = set()

    def first(self, span: Span, template: PoolTemplate, subject: Any) -> bool:
        key = (span, _identity(template), subject)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


@rule("P001", "unknown-job-variable", Severity.ERROR,
      "A job variable the pool's template does not have; Prefect silently never uses it",
      fix=Applicability.UNSAFE, kinds=(PREFECT, PYTHON), scope=Scope.DEPLOYMENT)
def unknown_job_variable(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a key under `work_pool.job_variables` that is not a variable of the pool's base
    job template (the bundled default of its mapped type, its template file, or its pulled
    snapshot).

    **Why**: no shipped template forbids extra variables, so Prefect accepts the deployment
    and the worker never reads the value: `imagePullPolicy:` instead of `image_pull_policy:`
    on a Kubernetes pool, or `cpu:` on a Docker pool, silently does nothing. A dotted key
    (`env.FOO: bar`) sets one field of an object variable and is accepted when the first part
    names an object variable.

    In a Python deployment script, the literal `job_variables={...}` of `flow.deploy()` /
    `to_deployment()` are checked against the pool named by `work_pool_name=` (or by
    `prefect.deploy(..., work_pool_name=...)`).

    **Fix**: use the template's name (`image_pull_policy: Always`); the unsafe fix renames
    the key when one variable is a close match. If the pool really has this variable, map the
    pool to its own template (`{ template = "pools/x.json" }`) or run `prefect-lint pools pull`.
    """
    return by_kind(context, _unknown_variables, _python_unknown_variables)


def _unknown_variables(context: LintContext) -> Iterator[Finding]:
    """Job variables of a deployment's ``work_pool`` its template does not have."""
    document = context.document
    once = _Once()
    for use, template in _checked_uses(context):
        for key in use.job_variables:
            name = str(key)
            found = unknown_variable(template, use.pool_name, name)
            if found is None:
                continue
            path = (*use.job_variables_path, key)
            span = document.key_span_at(path)
            if span is None or not once.first(span, template, name):
                continue
            fix = None
            if found.suggestion is not None and found.suggestion not in use.job_variables:
                fix = _rename_fix(context, path, found.suggestion)
            yield Finding(span, found.message, help=found.help, fix=fix)


def _python_pools(context: LintContext, wanted: Callable[[PoolArgument], bool]
                  ) -> Iterator[tuple[PoolArgument, PoolTemplate]]:
    """The deploy calls of a Python script that ``wanted`` keeps, with the checkable template
    of their ``work_pool_name`` (the catalog is read only when a call needs it)."""
    module = module_of(context.document)
    if module is None:
        return
    catalog = None
    for argument in pool_arguments(module):
        if not wanted(argument):
            continue
        if catalog is None:
            catalog = pool_catalog(context)
        template = catalog.template_for(argument.pool_name)
        if template is not None and template.checkable:
            yield argument, template


def _python_unknown_variables(context: LintContext) -> Iterator[Finding]:
    """``job_variables={...}`` of a deploy call in a Python script, against the template of
    its ``work_pool_name`` (no fix: the key is Python text)."""
    for argument, template in _python_pools(context, lambda argument: bool(argument.variables)):
        for name, span in argument.variables.items():
            found = unknown_variable(template, argument.pool_name, name)
            if found is not None:
                yield Finding(span, found.message, help=found.help)


def _expected(template: PoolTemplate, name: str) -> str:
    from linter.prefect.pool_variables import describe_schema

    return describe_schema(template.properties[name], template.variables)


def _rename_fix(context: LintContext, path: NodePath, new_name: str) -> Fix | None:
    key_node, _ = context.document.locate(path)
    if not isinstance(key_node, ScalarNode):
        return None
    span = context.document.node_span(key_node)
    if key_node.style in ("'", '"'):
        span = Span(span.start + 1, span.end - 1)
    elif key_node.style not in (None, ""):
        return None
    return Fix(f'rename to "{new_name}"', (Edit(span.start, span.end, new_name),),
               Applicability.UNSAFE)


@rule("P002", "job-variable-type", Severity.ERROR,
      "A job variable's value has the wrong type or is not one of the allowed values",
      kinds=(PREFECT, PYTHON), scope=Scope.DEPLOYMENT)
def job_variable_type(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a job variable whose value does not match the template's schema for it: the
    wrong type (`cpu: "1024"` where the ECS template wants an integer), a value outside an
    enum (`image_pull_policy: Sometimes`), a list item or mapping value of the wrong type
    (`env: {PORT: 8080}`: environment values are strings). Every violation is reported at its
    own value. `{{ }}` placeholders and block references are not checked (their value is known
    only at deploy time).
    In a Python deployment script, the literal values of `job_variables={...}` are checked
    the same way (each reported on the value as written).

    **Why**: the Prefect server validates job variables against the pool's schema when the
    deployment is created and answers HTTP 422 "Error creating deployment: Validation failed
    for field ...", naming only the first bad field, so each fix needs another deploy to
    find the next one.

    **Fix**: write a value of the type the message names: `image_pull_policy: Always`,
    `PORT: "8080"`.
    """
    return by_kind(context, _variable_types, _python_variable_types)


def _variable_types(context: LintContext) -> Iterator[Finding]:
    """Job variables of a deployment's ``work_pool`` whose value the template's schema
    rejects."""
    document = context.document
    once = _Once()
    for use, template in _checked_uses(context):
        for key, value in use.job_variables.items():
            name = str(key)
            problems, dotted = variable_type_problems(template, name, value)
            for problem in problems:
                path = (*use.job_variables_path, key, *problem.path)
                span = document.value_span_at(path) or document.value_span_at(
                    (*use.job_variables_path, key)
                )
                if span is None or not once.first(span, template, problem.message):
                    continue
                yield Finding(span, type_message(name, problem, use.pool_name, template),
                              help=type_help(dotted))


def _python_variable_types(context: LintContext) -> Iterator[Finding]:
    """The literal values of ``job_variables={...}`` in a Python script (reported on the
    value as written: the inner position of a nested problem is not tracked)."""
    for argument, template in _python_pools(context, lambda argument: bool(argument.values)):
        for name, value in argument.values.items():
            problems, dotted = variable_type_problems(template, name, value)
            for problem in problems:
                yield Finding(argument.value_spans[name],
                              type_message(name, problem, argument.pool_name, template),
                              help=type_help(dotted))


@rule("P003", "missing-required-job-variable", Severity.ERROR,
      "The pool's template requires a job variable that has no default and is not set",
      scope=Scope.DEPLOYMENT)
def missing_required_job_variable(context: LintContext) -> Iterator[Finding]:
    """
    **What**: the pool's template lists a variable as required, gives it no default, and the
    deployment does not set it in `work_pool.job_variables` (for example `region` and `image`
    on a Vertex AI pool, `resource_group_name` and `subscription_id` on an Azure Container
    Instance pool).

    **Why**: Prefect does not check required variables when the deployment is created, only
    when a flow run is: every run of the deployment then fails to start ("Error creating flow
    run: Validation failed ... is a required property") unless each run sets the variable.

    **Fix**: set the variable under `job_variables` (`resource_group_name: rg-data`), or give
    it a default in the pool's base job template.
    """
    document = context.document
    once = _Once()
    for use, template in _checked_uses(context):
        set_names = {str(key).split(".", 1)[0] for key in use.job_variables}
        missing = [
            name for name in template.required
            if name not in set_names and "default" not in template.properties.get(name, {})
        ]
        if not missing:
            continue
        anchor = use.job_variables_path if use.has_job_variables_key else use.name_path
        span = (document.key_span_at(anchor) if use.has_job_variables_key
                else document.value_span_at(anchor))
        if span is None:
            continue
        for name in missing:
            if not once.first(span, template, name):
                continue
            yield Finding(
                span,
                f'{described_pool(use.pool_name, template)} requires the job variable '
                f'"{name}", which has no default and is not set here: every flow run of this '
                "deployment will fail when it starts",
                help=f'set "{name}" under work_pool.job_variables '
                f"({_expected(template, name)}), or give it a default in the pool's template",
            )


@rule("P004", "unused-job-variable", Severity.WARNING,
      "A job variable that the pool's job configuration never uses", scope=Scope.DEPLOYMENT)
def unused_job_variable(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a job variable that the pool's own template (a template file or a pulled
    snapshot, not a bundled default) declares under `variables` but never references as
    `{{ name }}` in its `job_configuration`.

    **Why**: the worker fills the job configuration from the variables; a variable that no
    placeholder uses has no effect, so the value set here changes nothing. Custom templates
    often lose a placeholder when the job manifest is edited.

    **Fix**: add the placeholder back to the pool's `job_configuration` (and pull the
    snapshot again), or remove the job variable.
    """
    document = context.document
    once = _Once()
    for use, template in _checked_uses(context):
        if not template.custom:
            continue
        for key in use.job_variables:
            head = str(key).split(".", 1)[0]
            if head not in template.properties or head in template.referenced_variables:
                continue
            span = document.key_span_at((*use.job_variables_path, key))
            if span is None or not once.first(span, template, head):
                continue
            yield Finding(
                span,
                f'job variable "{key}" has no effect: the job configuration of '
                f"{described_pool(use.pool_name, template)} never uses {{{{ {head} }}}}",
                help=f"add {{{{ {head} }}}} to the pool's job_configuration, or remove the "
                "variable",
            )


@rule("P005", "pool-template-unknown", Severity.INFO,
      "The deployment's job variables are not checked: no template is known for its pool")
def pool_template_unknown(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a deployment sets `work_pool.job_variables` for a pool whose template
    prefect-lint does not know: the pool is neither mapped in the configuration nor in the
    snapshot folder written by `prefect-lint pools pull`. Reported once per pool and file,
    in projects that map at least one pool or have a snapshot (or when `P005` is selected by
    its code), so a project that has not set up pool checking is not flooded.

    **Why**: job variables can only be checked against the pool's template, and prefect-lint
    does not guess a pool's type from its name (a pool called `k8s` may be anything).

    **Fix**: map the pool in `pyproject.toml`:

        [tool.prefect-lint.pools]
        k8s-prod = "kubernetes"                      # the default template of a type
        custom = { template = "pools/custom.json" }  # or the pool's own template

    or run `prefect-lint pools pull k8s-prod` (with `PREFECT_API_URL` set) and commit the
    snapshot in `.prefect-lint/pools/`.
    """
    document = context.document
    settings = context.project.settings
    explicit = "P005" in (*(settings.select or ()), *settings.extend_select)
    catalog = pool_catalog(context)
    if not explicit and not catalog.mapped and not catalog.snapshots:
        return  # the project has not set up pool checking: stay quiet unless asked by code
    reported: set[str] = set()
    for use in pool_uses(context):
        if use.template is not None or not use.job_variables or use.pool_name in reported:
            continue
        span = document.value_span_at(use.name_path)
        if span is None:
            continue
        reported.add(use.pool_name)
        quoted = json.dumps(use.pool_name, ensure_ascii=False)
        yield Finding(
            span,
            f"job variables for work pool {quoted} are not checked: no template is known for "
            f"this pool; map it to its type in [tool.prefect-lint.pools] ({quoted} = "
            f'"<type>") or to its template ({quoted} = {{ template = "<file>.json" }}), or run '
            f"`prefect-lint pools pull {shlex.quote(use.pool_name)}`",
            help=f"types with a bundled template: {', '.join(bundled_types())}; prefect-lint "
            "never guesses a pool's type from its name",
        )
