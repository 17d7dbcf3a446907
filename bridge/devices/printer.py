"""Receipt printer (and the cash drawer behind it): ESC/POS through python-escpos over USB bulk,
a serial port, or TCP port 9100."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import serial
import usb.util
from escpos import exceptions as escpos_errors
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy, Network, Serial

from bridge.config import PrinterSettings
from bridge.devices import usbio
from bridge.devices.base import ERROR, READY, Candidate, Device, Event, StatusWatch
from bridge.devices.escpos_tables import (
    BARCODE_HEIGHT_DOTS,
    BARCODE_MODULE_DOTS,
    DRAWER_PINS,
    PAPER_LOW,
    PAPERS,
    PROFILES,
    STATUS_CHECKS,
    STATUS_QUERY,
    STYLES,
    PrinterProfile,
    status_valid,
)
from bridge.devices.receipt import Code, Cut, Op, Text, layout
from bridge.devices.textwidth import TextMetrics
from bridge.errors import (
    BridgeError,
    ConfigError,
    InvalidReceipt,
    PrinterNotReady,
    PrinterOffline,
    ProtocolError,
)

PRINTER_CLASS = 0x07
# A receipt goes over USB in one write, which a printer takes in as fast as its buffer empties onto
# paper: 10 s, and 2 ms more per byte (a slow printer, 50 mm/s, prints about 500 bytes of text a second).
WRITE_TIMEOUT_MS = 10_000
WRITE_TIMEOUT_MS_PER_BYTE = 2
NETWORK_TIMEOUT_S = 5.0
# What python-escpos raises for content it cannot encode (as opposed to a printer it cannot reach).
CONTENT_ERRORS: tuple[type[Exception], ...] = (
    escpos_errors.BarcodeTypeError,
    escpos_errors.BarcodeSizeError,
    escpos_errors.BarcodeCodeError,
    escpos_errors.ImageSizeError,
    escpos_errors.ImageWidthError,
    escpos_errors.TextError,
    escpos_errors.CharCodeError,
    escpos_errors.TabPosError,
    escpos_errors.SetVariableError,
    UnicodeError,
)


# --- rendering ------------------------------------------------------------------------------------


def _write_text(printer: Escpos, text: str, profile: PrinterProfile) -> None:
    # python-escpos picks single-byte code pages for text; Chinese printers want GB18030 bytes as they are.
    printer._raw(text.encode(profile.encoding, errors="replace") + b"\n")


def _qr(printer: Escpos, data: str, profile: PrinterProfile) -> None:
    printer.set(align="center")
    printer.qr(data, native=True, size=profile.qr_size)
    printer.set(align="left")


def _barcode(printer: Escpos, data: str, profile: PrinterProfile) -> None:
    # "{B": code set B. In GS k 73 data "{" starts a code set or function change: a "{" itself is "{{".
    printer.barcode(
        "{B" + data.replace("{", "{{"),
        "CODE128",
        height=BARCODE_HEIGHT_DOTS,
        width=BARCODE_MODULE_DOTS,
        pos="BELOW",
        align_ct=True,
        function_type="B",
    )
    printer.set(align="left")


CODE_RENDERERS: dict[str, Callable[[Escpos, str, PrinterProfile], None]] = {"qr": _qr, "barcode": _barcode}


def render(ops: list[Op], printer: Escpos, profile: PrinterProfile) -> None:
    """Send a laid-out receipt to a python-escpos printer, command by command (see receipt_bytes)."""
    printer.hw("INIT")
    printer._raw(profile.setup)
    style = None
    for op in ops:
        if isinstance(op, Text):
            if op.style != style:
                printer.set(**STYLES[op.style])
                style = op.style
            _write_text(printer, op.text, profile)
        elif isinstance(op, Code):
            CODE_RENDERERS[op.symbology](printer, op.data, profile)
        elif isinstance(op, Cut):
            printer.cut()


def receipt_bytes(ops: list[Op], profile: PrinterProfile) -> bytes:
    """The whole receipt as the bytes a printer is sent, rendered before any of them is: a receipt
    python-escpos cannot encode is an InvalidReceipt, and the printer gets nothing of it."""
    dummy = Dummy(profile=profile.escpos_profile)
    try:
        render(ops, dummy, profile)
    except (*CONTENT_ERRORS, ValueError) as e:
        raise InvalidReceipt(f"the receipt cannot be printed: {e}") from e
    return dummy.output


# --- transports -----------------------------------------------------------------------------------


class UsbBulkPrinter(Escpos):
    """python-escpos over the USB interface the bridge has claimed."""

    def __init__(self, held: usbio.Claim, profile: str, read_timeout_ms: int) -> None:
        Escpos.__init__(self, profile=profile)
        self._held = held
        self._device = held.device
        self._read_timeout_ms = read_timeout_ms

    def _raw(self, msg: bytes) -> None:
        usbio.write(self._held, msg, WRITE_TIMEOUT_MS + WRITE_TIMEOUT_MS_PER_BYTE * len(msg))

    def _read(self) -> bytes:
        return usbio.read(self._held, 16, self._read_timeout_ms) or b""

    def close(self) -> None:
        """The claim is the driver's to release."""


