"""What the Prefect 2 agent-era constructs become in the worker era.

Infrastructure blocks map to a work-pool type and job variables (only the fields the pool's
default base job template has a variable for), storage blocks to pull steps, 2.x schedules to
``schedules:`` entries. Shared by the L rules (for their messages) and ``prefect-lint migrate``.
Every value that cannot be carried over comes back as a note that says why.
"""

from __future__ import annotations

import shlex
from typing import Any, NamedTuple

from linter.resources import load_json

#: 2.x infrastructure block type (its ``type`` field or block type slug) -> worker type
INFRA_TO_POOL_TYPE = {
    "process": "process",
    "docker-container": "docker",
    "kubernetes-job": "kubernetes",
    "ecs-task": "ecs",
    "cloud-run-job": "cloud-run",
    "cloud-run-job-v2": "cloud-run-v2",
    "container-instance-job": "azure-container-instance",
    "azure-container-instance-job": "azure-container-instance",
    "vertex-ai-custom-training-job": "vertex-ai",
}

#: block fields that only describe the block itself
BLOCK_METADATA = frozenset({
    "type", "block_type_slug", "_block_type_slug", "_block_document_id",
    "_block_document_name", "_is_anonymous",
})

#: the 2.x default command; workers in Prefect 3 supply their own
LEGACY_DEFAULT_COMMAND = ["python", "-m", "prefect.engine"]

#: block fields renamed in the worker's variables
RENAMED_FIELDS = {
    "vertex-ai": {"gcp_credentials": "credentials", "service_account": "service_account_name"},
}

#: fields with no job-variable equivalent, and what to do instead
NO_EQUIVALENT = {
    "job": "the Kubernetes Job manifest belongs in the pool's base job template (job_manifest)",
    "customizations": "JSON-patch customizations have no job variable; edit the pool's "
                      "base job template (job_manifest) instead",
    "task_definition": "an ECS task definition belongs in the pool's base job template",
    "task_customizations": "ECS task customizations have no job variable; edit the pool's "
                           "base job template instead",
    "image_registry": "registry credentials are a block: create a DockerRegistryCredentials "
                      "block and set registry_credentials in the pool",
}

MASK = "**********"

#: 2.x DockerContainer pull policies -> the values the docker worker takes
PULL_POLICIES = {"ALWAYS": "Always", "IF_NOT_PRESENT": "IfNotPresent", "NEVER": "Never"}


class Conversion:
    """The result of carrying a legacy construct over, with a note for what was left out."""

    value: Any
    notes: list[str]

    def __init__(
        self,
        value: Any = None,
        notes: list[str] | None = None,
    ) -> None:
        self.value = value
        self.notes = [] if notes is None else notes


def block_slug(block: dict[str, Any]) -> str | None:
    return _first_text(block, ("_block_type_slug", "block_type_slug", "type"))


def infrastructure_type(infrastructure: dict[str, Any]) -> str | None:
    return _first_text(infrastructure, ("type", "_block_type_slug", "block_type_slug"))


