"""The real bridge on a free port, emulated devices behind it, a page in front of it."""

import json
from decimal import Decimal

import pytest

from bridge.config import PrinterSettings, SerialScaleSettings
from tests.bridge.emulation import (
    EmulatedHidScale,
    EmulatedPrinter,
    EmulatedScanner,
    EmulatedSerialScale,
)


def kinds(page):
    return sorted(device["kind"] for device in page.hello["data"]["devices"])


def test_the_page_is_greeted_with_the_devices_there_are(usb_backend, start_bridge, open_page):
    usb_backend.plug(EmulatedScanner())
    usb_backend.plug(EmulatedHidScale())
    usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge())
    assert kinds(page) == ["printer", "scale", "scanner"]
    listed = page.command("devices.list")
    assert listed["type"] == "ok"
    assert sorted(d["driver"] for d in listed["data"]["devices"]) == [
        "escpos",
        "hid-boot-scanner",
        "hid-pos-scale",
    ]


def test_a_scan_reaches_the_page(usb_backend, start_bridge, open_page):
    scanner = usb_backend.plug(EmulatedScanner())
    page = open_page(start_bridge())
    scanner.scan("6901234567892")
    event = page.expect("scan")
    assert event == {
        "type": "scan",
        "id": None,
        "device": page.hello["data"]["devices"][0]["id"],
        "data": {"code": "6901234567892"},
    }


def test_every_page_connected_gets_the_scan(usb_backend, start_bridge, open_page):
    scanner = usb_backend.plug(EmulatedScanner())
    bridge = start_bridge()
    pages = [open_page(bridge), open_page(bridge)]
    scanner.scan("4006381333931")
    assert [p.expect("scan")["data"]["code"] for p in pages] == ["4006381333931"] * 2


def test_a_weight_reaches_the_page_as_an_exact_decimal_string(usb_backend, start_bridge, open_page):
    scale = usb_backend.plug(EmulatedHidScale())
    page = open_page(start_bridge())
    scale.weigh(1234, unit=3, exponent=-3)
    assert page.expect("weight")["data"] == {"kg": "1.234", "stable": True, "status": "stable"}
    scale.weigh(1234, unit=3, exponent=-3)  # the same again: no news
    scale.weigh(1240, status=3, unit=3, exponent=-3)
    assert page.expect("weight")["data"] == {"kg": "1.240", "stable": False, "status": "motion"}
    reply = page.command("weight.read")
    assert (reply["type"], reply["data"]["kg"]) == ("ok", "1.240")


def test_a_serial_scale_answers_weight_read(start_bridge, open_page, tmp_path):
    scale = EmulatedSerialScale(link=tmp_path / "ttyScale")
    scale.weight = Decimal("0.755")
    try:
        bridge = start_bridge(serial_scales=(SerialScaleSettings(port=scale.path),), read_timeout_ms=500)
        page = open_page(bridge)
        assert kinds(page) == ["scale"]
        reply = page.command("weight.read")
        assert reply["data"] == {"kg": "0.755", "stable": True, "status": "stable"}
        scale.weight = Decimal("1.010")
        # polled, sent on change (the event for the first reading, 0.755, may come after the reply)
        changed = page.next(lambda m: m["type"] == "weight" and m["data"]["kg"] != "0.755")
        assert changed["data"]["kg"] == "1.010"
    finally:
        scale.unplug()
    removed = page.expect("device.removed")
    assert removed["device"] == f"serial:{scale.path}"


def test_print_and_drawer_commands_reach_the_printer(
    usb_backend, start_bridge, open_page, small_receipt, small_receipt_58mm
):
    printer = usb_backend.plug(EmulatedPrinter())
    # no status polls: the printer gets the commands' bytes and nothing in between
    page = open_page(start_bridge(printer=PrinterSettings(paper="58mm"), status_interval=0))
    printer.received.clear()
    printed = page.command("print", {"receipt": small_receipt})
    assert (printed["type"], printed["data"]) == ("ok", {"number": "R0001"})
    assert small_receipt_58mm in bytes(printer.received)
    printer.received.clear()
    opened = page.command("drawer.open", {"pin": 5})
    assert (opened["type"], opened["data"]) == ("ok", {"pin": 5})
    assert bytes(printer.received) == b"\x1bp\x01\x32\x32"


def test_retried_print_is_not_printed_twice(usb_backend, start_bridge, open_page, small_receipt):
    printer = usb_backend.plug(EmulatedPrinter())
    bridge = start_bridge()
    first = open_page(bridge)
    printer.received.clear()
    reply = first.command("print", {"receipt": small_receipt}, id="sale-42-receipt")
    first.ws.close()  # the connection drops; the page retries on a new one
    again = open_page(bridge).command("print", {"receipt": small_receipt}, id="sale-42-receipt")
    assert again == reply
    assert bytes(printer.received).count(b"\x1dV\x00") == 1  # one cut: one receipt