def _printer_interface(candidate: Candidate) -> usbio.InterfaceTest:
    def test(intf: Any) -> bool:
        if intf.bInterfaceClass == PRINTER_CLASS:
            return True
        bulk_out = any(
            usb.util.endpoint_direction(ep.bEndpointAddress) == usb.util.ENDPOINT_OUT
            and usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            for ep in intf
        )
        return candidate.role == "printer" and bulk_out

    return test


class UsbTransport:
    keeps_connection = True

    def __init__(self, candidate: Candidate, profile: PrinterProfile, read_timeout_ms: int) -> None:
        self._held = usbio.claim(
            candidate.handle, _printer_interface(candidate), (usb.util.ENDPOINT_TYPE_BULK,)
        )
        self._printer = UsbBulkPrinter(self._held, profile.escpos_profile, read_timeout_ms)
        self.name = usbio.product_name(candidate.handle)

    def connect(self) -> Escpos:
        return self._printer

    def disconnect(self, printer: Escpos) -> None:
        pass

    def read(self, printer: Escpos) -> bytes:
        return printer._read()

    def close(self) -> None:
        usbio.release(self._held)


class SerialTransport:
    keeps_connection = True

    def __init__(self, candidate: Candidate, profile: PrinterProfile, read_timeout_ms: int) -> None:
        config = candidate.handle
        self._printer = Serial(
            devfile=config.port,
            baudrate=config.baudrate,
            timeout=read_timeout_ms / 1000,
            profile=profile.escpos_profile,
        )
        try:
            self._printer.open()
        except EscposError as e:
            raise PrinterOffline(f"cannot open {config.port}: {e}") from e
        self.name = f"serial printer on {config.port}"

    def connect(self) -> Escpos:
        return self._printer

    def disconnect(self, printer: Escpos) -> None:
        pass

    def read(self, printer: Escpos) -> bytes:
        return printer.device.read(1)  # a status is one byte: do not wait for more

    def close(self) -> None:
        port = self._printer.device
        self._printer.device = False  # python-escpos would flush first, and a port that is gone cannot
        with contextlib.suppress(OSError, serial.SerialException):
            port.close()


class NetworkTransport:
    """One TCP connection per job, as port 9100 printers expect."""

    keeps_connection = False

    def __init__(self, candidate: Candidate, profile: PrinterProfile, read_timeout_ms: int) -> None:
        self._config = candidate.handle
        self._profile = profile
        self._read_timeout_s = read_timeout_ms / 1000
        self.name = f"network printer {self._config.host}:{self._config.port}"

    def connect(self) -> Escpos:
        printer = Network(
            self._config.host,
            self._config.port,
            timeout=NETWORK_TIMEOUT_S,
            profile=self._profile.escpos_profile,
        )
        try:
            printer.open()
        except EscposError as e:
            raise PrinterOffline(f"cannot reach {self._config.host}:{self._config.port}") from e
        return printer

    def disconnect(self, printer: Escpos) -> None:
        printer.close()

    def read(self, printer: Escpos) -> bytes:
        sock = printer.device
        sock.settimeout(self._read_timeout_s)
        try:
            return sock.recv(16)
        except OSError:
            return b""
        finally:
            sock.settimeout(NETWORK_TIMEOUT_S)

    def close(self) -> None:
        pass


TRANSPORTS: dict[str, type[UsbTransport] | type[SerialTransport] | type[NetworkTransport]] = {
    "usb": UsbTransport,
    "serial": SerialTransport,
    "tcp": NetworkTransport,
}


# --- the driver -----------------------------------------------------------------------------------


def diagnose(answers: Mapping[int, int]) -> tuple[PrinterNotReady | None, bool]:
    """What the DLE EOT answers say: the error that stops printing (if any), and whether paper is low."""
    problem = next((error(text) for n, bits, error, text in STATUS_CHECKS if answers.get(n, 0) & bits), None)
    low_n, low_bits = PAPER_LOW
    return problem, bool(answers.get(low_n, 0) & low_bits)


