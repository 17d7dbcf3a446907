"""Finds devices by polling the sources and diffing, opens them with the driver that claims them,
relays their events, and lets them go when they disappear.

Plugging and unplugging work while the bridge runs: a device that vanishes (between two polls, or
mid-use with an I/O error) gives a `device.removed` event; when it is back, `device.added`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from bridge.config import Settings
from bridge.devices import DRIVERS, claiming_driver
from bridge.devices.base import Candidate, Device
from bridge.errors import BridgeError, DeviceAbsent, DeviceError
from bridge.protocol import envelope
from bridge.sources import Source

log = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], None]


class DeviceManager:
    def __init__(
        self,
        sources: list[Source],
        settings: Settings,
        publish: Publish,
        drivers: tuple[type[Device], ...] = DRIVERS,
    ) -> None:
        self._sources = sources
        self._settings = settings
        self._publish = publish
        self._drivers = drivers
        self._devices: dict[str, Device] = {}
        self._pumps: dict[str, asyncio.Task[None]] = {}
        self._unclaimed: set[str] = set()  # seen, and no driver wants it: not asked again while it stays
        self._failing: dict[str, str] = {}  # claimed but would not open: tried again each poll, logged once
        self._leaving: set[asyncio.Task[None]] = set()  # devices being let go (see _remove)
        self._lock = asyncio.Lock()

    # --- what the server asks -------------------------------------------------------------------

    def devices(self) -> list[dict[str, Any]]:
        return [device.describe() for device in self._devices.values()]

    def pick(self, kind: str, device_id: str | None = None) -> Device:
        """The device to carry out a command: the one named, or the first of its kind."""
        if device_id is not None:
            device = self._devices.get(device_id)
            if device is None or device.kind != kind:
                raise DeviceAbsent(f"no {kind} {device_id!r} is connected")
            return device
        for device in self._devices.values():
            if device.kind == kind:
                return device
        raise DeviceAbsent(f"no {kind} is connected")

    # --- polling ------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll forever. A poll that fails is logged; the next one comes all the same."""
        while True:
            try:
                await self.poll()
            except Exception:
                log.exception("looking for devices failed")
            await asyncio.sleep(self._settings.poll_interval)

    async def poll(self) -> None:
        candidates = {c.key: c for c in await asyncio.to_thread(self._scan)}
        async with self._lock:
            for key in [k for k in self._devices if k not in candidates]:
                await self._remove(key, "unplugged")
            self._unclaimed &= candidates.keys()
            for key in [k for k in self._failing if k not in candidates]:
                del self._failing[key]
            for key, candidate in candidates.items():
                if key not in self._devices and key not in self._unclaimed:
                    await self._add(candidate)

    def _scan(self) -> list[Candidate]:
        found = []
        for source in self._sources:
            try:
                found.extend(source.scan())
            except Exception:
                log.exception("looking for devices failed in %s", type(source).__name__)
        return found

    async def close(self) -> None:
        """Let every device go (kernel drivers re-attached, ports closed)."""
        async with self._lock:
            for key in list(self._devices):
                await self._remove(key, "bridge_stopped")
        if self._leaving:  # removals a cancelled poll started: they finish too
            await asyncio.wait(set(self._leaving))

    # --- one device ---------------------------------------------------------------------------------

    async def _add(self, candidate: Candidate) -> None:
        driver = await asyncio.to_thread(claiming_driver, candidate, self._drivers)
        if driver is None:
            self._unclaimed.add(candidate.key)
            return
        device = driver(candidate, self._settings)
        try:
            await device.open()
        except Exception as e:  # a driver error must not stop the looking: try again next poll
            if self._failing.get(candidate.key) != str(e):
                level = logging.WARNING if isinstance(e, BridgeError) else logging.ERROR
                log.log(level, "%s (%s) could not be opened: %s", candidate.key, driver.driver, e)
            self._failing[candidate.key] = str(e)
            return
        self._failing.pop(candidate.key, None)
        self._devices[device.id] = device
        log.info("%s added: %s %s (%s)", device.id, device.kind, device.name, device.driver)
        self._publish(envelope("device.added", device=device.id, data=device.describe()))
        self._pumps[device.id] = asyncio.create_task(self._pump(device), name=f"pump {device.id}")

    async def _remove(self, key: str, reason: str, only: Device | None = None) -> None:
        """Close and forget a device (`only`: if it is still this very one).

        A device taken out of the table is let go in full, in a task of its own that close() waits
        for: the task removing it may be cancelled meanwhile (the bridge stopping while a poll lets
        an unplugged device go), and that cancellation is its own, not the pump's to swallow."""
        device = self._devices.get(key)
        if device is None or (only is not None and device is not only):
            return
        del self._devices[key]
        pump = self._pumps.pop(key)
        stop_pump = pump is not asyncio.current_task()
        leaving = asyncio.create_task(
            self._let_go(device, pump if stop_pump else None, reason), name=f"let go {key}"
        )
        self._leaving.add(leaving)
        leaving.add_done_callback(self._leaving.discard)
        await asyncio.shield(leaving)

    async def _let_go(self, device: Device, pump: asyncio.Task[None] | None, reason: str) -> None:
        if pump is not None:
            pump.cancel()
            await asyncio.wait([pump])
        try:
            await device.close()
        except Exception:
            log.exception("%s did not close cleanly", device.id)
        log.info("%s removed (%s)", device.id, reason)
        self._publish(
            envelope("device.removed", device=device.id, data={**device.describe(), "reason": reason})
        )

    async def _pump(self, device: Device) -> None:
        """Relay a device's events until it ends; a device that fails is removed (and found again by
        the next poll if it is still there)."""
        try:
            async for event in device.events():
                self._publish(envelope(event.type, device=device.id, data=event.data))
        except DeviceError as e:
            log.warning("%s lost: %s", device.id, e)
            reason = e.code
        except Exception:
            log.exception("%s: driver failed", device.id)
            reason = "driver_error"
        else:
            reason = "ended"
        async with self._lock:
            await self._remove(device.id, reason, only=device)