def test_a_retry_arriving_while_printing_waits_for_the_same_result(
    usb_backend, start_bridge, open_page, small_receipt
):
    printer = usb_backend.plug(EmulatedPrinter())
    bridge = start_bridge(status_interval=0)  # no status polls: the write that waits is the print's
    first, second = open_page(bridge), open_page(bridge)
    printer.received.clear()
    printer.pause()
    first.send("print", {"receipt": small_receipt}, id="sale-43-receipt")
    assert printer.write_waiting.wait(3)  # the first attempt is at the printer
    second.send("print", {"receipt": small_receipt}, id="sale-43-receipt")
    with pytest.raises(TimeoutError):
        second.reply("sale-43-receipt", timeout=0.2)  # it waits ...
    printer.resume()
    assert second.reply("sale-43-receipt") == first.reply("sale-43-receipt")  # ... for the same reply
    assert bytes(printer.received).count(b"\x1dV\x00") == 1


def test_an_id_used_again_for_another_command_is_refused(usb_backend, start_bridge, open_page, small_receipt):
    usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge())
    assert page.command("drawer.open", id="x-1")["type"] == "ok"
    reply = page.command("print", {"receipt": small_receipt}, id="x-1")
    assert (reply["type"], reply["data"]["code"]) == ("error", "id_reused")


def test_paper_out_is_an_error_reply_and_a_status_change(usb_backend, start_bridge, open_page, small_receipt):
    printer = usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge())
    printer.paper_out = True
    reply = page.command("print", {"receipt": small_receipt})
    assert (reply["type"], reply["data"]["code"]) == ("error", "paper_out")
    status = page.expect("device.status")
    assert (status["data"]["status"], status["data"]["reason"]) == ("error", "paper_out")
    printer.paper_out = False
    assert page.expect("device.status")["data"]["status"] == "ready"  # polled: paper is back


def test_a_command_for_a_device_that_is_not_there_says_so(start_bridge, open_page, small_receipt):
    page = open_page(start_bridge())
    reply = page.command("print", {"receipt": small_receipt})
    assert (reply["type"], reply["data"]["code"]) == ("error", "device_absent")
    assert page.command("weight.read")["data"]["code"] == "device_absent"


def test_bad_commands_get_an_error_reply(usb_backend, start_bridge, open_page):
    usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge())
    assert page.command("launch.rocket")["data"]["code"] == "unknown_command"
    assert page.command("print", {"receipt": {"number": 7}})["data"]["code"] == "invalid_receipt"
    page.ws.send("{not json")
    assert page.next(lambda m: m["type"] == "error")["data"]["code"] == "bad_request"
    page.ws.send(json.dumps({"type": "print"}))
    assert page.next(lambda m: m["type"] == "error")["data"]["reason"].startswith("a command needs an id")


def test_a_page_from_another_origin_is_refused_with_a_reason(start_bridge, refusal):
    assert refusal(start_bridge(), origin="http://evil.example") == (
        4403,
        "origin not allowed: http://evil.example",
    )


def test_a_page_without_the_pairing_token_is_refused_with_a_reason(start_bridge, refusal):
    bridge = start_bridge()
    code, reason = refusal(bridge, token="guess")
    assert code == 4401 and reason.startswith("pairing token missing or wrong")
    assert refusal(bridge, token="")[0] == 4401


def test_an_unplugged_scanner_is_removed_and_comes_back_when_plugged_in_again(
    usb_backend, start_bridge, open_page
):
    scanner = usb_backend.plug(EmulatedScanner())
    page = open_page(start_bridge())
    first_id = page.hello["data"]["devices"][0]["id"]
    usb_backend.unplug(scanner)
    removed = page.expect("device.removed")
    assert (removed["device"], removed["data"]["kind"]) == (first_id, "scanner")
    assert scanner.interfaces[0].kernel_driver is False  # gone with the device, nothing to give back
    usb_backend.plug(scanner)
    added = page.expect("device.added")
    assert added["data"]["kind"] == "scanner"
    scanner.scan("2100123002351")
    assert page.expect("scan") == {
        "type": "scan",
        "id": None,
        "device": added["device"],
        "data": {"code": "2100123002351"},
    }


def test_a_printer_unplugged_mid_print_gives_an_error_reply_not_a_crash(
    usb_backend, start_bridge, open_page, small_receipt
):
    printer = usb_backend.plug(EmulatedPrinter())
    page = open_page(start_bridge(status_interval=0))  # no status polls: the write that waits is the print's
    printer.pause()
    command_id = page.send("print", {"receipt": small_receipt})
    assert printer.write_waiting.wait(3)
    usb_backend.unplug(printer)
    reply = page.reply(command_id)
    assert (reply["type"], reply["data"]["code"]) == ("error", "device_gone")
    assert page.expect("device.removed")["data"]["kind"] == "printer"
    assert page.command("devices.list")["data"]["devices"] == []


def test_stopping_the_bridge_gives_the_scanner_back_to_the_keyboard_driver(usb_backend, start_bridge):
    scanner = usb_backend.plug(EmulatedScanner())
    bridge = start_bridge()
    assert scanner.interfaces[0].kernel_driver is False
    bridge.stop()
    assert scanner.interfaces[0].kernel_driver is True
