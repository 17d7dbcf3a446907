import asyncio
import string

from hypothesis import given
from hypothesis import strategies as st

from bridge.config import Settings
from bridge.devices.scanner import HidBootScanner, KeyReportDecoder
from tests.bridge.emulation import TYPING, EmulatedScanner

ENTER = bytes([0, 0, 0x28, 0, 0, 0, 0, 0])
RELEASE = bytes(8)


def key(usage: int, modifier: int = 0) -> bytes:
    return bytes([modifier, 0, usage, 0, 0, 0, 0, 0])


def decode(reports: list[bytes]) -> list[str]:
    decoder = KeyReportDecoder()
    return [code for report in reports for code in decoder.feed(report)]


def test_key_reports_from_a_scanner_make_a_code():
    assert decode(EmulatedScanner.reports("6901234567892")) == ["6901234567892"]


def test_a_digit_scanned_twice_needs_the_release_between():
    one = key(0x1E)
    assert decode([one, RELEASE, one, RELEASE, ENTER]) == ["11"]
    assert decode([one, one, RELEASE, ENTER]) == ["1"]


def test_either_shift_key_gives_capitals_and_symbols():
    left, right = 0x02, 0x20
    reports = [
        key(0x04, left),
        RELEASE,
        key(0x05, right),
        RELEASE,
        key(0x1E, left),
        RELEASE,
        key(0x2D, right),
        ENTER,
    ]
    assert decode(reports) == ["AB!_"]


def test_keypad_enter_also_ends_a_code_and_keypad_digits_count():
    assert decode([key(0x59), RELEASE, key(0x62), RELEASE, key(0x58)]) == ["10"]


def test_a_key_held_over_several_reports_counts_once():
    a, b = 0x04, 0x05
    both = bytes([0, 0, a, b, 0, 0, 0, 0])
    assert decode([key(a), both, key(b), RELEASE, ENTER]) == ["ab"]


def test_a_roll_over_error_report_says_nothing():
    rollover = bytes([0, 0, 1, 1, 1, 1, 1, 1])
    assert decode([key(0x04), rollover, RELEASE, ENTER]) == ["a"]


def test_enter_alone_is_not_a_code():
    assert decode([ENTER, RELEASE, ENTER]) == []


@given(st.text(alphabet=sorted(set(TYPING) - {" "}), min_size=1, max_size=40))
def test_whatever_a_scanner_types_reads_back_the_same(code):
    assert decode(EmulatedScanner.reports(code)) == [code]


def test_the_scanner_driver_sets_the_keyboard_driver_aside_and_gives_it_back(usb_backend, usb_candidate):
    scanner = usb_backend.plug(EmulatedScanner())
    candidate = usb_candidate(scanner)
    assert HidBootScanner.supported(candidate)

    async def scan_once() -> tuple[dict, bool]:
        driver = HidBootScanner(candidate, Settings(read_timeout_ms=20))
        await driver.open()
        held_by_kernel = scanner.interfaces[0].kernel_driver
        scanner.scan(string.ascii_uppercase[:3] + "-42")
        events = driver.events()
        event = await anext(events)
        await events.aclose()
        await driver.close()
        return dict(event.data), held_by_kernel

    data, held_by_kernel = asyncio.run(scan_once())
    assert data == {"code": "ABC-42"}
    assert (0x21, 0x0B, 0, 0) in scanner.requests  # SET_PROTOCOL boot: plain 8-byte reports
    assert held_by_kernel is False
    assert scanner.interfaces[0].kernel_driver is True
    assert scanner.claimed == set()
