"""When the language server checks: a burst of changes is one check of the newest text, a
check whose document changed while it ran is dropped and the newest text checked, and the
outcome goes out with its version."""

from __future__ import annotations

import asyncio
import threading

import pytest

from linter.lsp.scheduling import CheckScheduler, Snapshot


class FakeEditor:
    def __init__(self) -> None:
        self.documents: dict[str, Snapshot] = {}
        self.checked: list[str] = []
        self.sent: list[tuple[str, int | None, str]] = []
        self.release = threading.Event()
        self.release.set()

    def snapshot(self, uri: str) -> Snapshot | None:
        return self.documents.get(uri)

    def compute(self, uri: str, text: str) -> str:
        self.release.wait(5)
        self.checked.append(text)
        return f"diagnostics of {text}"

    def send(self, uri: str, version: int | None, outcome: str) -> None:
        self.sent.append((uri, version, outcome))

    def scheduler(self, delay: float = 0.01) -> CheckScheduler[str]:
        return CheckScheduler(self.snapshot, self.compute, self.send, delay)


async def settle(scheduler: CheckScheduler[str]) -> None:
    for _ in range(200):
        await asyncio.sleep(0.01)
        if not scheduler.timers and not scheduler.running and not scheduler.tasks:
            return
    raise AssertionError("the scheduler did not settle")


def test_a_burst_of_changes_is_one_check_of_the_newest_text() -> None:
    editor = FakeEditor()
    scheduler = editor.scheduler()

    async def burst() -> None:
        for version in range(1, 51):
            editor.documents["a"] = Snapshot(f"text {version}", version)
            scheduler.schedule("a")
        await settle(scheduler)

    asyncio.run(burst())
    assert editor.checked == ["text 50"]
    assert editor.sent == [("a", 50, "diagnostics of text 50")]


def test_a_check_overtaken_by_a_change_is_dropped_and_the_newest_text_checked() -> None:
    editor = FakeEditor()
    scheduler = editor.scheduler()

    async def overtaken() -> None:
        editor.documents["a"] = Snapshot("old", 1)
        editor.release.clear()  # the first check blocks until released
        scheduler.schedule("a")
        for _ in range(100):
            await asyncio.sleep(0.01)
            if scheduler.running:
                break
        editor.documents["a"] = Snapshot("new", 2)
        scheduler.schedule("a")
        await asyncio.sleep(0.05)  # its timer fires while the old check still runs
        editor.release.set()
        await settle(scheduler)

    asyncio.run(overtaken())
    assert editor.checked == ["old", "new"]
    assert editor.sent == [("a", 2, "diagnostics of new")]  # nothing for version 1
    assert scheduler.dropped == 1


def test_a_document_closed_before_its_check_gets_nothing_and_another_one_its_own() -> None:
    editor = FakeEditor()
    scheduler = editor.scheduler()

    async def two_documents() -> None:
        editor.documents["a"] = Snapshot("a1", 1)
        editor.documents["b"] = Snapshot("b1", 1)
        scheduler.schedule("a")
        scheduler.schedule("b")
        scheduler.forget("a")  # closed before its timer fired
        del editor.documents["a"]
        await settle(scheduler)

    asyncio.run(two_documents())
    assert editor.sent == [("b", 1, "diagnostics of b1")]


def test_no_check_starts_while_part_of_a_message_is_still_being_read() -> None:
    editor = FakeEditor()
    scheduler = editor.scheduler()

    async def reading() -> None:
        editor.documents["a"] = Snapshot("text 1", 1)
        scheduler.input_pending(True)
        scheduler.schedule("a")
        await asyncio.sleep(0.1)  # ten debounce periods: the check still waits
        assert editor.checked == []
        editor.documents["a"] = Snapshot("text 2", 2)  # the rest of the burst arrived
        scheduler.input_pending(False)
        await settle(scheduler)

    asyncio.run(reading())
    assert editor.checked == ["text 2"]
    assert editor.sent == [("a", 2, "diagnostics of text 2")]


def test_a_reader_that_never_finishes_a_message_delays_checks_only_so_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("linter.lsp.scheduling.MAX_DEFERRAL", 0.05)
    editor = FakeEditor()
    scheduler = editor.scheduler()

    async def stuck() -> None:
        editor.documents["a"] = Snapshot("text", 1)
        scheduler.input_pending(True)  # and never False
        scheduler.schedule("a")
        await settle(scheduler)

    asyncio.run(stuck())
    assert editor.sent == [("a", 1, "diagnostics of text")]
