"""The till page and the bridge, in a real Chromium."""

from playwright.sync_api import Page, expect


def test_a_scan_from_the_usb_scanner_reaches_the_till_page(page: Page, till):
    page.goto(till.url)
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")
    till.scanner.scan("6901234567892")
    expect(page.get_by_role("status", name="Last scan")).to_have_text("6901234567892 (bridge)")


def test_the_scanner_status_follows_unplugging_and_plugging_in(page: Page, till):
    page.goto(till.url)
    scanner_status = page.get_by_role("status", name="Scanner")
    expect(scanner_status).to_have_text("scanner: ready")
    till.backend.unplug(till.scanner)
    expect(scanner_status).to_have_attribute("data-state", "absent")
    till.backend.plug(till.scanner)
    expect(scanner_status).to_have_attribute("data-state", "ready")


WEDGE_BURST = """code => {
    // a keyboard-wedge scanner: one keystroke right after the other (Shift before capitals), then Enter
    const keys = [...code].flatMap(key => key === key.toLowerCase() ? [key] : ["Shift", key]);
    for (const key of [...keys, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
    }
}"""


def test_a_keyboard_wedge_scanner_scans_too_but_people_typing_do_not(page: Page, till):
    page.goto(till.url)
    last_scan = page.get_by_role("status", name="Last scan")
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")
    page.evaluate(WEDGE_BURST, "4006381333931")
    expect(last_scan).to_have_text("4006381333931 (keyboard)")
    page.evaluate(WEDGE_BURST, "PO-2024-0042")
    expect(last_scan).to_have_text("PO-2024-0042 (keyboard)")
    page.keyboard.type("6901234", delay=120)  # a person at the keyboard
    page.keyboard.press("Enter")
    note = page.get_by_label("Customer note")
    note.press_sequentially("12345678")
    note.press("Enter")
    expect(note).to_have_value("12345678")  # typing in a text field stays text
    expect(last_scan).to_have_text("PO-2024-0042 (keyboard)")


RECEIPT = {
    "number": "R20240601-0002",
    "lines": [{"name": "可口可乐", "qty": "1", "unit_price": "3.50", "amount": "3.50"}],
    "totals": [{"label": "合计", "amount": "3.50"}],
}


def test_print_and_open_drawer_settle_with_the_bridges_reply(page: Page, till):
    page.goto(till.url)
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")
    assert page.evaluate("receipt => HuotongBridge.print(receipt)", RECEIPT) == {"number": "R20240601-0002"}
    assert "可口可乐".encode("gb18030") in bytes(till.printer.received)
    assert page.evaluate("HuotongBridge.openDrawer()") == {"pin": 2}
    till.printer.paper_out = True
    failure = page.evaluate(
        "r => HuotongBridge.print(r).catch(e => ({code: e.code, reason: e.message}))", RECEIPT
    )
    assert failure == {"code": "paper_out", "reason": "the printer is out of paper"}


def test_a_print_cut_off_by_a_dropped_connection_is_retried_and_printed_once(page: Page, till):
    page.goto(till.url)
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")
    till.printer.pause()  # the printer is busy with the first attempt ...
    page.evaluate("r => { HuotongBridge.print(r).then(reply => { window.printed = reply; }); }", RECEIPT)
    assert till.printer.write_waiting.wait(5)

    async def drop_connections():
        for connection in till.bridge.bridge.server.connections:
            await connection.close(1012, "bridge restarting")

    till.bridge.call(drop_connections())  # ... when the page loses the bridge
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "absent")
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")  # back
    till.printer.resume()
    page.wait_for_function("window.printed !== undefined")
    assert page.evaluate("window.printed") == {"number": "R20240601-0002"}
    assert bytes(till.printer.received).count(b"\x1dV\x00") == 1  # one receipt, one cut
