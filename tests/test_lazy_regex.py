"""Lazy patterns behave as compiled ones and compile only when first used."""

from __future__ import annotations

import re

import pytest

from linter.lazy_regex import LazyPattern, lazy_compile


def test_nothing_is_compiled_before_the_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(source: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(source)
        return real(source, flags)

    monkeypatch.setattr(re, "compile", counting)
    pattern = lazy_compile(r"(?P<word>\w+)-(\d+)", re.I)
    assert compiled == []
    assert pattern.search("x ABC-12 y") is not None
    assert pattern.findall("a-1 b-2") == [("a", "1"), ("b", "2")]
    assert pattern.sub("#", "a-1 b") == "# b"
    assert compiled == [r"(?P<word>\w+)-(\d+)"]  # once, however many methods are used


def test_attributes_match_a_compiled_pattern() -> None:
    source, flags = r"^(?P<key>[a-z]+):", re.M
    lazy, real = lazy_compile(source, flags), re.compile(source, flags)
    assert isinstance(lazy, LazyPattern)
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (
        real.pattern, real.flags, real.groups, real.groupindex)
    text = "a: 1\nbb: 2\n3: c\n"
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.fullmatch("a:") is not None and lazy.match("3:") is None


def test_a_bad_pattern_fails_when_used() -> None:
    pattern = lazy_compile("(unclosed")
    with pytest.raises(re.error):
        pattern.search("x")
