"""L: agent-era Prefect commands in scripts and infrastructure files.

Shell scripts, Dockerfiles (shell and exec form), Makefiles, GitHub/GitLab CI YAML,
docker-compose ``command:``, Kubernetes manifests and Helm values (``command:``/``args:``
lists) and Terraform (``command = [...]``) all start Prefect the same way: a list of words.
This module finds those word lists with their positions, and the rules look for the commands
Prefect 3 removed: ``prefect agent start``, ``prefect deployment build|apply`` and Prefect 1's
``prefect agent local start``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from linter.core.diagnostics import Applicability, Edit, Finding, Fix, Severity, Span
from linter.core.registry import Needs, rule
from linter.prefect import versions
from linter.prefect.scripts import SCRIPT
from linter.project.context import LintContext
from linter.source.document import Document, find_key
from linter.source.view import iter_nodes

# -- words and commands -----------------------------------------------------------------------


class Word(NamedTuple):
    """One word of a command: its unquoted text, its span with quotes (``outer``) and the span
    of the text itself (``inner``; equal to ``outer`` for plain words)."""

    text: str
    outer: Span
    inner: Span


_SEPARATORS = ";|&"
_LIST_PUNCTUATION = "[],"


def split_commands(text: str, base: int = 0) -> Iterator[list[Word]]:
    """Commands in ``text`` as word lists: a line break (unless escaped with ``\\`` or inside
    brackets), ``;``, ``&&``, ``||`` or ``|`` ends a command; ``[``, ``]`` and ``,`` separate
    words (exec form, flow lists, Terraform); ``#`` starts a comment."""
    words: list[Word] = []
    index = 0
    length = len(text)
    depth = 0
    while index < length:
        char = text[index]
        if char in " \t":
            index += 1
            continue
        if char == "\\" and text.startswith(("\n", "\r"), index + 1):
            index += 3 if text.startswith("\r\n", index + 1) else 2
            continue
        if char in "\r\n":
            index += 1
            if depth == 0 and words:
                yield words
                words = []
            continue
        if char == "#":
            while index < length and text[index] not in "\r\n":
                index += 1
            continue
        if char in _LIST_PUNCTUATION:
            depth = depth + 1 if char == "[" else max(0, depth - 1) if char == "]" else depth
            index += 1
            continue
        if char in _SEPARATORS:
            if words:
                yield words
                words = []
            index += 1
            continue
        word, index = _read_word(text, index)
        words.append(Word(word.text, Span(word.outer.start + base, word.outer.end + base),
                          Span(word.inner.start + base, word.inner.end + base)))
    if words:
        yield words


def _read_word(text: str, start: int) -> tuple[Word, int]:
    index = start
    pieces: list[str] = []
    inner = None
    quoted_alone = True
    while index < len(text) and text[index] not in " \t\r\n" + _SEPARATORS + _LIST_PUNCTUATION:
        char = text[index]
        if char in "\"'":
            close = index + 1
            while close < len(text) and text[close] != char and text[close] not in "\r\n":
                close += 2 if char == '"' and text[close] == "\\" else 1
            body = text[index + 1 : close]
            pieces.append(body.replace('\\"', '"') if char == '"' else body)
            if index == start:
                inner = Span(index + 1, close)
            else:
                quoted_alone = False
            index = min(close + 1, len(text))
            continue
        if char == "\\" and index + 1 < len(text):
            pieces.append(text[index + 1])
            index += 2
            quoted_alone = False
            continue
        pieces.append(char)
        if inner is not None:
            quoted_alone = False
        index += 1
    outer = Span(start, index)
    if inner is None or not quoted_alone:
        inner = outer
    return Word("".join(pieces), outer, inner), index


def _node_word(document: Document, node: ScalarNode) -> Word:
    outer = document.node_span(node)
    inner = Span(outer.start + 1, outer.end - 1) if node.style in ("'", '"') else outer
    return Word(str(node.value), outer, inner)


def _expand(words: list[Word], text: str) -> Iterator[list[Word]]:
    """The command itself, and the commands inside any quoted word (``sh -c "..."``)."""
    yield words
    for index, word in enumerate(words):
        if " " in word.text and word.inner != word.outer and not _is_prose(words[:index]) and \
                text[word.inner.start : word.inner.end] == word.text:
            yield from split_commands(word.text, word.inner.start)


