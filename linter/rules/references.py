"""R: ``{{ }}`` placeholders: step outputs that exist when the value is resolved, placeholders
Prefect's grammar does not accept, block and variable names, unset environment variables.

Where Prefect resolves what (``_run_single_deploy`` and ``run_step`` in 3.9.1): build steps
run first, then push steps, each seeing the outputs of the steps before it; the deployment's
fields are then templated with all build and push outputs; pull steps are templated with the
same outputs at deploy time and, on the worker, with the outputs of the pull steps before
them. A reference that resolves to nothing is removed (a whole-value placeholder drops its
key) or replaced with empty text (a placeholder inside other text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ruamel.yaml.nodes import ScalarNode

from linter.core.diagnostics import Finding, Severity, Span
from linter.core.registry import Scope, rule
from linter.prefect.steps import StepItem, StepSignature, plans, signature_for
from linter.prefect.templating import (
    RUNTIME_PREFIX,
    Placeholder,
    PlaceholderKind,
    find_placeholders,
    is_whole_value,
    source_span,
)
from linter.project.context import LintContext
from linter.rules._shared import (
    DEPLOYMENT,
    deployment_scalars,
    short,
    step_scalars,
    unique_findings,
)
from linter.source.document import Document
from linter.suggest import did_you_mean

# -- the scalars Prefect templates ------------------------------------------------------------
















# -- who provides which outputs ---------------------------------------------------------------


class Provider(NamedTuple):
    """A step whose outputs later values may reference."""

    item: StepItem
    step_id: str | None
    #: Keys the step returns; None when unknown (a custom or unreadable step).
    outputs: frozenset[str] | None
    row: int
    section: str

    def describe(self) -> str:
        return f"the {self.section} step `{short(self.item.function or '')}` on line {self.row}"


def _provider(document: Document, item: StepItem) -> Provider | None:
    if item.function is None or item.function_node is None:
        return None
    step_id = item.step_id if isinstance(item.step_id, str) and item.step_id else None
    signature = signature_for(document, item.function)
    outputs = signature.outputs if isinstance(signature, StepSignature) else None
    row = document.position(item.function_node.start_mark.index).row
    return Provider(item, step_id, outputs, row, item.section)


class Problem(NamedTuple):
    code: str
    span: Span
    message: str
    help: str | None


def reference_problems(document: Document) -> list[Problem]:
    """Every R001/R002 problem of the file, each deployment's plan checked separately."""
    return document.memo(_reference_problems)


def _reference_problems(document: Document) -> list[Problem]:
    recipe_inputs = _recipe_inputs(document.data)
    problems: list[Problem] = []
    # Deployments usually share the global steps (and, through aliases, whole subtrees):
    # each (steps, scalar) combination is checked once, however many deployments use it.
    by_steps: dict[tuple[int, ...], tuple[_ReferenceChecker, dict[str, list[Provider]]]] = {}
    checked: set[tuple[tuple[int, ...], int]] = set()
    walked_by_steps: dict[tuple[int, ...], set[int]] = {}
    for plan in plans(document):
        steps_key = (*map(id, plan.build), -1, *map(id, plan.push), -1, *map(id, plan.pull))
        known = by_steps.get(steps_key)
        if known is None:
            providers = {
                section: [p for p in (_provider(document, item) for item in items) if p]
                for section, items in (("build", plan.build), ("push", plan.push),
                                       ("pull", plan.pull))
            }
            everyone = [*providers["build"], *providers["push"], *providers["pull"]]
            checker = _ReferenceChecker(document, everyone, recipe_inputs)
            by_steps[steps_key] = (checker, providers)
            for section in ("build", "push", "pull"):
                earlier = {
                    "build": [],
                    "push": providers["build"],
                    "pull": [*providers["build"], *providers["push"]],
                }[section]
                for position, provider in enumerate(providers[section]):
                    available = [*earlier, *providers[section][:position]]
                    for _, node in step_scalars(provider.item):
                        problems.extend(checker.check(node, available, section))
        else:
            checker, providers = known
        if plan.deployment is not None:
            available = [*providers["build"], *providers["push"]]
            walked = walked_by_steps.setdefault(steps_key, set())
            for _, node in deployment_scalars(document, plan.deployment, walked):
                if (steps_key, id(node)) in checked:
                    continue
                checked.add((steps_key, id(node)))
                problems.extend(checker.check(node, available, DEPLOYMENT))
    return problems


