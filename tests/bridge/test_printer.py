import asyncio
import os
import select
import socket
import threading
import time
import tty
from pathlib import Path
from typing import Any

import pytest

from bridge.config import NetworkPrinterSettings, PrinterSettings, SerialPrinterSettings, Settings
from bridge.devices import printer as printer_driver
from bridge.devices.printer import EscposPrinter, diagnose
from bridge.devices.receipt import Code, Cut, Text
from bridge.errors import CoverOpen, InvalidReceipt, PaperOut, PrinterOffline, ProtocolError
from tests.bridge.emulation import EmulatedPrinter, EmulatedScanner

STATUS_QUERIES = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # DLE EOT 1, 2, 4


def run_printer(candidate, work, settings=None) -> Any:
    """Open the real printer driver on an emulated USB printer, do `work(driver)`, close it."""

    async def go() -> Any:
        driver = EscposPrinter(candidate, settings or Settings(read_timeout_ms=20))
        await driver.open()
        try:
            return await work(driver)
        finally:
            await driver.close()

    return asyncio.run(go())


def writes(printer: EmulatedPrinter) -> list[bytes]:
    """Record each write (bulk OUT transfer) the printer gets, from now on."""
    seen: list[bytes] = []
    receive = printer.receive

    def recording(endpoint: int, data: bytes) -> None:
        seen.append(bytes(data))
        receive(endpoint, data)

    printer.receive = recording  # type: ignore[method-assign]
    return seen


def test_the_usb_printer_gets_exactly_the_receipt_bytes_over_bulk_in_one_write(
    usb_backend, usb_candidate, small_receipt, small_receipt_58mm
):
    printer = usb_backend.plug(EmulatedPrinter())
    settings = Settings(read_timeout_ms=20, printer=PrinterSettings(paper="58mm"))

    async def print_small(driver):
        printer.received.clear()
        written = writes(printer)
        return await driver.print_receipt({"receipt": small_receipt}), written

    reply, written = run_printer(usb_candidate(printer), print_small, settings)
    assert reply == {"number": "R0001"}
    assert bytes(printer.received) == STATUS_QUERIES + small_receipt_58mm
    assert written == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04", small_receipt_58mm]  # one write


UNPRINTABLE = [Text("单号: 单号一"), Code("barcode", "单号一"), Cut()]  # python-escpos: BarcodeCodeError


@pytest.mark.parametrize(
    "receipt, laid_out",
    [
        ({"number": "R" * 400, "code": "barcode"}, None),  # refused by layout(): too long for any code
        ({"number": "单号一", "code": "barcode"}, UNPRINTABLE),  # past layout(), refused by python-escpos
    ],
    ids=["layout", "escpos"],
)
def test_a_receipt_that_cannot_be_printed_sends_the_printer_nothing_and_leaves_it_ready(
    usb_backend, usb_candidate, small_receipt, small_receipt_58mm, monkeypatch, receipt, laid_out
):
    printer = usb_backend.plug(EmulatedPrinter())
    settings = Settings(read_timeout_ms=20, printer=PrinterSettings(paper="58mm"))

    async def print_bad_then_good(driver):
        printer.received.clear()
        with monkeypatch.context() as patch:
            if laid_out is not None:
                patch.setattr(printer_driver, "layout", lambda *args: laid_out)
            with pytest.raises(InvalidReceipt) as refused:
                await driver.print_receipt({"receipt": receipt})
        sent_for_it = bytes(printer.received)
        described = driver.describe()
        await driver.print_receipt({"receipt": small_receipt})
        return refused.value, sent_for_it, described

    refused, sent_for_it, described = run_printer(usb_candidate(printer), print_bad_then_good, settings)
    assert refused.code == "invalid_receipt" and str(refused)
    assert sent_for_it == b""  # not a byte: no half receipt
    assert (described["status"], described["reason"]) == ("ready", None)
    assert bytes(printer.received) == STATUS_QUERIES + small_receipt_58mm  # and the next one prints


def test_the_page_is_told_why_a_receipt_cannot_print_and_the_printer_stays_ready(
    usb_backend, start_bridge, open_page, small_receipt
):
    printer = usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge(status_interval=0))
    assert page.hello["data"]["devices"][0]["status"] == "ready"
    printer.received.clear()
    reply = page.command("print", {"receipt": {**small_receipt, "number": "R" * 800}})
    assert (reply["type"], reply["data"]["code"]) == ("error", "invalid_receipt")
    assert "at most" in reply["data"]["reason"]
    assert bytes(printer.received) == b""
    assert page.command("devices.list")["data"]["devices"][0]["status"] == "ready"
    assert page.command("print", {"receipt": small_receipt})["type"] == "ok"
    assert not [m for m in page.backlog if m["type"] == "device.status"]  # never reported in error


