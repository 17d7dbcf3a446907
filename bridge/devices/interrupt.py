"""The one base for USB devices read from an interrupt IN endpoint: the barcode scanner (HID boot
keyboard) and the USB HID POS scale. It claims the device's interface on open, sends the class's
set-up requests, reads reports under a lock (so ``close`` waits for a read in flight) and releases
the interface on close. Subclasses say which interface is theirs and what a report means."""

from __future__ import annotations

import asyncio
import threading
from abc import abstractmethod
from typing import Any, ClassVar

import usb.util

from bridge.devices import usbio
from bridge.devices.base import Device


class InterruptDevice(Device):
    setup_requests: ClassVar[tuple] = ()  # control requests sent once the interface is claimed

    @classmethod
    @abstractmethod
    def interface_test(cls, device: Any) -> usbio.InterfaceTest:
        """Which of the device's interfaces this driver reads."""

    @classmethod
    def supported(cls, candidate) -> bool:
        return candidate.bus == "usb" and \
            usbio.find_interface(candidate.handle, cls.interface_test(candidate.handle)) is not None

    async def open(self) -> None:
        self._io = threading.Lock()
        self._claim, self.name = await asyncio.to_thread(self._take)

    def _take(self) -> tuple[usbio.Claim, str]:
        device = self.candidate.handle
        held = usbio.claim(device, self.interface_test(device), (usb.util.ENDPOINT_TYPE_INTR,))
        for request in self.setup_requests:
            usbio.control_out(held, request)
        return held, usbio.product_name(device)

    async def close(self) -> None:
        def release() -> None:
            with self._io:
                usbio.release(self._claim)

        await asyncio.to_thread(release)

    def read_report(self, size: int) -> bytes | None:
        """One report, or None when the device is quiet for a read timeout (blocking: run in a thread)."""
        with self._io:
            return usbio.read(self._claim, size, self.settings.read_timeout_ms)
