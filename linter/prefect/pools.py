"""Work-pool base job templates: which template a pool name uses, and what the template says.

A deployment names its pool (`work_pool.name`); the pool's base job template has a JSON Schema
of the job variables it accepts. prefect-lint never asks a server at lint time, so the template
comes from one of (first match wins):

1. the configuration, ``[tool.prefect-lint.pools]``: a pool name mapped to a worker type
   (``k8s-prod = "kubernetes"``: the bundled default template of that type, from
   ``schemas/pools/``) or to a template file (``custom = { template = "pools/custom.json" }``,
   relative to the configuration file; what ``prefect work-pool inspect --output json`` or
   ``prefect work-pool get-default-base-job-template`` prints);
2. the snapshot folder written by ``prefect-lint pools pull`` (``.prefect-lint/pools/`` next to
   the configuration file, or in the project root), one JSON file per pool.

A pool found in neither has no known template: its type is never guessed from its name.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from linter.core.dependencies import Dependency, note, note_known, recording, unchanged
from linter.errors import ConfigError
from linter.lazy_regex import lazy_compile
from linter.reading import InputError, read_regular_file
from linter.resources import load_json, schema_folder
from linter.suggest import did_you_mean

#: The snapshot folder, relative to the configuration file's folder (or the project root).
SNAPSHOT_FOLDER = Path(".prefect-lint") / "pools"

#: Worker types whose default templates ship in ``schemas/pools/``.
BUNDLED_TYPES = (
    "process",
    "docker",
    "kubernetes",
    "ecs",
    "cloud-run",
    "cloud-run-v2",
    "vertex-ai",
    "azure-container-instance",
)

#: ``{{ name }}`` placeholders as Prefect finds them in a job configuration.
_PLACEHOLDER = lazy_compile(r"\{\{\s*([\w.\-\[\]$]+)\s*\}\}")


class TemplateError(ValueError):
    """A base job template does not have the shape Prefect gives one."""


class PoolTemplate:
    """One base job template and where it came from."""

    base_job_template: Mapping[str, Any]
    origin: str  # for people: 'bundled default of type "docker"', 'template file x.json', ...
    pool_type: str | None
    custom: bool  # a pool's own template (file or snapshot), not a bundled default

    def __init__(
        self,
        base_job_template: Mapping[str, Any],
        origin: str,
        pool_type: str | None = None,
        custom: bool = False,
    ) -> None:
        self.base_job_template = base_job_template
        self.origin = origin
        self.pool_type = pool_type
        self.custom = custom

    @property
    def label(self) -> str:
        """How findings name the template: the type, or where it came from."""
        return f"{self.pool_type} template" if not self.custom and self.pool_type else self.origin

    @cached_property
    def variables(self) -> Mapping[str, Any]:
        variables = self.base_job_template.get("variables")
        return variables if isinstance(variables, dict) else {}

    @cached_property
    def properties(self) -> Mapping[str, Mapping[str, Any]]:
        properties = self.variables.get("properties")
        if not isinstance(properties, dict):
            return {}
        return {str(k): v for k, v in properties.items() if isinstance(v, dict)}

    @cached_property
    def required(self) -> tuple[str, ...]:
        required = self.variables.get("required")
        if not isinstance(required, list):
            return ()
        return tuple(str(name) for name in required)

    @property
    def checkable(self) -> bool:
        """False for an empty template (``{}``, as agent pools have): nothing to check against."""
        return bool(self.properties)

    @cached_property
    def referenced_variables(self) -> frozenset[str]:
        """Variable names the job configuration uses as ``{{ name }}`` (or ``{{ name.x }}``)."""
        names: set[str] = set()
        for text in _strings(self.base_job_template.get("job_configuration")):
            for match in _PLACEHOLDER.finditer(text):
                names.add(match.group(1).split(".", 1)[0])
        return frozenset(names)

    @cached_property
    def definitions(self) -> dict[str, Any]:
        """``definitions`` and ``$defs`` of the variables schema, for resolving ``$ref``."""
        found: dict[str, Any] = {}
        for key in ("definitions", "$defs"):
            value = self.variables.get(key)
            if isinstance(value, dict):
                found[key] = value
        return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def template_from_json(data: Any) -> Mapping[str, Any]:
    """The base job template in what Prefect prints: the template itself, or a whole work pool
    (``prefect work-pool inspect --output json``) holding it under ``base_job_template``."""
    if isinstance(data, dict) and "base_job_template" in data:
        data = data["base_job_template"]
    if not isinstance(data, dict):
        raise TemplateError("a base job template must be a JSON object")
    if not data:
        return data
    missing = [key for key in ("job_configuration", "variables") if key not in data]
    if missing:
        raise TemplateError(
            "a base job template needs the keys job_configuration and variables "
            f"(missing: {', '.join(missing)})"
        )
    variables = data["variables"]
    if not isinstance(variables, dict) or not isinstance(variables.get("properties", {}), dict):
        raise TemplateError("`variables` must be a JSON Schema object with `properties`")
    if not isinstance(data["job_configuration"], dict):
        raise TemplateError("`job_configuration` must be a JSON object")
    return data


#: The agent-era pool type: no template (its base job template is ``{}``), no worker.
AGENT_POOL_TYPE = "prefect-agent"
#: the pool Prefect 2 created for agents
DEFAULT_AGENT_POOL = "default-agent-pool"


class AgentPool(NamedTuple):
    """Why a deployment's pool is (or is probably) for Prefect 2 agents."""

    reason: str
    certain: bool  # the type is known to be prefect-agent, not guessed from the name

    @property
    def message(self) -> str:
        if self.certain:
            return (f"this work pool is for Prefect 2 agents ({self.reason}); `prefect deploy` "
                    "refuses it and no worker polls it: use a pool of a worker type (process, "
                    "docker, kubernetes, ...)")
        return (f"this work pool is probably for Prefect 2 agents ({self.reason}): if its "
                "type is `prefect-agent`, `prefect deploy` refuses it and no worker polls it")

    @property
    def help(self) -> str | None:
        if self.certain:
            return None
        return ('use a pool of a worker type; if this pool is one, map it in '
                '[tool.prefect-lint.pools] (default-agent-pool = "process")')


