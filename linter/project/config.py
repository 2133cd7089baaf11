"""Configuration: ``[tool.prefect-lint]`` in ``pyproject.toml`` or a ``prefect-lint.toml``.

For each linted file the nearest configuration above it wins (``prefect-lint.toml`` before
``pyproject.toml`` in the same folder; a ``pyproject.toml`` without the table is passed over).
Options given on the command line override the file. Unknown keys and wrong types are errors
that name the key and the file.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from linter.core.diagnostics import Severity
from linter.core.selection import Selection, SelectorError, normalize_selectors
from linter.errors import ConfigError

if TYPE_CHECKING:
    from linter.prefect.pools import PoolsConfig
    from linter.prefect.workspace import WorkspaceConfig
from linter.prefect.releases import Target, TargetError, make_target

CONFIG_FILENAMES = ("prefect-lint.toml", "pyproject.toml")

#: Prefect deployment files a folder walk picks up (``include`` replaces, ``extend-include``
#: adds); scripts and legacy deployment.yaml files are found by their own kinds.
DEFAULT_INCLUDE = ("prefect.yaml", "prefect.yml")

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
    "site-packages",
)


class Settings(NamedTuple):
    """Resolved options for linting one file."""

    root: Path  # folder of the config file, or the CWD
    source: Path | None = None  # the config file these came from
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    extend_include: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    fail_level: Severity = Severity.WARNING
    output_format: str = "full"
    max_file_size: int = 10 * 1024 * 1024
    docs_url: str | None = None  # base of the rule pages findings link to; None: no links
    #: policy files (absolute paths, or built-in packs such as ``prefect-lint:recommended``)
    policy_files: tuple[str, ...] = ()
    #: plugin entry points (group ``prefect_lint.plugins``) to load
    plugins: tuple[str, ...] = ()
    extra: Mapping[str, Any] = MappingProxyType({})  # tables of later features
    #: the Prefect release findings speak for; None until resolved (rules read the newest)
    target_version: Target | None = None
    #: the Settings fields a configuration file set (the others are defaults)
    explicit: frozenset[str] = frozenset()

    @property
    def pools(self) -> PoolsConfig:
        """The pools table with where it came from, as the pool catalog takes it."""
        from linter.prefect.pools import PoolsConfig

        return PoolsConfig(self.extra.get("pools"), self.source, self.root)

    @property
    def workspace(self) -> WorkspaceConfig:
        """The workspace table with where it came from, as the snapshot reader takes it."""
        from linter.prefect.workspace import WorkspaceConfig

        return WorkspaceConfig(self.extra.get("workspace"), self.source, self.root)

    @property
    def selection(self) -> Selection:
        return Selection(self.select, self.extend_select, self.ignore)

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        """Codes ignored for ``path`` by ``per-file-ignores`` (patterns relative to root)."""
        if not self.per_file_ignores:
            return ()
        from linter.project.ignore_patterns import matches_any

        codes: list[str] = []
        for pattern, pattern_codes in self.per_file_ignores:
            if matches_any(path, self.root, (pattern,)):
                codes.extend(pattern_codes)
        return tuple(codes)


# -- reading a config table -----------------------------------------------------------------


def _string_list(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{origin}: `{key}` must be a list of strings, got {type(value).__name__}")


def _selectors(value: Any, key: str, origin: str) -> tuple[str, ...]:
    try:
        return tuple(normalize_selectors(_string_list(value, key, origin), f"{origin}: `{key}`"))
    except SelectorError as error:
        raise ConfigError(str(error)) from None


def _bool(value: Any, key: str, origin: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{origin}: `{key}` must be true or false, got {value!r}")
    return value


def _fail_level(value: Any, key: str, origin: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise ConfigError(
            f"{origin}: `{key}` must be one of error, warning, info; got {value!r}"
        ) from None


#: The names of the output formats (``linter.report.FORMATS`` maps each to its module; a
#: test keeps the two equal, so the configuration need not import the reporters).
OUTPUT_FORMATS = (
    "full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "rdjson",
)


def _output_format(value: Any, key: str, origin: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise ConfigError(
            f"{origin}: `{key}` must be one of {', '.join(OUTPUT_FORMATS)}; got {value!r}"
        )
    return str(value)


#: The largest ``max-file-size``: whatever is read (standard input included) is held in
#: memory, several times over once parsed, so "no limit" is not offered.
MAX_FILE_SIZE_CEILING = 1024 * 1024 * 1024


def _size(value: Any, key: str, origin: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{origin}: `{key}` must be a positive number of bytes, got {value!r}")
    if value > MAX_FILE_SIZE_CEILING:
        raise ConfigError(f"{origin}: `{key}` must be at most {MAX_FILE_SIZE_CEILING:,} bytes "
                          f"(1 GiB), got {value:,}")
    return value


def _docs_url(value: Any, key: str, origin: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ConfigError(f"{origin}: `{key}` must be an http(s) URL, got {value!r}")
    return value


def _target_version(value: Any, key: str, origin: str) -> Target:
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: `{key}` must be a string such as \"3.3\" or \"2.19.9\", "
                          f"got {value!r}")
    try:
        return make_target(value, f"{origin} ({key})")
    except TargetError as error:
        raise ConfigError(str(error)) from None


def _per_file_ignores(value: Any, key: str, origin: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: `{key}` must be a table of pattern = [codes]")
    return tuple(
        (str(pattern), _selectors(codes, f"{key}.{pattern}", origin))
        for pattern, codes in value.items()
    )


def _table(value: Any, key: str, origin: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: `{key}` must be a table")
    return value


#: A policy file named this way is a pack shipped with prefect-lint, not a path.
PACK_PREFIX = "prefect-lint:"


def _policy_files(value: Any, key: str, origin: str) -> tuple[str, ...]:
    """Policy file paths, made absolute against the configuration file's folder."""
    folder = Path(origin).parent
    return tuple(name if name.startswith(PACK_PREFIX) else str(folder / name)
                 for name in _string_list(value, key, origin))


