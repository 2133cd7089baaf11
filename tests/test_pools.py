"""linter.prefect.pools: the pools table, templates, snapshots, the catalog; `pools list`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.errors import ConfigError
from linter.prefect.pool_variables import describe_schema, server_schema
from linter.prefect.pools import (
    BUNDLED_TYPES,
    PoolSnapshot,
    TemplateError,
    build_catalog,
    bundled_template,
    bundled_types,
    parse_pools_table,
    read_snapshots,
    snapshot_filename,
    template_from_json,
    write_snapshots,
)
from linter.project.config import Settings
from tests.conftest import REPO, corpus_files, write

TEMPLATE = {"job_configuration": {"image": "{{ image }}"},
            "variables": {"properties": {"image": {"type": "string"}}}}


def settings_for(root: Path, pools: object) -> Settings:
    source = write(root, "pyproject.toml", "[tool.prefect-lint]\n")
    return Settings(source=source, root=root, extra={"pools": pools})


def test_every_bundled_type_is_shipped_and_checkable() -> None:
    assert bundled_types() == BUNDLED_TYPES
    for pool_type in BUNDLED_TYPES:
        template = bundled_template(pool_type)
        assert template.checkable and "env" in template.properties
        # every variable of a default template is used by its job configuration
        assert set(template.properties) <= template.referenced_variables


@pytest.mark.parametrize(("table", "message"), [
    ([], "`pools` must be a table"),
    ({"k": 3}, "`pools.k` must be a pool type"),
    ({"k": "k8s"}, "has no bundled template"),
    ({"k": {"type": "docker", "template": "x.json"}}, "exactly one of `type` or `template`"),
    ({"k": {"file": "x.json"}}, "unknown key: file"),
    ({"my pool": {"template": ""}}, '`pools."my pool".template` must be a file path'),
])
def test_bad_tables_name_the_file_and_key(tmp_path: Path, table: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_pools_table(table, tmp_path / "pyproject.toml")
    assert message in str(raised.value)
    assert str(tmp_path / "pyproject.toml") in str(raised.value)


def test_table_forms(tmp_path: Path) -> None:
    mappings = parse_pools_table(
        {"a": "docker", "b": {"type": "ecs"}, "c": {"template": "pools/c.json"}},
        tmp_path / "pyproject.toml",
    )
    assert [(m.pool_name, m.pool_type, m.template_file) for m in mappings] == [
        ("a", "docker", None), ("b", "ecs", None), ("c", None, tmp_path / "pools/c.json")]


def test_template_json_forms() -> None:
    assert template_from_json(TEMPLATE) is TEMPLATE
    inspected = {"name": "p", "type": "process", "base_job_template": TEMPLATE}
    assert template_from_json(inspected) is TEMPLATE
    assert template_from_json({}) == {}
    with pytest.raises(TemplateError, match="missing: variables"):
        template_from_json({"job_configuration": {}})
    with pytest.raises(TemplateError, match="JSON object"):
        template_from_json([1])


def test_template_file_as_inspect_prints_it(tmp_path: Path) -> None:
    write(tmp_path, "pools/c.json", json.dumps({"name": "c", "type": "docker",
                                                "base_job_template": TEMPLATE}))
    catalog = build_catalog(settings_for(tmp_path, {"c": {"template": "pools/c.json"}}).pools)
    template = catalog.template_for("c")
    assert template is not None and template.custom and template.pool_type == "docker"
    assert set(template.properties) == {"image"}


def test_catalog_notices_a_template_file_changed_with_its_size_and_mtime_kept(
        tmp_path: Path) -> None:
    """A long-running process (the language server) must not keep a stale template."""
    import os

    from linter.prefect.pools import catalog_for

    def template(variable: str) -> str:
        body = {"job_configuration": {}, "variables": {"properties": {variable: {}}}}
        return json.dumps({"name": "c", "type": "docker", "base_job_template": body})

    path = write(tmp_path, "pools/c.json", template("aaaa"))
    config = settings_for(tmp_path, {"c": {"template": "pools/c.json"}}).pools
    first = catalog_for(config).template_for("c")
    assert first is not None and set(first.properties) == {"aaaa"}
    before = path.stat()
    path.write_text(template("bbbb"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    second = catalog_for(config).template_for("c")
    assert second is not None and set(second.properties) == {"bbbb"}


def test_broken_template_file_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, "pools/c.json", "{not json")
    with pytest.raises(ConfigError, match=r"`pools.c.template`: .*c.json is not JSON"):
        build_catalog(settings_for(tmp_path, {"c": {"template": "pools/c.json"}}).pools)


def test_snapshots_round_trip_any_pool_name(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    names = ["team pool", "a/b", "Claude CICD", "ünïcode", "x%y"]
    pools = [PoolSnapshot(name, "process", TEMPLATE) for name in names]
    written = write_snapshots(folder, pools, "http://h/api", replace_all=False)
    assert not written.skipped and list(written.files) == names
    assert len({path.name for path in written.files.values()}) == len(names)
    assert all(path.parent == folder for path in written.files.values())
    assert snapshot_filename("a/b") == "a%2Fb.json"
    assert sorted(read_snapshots(folder)) == sorted(names)
    write_snapshots(folder, pools[:1], "http://h/api", replace_all=True)
    assert list(read_snapshots(folder)) == ["team pool"]


def test_damaged_snapshot_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, ".prefect-lint/pools/x.json", '{"type": "process"}')
    with pytest.raises(ConfigError, match="not a work-pool snapshot"):
        build_catalog(settings_for(tmp_path, {}).pools)


def test_configuration_wins_over_the_snapshot(tmp_path: Path) -> None:
    write_snapshots(tmp_path / ".prefect-lint/pools",
                    [PoolSnapshot("k", "process", TEMPLATE), PoolSnapshot("s", None, TEMPLATE)],
                    "http://h/api", replace_all=True)
    catalog = build_catalog(settings_for(tmp_path, {"k": "kubernetes"}).pools)
    k = catalog.template_for("k")
    s = catalog.template_for("s")
    assert k is not None and k.pool_type == "kubernetes" and not k.custom
    assert s is not None and s.custom and s.origin.startswith("snapshot")
    assert catalog.template_for("nope") is None
    assert [(name, shadowed) for name, _, shadowed in catalog.entries()] == [
        ("k", False), ("k", True), ("s", False)]


def test_pools_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint.pools]\nk8s-prod = "kubernetes"\n')
    result = cli("pools", "list")
    assert result.exit_code == 0
    assert "k8s-prod  kubernetes  bundled default of type \"kubernetes\"" in result.output
    assert "none yet: run `prefect-lint pools pull`" in result.output
    write(tmp_path, "pyproject.toml", '[tool.prefect-lint.pools]\nk8s-prod = "k8s"\n')
    result = cli("pools", "list")
    assert result.exit_code == 2 and "`pools.k8s-prod`" in result.output


def test_server_schema_matches_prefect_preprocessing() -> None:
    docker = json.loads((REPO / "schemas/pools/docker.json").read_text())["variables"]
    schema = server_schema(docker)
    assert schema["properties"]["image"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert "required" not in json.dumps(schema)
    vertex = json.loads((REPO / "schemas/pools/vertex-ai.json").read_text())["variables"]
    # a required variable does not become nullable
    assert server_schema(vertex)["properties"]["region"] == vertex["properties"]["region"]


def test_describe_schema_words() -> None:
    root: dict[str, object] = {}
    assert describe_schema({"type": "array", "items": {"type": "string"}}, root) == \
        "a list of strings"
    assert describe_schema({"anyOf": [{"type": "integer"}, {"type": "null"}]}, root) == \
        "an integer or null"
    assert describe_schema({"enum": ["a", 1]}, root) == 'one of "a", 1'


def test_corpus_files_do_not_crash_with_every_pool_mapped(tmp_path: Path) -> None:
    from linter.project.config import ConfigResolver, Overrides
    from linter.run.runner import Runner

    files = corpus_files("prefect_yaml")
    names: set[str] = set()
    for path in files:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stripped = line.strip()
            if stripped.startswith("name:") and "{{" not in stripped:
                names.add(stripped[5:].strip().strip("'\""))
    pools = {name: BUNDLED_TYPES[i % len(BUNDLED_TYPES)] for i, name in enumerate(sorted(names))
             if name}
    settings = Overrides(select=("P",)).apply(settings_for(tmp_path, pools))
    runner = Runner(ConfigResolver(cwd=tmp_path))
    total = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        total += len(runner.lint_text(text, path.name, None, settings).diagnostics)
    assert total > 0  # mapped to arbitrary types, some variables must be foreign