def yaml_commands(document: Document) -> Iterator[list[Word]]:
    """``command``/``entrypoint`` + ``args`` lists of Kubernetes, Helm and compose files."""
    root = document.root
    if root is None or Path(document.filename).suffix.lower() not in (".yaml", ".yml"):
        return
    for node in iter_nodes(root):
        if not isinstance(node, MappingNode):
            continue
        words: list[Word] = []
        lists = 0
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.value not in ("command", "entrypoint",
                                                                      "args"):
                continue
            if isinstance(value, SequenceNode) and all(
                isinstance(item, ScalarNode) for item in value.value
            ):
                lists += 1
                words.extend(_node_word(document, item) for item in value.value)
        if lists and words:
            yield words


def all_commands(document: Document) -> Iterator[list[Word]]:
    for words in yaml_commands(document):
        yield from _expand(words, document.text)
    for words in split_commands(document.text):
        yield from _expand(words, document.text)


# -- matching ---------------------------------------------------------------------------------

COMMAND_KEYS = frozenset({"run:", "command:", "entrypoint:", "args:", "script:", "cmd:",
                          "before_script:", "after_script:", "-"})
PREFECT1_AGENTS = frozenset({"local", "docker", "kubernetes", "ecs", "vertex", "fargate"})
#: agent options that `prefect worker start` takes unchanged
WORKER_COMPATIBLE = frozenset({"-p", "--pool", "-q", "--work-queue", "-l", "--limit",
                               "--prefetch-seconds", "--run-once"})
TAKES_VALUE = frozenset({"-p", "--pool", "-q", "--work-queue", "-l", "--limit",
                         "--prefetch-seconds", "-m", "--match", "-t", "--tag", "--api"})


class PrefectCommand(NamedTuple):
    words: list[Word]  # from the `prefect` word to the end of the command
    subcommand: tuple[str, ...]  # ("agent", "start"), ("deployment", "build"), ...

    @property
    def span(self) -> Span:
        first = self.words[0]
        start = first.outer.start
        if first.inner == first.outer:  # a Makefile's `@prefect`: point at the command
            start += len(first.text) - len(first.text.lstrip("@-+"))
        return Span(start, self.words[-1].outer.end)

    @property
    def arguments(self) -> list[Word]:
        return self.words[1 + len(self.subcommand):]


def _is_prefect(word: Word) -> bool:
    text = word.text.lstrip("@-+")
    return text == "prefect" or text.endswith("/prefect")


def _is_prose(before: list[Word]) -> bool:
    """Words before `prefect` that say this is text, not a command (`name: Start prefect
    agent start`, `echo ...`)."""
    for word in before:
        if word.text in ("echo", "printf") or (
            word.text.endswith(":") and word.text not in COMMAND_KEYS
        ):
            return True
    return False


def find_prefect_commands(document: Document) -> Iterator[PrefectCommand]:
    """The agent-era ``prefect`` commands of a script, found once per document (L020, L021
    and L022 each ask)."""
    return iter(document.memo(_prefect_command_list))


def _prefect_command_list(document: Document) -> list[PrefectCommand]:
    return list(_find_prefect_commands(document))


def _find_prefect_commands(document: Document) -> Iterator[PrefectCommand]:
    seen: set[int] = set()
    for words in all_commands(document):
        for index, word in enumerate(words):
            if not _is_prefect(word) or _is_prose(words[:index]):
                continue
            rest = [w.text for w in words[index + 1 : index + 4]]
            subcommand: tuple[str, ...] | None = None
            if rest[:2] == ["agent", "start"]:
                subcommand = ("agent", "start")
            elif len(rest) >= 3 and rest[0] == "agent" and rest[1] in PREFECT1_AGENTS and \
                    rest[2] == "start":
                subcommand = ("agent", rest[1], "start")
            elif rest[:2] in (["deployment", "build"], ["deployment", "apply"]):
                subcommand = ("deployment", rest[1])
            if subcommand is None:
                continue
            start = word.inner.start
            if start in seen:
                continue
            seen.add(start)
            yield PrefectCommand(words[index:], subcommand)


def _options(arguments: list[Word]) -> tuple[dict[str, str], list[str]]:
    """Options with their values, and the options (or positional words) that have none."""
    values: dict[str, str] = {}
    others: list[str] = []
    index = 0
    while index < len(arguments):
        text = arguments[index].text
        name, _, inline = text.partition("=")
        if name in TAKES_VALUE and not inline and index + 1 < len(arguments):
            values.setdefault(name, arguments[index + 1].text)
            index += 2
            continue
        if name in TAKES_VALUE:
            values.setdefault(name, inline)
        else:
            others.append(text)
        index += 1
    return values, others


