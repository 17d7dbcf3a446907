"""Barcode scanner: a USB HID boot keyboard read from its interrupt IN endpoint."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import usb.util

from bridge.devices import usbio
from bridge.devices.base import Candidate, Device, Event
from bridge.devices.hid import (
    BOOT_KEYBOARD,
    ENTER_KEYS,
    ERROR_ROLL_OVER,
    KEY_REPORT_SIZE,
    KEY_SLOTS,
    KEYMAP,
    NO_KEY,
    SET_BOOT_PROTOCOL,
    SET_IDLE_FOREVER,
    SHIFT_BITS,
)

MAX_CODE_LENGTH = 256  # a scanner that never sends Enter must not grow a code forever


class KeyReportDecoder:
    """Turns boot keyboard reports into codes.

    A key counts in the report where it first appears: a digit typed twice needs the release report
    between the two presses. Enter ends a code.
    """

    def __init__(self) -> None:
        self._held: frozenset[int] = frozenset()
        self._chars: list[str] = []

    def feed(self, report: bytes) -> list[str]:
        if len(report) < KEY_REPORT_SIZE:
            return []
        usages = [u for u in report[KEY_SLOTS] if u != NO_KEY]
        if ERROR_ROLL_OVER in usages:
            return []
        shifted = bool(report[0] & SHIFT_BITS)
        codes = []
        for usage in usages:
            if usage in self._held:
                continue
            if usage in ENTER_KEYS:
                if self._chars:
                    codes.append("".join(self._chars))
                    self._chars.clear()
            elif usage in KEYMAP:
                self._chars.append(KEYMAP[usage][shifted])
                del self._chars[:-MAX_CODE_LENGTH]
        self._held = frozenset(usages)
        return codes


class HidBootScanner(Device):
    kind = "scanner"
    driver = "hid-boot-scanner"

    @classmethod
    def supported(cls, candidate: Candidate) -> bool:
        return (
            candidate.bus == "usb"
            and usbio.find_interface(candidate.handle, usbio.has_class(BOOT_KEYBOARD)) is not None
        )

    async def open(self) -> None:
        self._decoder = KeyReportDecoder()
        self._io = threading.Lock()  # close() waits for a read in flight
        self._claim, self.name = await asyncio.to_thread(self._take)

    def _take(self) -> tuple[usbio.Claim, str]:
        device = self.candidate.handle
        held = usbio.claim(device, usbio.has_class(BOOT_KEYBOARD), (usb.util.ENDPOINT_TYPE_INTR,))
        for request in (SET_BOOT_PROTOCOL, SET_IDLE_FOREVER):
            usbio.control_out(held, request)
        return held, usbio.product_name(device)

    async def close(self) -> None:
        def release() -> None:
            with self._io:
                usbio.release(self._claim)

        await asyncio.to_thread(release)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            for code in await asyncio.to_thread(self._read_codes):
                yield Event("scan", {"code": code})

    def _read_codes(self) -> list[str]:
        """Reports until a code is complete; nothing when the scanner is quiet for a read timeout."""
        with self._io:
            while True:
                report = usbio.read(self._claim, KEY_REPORT_SIZE, self.settings.read_timeout_ms)
                if report is None:
                    return []
                codes = self._decoder.feed(report)
                if codes:
                    return codes