def test_the_printer_driver_claims_printers_and_not_scanners(usb_backend, usb_candidate):
    assert EscposPrinter.supported(usb_candidate(usb_backend.plug(EmulatedPrinter())))
    assert not EscposPrinter.supported(usb_candidate(usb_backend.plug(EmulatedScanner())))


def test_a_vendor_class_printer_named_in_the_settings_is_claimed(usb_backend, usb_candidate):
    printer = EmulatedPrinter()
    printer.interfaces[0].triple = (0xFF, 0x00, 0x00)
    usb_backend.plug(printer)
    assert not EscposPrinter.supported(usb_candidate(printer))
    assert EscposPrinter.supported(usb_candidate(printer, role="printer"))


def test_paper_out_stops_the_print_and_says_so(usb_backend, usb_candidate, small_receipt):
    printer = usb_backend.plug(EmulatedPrinter())

    async def print_without_paper(driver):
        printer.paper_out = True
        printer.received.clear()
        with pytest.raises(PaperOut):
            await driver.print_receipt({"receipt": small_receipt})
        return driver.describe()

    described = run_printer(usb_candidate(printer), print_without_paper)
    assert bytes(printer.received) == STATUS_QUERIES  # asked, and printed nothing
    assert (described["status"], described["reason"]) == ("error", "paper_out")


def test_low_paper_prints_and_is_reported(usb_backend, usb_candidate, small_receipt):
    printer = usb_backend.plug(EmulatedPrinter())
    printer.paper_low = True

    async def print_small(driver):
        await driver.print_receipt({"receipt": small_receipt})
        return driver.describe()

    described = run_printer(usb_candidate(printer), print_small)
    assert (described["status"], described["reason"]) == ("ready", "paper_low")


def test_a_printer_that_cannot_tell_its_status_still_prints(
    usb_backend, usb_candidate, small_receipt, small_receipt_58mm
):
    printer = usb_backend.plug(EmulatedPrinter())
    printer.answers_status = False

    async def print_small(driver):
        printer.received.clear()
        return await driver.print_receipt({"receipt": small_receipt})

    assert run_printer(
        usb_candidate(printer),
        print_small,
        Settings(read_timeout_ms=20, printer=PrinterSettings(paper="58mm")),
    )
    assert bytes(printer.received) == b"\x10\x04\x01" + small_receipt_58mm  # asked once, no answer, printed


def test_the_cash_drawer_opens_with_a_kick_pulse_on_pin_2_or_pin_5(usb_backend, usb_candidate):
    printer = usb_backend.plug(EmulatedPrinter())

    async def kick(driver):
        printer.received.clear()
        await driver.open_drawer({})
        await driver.open_drawer({"pin": 5})
        with pytest.raises(ProtocolError):
            await driver.open_drawer({"pin": 3})

    run_printer(usb_candidate(printer), kick)
    assert bytes(printer.received) == b"\x1bp\x00\x32\x32" + b"\x1bp\x01\x32\x32"  # ESC p m t1 t2


def test_the_drawer_opens_even_when_the_paper_is_out(usb_backend, usb_candidate):
    printer = usb_backend.plug(EmulatedPrinter())
    printer.paper_out = True

    async def kick(driver):
        return await driver.open_drawer({})

    assert run_printer(usb_candidate(printer), kick) == {"pin": 2}


def test_status_bytes_say_which_problem_stops_the_print():
    def problem(answers):
        error, _ = diagnose(answers)
        return type(error) if error else None

    assert problem({1: 0x12, 2: 0x12, 4: 0x12}) is None
    assert problem({1: 0x1A, 2: 0x16, 4: 0x12}) is CoverOpen
    assert problem({1: 0x1A, 2: 0x32, 4: 0x72}) is PaperOut
    assert problem({1: 0x1A, 2: 0x12, 4: 0x12}) is PrinterOffline
    assert diagnose({4: 0x1E}) == (None, True)


