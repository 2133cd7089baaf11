"""The language server end to end: a real LSP client (pytest-lsp) starts `prefect-lint server`
over standard input/output, opens files, reads diagnostics, applies code actions, hovers and
completes. Positions are checked in UTF-16 code units, computed here independently."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

WORKSPACE = Path(tempfile.mkdtemp(prefix="prefect-lint-lsp-"))

ROCKET = "\U0001f680"  # outside the BMP: one code point, two UTF-16 units
BROKEN = (
    "deployments:\n"
    f"  - name: \"{ROCKET}\"\n"
    "    entrypoint: flows/etl.py:etl\n"
    f"  - {{description: \"{ROCKET}{ROCKET}\", entrypoint: \"flows/etl.py:etl\", "
    f"name: \"{ROCKET}\"}}\n"
    "    # prefect-lint: disable=Y002\n"
    "  - name: other\n"
    "    entrypoint: flows/etl.py:etl\n"
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return offset + index
        units += utf16(char)
    return offset + len(line.rstrip("\r\n"))


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    spans = sorted(((to_offset(text, e.range.start), to_offset(text, e.range.end), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "server"]),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=WORKSPACE.as_uri(),
    )
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        """As VS Code does: accept the server's file watchers."""
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    lsp_client.registrations = []  # type: ignore[attr-defined]
    # a fixed rule selection, so rules added later do not change what these tests see
    (WORKSPACE / "prefect-lint.toml").write_text('select = ["D001", "M001", "Y"]\n')
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(WORKSPACE, ignore_errors=True)


async def published(client: LanguageClient, uri: str) -> None:
    """Wait until the server has published diagnostics for ``uri`` (after a reset)."""
    for _ in range(50):
        if uri in client.diagnostics:
            return
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30)
    raise AssertionError(f"no diagnostics published for {uri}")


async def open_file(client: LanguageClient, relative: str, text: str) -> str:
    path = WORKSPACE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    await published(client, uri)
    return uri


async def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))
    await published(client, uri)


async def actions_at(client: LanguageClient, uri: str,
                     diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))
    return [await resolved(client, a) for a in result or [] if isinstance(a, types.CodeAction)]


async def resolved(client: LanguageClient, action: types.CodeAction) -> types.CodeAction:
    """The action with its edit: VS Code (whose capabilities these tests send) resolves the
    costly ones only when picked, as here."""
    if action.edit is not None:
        return action
    assert action.data is not None  # the server must say what to resolve
    return await client.code_action_resolve_async(action)


async def test_diagnostics_at_utf16_ranges(client: LanguageClient) -> None:
    uri = await open_file(client, "a/prefect.yaml", BROKEN)
    found = {d.code: d for d in client.diagnostics[uri]}
    assert set(found) == {"D001", "M001"}
    d001 = found["D001"]
    line = BROKEN.splitlines()[3]
    start = line.index(f'name: "{ROCKET}"}}') + len("name: ")
    assert d001.range == types.Range(
        types.Position(3, utf16(line[:start])),
        types.Position(3, utf16(line[:start]) + utf16(f'"{ROCKET}"')),
    )
    assert d001.range.end.character - d001.range.start.character == 4  # " + 2 units + "
    assert d001.severity == types.DiagnosticSeverity.Error
    assert d001.source == "prefect-lint"
    assert d001.code_description is None  # no docs-url configured: no link
    assert "already used on line 2" in d001.message
    m001 = found["M001"]
    assert m001.severity == types.DiagnosticSeverity.Warning
    assert m001.range.start == types.Position(4, len("    # prefect-lint: disable="))
    (watchers,) = client.registrations  # type: ignore[attr-defined]
    assert watchers.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES


async def test_fix_action_then_disable_action_clear_everything(client: LanguageClient) -> None:
    uri = await open_file(client, "b/prefect.yaml", BROKEN)
    text = BROKEN
    m001 = next(d for d in client.diagnostics[uri] if d.code == "M001")
    actions = await actions_at(client, uri, m001)
    fix = next(a for a in actions if a.title.startswith("M001: "))
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    text = apply(text, fix.edit.changes[uri])
    assert "# prefect-lint: disable=Y002" not in text
    await change(client, uri, text, 2)
    assert [d.code for d in client.diagnostics[uri]] == ["D001"]

    d001 = client.diagnostics[uri][0]
    actions = await actions_at(client, uri, d001)
    assert "Disable D001 for this line" in [a.title for a in actions]
    disable = next(a for a in actions if a.title == "Disable D001 for this line")
    assert disable.edit is not None and disable.edit.changes is not None
    text = apply(text, disable.edit.changes[uri])
    assert text.splitlines()[3].endswith(f'name: "{ROCKET}"}}  # prefect-lint: disable=D001')
    await change(client, uri, text, 3)
    assert list(client.diagnostics[uri]) == []