#: Values `prefect init` passes to every recipe besides its `required_inputs`
#: (`initialize_project` in `prefect/deployments/base.py`).
INIT_FILLED = frozenset({"name", "directory", "repository", "branch", "dockerfile"})


def _recipe_inputs(data: Any) -> set[str]:
    """Names `prefect init` fills in when the file is a recipe, so they are not step outputs.

    A recipe (`prefect/deployments/recipes/<name>/prefect.yaml`) is recognised by its
    top-level `required_inputs` or `description`: `prefect init` never writes either into the
    prefect.yaml it makes. It fills the `required_inputs` and `INIT_FILLED`."""
    if not isinstance(data, dict) or not ("required_inputs" in data or "description" in data):
        return set()
    inputs = data.get("required_inputs")
    names = set(INIT_FILLED)
    if isinstance(inputs, dict):
        names.update(str(key) for key in inputs)
    elif isinstance(inputs, list):
        names.update(str(key) for key in inputs if isinstance(key, (str, int)))
    return names


class _ReferenceChecker:
    def __init__(self, document: Document, everyone: list[Provider], recipe: set[str]) -> None:
        self.document = document
        self.everyone = everyone
        self.recipe = recipe

    def check(self, node: ScalarNode, available: list[Provider], where: str) -> Iterator[Problem]:
        value: str = node.value
        placeholders = find_placeholders(value)
        if not placeholders:
            return
        whole = is_whole_value(value, placeholders)
        spans = source_span(node, self.document.text, [(p.start, p.end) for p in placeholders])
        for placeholder, span in zip(placeholders, spans, strict=True):
            if placeholder.kind is not PlaceholderKind.STANDARD:
                continue
            if placeholder.start > 0 and value[placeholder.start - 1] == "$":
                continue  # `${{ ... }}`: another tool's syntax (CI), filled before Prefect reads
            problem = self._check_one(placeholder, available, where, whole)
            if problem is not None:
                code, message, help_text = problem
                yield Problem(code, span, message, help_text)

    def _check_one(
        self, placeholder: Placeholder, available: list[Provider], where: str, whole: bool
    ) -> tuple[str, str, str | None] | None:
        name = placeholder.name
        if name.startswith(RUNTIME_PREFIX):
            if where == DEPLOYMENT:
                return None
            return ("R001",
                    f"`{{{{ {name} }}}}` is a run-time placeholder that Prefect keeps only in "
                    f"deployment fields; in a {where} step {_effect(where, whole)}",
                    "use it in `work_pool.job_variables`, where the worker fills it in")
        head = placeholder.head
        path = placeholder.path
        if head in self.recipe:
            return None
        by_id = [p for p in available if p.step_id == head]
        if by_id:
            return _missing_output(by_id[-1], head, path, _effect(where, whole))
        if any(p.outputs is not None and head in p.outputs for p in available):
            return None
        open_outputs = any(p.outputs is None for p in available)
        effect = _effect(where, whole)
        later = [p for p in self.everyone if p.step_id == head and p not in available]
        if later:
            return _runs_later(later[0], head, where, effect)
        ids = {p.step_id: p for p in available if p.step_id is not None}
        suggestion = did_you_mean(head, list(ids))
        if suggestion:
            if open_outputs and _normal(suggestion) != _normal(head):
                return None
            return ("R001",
                    f"no earlier step has the id `{head}`: {effect}",
                    f"did you mean `{'.'.join([suggestion, *path[1:]])}`? (`{suggestion}` is "
                    f"the id of {ids[suggestion].describe()})")
        if open_outputs:
            return None
        flat_later = [p for p in self.everyone if p not in available and p.outputs
                      and head in p.outputs]
        if flat_later:
            return ("R001",
                    f"`{head}` is an output of {flat_later[0].describe()}, which runs after "
                    f"this value is resolved: {effect}",
                    None)
        help_text = _generic_help(name, ids)
        if not head:
            return ("R001", f"Prefect reads `{placeholder.text}` as a placeholder named "
                    f"`{name}`, which nothing provides: {effect}", help_text)
        return ("R001", f"no earlier step has the id or output `{head}`: {effect}", help_text)


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")


