"""``prefect-lint migrate``: Prefect 2 ``deployment.yaml`` files -> prefect.yaml entries.

Each legacy file becomes one deployment entry: name, description, version, tags, parameters,
entrypoint, schedules, work pool and queue, job variables (from the infrastructure block and
``infra_overrides``) and pull steps (from ``storage`` and ``path``). Everything that cannot be
carried over is returned as a note with the reason. The entries are added to an existing
prefect.yaml by text insertion (nothing already there changes), or written as a new file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from linter.lazy_regex import lazy_compile
from linter.prefect import agent_era
from linter.prefect.legacy_files import looks_like_legacy_deployment
from linter.prefect.releases import Target
from linter.reading import InputError, read_regular_file
from linter.source.document import DecodeError, Document, decode, find_key
from linter.source.edit import column, entry_end, is_empty_value, line_start, value_end


class MigrateError(Exception):
    """A file that cannot be migrated, with a sentence saying why."""


#: keys of a legacy file that have no prefect.yaml equivalent and need no note
SILENTLY_DROPPED = frozenset({
    "flow_name", "manifest_path", "parameter_openapi_schema", "timestamp", "schedule",
    "schedules", "is_schedule_active", "infra_overrides", "job_variables", "infrastructure",
    "storage", "path", "work_pool_name", "work_queue_name", "name", "description", "version",
    "tags", "parameters", "entrypoint", "enforce_parameter_schema", "triggers", "work_pool",
})


class Migration:
    source: str
    entry: dict[str, Any]
    notes: list[str]

    def __init__(
        self,
        source: str,
        entry: dict[str, Any],
        notes: list[str] | None = None,
    ) -> None:
        self.source = source
        self.entry = entry
        self.notes = [] if notes is None else notes


def parse_pool_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``BLOCK=POOL`` pairs (BLOCK: a block name, ``slug/name``, or an infrastructure type)."""
    mapping: dict[str, str] = {}
    for value in values:
        block, sep, pool = value.partition("=")
        if not sep or not block.strip() or not pool.strip():
            raise MigrateError(f"--pool-map {value!r}: write it as BLOCK=POOL")
        mapping[block.strip()] = pool.strip()
    return mapping


def load_legacy(path: Path) -> tuple[Document, dict[str, Any]]:
    try:
        raw = read_regular_file(path)
    except InputError as error:
        raise MigrateError(f"{path}: {error}") from None
    try:
        decoded = decode(raw)
    except DecodeError as error:
        raise MigrateError(f"{path}: {error}") from None
    document = Document.from_text(decoded.text, str(path), path=path, kind="legacy")
    if document.parse_error is not None:
        position = document.position(document.parse_error.offset)
        raise MigrateError(f"{path}:{position.row}:{position.column}: invalid YAML: "
                           f"{document.parse_error.message}")
    if not looks_like_legacy_deployment(decoded.text[:4096]):
        raise MigrateError(f"{path}: not a Prefect 2 deployment file (no `### DO NOT EDIT` "
                           "header and no flow_name / infrastructure / storage keys)")
    if document.plain.fatal is not None or not isinstance(document.data, dict):
        raise MigrateError(f"{path}: the top level is not a mapping of deployment settings")
    return document, document.data


def _pool_name(data: dict[str, Any], pool_type: str | None, pool_map: dict[str, str],
               notes: list[str]) -> str | None:
    infrastructure = data.get("infrastructure")
    candidates: list[str] = []
    if isinstance(infrastructure, dict):
        saved = agent_era.saved_block_name(infrastructure)
        if saved is not None:
            candidates += [f"{saved[0]}/{saved[1]}", saved[1]]
        kind = agent_era.infrastructure_type(infrastructure)
        if kind:
            candidates.append(kind)
    for candidate in candidates:
        if candidate in pool_map:
            return pool_map[candidate]
    named = data.get("work_pool_name")
    if isinstance(named, str) and named and named != "default-agent-pool":
        notes.append(f"work_pool.name: {named!r} was the pool of a Prefect 2 agent; if it is of "
                     "type prefect-agent, workers cannot poll it: use a pool of type "
                     f"{pool_type or 'process'}")
        return named
    if named == "default-agent-pool":
        notes.append("work_pool_name: default-agent-pool is an agent pool that workers cannot "
                     "poll; a worker pool name was used instead")
    if pool_type is None:
        notes.append("work_pool.name: no infrastructure type to derive a pool from; set the "
                     "pool name (or pass --pool-map)")
        return None
    name = f"{pool_type}-pool"
    notes.append(f"work_pool.name: {name!r} is a suggested name; create it with `prefect "
                 f"work-pool create {name} --type {pool_type}` or pass --pool-map")
    return name