async def test_fix_all_action(client: LanguageClient) -> None:
    text = "deployments: []  # prefect-lint: disable=D001\n"
    uri = await open_file(client, "c/prefect.yaml", text)
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[],
                                        only=[types.CodeActionKind.SourceFixAll]),
    ))
    (offered,) = [a for a in result or [] if isinstance(a, types.CodeAction)]
    assert offered.edit is None  # left to codeAction/resolve: fix all costs several checks
    action = await resolved(client, offered)
    assert action.kind == types.CodeActionKind.SourceFixAll
    assert action.edit is not None and action.edit.changes is not None
    assert apply(text, action.edit.changes[uri]) == "deployments: []\n"


async def test_other_yaml_files_are_left_alone(client: LanguageClient) -> None:
    other = WORKSPACE / "d" / "settings.yaml"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text("name: a\nname: b\n", encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=other.as_uri(), language_id="yaml", version=1, text="name: a\nname: b\n")))
    uri = await open_file(client, "d/prefect.yaml", "name: a\nname: b\n")  # opened after it
    assert [d.code for d in client.diagnostics[uri]] == ["Y002"]
    assert other.as_uri() not in client.diagnostics


async def test_configuration_is_honoured_and_errors_are_shown(client: LanguageClient) -> None:
    (WORKSPACE / "e").mkdir()
    (WORKSPACE / "e" / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["D001", "M001", "Y"]\nignore = ["D001"]\n')
    uri = await open_file(client, "e/prefect.yaml", BROKEN)
    assert [d.code for d in client.diagnostics[uri]] == ["M001"]
    (WORKSPACE / "e" / "pyproject.toml").write_text('[tool.prefect-lint]\nnope = 1\n')
    await change(client, uri, BROKEN, 2)
    (error,) = client.diagnostics[uri]
    assert "unknown key `nope`" in error.message
    assert error.severity == types.DiagnosticSeverity.Error


async def test_hover_shows_the_schema_description(client: LanguageClient) -> None:
    text = "deployments:\n  - name: etl\n    entrypoint: flows/etl.py:etl\n"
    uri = await open_file(client, "f/prefect.yaml", text)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(2, 6),
    ))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**Entrypoint**\n\nWhere the flow function lives")
    assert "Type: `string` or `null`" in hover.contents.value
    assert hover.range == types.Range(types.Position(2, 4), types.Position(2, 14))
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(2, 20),  # on the value
    ))
    assert nothing is None


async def completion_labels(client: LanguageClient, relative: str, text: str,
                            line: int, character: int) -> list[str]:
    uri = await open_file(client, relative, text)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line, character),
    ))
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_deployment_keys(client: LanguageClient) -> None:
    text = "deployments:\n  - name: etl\n    en\n"
    labels = await completion_labels(client, "g/prefect.yaml", text, 2, 6)
    assert {"entrypoint", "work_pool", "schedules", "parameters"} <= set(labels)
    assert "name" not in labels  # already there
    top = await completion_labels(client, "g2/prefect.yaml", "de\n", 0, 2)
    assert {"deployments", "pull", "build", "push"} <= set(top)


async def test_completion_of_steps_and_job_variables(client: LanguageClient) -> None:
    from linter.resources import schema_path

    text = "pull:\n  - \n"
    labels = await completion_labels(client, "h/prefect.yaml", text, 1, 4)
    if schema_path("steps.json").is_file():
        assert "prefect.deployments.steps.git_clone" in labels
    text = ("deployments:\n  - name: etl\n    work_pool:\n      name: k8s\n"
            "      job_variables:\n        \n")
    labels = await completion_labels(client, "i/prefect.yaml", text, 5, 8)
    if (schema_path("pools", "kubernetes.json")).is_file():
        assert {"image", "namespace", "env"} <= set(labels)


async def test_hover_on_a_job_variable_and_a_step(client: LanguageClient) -> None:
    from linter.resources import schema_path

    text = ("pull:\n  - prefect.deployments.steps.git_clone:\n      repository: x\n"
            "deployments:\n  - name: etl\n    work_pool:\n      name: k8s\n"
            "      job_variables:\n        image: x\n")
    uri = await open_file(client, "j/prefect.yaml", text)

    async def hover_at(line: int, character: int) -> str:
        found = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, character)))
        assert found is not None and isinstance(found.contents, types.MarkupContent)
        return found.contents.value

    assert schema_path("pools", "docker.json").is_file()
    assert "**Image**" in await hover_at(8, 9)
    assert schema_path("steps.json").is_file()
    step = await hover_at(1, 10)  # the schema describes the common steps
    assert step.startswith("**git_clone**\n\nClones a git repository")


