"""Barcode scanner: a USB HID boot keyboard read from its interrupt IN endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from bridge.devices import usbio
from bridge.devices.base import Event
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
from bridge.devices.interrupt import InterruptDevice

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


class HidBootScanner(InterruptDevice):
    kind = "scanner"
    driver = "hid-boot-scanner"
    setup_requests = (SET_BOOT_PROTOCOL, SET_IDLE_FOREVER)

    @classmethod
    def interface_test(cls, device) -> usbio.InterfaceTest:
        return usbio.has_class(BOOT_KEYBOARD)

    async def open(self) -> None:
        self._decoder = KeyReportDecoder()
        await super().open()

    async def events(self) -> AsyncIterator[Event]:
        while True:
            for code in await asyncio.to_thread(self._read_codes):
                yield Event("scan", {"code": code})

    def _read_codes(self) -> list[str]:
        """Reports until a code is complete; nothing when the scanner is quiet for a read timeout."""
        while True:
            report = self.read_report(KEY_REPORT_SIZE)
            if report is None:
                return []
            codes = self._decoder.feed(report)
            if codes:
                return codes