def _missing_output(provider: Provider, head: str, path: list[str],
                    effect: str) -> tuple[str, str, str | None] | None:
    """R002 when the step ``head`` names exists but has no such output."""
    if len(path) < 2 or provider.outputs is None or path[1] in provider.outputs:
        return None
    outputs = ", ".join(f"`{o}`" for o in sorted(provider.outputs)) or "nothing"
    suggestion = did_you_mean(path[1], provider.outputs)
    return ("R002",
            f"step `{head}` ({short(provider.item.function or '')}) has no output "
            f"`{path[1]}`: {effect}",
            f"did you mean `{head}.{suggestion}`?" if suggestion else f"its outputs are {outputs}")


def _runs_later(provider: Provider, head: str, where: str,
                effect: str) -> tuple[str, str, str | None]:
    """R001 for a step that exists but runs after the value is resolved."""
    reason = ("pull steps run on the worker, after this value is resolved"
              if provider.section == "pull" and where != "pull"
              else "it runs after this value is resolved")
    return ("R001", f"`{head}` is the id of {provider.describe()}, but {reason}: {effect}",
            "move the step before the value that uses it, or use an output of an earlier step")


def _effect(where: str, whole: bool) -> str:
    if where == DEPLOYMENT:
        return ("Prefect drops this setting with only a warning" if whole
                else "Prefect replaces the placeholder with empty text")
    suffix = " on the worker" if where == "pull" else ""
    return ("Prefect drops this argument" + suffix if whole
            else "Prefect replaces the placeholder with empty text" + suffix)


def _generic_help(name: str, ids: dict[str, Provider]) -> str:
    if name.split(".", 1)[0] in ("flow_run", "flow", "deployment"):
        return ("flow-run values are not step outputs: the worker fills in "
                "`{{ ctx.flow_run.<field> }}` and `{{ ctx.flow.<field> }}`, and only in the job "
                "variable `name`")
    if name.startswith("."):
        return ("this looks like a Go/Docker template; Prefect reads every `{{ name }}` as "
                "its own placeholder and has no escape, so build the text another way (e.g. "
                "in a script file)")
    if ids:
        listed = ", ".join(f"`{i}`" for i in ids if i)
        return f"the ids of earlier steps are {listed}"
    return ("give the step that produces the value an `id` and write `{{ <id>.<output> }}`; "
            "for an environment variable write `{{ $NAME }}`")


def _findings_for(document: Document, code: str) -> Iterator[Finding]:
    yield from unique_findings(
        Finding(problem.span, problem.message, help=problem.help)
        for problem in reference_problems(document)
        if problem.code == code
    )


# -- R001 / R002 ------------------------------------------------------------------------------


@rule("R001", "undefined-step-output", Severity.ERROR,
      "A placeholder names a step output that no earlier step provides",
      scope=Scope.DEPLOYMENT)
def undefined_step_output(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a `{{ name }}` or `{{ id.key }}` placeholder where no step that runs *before*
    the value is resolved has that id or returns that output. Build steps run first, then
    push steps; the deployment's fields are resolved after both; pull steps see build and push
    outputs and the outputs of earlier pull steps. A deployment's own `build`, `push` or
    `pull` replaces the file's.

    **Why**: Prefect does not fail. A value that is only the placeholder is dropped (with a
    warning in the deploy output, easy to miss), and a placeholder inside other text becomes
    empty text: `image: "{{ build-image.image }}"` with a step whose id is `build_image`
    silently removes the image from the job variables (PrefectHQ/prefect#17204).

    **Fix**: use the id the step really has (`{{ build_image.image }}`), or give the step that
    id. `{{ ctx.* }}` placeholders in deployment fields are filled by the worker and are not
    checked. In a `prefect init` recipe (a file with a top-level `required_inputs` or
    `description`), the names `prefect init` fills in are accepted: its `required_inputs` and
    `name`, `directory`, `repository`, `branch`, `dockerfile`.
    """
    yield from _findings_for(context.document, "R001")


@rule("R002", "unknown-step-output-key", Severity.ERROR,
      "A placeholder names an output that the referenced step does not return",
      scope=Scope.DEPLOYMENT)
def unknown_step_output_key(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `{{ id.key }}` where the step with that id is a known step (or a function of
    this project) that does not return `key`.

    **Why**: as for a missing step, Prefect drops the value or replaces the placeholder with
    empty text, without an error.

    **Fix**: use one of the step's outputs (`build_docker_image` returns `image`,
    `image_name`, `tag`, `image_id` and `additional_tags`).
    """
    yield from _findings_for(context.document, "R002")


# -- R003 -------------------------------------------------------------------------------------









# -- R004 / R005 ------------------------------------------------------------------------------








# -- R006 -------------------------------------------------------------------------------------