def _plugins(value: Any, key: str, origin: str) -> tuple[str, ...]:
    names = _string_list(value, key, origin)
    for name in names:
        if not name.strip():
            raise ConfigError(f"{origin}: `{key}` has an empty plugin name")
    return names


# key in the file -> (Settings field, converter)
_KEYS: dict[str, tuple[str, Callable[[Any, str, str], Any]]] = {
    "select": ("select", _selectors),
    "extend-select": ("extend_select", _selectors),
    "ignore": ("ignore", _selectors),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _string_list),
    "extend-exclude": ("extend_exclude", _string_list),
    "include": ("include", _string_list),
    "extend-include": ("extend_include", _string_list),
    "respect-gitignore": ("respect_gitignore", _bool),
    "force-exclude": ("force_exclude", _bool),
    "fail-level": ("fail_level", _fail_level),
    "output-format": ("output_format", _output_format),
    "max-file-size": ("max_file_size", _size),
    "docs-url": ("docs_url", _docs_url),
    "policy-files": ("policy_files", _policy_files),
    "plugins": ("plugins", _plugins),
    "target-version": ("target_version", _target_version),
}

#: Sub-tables owned by later features (kept as raw data in ``Settings.extra``).
_TABLES = ("pools", "workspace")


def settings_from_table(table: Mapping[str, Any], source: Path) -> Settings:
    origin = str(source)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in table.items():
        if key in _TABLES:
            extra[key] = _table(value, key, origin)
            continue
        spec = _KEYS.get(key) or _KEYS.get(key.replace("_", "-"))
        if spec is None:
            known = ", ".join(sorted([*_KEYS, *_TABLES]))
            raise ConfigError(
                f"{origin}: unknown key `{key}` in [tool.prefect-lint] (known keys: {known})"
            )
        field_name, convert = spec
        values[field_name] = convert(value, key, origin)
    return Settings(source=source, root=source.parent, extra=extra,
                    explicit=frozenset(values), **values)


def read_config_file(path: Path) -> Settings | None:
    """Settings from one file; None for a ``pyproject.toml`` without our table."""
    if sys.version_info >= (3, 11):  # imported here: a run with no config file never needs it
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    from linter.reading import InputError, read_regular_file

    try:
        text = read_regular_file(path).decode("utf-8")
        document = tomllib.loads(text)
    except InputError as error:
        raise ConfigError(f"{path}: {error}".replace(
            "cannot read the file", "cannot read the configuration", 1)) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
                          f"offset {error.start}); TOML files must be UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply to read") from None
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        if not isinstance(tool, dict) or "prefect-lint" not in tool:
            return None
        table = tool["prefect-lint"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.prefect-lint] must be a table")
    else:
        table = document.get("tool", {}).get("prefect-lint", document)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: the configuration must be a table")
    return settings_from_table(table, path)


