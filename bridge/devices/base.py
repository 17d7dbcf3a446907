"""The one interface every driver implements: `supported()`, `events()` out, `send()` commands in."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from bridge.errors import UnsupportedCommand

if TYPE_CHECKING:
    from bridge.config import Settings

READY = "ready"
ERROR = "error"


@dataclass(frozen=True)
class Candidate:
    """Something a source found: a USB device, a configured serial port or network printer, a simulator.

    `key` identifies it between two polls and is the device id the protocol uses.
    """

    key: str
    bus: str  # "usb" | "serial" | "tcp" | "sim"
    name: str
    handle: Any = field(compare=False, repr=False)  # usb.core.Device, the port's settings, the Simulator
    role: str | None = None  # what a configured port is for: "scale" | "printer" (simulators: the kind)


@dataclass(frozen=True)
class Event:
    type: str
    data: Mapping[str, Any]


class Device(ABC):
    """A device the bridge owns. The manager opens it, relays `events()`, routes commands to `send()`,
    and closes it when it goes away."""

    kind: ClassVar[str]  # "scanner" | "scale" | "printer"
    driver: ClassVar[str]
    commands: ClassVar[Mapping[str, str]] = {}  # protocol command -> name of the coroutine method handling it

    def __init__(self, candidate: Candidate, settings: Settings) -> None:
        self.candidate = candidate
        self.settings = settings
        self.id = candidate.key
        self.name = candidate.name
        self.status = READY
        self.reason: str | None = None

    @classmethod
    @abstractmethod
    def supported(cls, candidate: Candidate) -> bool:
        """Whether this driver claims the candidate. May do blocking I/O: called in a worker thread."""

    async def open(self) -> None:  # noqa: B027 - a hook: devices with nothing to claim keep it
        """Claim the device. Raises DeviceError when it cannot be had."""

    async def close(self) -> None:  # noqa: B027 - a hook: devices with nothing to give back keep it
        """Give the device back (re-attach kernel drivers, close ports). Never raises."""

    @abstractmethod
    def events(self) -> AsyncIterator[Event]:
        """What the device says, as it says it. Ends by raising DeviceError when the device is lost."""

    async def send(self, command: str, data: Mapping[str, Any]) -> dict[str, Any]:
        handler = self.commands.get(command)
        if handler is None:
            raise UnsupportedCommand(f"a {self.kind} does not take {command!r}")
        return await getattr(self, handler)(data)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "driver": self.driver,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
        }


class StatusWatch:
    """Status changes of a device, for its `events()` stream: set() from anywhere, changes() yields each."""

    def __init__(self, device: Device) -> None:
        self._device = device
        self._changed = asyncio.Event()
        self._reported = (device.status, device.reason)

    def set(self, status: str, reason: str | None = None) -> None:
        self._device.status, self._device.reason = status, reason
        self._changed.set()

    async def wait(self, timeout: float | None) -> bool:
        """Wait until a status is set (True) or the timeout passes (False)."""
        # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that comes as the status is
        # set, and the device's pump then never stops (nor the bridge, waiting for it).
        try:
            async with asyncio.timeout(timeout):
                await self._changed.wait()
        except TimeoutError:
            return False
        self._changed.clear()
        return True

    def change(self) -> Event | None:
        """The status event to report, if the status differs from the last one reported."""
        current = (self._device.status, self._device.reason)
        if current == self._reported:
            return None
        self._reported = current
        return Event("device.status", self._device.describe())