class PrinterOnTheLine:
    """A printer at the far end of a TCP port (9100-style) or a pseudo-terminal: keeps what it is
    sent, one bytes object per connection, and answers DLE EOT status requests."""

    def __init__(self) -> None:
        self.jobs: list[bytearray] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._fds: tuple[int, ...] = ()
        self._link: Path | None = None

    def _run(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def take(self, read, write) -> None:
        job = bytearray()
        self.jobs.append(job)
        while not self._stop.is_set():
            data = read()
            if data is None:
                continue
            if not data:
                return
            job += data
            for _ in range(data.count(b"\x10\x04")):
                write(b"\x12")

    def on_tcp(self) -> int:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(0.05)

        def serve() -> None:
            while not self._stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.settimeout(0.05)

                    def read(conn=conn):
                        try:
                            return conn.recv(4096)
                        except TimeoutError:
                            return None

                    self.take(read, conn.sendall)
            server.close()

        self._run(serve)
        return server.getsockname()[1]

    def on_pty(self, link: Path) -> str:
        """A pseudo-terminal, known to the bridge by `link`: a /dev/pts name is soon another's (another
        test's, or another test run's), and a bridge still polling it must not find it again."""
        master, slave = os.openpty()
        tty.setraw(master)

        def read():
            ready, _, _ = select.select([master], [], [], 0.05)
            return os.read(master, 4096) if ready else None

        self._run(self.take, read, lambda b: os.write(master, b))
        self._fds = (master, slave)
        self._link = link
        link.symlink_to(os.ttyname(slave))
        return str(link)

    def received(self, data: bytes, timeout: float = 3.0) -> bool:
        """Whether `data` arrives (the line may still be carrying it when the reply comes)."""
        deadline = time.monotonic() + timeout
        while not any(data in job for job in self.jobs):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        if self._link is not None:
            self._link.unlink()
        for fd in self._fds:
            os.close(fd)


# The printer on the line answers at once, but on a loaded machine its thread may not run for a while:
# a read that waits long enough for the answer keeps the status queries in the job, as they are sent.
LINE_READ_TIMEOUT_MS = 2000


def test_a_network_printer_gets_one_connection_per_receipt(
    start_bridge, open_page, small_receipt, small_receipt_58mm
):
    printer = PrinterOnTheLine()
    port = printer.on_tcp()
    try:
        config = NetworkPrinterSettings(host="127.0.0.1", port=port, printer=PrinterSettings(paper="58mm"))
        # no status polls: each would be a connection (a job) of its own
        bridge = start_bridge(
            network_printers=(config,), status_interval=0, read_timeout_ms=LINE_READ_TIMEOUT_MS
        )
        page = open_page(bridge)
        assert page.hello["data"]["devices"][0]["id"] == f"tcp:127.0.0.1:{port}"
        assert page.command("print", {"receipt": small_receipt})["type"] == "ok"
        assert page.command("drawer.open")["type"] == "ok"
        # The reply comes once the bytes are on their way; the printer takes them a moment later.
        # Jobs are taken one after the other: once the drawer's has come, the receipt's is complete.
        assert printer.received(b"\x1bp\x00\x32\x32")
    finally:
        printer.stop()
    assert [bytes(job) for job in printer.jobs] == [STATUS_QUERIES + small_receipt_58mm, b"\x1bp\x00\x32\x32"]


def test_an_unreachable_network_printer_is_an_offline_error(start_bridge, open_page, small_receipt):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    page = open_page(start_bridge(network_printers=(NetworkPrinterSettings(host="127.0.0.1", port=port),)))
    reply = page.command("print", {"receipt": small_receipt})
    assert (reply["type"], reply["data"]["code"]) == ("error", "printer_offline")
    assert page.expect("device.status")["data"]["reason"] == "printer_offline"


def test_a_serial_printer_gets_the_receipt_bytes(
    start_bridge, open_page, small_receipt, small_receipt_58mm, tmp_path
):
    printer = PrinterOnTheLine()
    port = printer.on_pty(tmp_path / "ttyPrinter")
    try:
        config = SerialPrinterSettings(port=port, printer=PrinterSettings(paper="58mm"))
        page = open_page(start_bridge(serial_printers=(config,), read_timeout_ms=LINE_READ_TIMEOUT_MS))
        assert page.command("print", {"receipt": small_receipt})["data"] == {"number": "R0001"}
        assert printer.received(STATUS_QUERIES + small_receipt_58mm)
    finally:
        printer.stop()  # the line goes dead under the bridge, which must still stop
