"""Evaluate a compiled JSONPath over the data, fast where the path is simple.

python-jsonpath parses every ``given`` (RFC 9535, strict) and evaluates any of them. Most
policy paths are plain chains of names, indexes and wildcards
(``$.deployments[*].work_pool.name``); for those the parsed segments are walked here
directly, several times faster than the general evaluator (which builds a match object per
step). Paths with filters or descendant segments go to the library. Both give the same
values in the same order, with their locations as tuples of keys and indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, NamedTuple

NAME, INDEX, WILDCARD, FILTER = 0, 1, 2, 3

#: One segment: whether it visits every descendant (``..``), and its selectors.
Step = tuple[bool, tuple[tuple[int, Any], ...]]


class Match(NamedTuple):
    parts: tuple[Any, ...]
    obj: Any


Finder = Callable[[Any], list[Match]]


def finder(compiled: Any) -> Finder:
    """A function giving the matches of ``compiled`` (a python-jsonpath ``JSONPath``) in
    some data: the simple leading segments walked here, the rest (from the first filter or
    descendant segment on) by the library from each value the walk reaches."""
    from jsonpath.path import JSONPath

    if type(compiled) is not JSONPath:  # a compound path (`|`, `&`): the library's
        return partial(_with_library, compiled)
    fast = _fast_finder(compiled)
    if fast is not None:
        return fast
    steps, rest = _split(compiled)
    if not steps or "$" in "".join(str(segment) for segment in rest):
        return partial(_with_library, compiled)  # a filter asks the root: keep the root
    tail = JSONPath(env=compiled.env, segments=rest)
    return partial(_walk_then_library, steps, tail)


def _with_library(compiled: Any, data: Any) -> list[Match]:
    with _evaluation(compiled):
        return [Match(tuple(match.parts), match.obj) for match in compiled.finditer(data)]


def _walk_then_library(steps: list[Step], tail: Any, data: Any) -> list[Match]:
    with _evaluation(tail):
        return [Match((*match.parts, *inner.parts), inner.obj)
                for match in _walk(steps, data) for inner in tail.finditer(match.obj)]


class PathError(Exception):
    """The library could not evaluate a path over this data (nested too deeply for it)."""


@contextmanager
def _evaluation(compiled: Any) -> Iterator[None]:
    from jsonpath import JSONPathError

    try:
        yield
    except (JSONPathError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PathError(f"cannot evaluate {compiled} here: {reason}") from None


def _fast_finder(compiled: Any) -> Finder | None:
    """The walk for a path made only of what it evaluates itself (filters included, when
    :mod:`linter.policy.filters` can turn them into predicates); None otherwise."""
    steps, rest = _split(compiled, filters=True)
    return None if rest else partial(_walk, steps)


def _split(compiled: Any, filters: bool = False) -> tuple[list[Step], tuple[Any, ...]]:
    """The leading segments the walk evaluates itself, and the others."""
    from jsonpath.segments import JSONPathChildSegment, JSONPathRecursiveDescentSegment

    steps: list[Step] = []
    segments = tuple(compiled.segments)
    for position, segment in enumerate(segments):
        descend = type(segment) is JSONPathRecursiveDescentSegment
        if not descend and type(segment) is not JSONPathChildSegment:
            return steps, segments[position:]
        step = [_step(selector, filters) for selector in segment.selectors]
        if any(item is None for item in step):
            return steps, segments[position:]
        steps.append((descend, tuple(item for item in step if item is not None)))
    return steps, ()


def _step(selector: Any, filters: bool) -> tuple[int, Any] | None:
    from jsonpath.selectors import Filter, IndexSelector, NameSelector, WildcardSelector

    if type(selector) is NameSelector:
        return NAME, selector.name
    if type(selector) is IndexSelector:
        return INDEX, selector.index
    if type(selector) is WildcardSelector:
        return WILDCARD, None
    if filters and type(selector) is Filter:
        from linter.policy.filters import compile_filter

        predicate = compile_filter(selector.expression, _fast_finder)
        return None if predicate is None else (FILTER, predicate)
    return None


def _walk(steps: list[Step], data: Any) -> list[Match]:
    current = [Match((), data)]
    for descend, selectors in steps:
        following: list[Match] = []
        for start in current:
            for parts, value in (_descendants(start) if descend else (start,)):
                for kind, argument in selectors:
                    following.extend(_select(kind, argument, parts, value))
        current = following
    return current


def _descendants(start: Match) -> Iterator[Match]:
    """``start`` and every mapping and list under it, depth first in document order;
    without recursion, so nesting as deep as the data allows costs no stack."""
    stack = [start]
    while stack:
        node = stack.pop()
        yield node
        parts, value = node
        if isinstance(value, dict):
            children = [Match((*parts, key), item) for key, item in value.items()]
        elif isinstance(value, list):
            children = [Match((*parts, index), item) for index, item in enumerate(value)]
        else:
            continue
        stack.extend(child for child in reversed(children)
                     if isinstance(child.obj, (dict, list)))


def _select(kind: int, argument: Any, parts: tuple[Any, ...], value: Any) -> Iterator[Match]:
    if kind == NAME:
        if isinstance(value, dict) and argument in value:
            yield Match((*parts, argument), value[argument])
    elif kind == INDEX:
        if isinstance(value, list):
            index = argument if argument >= 0 else len(value) + argument
            if 0 <= index < len(value):
                yield Match((*parts, index), value[index])
    elif kind == WILDCARD:
        if isinstance(value, dict):
            for key, item in value.items():
                yield Match((*parts, key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield Match((*parts, index), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if argument(item):
                yield Match((*parts, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if argument(item):
                yield Match((*parts, index), item)
