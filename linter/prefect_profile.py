"""``PREFECT_API_URL`` and ``PREFECT_API_KEY`` as the ``prefect`` CLI finds them.

Prefect 3 takes each setting from the environment first and otherwise from the active profile:

- the profiles file is ``$PREFECT_PROFILES_PATH``, else ``$PREFECT_HOME/profiles.toml``, else
  ``~/.prefect/profiles.toml``; a missing file means Prefect's default profile, which sets
  neither setting;
- the active profile is ``$PREFECT_PROFILE``, else the file's ``active = "name"``; a name
  with no ``[profiles.name]`` table also means the default profile;
- a file that is not TOML is an error (the ``prefect`` CLI stops on it too);
- in Prefect's test mode (``PREFECT_TEST_MODE`` and similar) profiles are not read.

Prefect also reads settings from ``.env``, ``prefect.toml`` and ``[tool.prefect]`` of
``pyproject.toml``; those are not read here.
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


class _Profile(NamedTuple):
    name: str | None
    path: Path
    settings: Mapping[str, Any]
    problem: str | None  # why the file could not be used, if it could not


def read_api_settings(environ: Mapping[str, str]) -> ApiSources:
    url = _from_environment(environ, "PREFECT_API_URL")
    key = _from_environment(environ, "PREFECT_API_KEY")
    if url and key:
        return ApiSources(url, "PREFECT_API_URL", key, "PREFECT_API_KEY", "")
    profile = _active_profile(environ)
    url_source = key_source = ""
    if url:
        url_source = "PREFECT_API_URL"
    elif profile is not None:
        url = _setting(profile, "PREFECT_API_URL")
        url_source = _where(profile, "PREFECT_API_URL")
    if key:
        key_source = "PREFECT_API_KEY"
    elif profile is not None:
        key = _setting(profile, "PREFECT_API_KEY")
        key_source = _where(profile, "PREFECT_API_KEY")
    return ApiSources(url, url_source or "PREFECT_API_URL", key,
                      key_source or "PREFECT_API_KEY", _looked_in(environ, profile))


def _from_environment(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def profiles_path(environ: Mapping[str, str]) -> Path:
    explicit = environ.get("PREFECT_PROFILES_PATH", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    home = environ.get("PREFECT_HOME", "").strip()
    if home:
        return Path(home).expanduser() / "profiles.toml"
    user_home = environ.get("HOME", "").strip()
    return (Path(user_home) if user_home else Path.home()) / ".prefect" / "profiles.toml"


def _active_profile(environ: Mapping[str, str]) -> _Profile | None:
    """The active profile, or None when Prefect would use its default profile (which sets
    neither the URL nor the key) or is in test mode."""
    if any(environ.get(name) for name in _TEST_MODE):
        return None
    path = profiles_path(environ)
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
    but cannot be used (the ``prefect`` CLI stops on a profiles file that is not TOML)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    try:
        info = path.stat()
    except FileNotFoundError:
        return None, "it does not exist"
    except OSError as error:
        raise _unusable(path, f"cannot read it: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _unusable(path, "it is not a regular file")
    if info.st_size > MAX_PROFILES_BYTES:
        raise _unusable(path, "it is larger than 1 MB")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_PROFILES_BYTES + 1)
        return tomllib.loads(raw.decode("utf-8")), None
    except OSError as error:
        raise _unusable(path, f"cannot read it: {error.strerror}") from None
    except UnicodeDecodeError:
        raise _unusable(path, "it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise _unusable(path, f"it is not valid TOML ({error})") from None
    except RecursionError:
        raise _unusable(path, "it is not valid TOML (nested too deeply)") from None


def _unusable(path: Path, problem: str) -> ProfileError:
    return ProfileError(f"the Prefect profiles file {_shown(path)} cannot be used: {problem}; "
                        "the prefect CLI cannot use it either")


def _setting(profile: _Profile, name: str) -> str | None:
    value = profile.settings.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileError(f"{_where(profile, name)} must be a string, not "
                           f"{type(value).__name__}")
    return value.strip() or None


def _where(profile: _Profile, name: str) -> str:
    return f'{name} of the Prefect profile "{profile.name}" in {_shown(profile.path)}'


def _looked_in(environ: Mapping[str, str], profile: _Profile | None) -> str:
    if profile is None:
        return "not in the environment, and Prefect's test mode ignores profiles"
    where = f"neither in the environment nor in the Prefect profiles file {_shown(profile.path)}"
    if profile.problem:
        return f"{where}: {profile.problem}"
    if profile.name is None:
        return f"{where}, which has no active profile"
    return f'neither in the environment nor in the active Prefect profile "{profile.name}" of ' \
           f"{_shown(profile.path)}"


def _shown(path: Path) -> str:
    home = os.path.expanduser("~")
    text = str(path)
    if home not in ("", "/", "~") and text.startswith(home + os.sep):
        return "~" + text[len(home):]
    return text