async def test_excluded_files_get_no_diagnostics(client: LanguageClient) -> None:
    (WORKSPACE / "excl").mkdir(exist_ok=True)
    (WORKSPACE / "excl" / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["Y"]\nextend-exclude = ["vendor/"]\n')
    excluded = await open_file(client, "excl/vendor/prefect.yaml", "name: a\nname: b\n")
    assert list(client.diagnostics[excluded]) == []
    checked = await open_file(client, "excl/prefect.yaml", "name: a\nname: b\n")
    assert [d.code for d in client.diagnostics[checked]] == ["Y002"]


async def test_completion_of_values(client: LanguageClient) -> None:
    from linter.resources import schema_path

    text = ("deployments:\n  - name: etl\n    concurrency_limit:\n      limit: 1\n"
            "      collision_strategy: \n")
    assert await completion_labels(client, "v1/prefect.yaml", text, 4, 26) == [
        "ENQUEUE", "CANCEL_NEW"]
    text = "deployments:\n  - name: etl\n    paused: \n"
    assert await completion_labels(client, "v2/prefect.yaml", text, 2, 12) == ["true", "false"]
    text = "deployments:\n  - name: etl\n    schedules:\n      - cron: '0 * * * *'\n" \
           "        timezone: Eu\n"
    assert "Europe/Berlin" in await completion_labels(client, "v3/prefect.yaml", text, 4, 20)
    (WORKSPACE / "v4").mkdir()
    (WORKSPACE / "v4" / "pyproject.toml").write_text(
        '[tool.prefect-lint.pools]\nk8s-prod = "kubernetes"\ndocker-dev = "docker"\n')
    text = "deployments:\n  - name: etl\n    work_pool:\n      name: \n"
    assert await completion_labels(client, "v4/prefect.yaml", text, 3, 12) == [
        "k8s-prod", "docker-dev"]
    text = ("deployments:\n  - name: etl\n    work_pool:\n      name: k8s-prod\n"
            "      job_variables:\n        image_pull_policy: \n")
    if schema_path("pools", "kubernetes.json").is_file():
        assert set(await completion_labels(client, "v4/p/prefect.yaml", text, 5, 27)) == {
            "Always", "IfNotPresent", "Never"}


async def test_completion_keeps_the_pool_while_the_document_does_not_parse(
    client: LanguageClient,
) -> None:
    from linter.resources import schema_path

    (WORKSPACE / "typing").mkdir()
    (WORKSPACE / "typing" / "pyproject.toml").write_text(
        '[tool.prefect-lint.pools]\nk8s-prod = "kubernetes"\n')
    # `cp` half typed: no colon yet, so the file does not parse
    text = ("deployments:\n  - name: etl\n    work_pool:\n      name: k8s-prod\n"
            "      job_variables:\n        image: x\n        cp\n")
    labels = await completion_labels(client, "typing/prefect.yaml", text, 6, 10)
    assert schema_path("pools", "kubernetes.json").is_file()
    kubernetes = load_json_pool("kubernetes")
    assert "cpu" not in labels  # an ECS / Cloud Run variable
    assert set(labels) == kubernetes - {"image"}



WORKSPACE_SNAPSHOT = """{"snapshot": "prefect-lint workspace", "version": 1, "api_host": "h",
"pulled_at": "2099-01-01T00:00:00Z",
"work_pools": {"k8s-prod": {"type": "kubernetes", "work_queues": ["default", "high-memory"]},
               "pulled-pool": {"type": "process", "work_queues": ["default"]}},
"block_documents": {"secret": ["db-password"], "json": ["settings"]},
"variables": ["image_tag", "region"]}"""


async def test_completion_from_the_workspace_snapshot(client: LanguageClient) -> None:
    """Pools, a pool's queues, block and variable placeholders from `prefect-lint pull`."""
    (WORKSPACE / "ws" / ".prefect-lint").mkdir(parents=True)
    (WORKSPACE / "ws" / "pyproject.toml").write_text(
        '[tool.prefect-lint.pools]\nk8s-prod = "kubernetes"\n')
    (WORKSPACE / "ws" / ".prefect-lint" / "workspace.json").write_text(WORKSPACE_SNAPSHOT)
    text = "deployments:\n  - name: etl\n    work_pool:\n      name: \n"
    assert await completion_labels(client, "ws/prefect.yaml", text, 3, 12) == [
        "k8s-prod", "pulled-pool"]
    text = ("deployments:\n  - name: etl\n    work_pool:\n      name: k8s-prod\n"
            "      work_queue_name: \n")
    assert await completion_labels(client, "ws/q/prefect.yaml", text, 4, 23) == [
        "default", "high-memory"]
    text = ("deployments:\n  - name: etl\n    work_pool:\n      name: k8s-prod\n"
            "      job_variables:\n        image: \"org/etl:{{ prefect.var\n")
    uri = await open_file(client, "ws/v/prefect.yaml", text)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(5, 38)))
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items] == [
        "prefect.variables.image_tag", "prefect.variables.region"]
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert (edit.range.start.character, edit.range.end.character) == (27, 38)
    text = "pull:\n  - my.step:\n      token: \"{{ prefect.blocks.\n"
    labels = await completion_labels(client, "ws/b/prefect.yaml", text, 2, 35)
    assert labels == ["prefect.blocks.json.settings", "prefect.blocks.secret.db-password"]