def _first_text(mapping: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first non-empty string among ``keys`` of ``mapping`` (None when there is none)."""
    for key in keys:
        value = mapping.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def pool_type_for(infrastructure: Any) -> str | None:
    """The worker type that replaces a 2.x infrastructure block, if one does."""
    if not isinstance(infrastructure, dict):
        return None
    kind = infrastructure_type(infrastructure)
    return INFRA_TO_POOL_TYPE.get(kind or "")


def pool_variables(pool_type: str) -> dict[str, Any]:
    """The ``variables.properties`` of the pool type's default base job template."""
    try:
        template = load_json("pools", f"{pool_type}.json")
    except (OSError, ValueError):
        return {}
    properties = template.get("variables", {}).get("properties", {})
    return properties if isinstance(properties, dict) else {}


def saved_block_name(value: Any) -> tuple[str, str] | None:
    """``(slug, name)`` of a saved (not anonymous) block embedded in a legacy file."""
    if not isinstance(value, dict):
        return None
    name = value.get("_block_document_name")
    slug = block_slug(value)
    if not isinstance(name, str) or not name or slug is None:
        return None
    if value.get("_is_anonymous") is True or name.startswith("anonymous-"):
        return None
    return slug, name


def block_placeholder(value: Any) -> str | None:
    """``{{ prefect.blocks.<slug>.<name> }}`` for a saved block, which Prefect resolves at
    deploy time."""
    saved = saved_block_name(value)
    if saved is None:
        return None
    return "{{ prefect.blocks." + saved[0] + "." + saved[1] + " }}"


def is_masked(value: Any) -> bool:
    if isinstance(value, str):
        return value == MASK
    if isinstance(value, dict):
        return any(is_masked(item) for item in value.values())
    return False


def _is_default(value: Any) -> bool:
    return value is None or value == {} or value == []


def _accepts(schema: dict[str, Any], type_name: str) -> bool:
    types: list[Any] = []
    if "type" in schema:
        types.append(schema["type"])
    for option in schema.get("anyOf", []):
        if isinstance(option, dict) and "type" in option:
            types.append(option["type"])
    flat = [t for item in types for t in (item if isinstance(item, list) else [item])]
    return not flat or type_name in flat


def _coerce(name: str, value: Any, schema: dict[str, Any]) -> Any:
    """Adapt a 2.x block value to the shape the worker variable wants."""
    if name == "command" and isinstance(value, list):
        return shlex.join(str(part) for part in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not _accepts(schema, "integer") and not _accepts(
        schema, "number"
    ) and _accepts(schema, "string"):
        return str(value)
    if name == "image_pull_policy" and value in PULL_POLICIES:
        return PULL_POLICIES[value]
    return value


def infrastructure_to_job_variables(infrastructure: dict[str, Any]) -> Conversion:
    """Job variables for the fields of an infrastructure block that its worker's default
    template has a variable for; a note for every other field that had a value."""
    pool_type = pool_type_for(infrastructure)
    result = Conversion(value={})
    kind = infrastructure_type(infrastructure)
    if pool_type is None:
        result.notes.append(
            f"infrastructure type {kind!r} has no worker equivalent; choose a work pool by hand")
        return result
    variables = pool_variables(pool_type)
    renames = RENAMED_FIELDS.get(pool_type, {})
    values: dict[str, Any] = {}
    for name, value in infrastructure.items():
        if name in BLOCK_METADATA or _is_default(value):
            continue
        if name == "command" and value == LEGACY_DEFAULT_COMMAND:
            continue  # the 2.x engine command; workers run flows their own way
        if pool_type == "cloud-run" and name == "memory_unit":
            continue
        target = renames.get(name, name)
        if name in NO_EQUIVALENT:
            result.notes.append(f"infrastructure.{name}: {NO_EQUIVALENT[name]}")
            continue
        if target not in variables:
            result.notes.append(
                f"infrastructure.{name}: the {pool_type} pool's default template has no "
                f"variable {target!r}; set it in the pool's base job template if you need it")
            continue
        if isinstance(value, dict) and "_block_document_name" in value:
            placeholder = block_placeholder(value)
            if placeholder is None:
                result.notes.append(
                    f"infrastructure.{name}: an anonymous block cannot be referenced; save it "
                    f"as a block and set {target}: '{{{{ prefect.blocks.<type>.<name> }}}}'")
                continue
            values[target] = placeholder
            continue
        if is_masked(value):
            result.notes.append(
                f"infrastructure.{name}: the value was masked when the file was written; set "
                "it from a Secret block")
            continue
        if pool_type == "cloud-run" and name == "memory":
            unit = infrastructure.get("memory_unit") or ""
            value = f"{value}{unit}"
        coerced = _coerce(target, value, variables[target])
        if coerced == variables[target].get("default"):
            continue  # the pool uses this value anyway
        values[target] = coerced
    result.value = values
    return result


def expand_dotted(overrides: dict[str, Any]) -> dict[str, Any]:
    """``{"env.EXTRA": "1"}`` -> ``{"env": {"EXTRA": "1"}}`` (a nested key wins over a dotted
    one, as in Prefect's workers)."""
    nested: dict[str, Any] = {}
    dotted: list[tuple[list[str], Any]] = []
    for key, value in overrides.items():
        name = str(key)
        parts = name.split(".")
        if len(parts) > 1 and all(parts):
            dotted.append((parts, value))
        else:
            nested[name] = value
    for parts, value in dotted:
        node = nested
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node.setdefault(parts[-1], value)
    return nested


def merge_job_variables(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` on top of ``base``; ``env`` is merged key by key."""
    merged = dict(base)
    for key, value in overrides.items():
        if key == "env" and isinstance(value, dict) and isinstance(merged.get("env"), dict):
            merged["env"] = {**merged["env"], **value}
        else:
            merged[key] = value
    return merged


# -- storage ----------------------------------------------------------------------------------

STEPS = "prefect.deployments.steps"
GIT_SLUGS = {
    "github": ("repository", "access_token"),
    "github-repository": ("repository_url", "credentials"),
    "gitlab-repository": ("repository", "credentials"),
    "bitbucket-repository": ("repository", "bitbucket_credentials"),
}
REMOTE_SCHEMES = {"s3": "s3", "gcs": "gcs", "azure": "az"}
REMOTE_PACKAGES = {"s3": "s3fs", "gcs": "gcsfs", "az": "adlfs"}


def _join(*parts: str) -> str:
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


class _BucketStep(NamedTuple):
    """How a cloud-storage block of a collection becomes that collection's pull step."""

    requires: str
    function: str
    target_key: str  # the step's argument naming the bucket or container
    source_key: str  # the block's field holding it
    folder_key: str
    credentials_key: str


_BUCKET_STEPS = {
    "s3-bucket": _BucketStep("prefect-aws", "prefect_aws.deployments.steps.pull_from_s3",
                             "bucket", "bucket_name", "bucket_folder", "credentials"),
    "gcs-bucket": _BucketStep("prefect-gcp", "prefect_gcp.deployments.steps.pull_from_gcs",
                              "bucket", "bucket", "bucket_folder", "gcp_credentials"),
    "azure-blob-storage-container": _BucketStep(
        "prefect-azure[blob_storage]",
        "prefect_azure.deployments.steps.pull_from_azure_blob_storage",
        "container", "container_name", "base_folder", "credentials"),
}


def storage_to_pull_steps(storage: Any, path: Any) -> Conversion:
    """The pull steps that fetch the code the way a 2.x storage block (and ``path``) did."""
    result = Conversion(value=[])
    subpath = path if isinstance(path, str) and path not in ("", ".") else None
    if not isinstance(storage, dict):
        if subpath:
            result.value.append({f"{STEPS}.set_working_directory": {"directory": subpath}})
        return result
    slug = block_slug(storage) or ""
    if slug in GIT_SLUGS:
        _git_steps(storage, slug, subpath, result)
    elif slug in REMOTE_SCHEMES and isinstance(storage.get("bucket_path"), str):
        _fsspec_steps(storage, slug, subpath, result)
    elif slug in _BUCKET_STEPS:
        _bucket_steps(storage, _BUCKET_STEPS[slug], subpath, result)
    elif slug == "remote-file-system" and isinstance(storage.get("basepath"), str):
        _remote_file_system_steps(storage, subpath, result)
    elif slug == "local-file-system" and isinstance(storage.get("basepath"), str):
        directory = _join(storage["basepath"], subpath) if subpath else storage["basepath"]
        result.value.append({f"{STEPS}.set_working_directory": {"directory": directory}})
    else:
        _saved_block_steps(storage, slug, subpath, result)
    return result


def _git_steps(storage: dict[str, Any], slug: str, subpath: str | None,
               result: Conversion) -> None:
    url_key, credential_key = GIT_SLUGS[slug]
    step: dict[str, Any] = {"repository": storage.get(url_key)}
    if not isinstance(step["repository"], str):
        result.notes.append(f"storage: the {slug} block has no repository URL")
        return
    if storage.get("reference"):
        step["branch"] = storage["reference"]
    credentials = storage.get(credential_key)
    placeholder = block_placeholder(credentials)
    if placeholder is not None:
        step["credentials"] = placeholder
    elif credentials:
        result.notes.append(
            f"storage.{credential_key}: the token was stored in the block; save it as a "
            "Secret block and add access_token: '{{ prefect.blocks.secret.<name> }}' to "
            "the git_clone step")
    if subpath:
        step["id"] = "clone-step"
    result.value.append({f"{STEPS}.git_clone": step})
    if subpath:
        result.value.append({f"{STEPS}.set_working_directory": {
            "directory": "{{ clone-step.directory }}/" + subpath.strip("/")}})


def _fsspec_steps(storage: dict[str, Any], slug: str, subpath: str | None,
                  result: Conversion) -> None:
    scheme = REMOTE_SCHEMES[slug]
    url = f"{scheme}://{_join(storage['bucket_path'], subpath or '')}"
    result.value.append({f"{STEPS}.pull_from_remote_storage": {
        "requires": REMOTE_PACKAGES[scheme], "url": url}})
    secrets = sorted(k for k, v in storage.items() if k not in BLOCK_METADATA and v
                     and k != "bucket_path")
    if secrets:
        result.notes.append(
            f"storage: the credentials of the {slug} block ({', '.join(secrets)}) are not "
            "copied; pass them as settings of pull_from_remote_storage from Secret blocks")


def _bucket_steps(storage: dict[str, Any], kind: _BucketStep, subpath: str | None,
                  result: Conversion) -> None:
    step: dict[str, Any] = {
        "requires": kind.requires, kind.target_key: storage.get(kind.source_key),
        "folder": _join(str(storage.get(kind.folder_key) or ""), subpath or "")}
    _add_credentials(step, storage.get(kind.credentials_key), result, kind.credentials_key)
    result.value.append({kind.function: step})


def _remote_file_system_steps(storage: dict[str, Any], subpath: str | None,
                              result: Conversion) -> None:
    step = {"url": _join(storage["basepath"], subpath or "") if subpath else
            storage["basepath"]}
    settings = storage.get("settings")
    if isinstance(settings, dict):
        for key, value in settings.items():
            if is_masked(value):
                result.notes.append(f"storage.settings.{key}: the value was masked; pass "
                                    "it from a Secret block")
            else:
                step[str(key)] = value
    result.value.append({f"{STEPS}.pull_from_remote_storage": step})


def _saved_block_steps(storage: dict[str, Any], slug: str, subpath: str | None,
                       result: Conversion) -> None:
    """A block saved on the server is pulled by name; an anonymous one cannot be."""
    saved = saved_block_name(storage)
    if saved is None:
        result.notes.append(
            f"storage: an anonymous {slug or 'unknown'} block cannot be pulled by name; add a "
            "pull step by hand (git_clone, pull_from_remote_storage, ...)")
        return
    result.value.append({f"{STEPS}.pull_with_block": {
        "block_type_slug": saved[0], "block_document_name": saved[1]}})
    if subpath:
        result.notes.append(f"path: {subpath!r} inside the block is not carried over; "
                            "add a set_working_directory step if the flows live there")


def _add_credentials(step: dict[str, Any], credentials: Any, result: Conversion,
                     name: str) -> None:
    placeholder = block_placeholder(credentials)
    if placeholder is not None:
        step["credentials"] = placeholder
    elif credentials:
        result.notes.append(f"storage.{name}: anonymous credentials cannot be referenced; save "
                            "them as a block and set credentials: '{{ prefect.blocks.<type>."
                            "<name> }}'")


def describe_pull_step(steps: list[dict[str, Any]]) -> str:
    """``git_clone`` or ``pull_from_s3`` ... for messages."""
    names = [next(iter(step)).rsplit(".", 1)[-1] for step in steps]
    return " + ".join(names) if names else "a pull step"


# -- schedules --------------------------------------------------------------------------------

SCHEDULE_KEYS = ("cron", "interval", "rrule", "timezone", "anchor_date", "day_or")


def legacy_schedule_entry(schedule: Any) -> Conversion:
    """One 2.x schedule (``{cron|interval|rrule, timezone, ...}``) as a prefect.yaml entry."""
    result = Conversion()
    if not isinstance(schedule, dict):
        return result
    entry: dict[str, Any] = {}
    for key in SCHEDULE_KEYS:
        value = schedule.get(key)
        if value is None:
            continue
        if key == "day_or" and value is True:
            continue  # the default
        if key == "interval" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if key == "anchor_date":
            value = str(value)
        entry[key] = value
    for key in sorted(set(schedule) - set(SCHEDULE_KEYS)):
        if schedule[key] is not None:
            result.notes.append(f"schedule.{key} has no prefect.yaml equivalent and was left out")
    if not any(key in entry for key in ("cron", "interval", "rrule")):
        result.notes.append("a schedule without cron, interval or rrule was left out")
        return result
    result.value = entry
    return result


def legacy_schedules(schedule: Any, schedules: Any, is_schedule_active: Any) -> Conversion:
    """``schedules:`` entries for a legacy deployment's ``schedule`` / ``schedules`` /
    ``is_schedule_active``."""
    result = Conversion(value=[])
    items: list[tuple[Any, Any]] = []
    if isinstance(schedules, list) and schedules:
        for item in schedules:
            if isinstance(item, dict) and isinstance(item.get("schedule"), dict):
                items.append((item["schedule"], item.get("active")))
                for key in sorted(set(item) - {"schedule", "active"}):
                    if item[key] is not None:
                        result.notes.append(f"schedules[].{key} is not carried over (Prefect 3 "
                                            "schedules have no such setting)")
            elif isinstance(item, dict):
                items.append((item, item.get("active")))
    elif isinstance(schedule, dict) and schedule:
        items.append((schedule, None))
    for raw, active in items:
        converted = legacy_schedule_entry(raw)
        result.notes.extend(converted.notes)
        if converted.value is None:
            continue
        entry = dict(converted.value)
        if active is False or (active is None and is_schedule_active is False):
            entry["active"] = False
        result.value.append(entry)
    return result