def _explicit_work_pool(data: dict[str, Any], explicit: dict[str, Any],
                        job_variables: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """A ``work_pool:`` the legacy file already writes the Prefect 3 way: carried as it is;
    the agent-era keys only fill in what it leaves out."""
    work_pool = dict(explicit)
    named = data.get("work_pool_name")
    if isinstance(named, str) and named and named != work_pool["name"]:
        notes.append(f"work_pool_name: {named!r} differs from work_pool.name "
                     f"{work_pool['name']!r}; work_pool.name was kept")
    queue = data.get("work_queue_name")
    if (isinstance(queue, str) and queue and queue != "default"
            and "work_queue_name" not in work_pool):
        work_pool["work_queue_name"] = queue
    if job_variables:
        given = work_pool.get("job_variables")
        if isinstance(given, dict):
            # the file's own job_variables win over what the agent-era keys say
            work_pool["job_variables"] = agent_era.merge_job_variables(job_variables, given)
        elif given is None:
            work_pool["job_variables"] = job_variables
    return work_pool


def _pull_steps(data: dict[str, Any], notes: list[str]) -> list[Any] | None:
    """The deployment's pull steps, from what its Prefect 2 storage meant: the steps that
    fetch the code from the storage block; ``[]`` when there was no storage and no path (the
    agent ran the flow where it stood, fetching nothing); None (no ``pull`` key) when the
    storage could not be converted."""
    storage = data.get("storage")
    pull = agent_era.storage_to_pull_steps(storage, data.get("path"))
    notes.extend(pull.notes)
    if pull.value:
        return list(pull.value)
    if isinstance(storage, dict) and storage:
        notes.append("pull: the storage block was not converted, so no `pull` was written; "
                     "the file's top-level pull steps (if any) apply: check them")
        return None
    notes.append("pull: [] written: the Prefect 2 deployment had no storage block and fetched "
                 "no code (it ran from the agent's working directory); `pull: []` keeps it so "
                 "and switches off the prefect.yaml's top-level pull steps for this deployment "
                 "(Prefect 3.8.0+); remove it to use them")
    return []


def migrate_data(data: dict[str, Any], source: str,
                 pool_map: dict[str, str] | None = None,
                 target: Target | None = None) -> Migration:
    """The prefect.yaml deployment entry for one legacy deployment's data, in the form the
    ``target`` release reads (None: the newest)."""
    migration = Migration(source, {})
    entry, notes = migration.entry, migration.notes
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MigrateError(f"{source}: the deployment has no name")
    entry["name"] = name
    _carry_metadata(data, entry)
    _carry_entrypoint(data, entry, notes)
    parameters = data.get("parameters")
    if isinstance(parameters, dict) and parameters:
        entry["parameters"] = parameters
    if isinstance(data.get("enforce_parameter_schema"), bool):
        entry["enforce_parameter_schema"] = data["enforce_parameter_schema"]
    schedules = agent_era.legacy_schedules(data.get("schedule"), data.get("schedules"),
                                           data.get("is_schedule_active"))
    notes.extend(schedules.notes)
    if schedules.value:
        _place_schedules(entry, schedules.value, notes, target)
    work_pool = _work_pool(data, pool_map or {}, notes)
    if work_pool:
        entry["work_pool"] = work_pool
    pull = _pull_steps(data, notes)
    if pull is not None:
        entry["pull"] = pull
    triggers = data.get("triggers")
    if isinstance(triggers, list) and triggers:
        carried = carry_triggers(triggers, notes)
        if carried:
            entry["triggers"] = carried
    _note_what_is_left(data, notes)
    return migration


def _carry_metadata(data: dict[str, Any], entry: dict[str, Any]) -> None:
    for key in ("description", "version"):
        value = data.get(key)
        if value is not None:
            entry[key] = str(value)
    tags = data.get("tags")
    if isinstance(tags, list) and tags:
        entry["tags"] = [str(tag) for tag in tags]


def _carry_entrypoint(data: dict[str, Any], entry: dict[str, Any], notes: list[str]) -> None:
    entrypoint = data.get("entrypoint")
    if isinstance(entrypoint, str) and entrypoint:
        entry["entrypoint"] = entrypoint
        if "\\" in entrypoint:
            notes.append("entrypoint: written with backslashes on Windows; workers on Linux need "
                         "forward slashes")
        if entrypoint.startswith("/") or re.match(r"^[A-Za-z]:\\", entrypoint):
            notes.append("entrypoint: an absolute path from the machine that built the file; "
                         "make it relative to the folder the pull steps leave you in")
    elif isinstance(data.get("flow"), str):
        notes.append(f"flow: {data['flow']!r} names a file but not the flow function; set "
                     "entrypoint: <file>.py:<flow_function>")
    else:
        notes.append("entrypoint: missing; set it to <file>.py:<flow_function>")


def _work_pool(data: dict[str, Any], pool_map: dict[str, str],
               notes: list[str]) -> dict[str, Any]:
    """The entry's ``work_pool``: an explicit one of the legacy file, else the pool the
    infrastructure block maps to, with its queue and the job variables the block and the
    overrides set."""
    infrastructure = data.get("infrastructure")
    pool_type = agent_era.pool_type_for(infrastructure)
    job_variables: dict[str, Any] = {}
    if isinstance(infrastructure, dict):
        converted = agent_era.infrastructure_to_job_variables(infrastructure)
        notes.extend(converted.notes)
        job_variables = converted.value
    overrides = data.get("infra_overrides") or data.get("job_variables")
    if isinstance(overrides, dict) and overrides:
        job_variables = agent_era.merge_job_variables(
            job_variables, agent_era.expand_dotted(overrides))
    explicit = data.get("work_pool")
    if isinstance(explicit, dict) and explicit.get("name"):
        return _explicit_work_pool(data, explicit, job_variables, notes)
    if explicit is not None:
        notes.append(f"work_pool: {explicit!r} names no pool; left out")
    work_pool: dict[str, Any] = {}
    pool = _pool_name(data, pool_type, pool_map, notes)
    if pool is not None:
        work_pool["name"] = pool
    queue = data.get("work_queue_name")
    if isinstance(queue, str) and queue and queue != "default":
        work_pool["work_queue_name"] = queue
    if job_variables:
        work_pool["job_variables"] = job_variables
    return work_pool


def _note_what_is_left(data: dict[str, Any], notes: list[str]) -> None:
    if data.get("enforce_parameter_schema") is None:
        notes.append("enforce_parameter_schema: Prefect 3 checks parameters against the flow "
                     "signature by default (2.x did not); add `enforce_parameter_schema: false` "
                     "to keep the old behaviour")
    for key in sorted(set(data) - SILENTLY_DROPPED):
        if key == "flow":
            continue
        notes.append(f"{key}: not a deployment setting Prefect 3 knows; left out")


def carry_triggers(triggers: list[Any], notes: list[str]) -> list[dict[str, Any]]:
    """Prefect 2 wrote deployment triggers without a ``type`` (event triggers, or metric ones
    with ``posture: Metric``) and with every unset field as null; a prefect.yaml trigger
    needs its ``type``, and a null where Prefect 3 wants a value fails validation."""
    carried: list[dict[str, Any]] = []
    typed = 0
    for index, trigger in enumerate(triggers):
        if not isinstance(trigger, dict):
            notes.append(f"triggers[{index}]: not a mapping; left out")
            continue
        converted = {key: value for key, value in trigger.items() if value is not None}
        if "type" not in converted:
            metric = converted.get("posture") == "Metric" or "metric" in converted
            converted = {"type": "metric" if metric else "event", **converted}
            typed += 1
        carried.append(converted)
    if typed:
        notes.append(f"triggers: {typed} written by Prefect 2 without a type were given one "
                     "(`event`, or `metric` for a Metric posture); check them before deploying")
    return carried


# -- rendering --------------------------------------------------------------------------------

_PLAIN = lazy_compile(r"^[A-Za-z_/.][A-Za-z0-9_./@+:-]*$")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def scalar(value: Any) -> str:
    """A YAML scalar that PyYAML (YAML 1.1) reads back as exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if (_PLAIN.match(text) and text.lower() not in _YAML11_WORDS and not text.endswith(":")
            and "::" not in text and not text.startswith("//")):
        return text
    return json.dumps(text, ensure_ascii=False)


def emit(value: Any, indent: int) -> list[str]:
    """Block-style lines for a mapping or list at ``indent``."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                lines.append(head)
                lines.extend(emit(item, indent + 2))
            else:
                lines.append(f"{head} {_inline(item)}")
        return lines
    for item in value:
        if isinstance(item, (dict, list)) and item:
            inner = emit(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {_inline(item)}")
    return lines


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def render_entry(migration: Migration, dash_indent: int, newline: str = "\n") -> str:
    """The entry as a list item (``- name: ...``) at ``dash_indent``, with a comment naming
    its source; no final line break."""
    lines = [" " * dash_indent + f"# migrated from {Path(migration.source).name} by "
             "prefect-lint migrate"]
    lines.extend(emit([migration.entry], dash_indent))
    return newline.join(lines)


def new_prefect_yaml(migrations: list[Migration]) -> str:
    body = "\n".join(render_entry(m, 2) for m in migrations)
    return ("# Deployments for `prefect deploy`, migrated from Prefect 2 deployment files by\n"
            f"# prefect-lint migrate.\ndeployments:\n{body}\n")


def insert_entries(text: str, migrations: list[Migration], filename: str) -> str:
    """``text`` (an existing prefect.yaml) with the entries appended to ``deployments:``;
    every existing byte stays where it was."""
    document = Document.from_text(text, filename)
    if document.parse_error is not None:
        raise MigrateError(f"{filename}: invalid YAML, so nothing was added: "
                           f"{document.parse_error.message}")
    newline = document.newline
    root = document.root
    if root is None:
        return new_prefect_yaml(migrations).replace("\n", newline)
    if not isinstance(root, MappingNode):
        raise MigrateError(f"{filename}: the top level is not a mapping; nothing was added")
    existing = {str(e.get("name")) for e in (document.data or {}).get("deployments") or []
                if isinstance(e, dict)}
    top_pull = (document.data or {}).get("pull") if isinstance(document.data, dict) else None
    if top_pull:
        for migration in migrations:
            if migration.entry.get("pull"):
                migration.notes.append(f"pull: the deployment's own pull steps replace the "
                                       f"top-level pull section of {filename}")
    for migration in migrations:
        if migration.entry["name"] in existing:
            raise MigrateError(f"{filename} already has a deployment named "
                               f"{migration.entry['name']!r}; nothing was added")
    found = find_key(root, "deployments")
    if found is None:
        body = newline.join(render_entry(m, 2, newline) for m in migrations)
        prefix = text if not text or text.endswith(("\n", "\r")) else text + newline
        return f"{prefix}deployments:{newline}{body}{newline}"
    key, value = found
    if is_empty_value(value):
        body = newline.join(render_entry(m, 2 + column(document, key.start_mark.index), newline)
                            for m in migrations)
        end = value_end(document, value) if not isinstance(value, ScalarNode) or value.value \
            else key.end_mark.index + 1
        start = key.end_mark.index + 1  # after the colon
        if text[key.end_mark.index : key.end_mark.index + 1] != ":":
            raise MigrateError(f"{filename}: cannot find where `deployments:` ends")
        return text[:start] + newline + body + text[max(end, start):]
    if not isinstance(value, SequenceNode) or value.flow_style:
        raise MigrateError(f"{filename}: `deployments` is not a block list; add the entries "
                           "by hand")
    first = value.value[0]
    dash = text.rfind("-", line_start(text, first.start_mark.index), first.start_mark.index)
    dash_indent = column(document, dash) if dash >= 0 else column(
        document, first.start_mark.index)
    at = entry_end(document, value)
    body = newline.join(render_entry(m, dash_indent, newline) for m in migrations)
    return text[:at] + newline + body + text[at:]


def _place_schedules(entry: dict[str, Any], schedules: list[dict[str, Any]],
                     notes: list[str], target: Target | None) -> None:
    """``schedules:`` from 2.16; before, the singular ``schedule:`` (one schedule) that those
    releases read, with ``is_schedule_active`` (read from 2.14) for a paused schedule."""
    from linter.prefect import versions

    day_or = versions.key_histories()[("schedule", "day_or")]
    if any(schedule.get("day_or") is False for schedule in schedules) and \
            versions.key_behaviour(day_or, target) != versions.READ:
        notes.append("schedule day_or: false is ignored before Prefect 3.4.23 (the target is "
                     f"{versions.target_words(target)})")
    if versions.schedules_list_read(target):
        entry["schedules"] = schedules
        return
    first = dict(schedules[0])
    if first.pop("active", True) is False:
        if versions.is_schedule_active_read(target):
            entry["is_schedule_active"] = False
        else:
            notes.append("an inactive schedule cannot be written before Prefect 2.14: pause the "
                         "deployment on the server")
    entry["schedule"] = first
    if len(schedules) > 1:
        notes.append(f"{len(schedules) - 1} more schedule(s): before Prefect 2.16 a deployment "
                     "has one `schedule:`, so only the first was carried over")


def migrate_files(paths: list[Path], pool_map: dict[str, str],
                  target: Target | None = None) -> list[Migration]:
    migrations = []
    for path in paths:
        if path.suffix.lower() == ".py":
            migrations.extend(migrate_script(path, pool_map, target=target))
            continue
        _, data = load_legacy(path)
        migrations.append(migrate_data(data, str(path), pool_map, target))
    return migrations


def migrate_script(path: Path, pool_map: dict[str, str], cwd: Path | None = None,
                   target: Target | None = None) -> list[Migration]:
    """One migration per Prefect 2 deployment call of a Python script that can be carried;
    the calls that cannot be are noted on the first migration, and a script with none that
    can is an error naming the reasons."""
    from linter.prefect.migrate_python import UNKNOWN_STORAGE, script_deployments
    from linter.prefect.python_code import parse_python

    try:
        decoded = decode(read_regular_file(path))
    except (InputError, DecodeError) as error:
        raise MigrateError(f"{path}: {error}") from None
    module = parse_python(decoded.text)
    if module is None:
        raise MigrateError(f"{path}: not Python that parses")
    found = script_deployments(module, path, cwd or Path.cwd())
    if not found:
        raise MigrateError(f"{path}: no Deployment(...) or Deployment.build_from_flow(...) "
                           "call to migrate")
    migrations: list[Migration] = []
    skipped: list[str] = []
    for call in found:
        source = f"{path}:{call.row}"
        if call.data is None:
            skipped.append(f"line {call.row}: not migrated: {'; '.join(call.notes)}")
            continue
        try:
            migration = migrate_data(call.data, source, pool_map, target)
        except MigrateError as error:
            skipped.append(f"line {call.row}: not migrated: {error}")
            continue
        unknown = UNKNOWN_STORAGE["_block_type_slug"]  # already explained in the call's notes
        migration.notes[:] = [*call.notes, *(note for note in migration.notes
                                             if unknown not in note)]
        migrations.append(migration)
    if not migrations:
        raise MigrateError(f"{path}: no deployment could be migrated: " + " | ".join(skipped))
    migrations[0].notes.extend(skipped)
    return migrations


class MigrationPlan(NamedTuple):
    """What ``migrate`` would write: the new text of ``into`` (and its bytes), the bytes it
    had when read (None: it does not exist yet), and the migrations with their notes."""

    text: str
    data: bytes
    original: bytes | None
    migrations: list[Migration]


def plan_migration(files: list[Path], into: Path, pool_map: tuple[str, ...] | list[str],
                   target: Target | None = None) -> MigrationPlan:
    """Migrate ``files`` into the text of ``into`` without writing anything; raises
    MigrateError, DecodeError or OSError with a message for the user."""
    from linter.source.document import encode

    migrations = migrate_files(files, parse_pool_map(pool_map), target)
    if not into.exists():
        text = new_prefect_yaml(migrations)
        return MigrationPlan(text, text.encode("utf-8"), None, migrations)
    try:
        raw = read_regular_file(into)
    except InputError as error:
        raise MigrateError(f"{into}: {error}") from None
    decoded = decode(raw)
    text = insert_entries(decoded.text, migrations, str(into))
    return MigrationPlan(text, encode(text, decoded.encoding, decoded.bom), raw, migrations)
