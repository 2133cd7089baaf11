"""'Did you mean ...?' suggestions for misspelt keys, steps and variables."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def _normalized(word: str) -> str:
    return word.lower().replace("-", "_")


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The closest candidate to ``word``, or None when nothing is close enough.

    Case and ``-``/``_`` differences count as the same word (``imagePullPolicy`` and
    ``image_pull_policy`` match), then difflib's ratio decides."""
    options = list(dict.fromkeys(candidates))
    if not options:
        return None
    target = _normalized(word).replace("_", "")
    for option in options:
        if _normalized(option).replace("_", "") == target:
            return option
    by_normal = {_normalized(option): option for option in options}
    close = difflib.get_close_matches(_normalized(word), list(by_normal), n=1, cutoff=cutoff)
    return by_normal[close[0]] if close else None