def _rendered(command: PrefectCommand, document: Document) -> str:
    text = " ".join(word.text.lstrip("@-+") if index == 0 else word.text
                    for index, word in enumerate(command.words))
    return text if len(text) <= 80 else text[:77] + "..."


# -- rules ------------------------------------------------------------------------------------


@rule("L020", "agent-start-command", Severity.ERROR,
      "`prefect agent start` was removed in Prefect 3; run `prefect worker start --pool`",
      fix=Applicability.UNSAFE, kinds=(SCRIPT,), needs=Needs.TEXT)
def agent_start_command(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `prefect agent start` (with any of `-q`, `--work-queue`, `-p`, `--pool`,
    `--match`, ...) in a shell script, Dockerfile, Makefile, CI workflow, docker-compose
    `command:`, Kubernetes or Helm `command:`/`args:` list, or Terraform `command = [...]`.

    **Why**: Prefect 3.0 removed agents; the command no longer exists and the container or
    job exits at once with "unknown command". Workers replace agents: a worker polls a work
    pool (of a worker type such as `process`, `docker` or `kubernetes`).

    **Target**: on a Prefect 2 target the command still works: a warning that 3.0 removes it.

    **Fix**: with a pool, `agent` becomes `worker` (`prefect worker start --pool etl`); the
    queue, limit, prefetch and run-once options carry over unchanged. Unsafe: a process that
    exited at once now runs a worker, which runs flows with the pool's job template instead
    of the deployment's infrastructure block. A queue-only agent
    (`prefect agent start -q default`) names no pool, so there is no automatic fix: create a
    pool and run `prefect worker start --pool POOL --work-queue default`. `--match`, `--tag`,
    `--api` and `--hide-welcome` have no worker equivalent.
    """
    document = context.document
    for command in find_prefect_commands(document):
        if command.subcommand != ("agent", "start"):
            continue
        values, others = _options(command.arguments)
        pool = values.get("--pool") or values.get("-p")
        queue = values.get("--work-queue") or values.get("-q")
        unsupported = [name for name in [*values, *others] if name not in WORKER_COMPATIBLE]
        shown = _rendered(command, document)
        fix = None
        if pool and not unsupported:
            agent_word = command.words[1]
            fix = Fix("replace `prefect agent start` with `prefect worker start`",
                      (Edit(agent_word.inner.start, agent_word.inner.end, "worker"),),
                      Applicability.UNSAFE)
            message = (f"`{shown}`: agents were removed in Prefect 3; run "
                       f"`prefect worker start --pool {pool}` instead")
        elif pool:
            message = (f"`{shown}`: agents were removed in Prefect 3; run "
                       f"`prefect worker start --pool {pool}` (the worker has no "
                       f"{', '.join(unsupported)})")
        else:
            queue_part = f" --work-queue {queue}" if queue else ""
            message = (f"`{shown}`: agents were removed in Prefect 3, and a worker needs a work "
                       f"pool: create one and run `prefect worker start --pool POOL{queue_part}`")
        yield _for_target(context, Finding(command.span, message, fix=fix))


def _for_target(context: LintContext, finding: Finding) -> Finding:
    """On a 2.x target the agent-era command still works: a warning that says so."""
    target = context.project.settings.target_version
    if not versions.agent_commands_work(target):
        return finding
    message = finding.message.replace(" was removed in Prefect 3", " is removed in Prefect 3.0")
    message = message.replace("agents were removed in Prefect 3", "agents still work in "
                              f"{versions.target_words(target)} but are removed in Prefect 3.0")
    return finding._replace(message=message, severity=Severity.WARNING)


@rule("L021", "deployment-build-command", Severity.ERROR,
      "`prefect deployment build` / `apply` were removed in Prefect 3; use `prefect deploy`",
      kinds=(SCRIPT,), needs=Needs.TEXT)
def deployment_build_command(context: LintContext) -> Iterator[Finding]:
    """
    **What**: `prefect deployment build` or `prefect deployment apply` in a script, CI
    workflow or other infrastructure file.

    **Why**: both were deprecated in 2.16 and removed in Prefect 3.0 ("Unknown command
    'build'"), together with the `deployment.yaml` files they wrote and read.

    **Target**: on a Prefect 2 target the commands still work: a warning that 3.0 removes them.

    **Fix**: describe the deployment in `prefect.yaml` and run `prefect deploy --all` (or
    `prefect deploy -n nightly`). `prefect-lint migrate` turns an existing generated
    `deployment.yaml` into a prefect.yaml entry.
    """
    document = context.document
    for command in find_prefect_commands(document):
        if command.subcommand[0] != "deployment":
            continue
        yield _for_target(context, Finding(
            command.span,
            f"`{_rendered(command, document)}`: `prefect deployment "
            f"{command.subcommand[1]}` was removed in Prefect 3; describe the deployment in "
            "prefect.yaml and run `prefect deploy`",
            help="`prefect-lint migrate DEPLOYMENT.yaml` converts a generated deployment.yaml",
        ))


@rule("L022", "prefect1-agent-command", Severity.ERROR,
      "A Prefect 1 agent command (`prefect agent local start`, ...)", kinds=(SCRIPT,),
      needs=Needs.TEXT)
def prefect1_agent_command(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a Prefect 1 agent command: `prefect agent local start`, `prefect agent docker
    start`, `prefect agent kubernetes start`, ...

    **Why**: Prefect 1 agents (with `--label`) were replaced by Prefect 2 agents and then by
    Prefect 3 workers; the command does not exist in Prefect 2 or 3.

    **Fix**: create a work pool of the matching worker type (`process`, `docker`,
    `kubernetes`, `ecs`) and run `prefect worker start --pool POOL`.
    """
    document = context.document
    for command in find_prefect_commands(document):
        if len(command.subcommand) != 3:
            continue
        flavour = command.subcommand[1]
        pool_type = {"local": "process", "docker": "docker", "kubernetes": "kubernetes",
                     "ecs": "ecs", "fargate": "ecs", "vertex": "vertex-ai"}[flavour]
        yield Finding(
            command.span,
            f"`{_rendered(command, document)}` is a Prefect 1 agent; create a `{pool_type}` "
            "work pool and run `prefect worker start --pool POOL`",
        )


#: Keys of the Prefect 2 agent Helm charts (the prefect-helm `prefect-agent` chart and the
#: earlier recipes): any of them under a top-level `agent:` marks agent values.
AGENT_CHART_KEYS = frozenset({
    "workQueueName", "workQueues", "workPool", "apiUrl", "prefectCloudAccount",
    "cloudApiConfig", "config", "apiConfig",
})


@rule("L023", "agent-helm-values", Severity.ERROR, "Helm values for a Prefect agent chart",
      kinds=(SCRIPT,), needs=Needs.TREE)
def agent_helm_values(context: LintContext) -> Iterator[Finding]:
    """
    **What**: a Helm values file with a top-level `agent:` section in the shape of the
    Prefect 2 agent charts (`agent.workQueueName`, `agent.config.workQueues`,
    `agent.apiUrl`, ...).

    **Why**: agents were removed in Prefect 3 (and the `prefect-agent` chart with them); a
    cluster deployed from these values runs a process that cannot pick up any flow run from
    a Prefect 3 server.

    **Target**: on a Prefect 2 target the agent chart still works: a warning that 3.0
    removes agents.

    **Fix**: deploy the `prefect-worker` chart instead, with `worker.config.workPool` naming
    a `kubernetes` work pool (`worker.apiConfig` and `worker.cloudApiConfig` for the API).
    """
    document = context.document
    root = document.root
    if not isinstance(root, MappingNode) or Path(document.filename).suffix.lower() not in (
        ".yaml", ".yml"
    ):
        return
    found = find_key(root, "agent")
    if found is None or not isinstance(found[1], MappingNode):
        return
    key, value = found
    keys = {k.value for k, _ in value.value if isinstance(k, ScalarNode)}
    agent_keys = sorted(keys & AGENT_CHART_KEYS)
    if not agent_keys:
        return
    shown = ", ".join(f"`agent.{name}`" for name in agent_keys)
    yield _for_target(context, Finding(
        document.node_span(key),
        f"Helm values for a Prefect agent ({shown}): agents were removed in Prefect 3; "
        "deploy the prefect-worker chart with `worker.config.workPool` instead",
        help="create a kubernetes work pool and point `worker.config.workPool` at it",
    ))