def agent_pool(name: object, known_type: str | None,
               declared_type: object = None) -> AgentPool | None:
    """Is the pool ``name`` (whose type the project knows as ``known_type``, and the file
    declares as ``declared_type``) an agent pool? Shared by prefect.yaml and Python."""
    if declared_type == AGENT_POOL_TYPE:
        return AgentPool("it says `type: prefect-agent`", True)
    if not isinstance(name, str) or not name:
        return None
    if known_type == AGENT_POOL_TYPE:
        return AgentPool(f"`{name}` is a prefect-agent pool in this project's pool "
                         "configuration", True)
    if known_type is None and name == DEFAULT_AGENT_POOL:
        return AgentPool("`default-agent-pool` is the name of the pool Prefect 2 made for "
                         "agents", False)
    return None


class PoolTypes:
    """The type of a pool as the project knows it: mapped in ``[tool.prefect-lint.pools]`` or
    read from a pool snapshot (``prefect-lint pools pull``); None when unknown. The catalog is
    looked up once (by ``lookup``), and only when a deployment names a pool."""

    def __init__(self, lookup: Callable[[], PoolCatalog]) -> None:
        self.lookup = lookup
        self.catalog: PoolCatalog | None = None

    def of(self, name: str) -> str | None:
        if self.catalog is None:
            self.catalog = self.lookup()
        template = self.catalog.template_for(name)
        return template.pool_type if template is not None else None


def bundled_template(pool_type: str) -> PoolTemplate:
    if pool_type == AGENT_POOL_TYPE:
        return PoolTemplate({}, origin=f'type "{pool_type}"', pool_type=pool_type)
    return PoolTemplate(
        load_json("pools", f"{pool_type}.json"),
        origin=f'bundled default of type "{pool_type}"',
        pool_type=pool_type,
    )


def bundled_types() -> tuple[str, ...]:
    """The bundled types (the shipped files, in the documented order)."""
    folder = schema_folder("pools")
    present = {path.stem for path in folder.glob("*.json")}
    return tuple(t for t in BUNDLED_TYPES if t in present)


# -- the configuration table ------------------------------------------------------------------


class PoolMapping(NamedTuple):
    """One entry of ``[tool.prefect-lint.pools]``."""

    pool_name: str
    pool_type: str | None = None
    template_file: Path | None = None


