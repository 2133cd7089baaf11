"""The Prefect release a project runs (the *target*): parsing ``X.Y`` / ``X.Y.Z`` and comparing.

``X.Y`` means that minor's newest patch, the release prefect-lint's knowledge of it comes from
(``RELEASES``); ``X.Y.Z`` is taken exactly, so a change that landed inside a minor (``day_or``
in 3.4.23) is placed right. Older than 2.10 is refused (``prefect.yaml`` did not exist yet);
newer than the newest known release is treated as the newest, with a note saying so.
"""

from __future__ import annotations

from typing import NamedTuple

from linter.lazy_regex import lazy_compile

#: The releases prefect-lint has data for: the newest patch of each supported minor.
RELEASES = (
    (2, 10, 21), (2, 14, 21), (2, 16, 9), (2, 19, 9), (2, 20, 27), (3, 0, 11), (3, 1, 15),
    (3, 2, 15), (3, 3, 7), (3, 4, 25), (3, 5, 0), (3, 6, 29), (3, 7, 8), (3, 8, 8), (3, 9, 1),
)
OLDEST = (2, 10, 0)
NEWEST = RELEASES[-1]

#: A minor prefect-lint has no dump for (2.11 ... 2.18): its ``X.Y`` stands for any patch,
#: placed after every change that landed in the minor's patches.
_ANY_PATCH = 999

VERSION_PATTERN = lazy_compile(r"^\s*v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?\s*$")

Version = tuple[int, int, int]


class TargetError(ValueError):
    """A target the user wrote that cannot be used (one line for the user)."""


class Target(NamedTuple):
    """The Prefect release rules speak for, and where that choice came from."""

    version: Version
    written: str  # as the user or the pin wrote it: "3.3", "2.19.9"
    source: str  # "--target-version", "requirements.txt (prefect==2.19.9)", ...
    note: str | None = None  # one line for the user (e.g. newer than the newest known)

    @property
    def label(self) -> str:
        """"3.3 (3.3.7)" for a minor, "2.19.9" for an exact release."""
        exact = format_version(self.version)
        return exact if self.written == exact else f"{self.written} ({exact})"

    @property
    def major(self) -> int:
        return self.version[0]


def format_version(version: Version) -> str:
    major, minor, patch = version
    return f"{major}.{minor}" if patch == _ANY_PATCH else f"{major}.{minor}.{patch}"


def newest_patch(major: int, minor: int) -> int:
    for release in RELEASES:
        if release[:2] == (major, minor):
            return release[2]
    return _ANY_PATCH


def parse_version(text: str) -> Version | None:
    """``(X, Y, Z)`` for "X.Y.Z", ``(X, Y, newest patch)`` for "X.Y"; None if not a version."""
    match = VERSION_PATTERN.match(text)
    if match is None:
        return None
    major, minor = int(match.group(1)), int(match.group(2))
    patch = int(match.group(3)) if match.group(3) is not None else newest_patch(major, minor)
    return (major, minor, patch)


def make_target(text: str, source: str) -> Target:
    """The target ``text`` names; ``TargetError`` when it is no version or older than 2.10."""
    version = parse_version(text)
    if version is None:
        raise TargetError(f"{source}: target version {text!r} is not a Prefect version "
                          "(write X.Y or X.Y.Z, e.g. 3.3 or 2.19.9)")
    if version < OLDEST:
        raise TargetError(f"{source}: target version {text.strip()} is older than Prefect 2.10, "
                          "where prefect.yaml did not exist yet (the oldest supported is 2.10)")
    return _clamped(Target(version, text.strip(), source))


def _clamped(target: Target) -> Target:
    if target.version <= NEWEST:
        return target
    newest = format_version(NEWEST)
    return Target(NEWEST, newest, target.source,
                  note=f"target version {target.written} ({target.source}) is newer than the "
                       f"newest Prefect prefect-lint knows ({newest}); checking for {newest}")


def default_target() -> Target:
    return Target(NEWEST, format_version(NEWEST), "default (the newest Prefect prefect-lint knows)")


def at_least(target: Target | None, version: Version) -> bool:
    """True when the target (None: the newest) is ``version`` or later."""
    return (target.version if target is not None else NEWEST) >= version
