"""Scales: USB HID POS scales (pyusb) and serial scales (pyserial, protocols in weights.SERIAL_PROTOCOLS).

Both emit a `weight` event when the reading changes and answer `weight.read` with the reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import serial

from bridge.devices import usbio
from bridge.devices.base import READY, Candidate, Device, Event, StatusWatch
from bridge.devices.hid import BOOT_KEYBOARD, HID_CLASS, SCALE_USAGE_PAGE, usage_pages
from bridge.devices.interrupt import InterruptDevice
from bridge.devices.weights import SERIAL_PROTOCOLS, Reading, from_hid_report, read_frame
from bridge.errors import ConfigError, DeviceBusy, DeviceGone, NoWeight

FIRST_READING_TIMEOUT = 2.0  # weight.read waits this long for a scale that has said nothing yet
REPORT_SIZE = 64
MAX_FRAME = 64  # bytes of a frame cut off by the read timeout kept for the next read (frames are shorter)


class _LatestReading:
    """The last reading, and a way to wait for the first one."""

    def __init__(self) -> None:
        self.reading: Reading | None = None
        self._first = asyncio.Event()

    def update(self, reading: Reading) -> bool:
        """Keep the reading; True when it differs from the one before."""
        changed = reading != self.reading
        self.reading = reading
        self._first.set()
        return changed

    async def get(self) -> Reading:
        try:
            async with asyncio.timeout(FIRST_READING_TIMEOUT):  # not wait_for: see StatusWatch.wait
                await self._first.wait()
        except TimeoutError:
            raise NoWeight("the scale has not reported a weight") from None
        assert self.reading is not None
        return self.reading


def _is_scale_interface(device: Any) -> usbio.InterfaceTest:
    def test(intf: Any) -> bool:
        triple = (intf.bInterfaceClass, intf.bInterfaceSubClass, intf.bInterfaceProtocol)
        return (
            intf.bInterfaceClass == HID_CLASS
            and triple != BOOT_KEYBOARD
            and SCALE_USAGE_PAGE in usage_pages(usbio.report_descriptor(device, intf))
        )

    return test


class HidPosScale(InterruptDevice):
    kind = "scale"
    driver = "hid-pos-scale"
    commands = {"weight.read": "read_weight"}

    @classmethod
    def interface_test(cls, device) -> usbio.InterfaceTest:
        return _is_scale_interface(device)

    async def open(self) -> None:
        self._latest = _LatestReading()
        await super().open()

    async def events(self) -> AsyncIterator[Event]:
        while True:
            report = await asyncio.to_thread(self.read_report, REPORT_SIZE)
            reading = from_hid_report(report) if report else None
            if reading is not None and self._latest.update(reading):
                yield Event("weight", reading.data())

    async def read_weight(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return (await self._latest.get()).data()


class SerialScale(Device):
    kind = "scale"
    driver = "serial-scale"
    commands = {"weight.read": "read_weight"}

    @classmethod
    def supported(cls, candidate: Candidate) -> bool:
        return candidate.bus == "serial" and candidate.role == "scale"

    async def open(self) -> None:
        config = self.candidate.handle
        if config.protocol not in SERIAL_PROTOCOLS:
            raise ConfigError(
                f"unknown scale protocol {config.protocol!r}; known: {', '.join(SERIAL_PROTOCOLS)}"
            )
        self.protocol = SERIAL_PROTOCOLS[config.protocol]
        self.unit = config.unit
        self._latest = _LatestReading()
        self._ask = asyncio.Lock()
        self._partial = b""  # the start of a frame still coming (continuous protocols)
        self._status = StatusWatch(self)
        try:
            self._port = await asyncio.to_thread(
                serial.serial_for_url,
                config.port,
                baudrate=self.protocol.baudrate,
                bytesize=self.protocol.bytesize,
                parity=self.protocol.parity,
                stopbits=self.protocol.stopbits,
                timeout=self.settings.read_timeout_ms / 1000,
            )
        except (serial.SerialException, OSError) as e:
            raise DeviceBusy(f"cannot open {config.port}: {e}") from e

    async def close(self) -> None:
        await asyncio.to_thread(self._port.close)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            if self.protocol.request is None:
                reading = await asyncio.to_thread(self._read_frame)
            else:
                await asyncio.sleep(self.settings.scale_interval)
                reading = await self._request()
            if reading is not None and self._latest.update(reading):
                yield Event("weight", reading.data())
            if (change := self._status.change()) is not None:
                yield change

    async def read_weight(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if self.protocol.request is None:
            return (await self._latest.get()).data()
        reading = await self._request()
        if reading is None:
            raise NoWeight("the scale did not answer")
        self._latest.update(reading)
        return reading.data()

    async def _request(self) -> Reading | None:
        async with self._ask:
            reading = await asyncio.to_thread(self._ask_once)
        if reading is None:
            self._status.set("error", "no_answer")
        else:
            self._status.set(READY)
        return reading

    def _ask_once(self) -> Reading | None:
        try:
            self._port.reset_input_buffer()
            self._port.write(self.protocol.request)
            return read_frame(self.protocol, self._port.read_until(self.protocol.terminator), self.unit)
        except (serial.SerialException, OSError) as e:
            raise DeviceGone(f"serial port lost: {e}") from e

    def _read_frame(self) -> Reading | None:
        """The next frame the scale sends. One that the read timeout cuts in two is put together
        again, not lost (its two halves are no frame each)."""
        try:
            data = self._partial + self._port.read_until(self.protocol.terminator)
        except (serial.SerialException, OSError) as e:
            raise DeviceGone(f"serial port lost: {e}") from e
        if not data.endswith(self.protocol.terminator):
            self._partial = data[-MAX_FRAME:]
            return None
        self._partial = b""
        return read_frame(self.protocol, data, self.unit)