class Overrides(NamedTuple):
    """Options from the command line, applied over whatever a config file says."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    force_exclude: bool | None = None
    fail_level: Severity | None = None
    output_format: str | None = None
    target_version: Target | None = None

    def apply(self, settings: Settings) -> Settings:
        changes: dict[str, Any] = {}
        if self.select is not None:
            changes["select"] = self.select
            changes["extend_select"] = ()
        if self.extend_select:
            changes["extend_select"] = (*changes.get("extend_select", settings.extend_select),
                                        *self.extend_select)
        if self.ignore:
            changes["ignore"] = (*settings.ignore, *self.ignore)
        if self.exclude is not None:
            changes["exclude"] = self.exclude
        if self.extend_exclude:
            changes["extend_exclude"] = (*settings.extend_exclude, *self.extend_exclude)
        for name in ("respect_gitignore", "force_exclude", "fail_level", "output_format",
                     "target_version"):
            value = getattr(self, name)
            if value is not None:
                changes[name] = value
        return settings._replace(**changes) if changes else settings


def is_kind(path: Path, test: Callable[[int], bool]) -> bool:
    """``test`` (``stat.S_ISDIR``...) on the mode of ``path``; False when it cannot be
    inspected for any reason (a name too long, a link loop: the reader says why later)."""
    try:
        return test(path.stat().st_mode)
    except OSError:
        return False


class ConfigResolver:
    """Finds and caches the settings that apply to each folder."""

    def __init__(
        self,
        overrides: Overrides | None = None,
        explicit: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.overrides = overrides or Overrides()
        self.cwd = (cwd or Path.cwd()).resolve()
        self._by_folder: dict[Path, Settings] = {}
        self._by_written_folder: dict[Path, Settings] = {}
        self._explicit: Settings | None = None
        self._inferred: dict[Path, Target] = {}
        if explicit is not None:
            settings = read_config_file(explicit)
            if settings is None:
                raise ConfigError(f"{explicit}: has no [tool.prefect-lint] table")
            self._explicit = self._with_target(self.overrides.apply(settings))

    def _with_target(self, settings: Settings) -> Settings:
        """``settings`` with its target resolved: set, else inferred from the pins in its
        root folder, else the newest known release."""
        if settings.target_version is not None:
            return settings
        target = self._inferred.get(settings.root)
        if target is None:
            from linter.prefect.releases import default_target
            from linter.project.target import inferred_target

            target = inferred_target(settings.root) or default_target()
            self._inferred[settings.root] = target
        return settings._replace(target_version=target)

    @property
    def targets(self) -> list[Target]:
        """The targets resolved so far (for ``--verbose``), each once."""
        seen = [self._explicit.target_version] if self._explicit is not None else []
        seen += [settings.target_version for settings in self._by_folder.values()]
        return list(dict.fromkeys(target for target in seen if target is not None))

    def for_path(self, path: Path) -> Settings:
        if self._explicit is not None:
            return self._explicit
        folder = Path(os.path.realpath(path))  # a link loop stays as written, no error
        if not is_kind(folder, stat.S_ISDIR):
            folder = folder.parent
        return self._for_folder(folder)

    def for_folder(self, real_folder: Path) -> Settings:
        """``for_path`` of a folder already resolved (a walk resolves each folder once)."""
        if self._explicit is not None:
            return self._explicit
        return self._for_folder(real_folder)

    def for_file(self, path: Path) -> Settings:
        """``for_path`` of a file known to be one, memoised by the folder as written (a walk
        asks for hundreds of files in a few folders; resolving each costs system calls)."""
        if self._explicit is not None:
            return self._explicit
        settings = self._by_written_folder.get(path.parent)
        if settings is None:
            settings = self._by_written_folder[path.parent] = self._for_folder(
                path.parent.resolve())
        return settings

    def _for_folder(self, folder: Path) -> Settings:
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached
        settings: Settings | None = None
        for name in CONFIG_FILENAMES:
            candidate = folder / name
            # anything but a folder is read: a FIFO or device is refused with a message
            # instead of being passed over (its settings would silently not apply)
            if is_kind(candidate, lambda mode: not stat.S_ISDIR(mode)):
                settings = read_config_file(candidate)
                if settings is not None:
                    settings = self._with_target(self.overrides.apply(settings))
                    break
        if settings is None:
            parent = folder.parent
            if parent == folder:
                settings = self._with_target(self.overrides.apply(Settings(root=self.cwd)))
            else:
                settings = self._for_folder(parent)
        self._by_folder[folder] = settings
        return settings

    @property
    def default(self) -> Settings:
        return self.for_path(self.cwd)
