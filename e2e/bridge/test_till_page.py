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
    // a keyboard-wedge scanner: one keystroke right after the other, then Enter
    for (const key of [...code, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
    }
}"""


def test_a_keyboard_wedge_scanner_scans_too_but_people_typing_do_not(page: Page, till):
    page.goto(till.url)
    last_scan = page.get_by_role("status", name="Last scan")
    expect(page.get_by_role("status", name="Scanner")).to_have_attribute("data-state", "ready")
    page.evaluate(WEDGE_BURST, "4006381333931")
    expect(last_scan).to_have_text("4006381333931 (keyboard)")
    page.keyboard.type("6901234", delay=120)  # a person at the keyboard
    page.keyboard.press("Enter")
    note = page.get_by_label("Customer note")
    note.press_sequentially("12345678")
    note.press("Enter")
    expect(note).to_have_value("12345678")  # typing in a text field stays text
    expect(last_scan).to_have_text("4006381333931 (keyboard)")