class EscposPrinter(Device):
    kind = "printer"
    driver = "escpos"
    commands = {"print": "print_receipt", "drawer.open": "open_drawer"}

    @classmethod
    def supported(cls, candidate: Candidate) -> bool:
        if candidate.bus == "usb":
            return usbio.find_interface(candidate.handle, _printer_interface(candidate)) is not None
        return candidate.bus in TRANSPORTS and candidate.role == "printer"

    async def open(self) -> None:
        config: PrinterSettings = getattr(self.candidate.handle, "printer", self.settings.printer)
        if config.profile not in PROFILES:
            raise ConfigError(f"unknown printer profile {config.profile!r}; known: {', '.join(PROFILES)}")
        if config.paper not in PAPERS:
            raise ConfigError(f"unknown paper {config.paper!r}; known: {', '.join(PAPERS)}")
        if config.drawer_pin not in DRAWER_PINS:
            raise ConfigError(f"drawer_pin must be one of {sorted(DRAWER_PINS)}")
        self.config = config
        self.profile = PROFILES[config.profile]
        self.metrics = TextMetrics(self.profile.encoding)
        self._io = threading.Lock()
        self._status = StatusWatch(self)
        self._can_tell = False
        self._transport = await asyncio.to_thread(
            TRANSPORTS[self.candidate.bus], self.candidate, self.profile, self.settings.read_timeout_ms
        )
        self.name = self._transport.name
        if self._transport.keeps_connection:
            await self._refresh()

    async def close(self) -> None:
        def close() -> None:
            with self._io:
                self._transport.close()

        await asyncio.to_thread(close)

    async def events(self) -> AsyncIterator[Event]:
        """A printer speaks only when asked: its events are its status changes, polled where it can tell."""
        while True:
            interval = (
                self.settings.status_interval if self._can_tell and self.settings.status_interval else None
            )
            if not await self._status.wait(interval):
                await self._refresh()
            if (change := self._status.change()) is not None:
                yield change

    async def print_receipt(self, data: Mapping[str, Any]) -> dict[str, Any]:
        receipt = data.get("receipt")
        if not isinstance(receipt, dict):
            raise InvalidReceipt("print needs data.receipt, an object")
        paper = PAPERS.get(receipt.get("paper", self.config.paper))
        if paper is None:
            raise InvalidReceipt(f"paper must be one of {', '.join(PAPERS)}")
        # All of it checked and encoded before the printer is asked for anything; then sent in one write.
        data = receipt_bytes(layout(receipt, paper, self.metrics, self.profile.qr_size), self.profile)

        def work(printer: Escpos) -> None:
            printer._raw(data)

        await self._run(work, check=True)
        return {"number": receipt["number"]}

    async def open_drawer(self, data: Mapping[str, Any]) -> dict[str, Any]:
        pin = data.get("pin", self.config.drawer_pin)
        if pin not in DRAWER_PINS:
            raise ProtocolError(f"pin must be one of {sorted(DRAWER_PINS)}")
        await self._run(lambda printer: printer.cashdraw(pin), check=False)
        return {"pin": pin}

    async def _run(self, work: Callable[[Escpos], None], check: bool) -> None:
        try:
            paper_low = await asyncio.to_thread(self._job, work, check)
        except PrinterNotReady as e:
            self._status.set(ERROR, e.code)
            raise
        self._status.set(READY, "paper_low" if paper_low else None)

    async def _refresh(self) -> None:
        try:
            paper_low = await asyncio.to_thread(self._job, None, True)
        except PrinterNotReady as e:
            self._status.set(ERROR, e.code)
        else:
            self._status.set(READY, "paper_low" if paper_low else None)

    def _job(self, work: Callable[[Escpos], None] | None, check: bool) -> bool:
        """Connect, check the status where the printer can tell, do the work. True if paper is low."""
        with self._io:
            printer = self._transport.connect()
            try:
                paper_low = self._check(printer) if check else False
                if work is not None:
                    work(printer)
                return paper_low
            except BridgeError:
                raise
            except CONTENT_ERRORS as e:  # the job, not the printer: it stays ready
                raise InvalidReceipt(f"the printer cannot be sent this: {e}") from e
            except (OSError, serial.SerialException, EscposError) as e:
                raise PrinterOffline(f"the printer stopped answering: {e}") from e
            finally:
                self._transport.disconnect(printer)

    def _check(self, printer: Escpos) -> bool:
        answers: dict[int, int] = {}
        for n in sorted({check[0] for check in STATUS_CHECKS} | {PAPER_LOW[0]}):
            printer._raw(STATUS_QUERY + bytes([n]))
            reply = self._transport.read(printer)
            if not reply or not status_valid(reply[-1]):
                break
            answers[n] = reply[-1]
        self._can_tell = bool(answers)
        problem, paper_low = diagnose(answers)
        if problem is not None:
            raise problem
        return paper_low
