import asyncio
from collections.abc import AsyncIterator
from typing import Any

from bridge.config import Settings
from bridge.devices.base import ERROR, Candidate, Device, Event, StatusWatch
from bridge.manager import DeviceManager

WAIT_S = 3.0


class Bus:
    """A source whose devices the test plugs and unplugs."""

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []

    def scan(self) -> list[Candidate]:
        return list(self.candidates)


class SlowToStop(Device):
    """A device whose pump takes a while to stop (a read that has to time out first, say)."""

    kind = "scanner"
    driver = "slow-to-stop"
    opened: list["SlowToStop"] = []
    one_opened: asyncio.Event

    @classmethod
    def supported(cls, candidate: Candidate) -> bool:
        return candidate.bus == "test"

    async def open(self) -> None:
        self.stopping = asyncio.Event()  # its pump has been cancelled and is winding down
        self.stopped = asyncio.Event()  # the test lets it finish
        self.closed = False
        SlowToStop.opened.append(self)
        SlowToStop.one_opened.set()

    async def close(self) -> None:
        self.closed = True

    async def events(self) -> AsyncIterator[Event]:
        try:
            await asyncio.Event().wait()  # nothing to say
        except asyncio.CancelledError:
            self.stopping.set()
            await self.stopped.wait()
            raise
        yield Event("never", {})


def test_a_bridge_stopping_while_a_poll_lets_a_device_go_still_stops_and_closes_the_device():
    """Stopping the bridge cancels the poll; a poll that was waiting for an unplugged device's pump
    to stop used to swallow that cancellation and poll on, and the bridge never stopped."""
    SlowToStop.opened.clear()

    async def go() -> tuple[bool, bool, list[dict[str, Any]]]:
        SlowToStop.one_opened = asyncio.Event()
        bus, published = Bus(), []
        manager = DeviceManager([bus], Settings(poll_interval=0.01), published.append, drivers=(SlowToStop,))
        bus.candidates.append(Candidate("test:1", "test", "a device", None))
        poller = asyncio.create_task(manager.run())
        await asyncio.wait_for(SlowToStop.one_opened.wait(), WAIT_S)  # the first poll opens it
        device = SlowToStop.opened[0]
        bus.candidates.clear()  # unplugged: the next poll lets it go, and waits for its pump
        await asyncio.wait_for(device.stopping.wait(), WAIT_S)
        poller.cancel()  # the bridge stops
        await asyncio.wait([poller], timeout=WAIT_S)
        poll_stopped = poller.cancelled()
        device.stopped.set()
        await asyncio.wait_for(manager.close(), WAIT_S)  # ... and waits for the device to be let go
        return poll_stopped, device.closed, published

    poll_stopped, closed, published = asyncio.run(go())
    assert poll_stopped
    assert closed
    assert [(m["type"], m["data"].get("reason")) for m in published] == [
        ("device.added", None),
        ("device.removed", "unplugged"),
    ]


def test_a_status_wait_cancelled_just_as_the_status_changes_is_cancelled():
    """A printer's pump waits for a status change; cancelled as one comes (the printer's line went
    dead as it was unplugged), it must stop, not go on waiting: asyncio.wait_for on Python 3.11
    returned the change and dropped the cancellation."""
    device = SlowToStop(Candidate("test:1", "test", "a device", None), Settings())

    async def go() -> bool:
        watch = StatusWatch(device)
        waiting = asyncio.create_task(watch.wait(60))
        await asyncio.sleep(0)  # one turn of the loop: it is waiting now
        watch.set(ERROR, "printer_offline")
        waiting.cancel()
        await asyncio.wait([waiting], timeout=WAIT_S)
        return waiting.cancelled()

    assert asyncio.run(go())
