"""When the language server checks a document: debounced, one check at a time per document,
and only the newest version's diagnostics are published.

A change (re)starts a short timer; a burst of changes therefore leads to one check, of the
text as it is when the timer fires, and while the reader holds part of a message (a burst of
large changes arrives in pieces) the check waits for it, up to a bound. The check runs in a
worker thread so that the server keeps reading (and answering) meanwhile; if the document
changed while it ran, its result is dropped and the newest text is checked at once.
Diagnostics go out with the version they belong to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, NamedTuple, TypeVar

log = logging.getLogger(__name__)

#: Seconds a change waits for the next one before the document is checked.
DEBOUNCE = 0.01
#: While a message is still being read, checks wait for it (a burst of large changes arrives
#: in pieces), but never longer than this in all.
MAX_DEFERRAL = 1.0

Outcome = TypeVar("Outcome")


class Snapshot(NamedTuple):
    text: str
    version: int | None


class CheckScheduler(Generic[Outcome]):
    """``compute(uri, text)`` runs in a worker thread; ``send(uri, version, outcome)`` and
    ``snapshot(uri)`` (None once the document is closed) run on the event loop."""

    def __init__(
        self,
        snapshot: Callable[[str], Snapshot | None],
        compute: Callable[[str, str], Outcome],
        send: Callable[[str, int | None, Outcome], None],
        delay: float = DEBOUNCE,
    ) -> None:
        self.snapshot = snapshot
        self.compute = compute
        self.send = send
        self.delay = delay
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefect-lint-check")
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.running: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.dropped = 0  # checks whose result was superseded before it was ready
        self.reading = False  # a message is partly read: more changes may be on their way
        self.deferred_since: dict[str, float] = {}

    def input_pending(self, reading: bool) -> None:
        """Told by the reader whether it holds part of a message."""
        self.reading = reading

    def schedule(self, uri: str, delay: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        pending = self.timers.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.timers[uri] = loop.call_later(self.delay if delay is None else delay,
                                           self._start, uri)

    def forget(self, uri: str) -> None:
        pending = self.timers.pop(uri, None)
        if pending is not None:
            pending.cancel()

    def _start(self, uri: str) -> None:
        self.timers.pop(uri, None)
        now = asyncio.get_running_loop().time()
        if self.reading and now - self.deferred_since.setdefault(uri, now) < MAX_DEFERRAL:
            self.schedule(uri)  # the rest of a message is coming: it may be a newer text
            return
        self.deferred_since.pop(uri, None)
        if uri in self.running:
            return  # the running check sees it is stale when it ends, and starts again
        snapshot = self.snapshot(uri)
        if snapshot is None:
            return
        self.running.add(uri)
        task = asyncio.get_running_loop().create_task(self._run(uri, snapshot))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, uri: str, checked: Snapshot) -> None:
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self.pool, self.compute, uri, checked.text)
        finally:
            self.running.discard(uri)
        current = self.snapshot(uri)
        if current is None:
            return
        if current != checked:
            self.dropped += 1
            if uri not in self.timers:
                self.schedule(uri, 0)
            return
        self.send(uri, checked.version, outcome)