def parse_pools_table(table: Any, source: Path | None) -> list[PoolMapping]:
    """Validate the raw ``[tool.prefect-lint.pools]`` table (ConfigError naming file and key)."""
    origin = str(source) if source is not None else "configuration"
    if table is None:
        return []
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: `pools` must be a table of pool name = type or "
                          '{ template = "file.json" }')
    base = source.parent if source is not None else Path.cwd()
    mappings: list[PoolMapping] = []
    for name, value in table.items():
        key = f"pools.{_toml_key(name)}"
        if isinstance(value, str):
            mappings.append(PoolMapping(name, pool_type=_known_type(value, key, origin)))
        elif isinstance(value, dict):
            unknown = sorted(set(value) - {"type", "template"})
            if unknown or len(value) != 1:
                raise ConfigError(
                    f"{origin}: `{key}` must have exactly one of `type` or `template`"
                    + (f" (unknown key: {', '.join(unknown)})" if unknown else "")
                )
            if "type" in value:
                mappings.append(PoolMapping(name, pool_type=_known_type(value["type"], key,
                                                                        origin)))
            else:
                path = value["template"]
                if not isinstance(path, str) or not path:
                    raise ConfigError(f"{origin}: `{key}.template` must be a file path")
                mappings.append(PoolMapping(name, template_file=base / path))
        else:
            raise ConfigError(
                f"{origin}: `{key}` must be a pool type (such as \"kubernetes\") or "
                f'{{ template = "file.json" }}, got {type(value).__name__}'
            )
    return mappings


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _known_type(value: Any, key: str, origin: str) -> str:
    types = bundled_types()
    if isinstance(value, str) and (value in types or value == AGENT_POOL_TYPE):
        return value
    hint = did_you_mean(value, types) if isinstance(value, str) else None
    suggestion = f' (did you mean "{hint}"?)' if hint else ""
    raise ConfigError(
        f"{origin}: `{key}` names the pool type {value!r}, which has no bundled template"
        f"{suggestion}; known types: {', '.join(types)}. For another type, give the pool's "
        'own template ({ template = "file.json" }) or run `prefect-lint pools pull`'
    )


def load_template_file(path: Path, key: str, origin: str) -> PoolTemplate:
    note(path)
    try:
        data = json.loads(read_regular_file(path))
    except InputError as error:
        reason = str(error).removeprefix("cannot read the file: ")
        raise ConfigError(f"{origin}: `{key}.template`: cannot read {path}: {reason}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise ConfigError(f"{origin}: `{key}.template`: {path} is not JSON: {error}") from None
    try:
        template = template_from_json(data)
    except TemplateError as error:
        raise ConfigError(f"{origin}: `{key}.template`: {path}: {error}") from None
    pool_type = data.get("type") if isinstance(data, dict) else None
    return PoolTemplate(
        template,
        origin=f"template file {_shown(path)}",
        pool_type=pool_type if isinstance(pool_type, str) else None,
        custom=True,
    )


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# -- the snapshot folder ----------------------------------------------------------------------


class PoolSnapshot(NamedTuple):
    """A pool as ``pools pull`` stored it."""

    name: str
    pool_type: str | None
    base_job_template: Mapping[str, Any]
    path: Path | None = None


class PoolsConfig(NamedTuple):
    """What the pools need from a configuration: its ``[tool.prefect-lint.pools]`` table (as
    read, unchecked), the file it came from and the folder snapshots live under."""

    table: Any
    source: Path | None
    root: Path


def snapshot_folder(root: Path) -> Path:
    """The snapshot folder of a project whose configuration sits in ``root``."""
    return root / SNAPSHOT_FOLDER


#: The longest readable part of a snapshot file name (file names may have 255 bytes).
_MAX_PLAIN_NAME = 100
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{kind}{n}" for kind in ("COM", "LPT") for n in range(1, 10)]
)


def snapshot_filename(pool_name: str) -> str:
    """A safe file name for any pool name, unique even on a case-insensitive file system.

    The name is percent-encoded (so no ``/``, ``%``, ``#`` or control character is left). A
    name whose encoding is short, lower case (escapes aside) and an ordinary file name on every
    system is used as is; any other gets a shortened readable part and ``#`` with a hash of the
    exact name (``#`` never appears in a plain name, and names differing only by case get
    different hashes). Raises ValueError for a name that is not text (a lone surrogate)."""
    encoded = quote(pool_name, safe=" -_.()+,=@~", errors="strict")
    if _plain(encoded):
        return encoded + ".json"
    import hashlib  # here: a check that only reads snapshots never loads OpenSSL

    digest = hashlib.sha256(pool_name.encode("utf-8")).hexdigest()[:16]
    readable = encoded[:_MAX_PLAIN_NAME].lstrip(". ").rstrip(". ")
    return f"{readable}#{digest}.json"


_ESCAPE = lazy_compile(r"%[0-9A-F]{2}")


