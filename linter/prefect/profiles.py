"""``PREFECT_API_URL``, ``PREFECT_API_KEY``, ``PREFECT_API_AUTH_STRING`` and the API's TLS
settings as the ``prefect`` CLI (Prefect 3.9.1) finds them.

Each setting comes from the first of these that sets it:

1. the environment;
2. ``.env`` in the current folder (``PREFECT_API_URL=...``);
3. ``prefect.toml`` in the current folder (``[api]`` ``url = ...``, ``key = ...``,
   ``auth_string = ...``);
4. ``pyproject.toml`` in the current folder (``[tool.prefect.api]``);
5. the active profile. The profiles file is ``$PREFECT_PROFILES_PATH`` (also from ``.env``,
   ``profiles_path`` of ``prefect.toml`` or ``[tool.prefect]``), else
   ``$PREFECT_HOME/profiles.toml``, else ``~/.prefect/profiles.toml``; a missing file means
   Prefect's default profile, which sets neither. The active profile is ``$PREFECT_PROFILE``,
   else the file's ``active = "name"``; a name with no ``[profiles.name]`` table also means
   the default profile. In Prefect's test mode (``PREFECT_TEST_MODE`` and similar) profiles
   are not read.

A file that exists but is not TOML (or not UTF-8 text) is an error: the ``prefect`` CLI stops on
it too. Variables in ``.env`` (``${NAME}``) are not expanded.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

#: A profiles file is a few lines; anything this large is not one.
MAX_PROFILES_BYTES = 1024 * 1024

_TEST_MODE = ("PREFECT_TEST_MODE", "PREFECT_UNIT_TEST_MODE", "PREFECT_TESTING_UNIT_TEST_MODE",
              "PREFECT_TESTING_TEST_MODE")


class ProfileError(Exception):
    """The active profile holds a setting that cannot be used (the message says which)."""


class ApiSources(NamedTuple):
    """The two settings, each with where it came from (for messages)."""

    url: str | None
    url_source: str
    key: str | None
    key_source: str
    looked_in: str  # where the URL was looked for, for "is not set"
    auth_string: str | None = None
    #: every setting found (the TLS ones too): name -> (value, where it came from)
    found: Mapping[str, tuple[str, str]] = {}


class _Profile(NamedTuple):
    name: str | None
    path: Path
    settings: Mapping[str, Any]
    problem: str | None  # why the file could not be used, if it could not


#: The settings looked for, with their names in ``prefect.toml`` and ``pyproject.toml``.
_SETTINGS = {"PREFECT_API_URL": "url", "PREFECT_API_KEY": "key",
             "PREFECT_API_AUTH_STRING": "auth_string", "PREFECT_API_SSL_CERT_FILE": "ssl_cert_file",
             "PREFECT_API_TLS_INSECURE_SKIP_VERIFY": "tls_insecure_skip_verify"}
_NAME = "\x00"  # stands for a setting's name in a description of where it was found


def read_api_settings(environ: Mapping[str, str], folder: Path | None = None) -> ApiSources:
    """The URL and key for ``environ``, with project files read from ``folder`` (the current
    folder by default)."""
    found: dict[str, tuple[str, str]] = {}  # setting -> (value, where it came from)
    _take(found, {name: environ.get(name) for name in _SETTINGS}, _NAME)
    profile = None
    if len(found) < len(_SETTINGS):
        project = _ProjectFiles(Path.cwd() if folder is None else folder)
        for values, where in project.sources():
            _take(found, values, where)
        if len(found) < len(_SETTINGS):
            profile = _active_profile(environ, project.profiles_path(), project.folder)
            if profile is not None:
                _take(found, profile.settings, _where(profile, _NAME))
    url, url_source = found.get("PREFECT_API_URL", (None, "PREFECT_API_URL"))
    key, key_source = found.get("PREFECT_API_KEY", (None, "PREFECT_API_KEY"))
    auth_string = found.get("PREFECT_API_AUTH_STRING", (None, ""))[0]
    return ApiSources(url, url_source, key, key_source, _looked_in(profile), auth_string, found)


def _take(found: dict[str, tuple[str, str]], values: Mapping[str, Any], where: str) -> None:
    """Record each setting ``values`` sets that is not found yet (``where`` names the place,
    with ``_NAME`` standing for the setting's name)."""
    for name in _SETTINGS:
        value = values.get(name)
        if name in found or value is None:
            continue
        if isinstance(value, bool):  # TOML true/false (tls_insecure_skip_verify)
            value = str(value).lower()
        if not isinstance(value, str):
            raise ProfileError(f"{where.replace(_NAME, name)} must be a string, not "
                               f"{type(value).__name__}")
        if value.strip():
            found[name] = (value.strip(), where.replace(_NAME, name))


class _ProjectFiles:
    """``.env``, ``prefect.toml`` and ``pyproject.toml`` of one folder, each read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._dotenv: dict[str, str] | None = None
        self._toml: dict[str, dict[str, Any]] = {}

    def dotenv(self) -> dict[str, str]:
        if self._dotenv is None:
            text = _read_text(self.folder / ".env")
            self._dotenv = {} if text is None else _parse_dotenv(text)
        return self._dotenv

    def toml(self, name: str, *table: str) -> dict[str, Any]:
        if name not in self._toml:
            document, _ = _read_toml(self.folder / name)
            self._toml[name] = document or {}
        value: Any = self._toml[name]
        for key in table:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, dict) else {}

    def sources(self) -> list[tuple[dict[str, Any], str]]:
        """Each file's settings, in Prefect's order, with where they are."""
        prefect = self.toml("prefect.toml", "api")
        pyproject = self.toml("pyproject.toml", "tool", "prefect", "api")
        return [
            (self.dotenv(), f"{_NAME} in .env"),
            ({name: prefect.get(field) for name, field in _SETTINGS.items()},
             f"{_NAME} ([api] of prefect.toml)"),
            ({name: pyproject.get(field) for name, field in _SETTINGS.items()},
             f"{_NAME} ([tool.prefect.api] of pyproject.toml)"),
        ]

    def profiles_path(self) -> str | None:
        for value in (self.dotenv().get("PREFECT_PROFILES_PATH"),
                      self.toml("prefect.toml").get("profiles_path"),
                      self.toml("pyproject.toml", "tool", "prefect").get("profiles_path")):
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None


def _parse_dotenv(text: str) -> dict[str, str]:
    """``NAME=value`` lines as python-dotenv reads them (``export``, quotes, ``#`` comments),
    names upper-cased as Prefect's settings ignore case."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, equals, value = line.partition("=")
        if not equals or line.startswith("#") or not name.strip():
            continue
        values[name.strip().upper()] = _dotenv_value(value.strip())
    return values


def _dotenv_value(value: str) -> str:
    if value[:1] in ("'", '"') and value.find(value[0], 1) > 0:
        inner = value[1:value.find(value[0], 1)]
        return inner.replace("\\n", "\n") if value[0] == '"' else inner
    comment = value.find(" #")
    return (value[:comment] if comment >= 0 else value).strip()


def _read_text(path: Path) -> str | None:
    """A small regular file's text, or None when there is none."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _unusable(path, f"cannot read it: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _unusable(path, "it is not a regular file")
    if info.st_size > MAX_PROFILES_BYTES:
        raise _unusable(path, "it is larger than 1 MB")
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_PROFILES_BYTES + 1).decode("utf-8")
    except OSError as error:
        raise _unusable(path, f"cannot read it: {error.strerror}") from None
    except UnicodeDecodeError:
        raise _unusable(path, "it is not UTF-8 text") from None


def profiles_path(environ: Mapping[str, str], from_project: str | None = None,
                  folder: Path | None = None) -> Path:
    """The profiles file; a relative path is relative to ``folder`` (Prefect's current
    folder)."""
    explicit = environ.get("PREFECT_PROFILES_PATH", "").strip() or from_project
    if explicit:
        return (folder or Path.cwd()) / Path(explicit).expanduser()
    home = environ.get("PREFECT_HOME", "").strip()
    if home:
        return Path(home).expanduser() / "profiles.toml"
    user_home = environ.get("HOME", "").strip()
    return (Path(user_home) if user_home else Path.home()) / ".prefect" / "profiles.toml"


def _active_profile(environ: Mapping[str, str], from_project: str | None,
                    folder: Path) -> _Profile | None:
    """The active profile, or None when Prefect would use its default profile (which sets
    neither the URL nor the key) or is in test mode."""
    if any(environ.get(name) for name in _TEST_MODE):
        return None
    path = profiles_path(environ, from_project, folder)
    document, problem = _read_toml(path)
    if document is None:
        return _Profile(None, path, {}, problem)
    name = environ.get("PREFECT_PROFILE", "").strip() or document.get("active")
    profiles = document.get("profiles")
    if not isinstance(name, str) or not isinstance(profiles, dict):
        return _Profile(None, path, {}, None)
    settings = profiles.get(name)
    if not isinstance(settings, dict):
        return _Profile(None, path, {}, f'it has no profile "{name}"')
    return _Profile(name, path, settings, None)


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The document, or None and "it does not exist"; a ProfileError for a file that exists
    but cannot be used (the ``prefect`` CLI stops on a file that is not TOML)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    text = _read_text(path)
    if text is None:
        return None, "it does not exist"
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as error:
        raise _unusable(path, f"it is not valid TOML ({error})") from None
    except RecursionError:
        raise _unusable(path, "it is not valid TOML (nested too deeply)") from None


def _unusable(path: Path, problem: str) -> ProfileError:
    kind = "the Prefect profiles file " if path.name == "profiles.toml" else ""
    return ProfileError(f"{kind}{_shown(path)} cannot be used: {problem}; the prefect CLI "
                        "cannot use it either")


def _where(profile: _Profile, name: str) -> str:
    return f'{name} of the Prefect profile "{profile.name}" in {_shown(profile.path)}'


def _looked_in(profile: _Profile | None) -> str:
    where = "neither in the environment nor in .env, prefect.toml or pyproject.toml here"
    if profile is None:
        return f"{where}, and Prefect's test mode ignores profiles"
    if profile.problem:
        return f"{where}, nor in the Prefect profiles file {_shown(profile.path)}: " \
               f"{profile.problem}"
    if profile.name is None:
        return f"{where}, nor in the Prefect profiles file {_shown(profile.path)}, which has " \
               "no active profile"
    return f'{where}, nor in the active Prefect profile "{profile.name}" of ' \
           f"{_shown(profile.path)}"


def _shown(path: Path) -> str:
    home = os.path.expanduser("~")
    text = str(path)
    if home not in ("", "/", "~") and text.startswith(home + os.sep):
        return "~" + text[len(home):]
    return text