def load_json_pool(pool_type: str) -> set[str]:
    from linter.resources import load_json

    return set(load_json("pools", f"{pool_type}.json")["variables"]["properties"])


async def test_included_file_names_get_diagnostics(client: LanguageClient) -> None:
    (WORKSPACE / "incl").mkdir(exist_ok=True)
    (WORKSPACE / "incl" / "pyproject.toml").write_text(
        '[tool.prefect-lint]\nselect = ["Y"]\nextend-include = ["prefect-*.yaml"]\n')
    included = await open_file(client, "incl/prefect-prod.yaml", "name: a\nname: b\n")
    assert [d.code for d in client.diagnostics[included]] == ["Y002"]


async def test_deep_nesting_is_a_diagnostic_and_the_server_lives_on(
        client: LanguageClient) -> None:
    """30,000 levels of brackets killed the server (a segmentation fault in the C composer)."""
    deep = "deployments: " + "[" * 30_000 + "]" * 30_000 + "\n"
    uri = await open_file(client, "deep/prefect.yaml", deep)
    (found,) = client.diagnostics[uri]
    assert found.code == "Y001"
    assert "more than 5,000 levels" in found.message
    uri = await open_file(client, "after-deep/prefect.yaml",
                          "deployments:\n  - name: a\n  - name: a\n")
    assert [d.code for d in client.diagnostics[uri]] == ["D001"]


async def test_policy_rules_reach_the_editor(client: LanguageClient) -> None:
    folder = WORKSPACE / "governed"
    folder.mkdir(exist_ok=True)
    (folder / "org.yaml").write_text(
        "rules:\n  ORG001:\n    description: Deployments have tags\n"
        "    given: $.deployments[*]\n    then: {field: tags, function: truthy}\n")
    (folder / "prefect-lint.toml").write_text(
        'select = ["ORG"]\npolicy-files = ["org.yaml"]\n')
    text = "deployments:\n  - name: a\n    tags: [x]\n  - name: b\n"
    uri = await open_file(client, "governed/prefect.yaml", text)
    (found,) = client.diagnostics[uri]
    assert found.code == "ORG001"
    assert found.range.start == types.Position(line=3, character=4)


async def test_python_scripts_that_import_prefect_get_diagnostics_and_fixes(
        client: LanguageClient) -> None:
    (WORKSPACE / "py").mkdir()
    (WORKSPACE / "py" / "pyproject.toml").write_text('[tool.prefect-lint]\nselect = ["L03"]\n')
    other = WORKSPACE / "py" / "util.py"
    other.write_text("import os\n", encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=other.as_uri(), language_id="python", version=1, text="import os\n")))
    text = ("from prefect.orion.schemas.schedules import CronSchedule\n"
            "from prefect.deployments import Deployment\n")
    uri = await open_file(client, "py/deploy.py", text)  # opened after util.py
    found = client.diagnostics[uri]
    assert [(d.code, d.range.start.line) for d in found] == [("L030", 0), ("L030", 1)]
    actions = await actions_at(client, uri, found[0])
    fix = next(a for a in actions if a.title.startswith("L030: "))
    assert fix.edit is not None and fix.edit.changes is not None
    assert apply(text, fix.edit.changes[uri]).startswith(
        "from prefect.client.schemas.schedules import CronSchedule\n")
    assert other.as_uri() not in client.diagnostics