def _plain(encoded: str) -> bool:
    """Percent escapes are always upper case, so only the other characters must be lower."""
    return (
        0 < len(encoded) <= _MAX_PLAIN_NAME
        and _ESCAPE.sub("", encoded) == _ESCAPE.sub("", encoded).lower()
        and not encoded.startswith((".", " "))
        and not encoded.endswith((".", " "))
        and encoded.split(".", 1)[0].upper() not in _WINDOWS_RESERVED
    )


def _legacy_filename(pool_name: str) -> str:
    """The file name versions before the hashed names gave a pool (replaced on a pull)."""
    return quote(pool_name, safe=" -_.()+,=@~") + ".json"


def read_snapshots(folder: Path) -> dict[str, PoolSnapshot]:
    """Every pool in the snapshot folder by name; a damaged file is a ConfigError."""
    found: dict[str, PoolSnapshot] = {}
    note(folder)
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        note(path)
        try:
            data = json.loads(read_regular_file(path))
            template = template_from_json(data)
            name = data.get("name")
            if not isinstance(name, str) or not name:
                raise TemplateError("the pool snapshot has no `name`")
        except InputError as error:
            raise ConfigError(f"{path}: {error}".replace(
                "cannot read the file", "cannot read the pool snapshot", 1)) from None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError,
                TemplateError) as error:
            raise ConfigError(
                f"{path}: not a work-pool snapshot ({error}); run `prefect-lint pools pull` "
                "again or delete the file"
            ) from None
        pool_type = data.get("type")
        found[name] = PoolSnapshot(
            name, pool_type if isinstance(pool_type, str) else None, template, path
        )
    return found


class WrittenSnapshots(NamedTuple):
    """What :func:`write_snapshots` did: the file of each pool written, and pools skipped."""

    files: dict[str, Path]  # pool name -> its snapshot file
    skipped: list[str]  # one message per pool not written


def write_snapshots(
    folder: Path, pools: Iterable[PoolSnapshot], source: str, *, replace_all: bool
) -> WrittenSnapshots:
    """Write one file per pool; with ``replace_all`` remove snapshots of other pools.

    Every file is written to a temporary file first and renamed only once all are written, so
    a pull that fails leaves the previous snapshot as it was. A pool whose name cannot be used
    (empty, not text, or clashing with another pool's file) is skipped with a message."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_temporaries(folder)
    planned, skipped = _plan_files(folder, pools)
    temporaries: list[tuple[Path, Path]] = []
    try:
        for pool, path in planned:
            temporaries.append((_write_temporary(folder, pool, source), path))
    except BaseException:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in temporaries:
        temporary.replace(path)
    files = {pool.name: path for pool, path in planned}
    _remove_replaced(folder, files, replace_all)
    return WrittenSnapshots(files, skipped)


def _plan_files(
    folder: Path, pools: Iterable[PoolSnapshot]
) -> tuple[list[tuple[PoolSnapshot, Path]], list[str]]:
    planned: list[tuple[PoolSnapshot, Path]] = []
    skipped: list[str] = []
    taken: dict[str, str] = {}  # case-folded file name -> pool name
    for pool in pools:
        shown = json.dumps(pool.name)
        if not pool.name.strip():
            skipped.append(f"skipped the work pool {shown}: a pool needs a name")
            continue
        try:
            filename = snapshot_filename(pool.name)
        except UnicodeError:
            skipped.append(f"skipped the work pool {shown}: its name is not valid text")
            continue
        other = taken.get(filename.casefold())
        if other == pool.name:
            continue  # the same pool twice
        if other is not None:
            skipped.append(f"skipped the work pool {shown}: its file name would be that of "
                           f"{json.dumps(other)}")
            continue
        taken[filename.casefold()] = pool.name
        planned.append((pool, folder / filename))
    return planned, skipped


def _write_temporary(folder: Path, pool: PoolSnapshot, source: str) -> Path:
    content = {
        "name": pool.name,
        "type": pool.pool_type,
        "pulled_from": source,
        "base_job_template": pool.base_job_template,
    }
    return staged_text(folder, json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def staged_text(folder: Path, text: str) -> Path:
    """``text`` written to a temporary file in ``folder`` (``.pull-*.tmp``, which a later
    pull clears when it was left behind), for the caller to rename into place or delete."""
    import tempfile  # here: only a pull writes snapshots

    handle, name = tempfile.mkstemp(dir=folder, prefix=".pull-", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


#: A temporary file this old was left by a pull that was killed (a pull takes seconds).
_ABANDONED_AFTER = 3600.0


def _remove_abandoned_temporaries(folder: Path) -> None:
    """Remove temporary files of killed pulls (``.pull-*.tmp``; older versions wrote
    ``*.json.tmp``), but not those of a pull that may still be running."""
    import time

    for pattern in (".pull-*.tmp", "*.json.tmp"):
        for path in folder.glob(pattern):
            try:
                if time.time() - path.lstat().st_mtime > _ABANDONED_AFTER:
                    path.unlink()
            except OSError:
                pass


def _remove_replaced(folder: Path, files: Mapping[str, Path], replace_all: bool) -> None:
    """Remove snapshots of other pools (``replace_all``), or else the files older versions
    wrote for the pools just written under another name."""
    kept = set(files.values())
    if replace_all:
        for stale in set(folder.glob("*.json")) - kept:
            stale.unlink()
        return
    for name, path in files.items():
        legacy = folder / _legacy_filename(name)
        if legacy != path and legacy not in kept and _snapshot_name(legacy) == name:
            legacy.unlink()


def _snapshot_name(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > 50 * 1024 * 1024:
            return None
        name = json.loads(path.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError, RecursionError):
        return None
    return name if isinstance(name, str) else None


# -- the catalog: pool name -> template ---------------------------------------------------------


class PoolCatalog:
    """Which template each pool name uses, for one configuration."""

    mapped: dict[str, PoolTemplate]
    snapshots: dict[str, PoolTemplate]
    snapshot_folder: Path | None

    def __init__(
        self,
        mapped: dict[str, PoolTemplate] | None = None,
        snapshots: dict[str, PoolTemplate] | None = None,
        snapshot_folder: Path | None = None,
    ) -> None:
        self.mapped = {} if mapped is None else mapped
        self.snapshots = {} if snapshots is None else snapshots
        self.snapshot_folder = snapshot_folder

    def template_for(self, pool_name: str) -> PoolTemplate | None:
        return self.mapped.get(pool_name) or self.snapshots.get(pool_name)

    def entries(self) -> Iterator[tuple[str, PoolTemplate, bool]]:
        """(pool name, template, shadowed) for every known pool, config first."""
        for name, template in self.mapped.items():
            yield name, template, False
        for name, template in self.snapshots.items():
            yield name, template, name in self.mapped


def build_catalog(config: PoolsConfig) -> PoolCatalog:
    origin = str(config.source) if config.source is not None else "configuration"
    catalog = PoolCatalog(snapshot_folder=snapshot_folder(config.root))
    for mapping in parse_pools_table(config.table, config.source):
        key = f"pools.{_toml_key(mapping.pool_name)}"
        if mapping.template_file is not None:
            template = load_template_file(mapping.template_file, key, origin)
        else:
            assert mapping.pool_type is not None
            template = bundled_template(mapping.pool_type)
            template.origin = f'{template.origin} (mapped in {_shown(Path(origin))})'
        catalog.mapped[mapping.pool_name] = template
    folder = snapshot_folder(config.root)
    for name, snapshot in read_snapshots(folder).items():
        shown = _shown(snapshot.path) if snapshot.path else str(folder)
        catalog.snapshots[name] = PoolTemplate(
            snapshot.base_job_template,
            origin=f"snapshot {shown}",
            pool_type=snapshot.pool_type,
            custom=True,
        )
    return catalog


_CATALOGS: dict[tuple[Any, ...], tuple[PoolCatalog, list[Dependency]]] = {}


def catalog_for(config: PoolsConfig) -> PoolCatalog:
    """The catalog for ``config``, cached until the config table, the snapshot or a file it
    was built from (a ``template =`` file) changes: a language server lives for hours."""
    key = (config.source, config.root, _freeze(config.table),
           _folder_stamp(snapshot_folder(config.root)))
    cached = _CATALOGS.get(key)
    if cached is None or not unchanged(cached[1]):
        if len(_CATALOGS) > 64:
            _CATALOGS.clear()
        with recording() as notes:
            catalog = build_catalog(config)
        cached = _CATALOGS[key] = (catalog, list(notes.items()))
    catalog, dependencies = cached
    note_known(dependencies)  # every file checked with this catalog depends on its sources
    return catalog


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _folder_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    stamp = []
    for entry in entries:
        if entry.name.endswith(".json"):
            info = entry.stat()
            stamp.append((entry.name, info.st_mtime_ns, info.st_size))
    return tuple(sorted(stamp))
