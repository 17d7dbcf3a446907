import asyncio
from decimal import Decimal

import pytest

from bridge.config import SerialScaleSettings, Settings
from bridge.devices.base import Candidate
from bridge.devices.hid import usage_pages
from bridge.devices.scale import HidPosScale, SerialScale
from bridge.devices.weights import SERIAL_PROTOCOLS, Reading, from_hid_report, read_frame, xor_hex
from bridge.errors import ConfigError
from tests.bridge.emulation import (
    SCALE_REPORT_DESCRIPTOR,
    EmulatedHidScale,
    EmulatedScanner,
    EmulatedSerialScale,
)

STABLE, MOTION, ZERO, UNDER, OVER = 4, 3, 2, 5, 6
GRAMS, KILOGRAMS, OUNCES, POUNDS = 2, 3, 11, 12


def report(weight: int, status: int = STABLE, unit: int = GRAMS, exponent: int = 0) -> bytes:
    return bytes([3, status, unit, exponent & 0xFF]) + weight.to_bytes(2, "little")


# --- HID POS weight reports ---


def test_a_weight_in_grams_becomes_exact_kilograms():
    assert from_hid_report(report(235)) == Reading(Decimal("0.235"), True, "stable")
    assert from_hid_report(report(235)).data() == {"kg": "0.235", "stable": True, "status": "stable"}


def test_the_signed_exponent_scales_the_weight():
    assert from_hid_report(report(1235, unit=KILOGRAMS, exponent=-3)).kg == Decimal("1.235")
    assert from_hid_report(report(12, unit=KILOGRAMS, exponent=1)).kg == Decimal("120.000")


def test_ounces_and_pounds_convert_exactly_to_the_gram():
    assert from_hid_report(report(105, unit=OUNCES, exponent=-1)).kg == Decimal("0.298")  # 10.5 oz = 297.67 g
    assert from_hid_report(report(1, unit=POUNDS)).kg == Decimal("0.454")


def test_a_moving_scale_is_not_stable_and_under_zero_is_negative():
    assert from_hid_report(report(120, status=MOTION)) == Reading(Decimal("0.120"), False, "motion")
    assert from_hid_report(report(15, status=UNDER)) == Reading(Decimal("-0.015"), False, "under")
    assert from_hid_report(report(0, status=ZERO)) == Reading(Decimal("0.000"), True, "zero")
    assert from_hid_report(report(0, status=OVER)).status == "over"


def test_reports_that_are_not_weight_reports_are_ignored():
    assert from_hid_report(bytes([4, 1, 0, 0, 0, 0])) is None
    assert from_hid_report(bytes([3, 4])) is None


def test_a_unit_the_bridge_cannot_convert_is_a_fault_not_a_guess():
    assert from_hid_report(report(10, unit=5)) == Reading(None, False, "fault")  # taels: which tael?


def test_a_scale_report_descriptor_declares_the_scale_usage_page():
    assert 0x8D in usage_pages(SCALE_REPORT_DESCRIPTOR)
    assert usage_pages(bytes([0x06, 0x8D, 0x00, 0x09, 0x01])) == {0x8D}  # two-byte Usage Page item
    assert usage_pages(bytes([0x05, 0x01, 0x09, 0x06])) == {0x01}  # a keyboard: generic desktop


def test_the_hid_scale_driver_claims_scales_and_not_scanners(usb_backend, usb_candidate):
    scale = usb_backend.plug(EmulatedHidScale())
    scanner = usb_backend.plug(EmulatedScanner())
    assert HidPosScale.supported(usb_candidate(scale))
    assert not HidPosScale.supported(usb_candidate(scanner))


# --- serial scales ---


def test_mettler_8217_frames_give_a_weight_or_a_status():
    mt = SERIAL_PROTOCOLS["mettler-8217"]
    assert read_frame(mt, b"\x0201.234\r") == Reading(Decimal("1.234"), True, "stable")
    assert read_frame(mt, b"\x0200.000\r") == Reading(Decimal("0.000"), True, "zero")
    assert read_frame(mt, b"\x02?\x61\r") == Reading(None, False, "motion")
    assert read_frame(mt, b"\x02?\x62\r") == Reading(None, False, "over")
    assert read_frame(mt, b"\x02?\x64\r") == Reading(None, False, "under")
    assert read_frame(mt, b"\x02?\x68\r") == Reading(None, False, "outside_zero")
    assert read_frame(mt, b"\x0201.234\r", unit="lb") == Reading(Decimal("0.560"), True, "stable")


def test_st_gs_continuous_frames_are_read_and_tare_frames_skipped():
    st_gs = SERIAL_PROTOCOLS["st-gs"]
    assert read_frame(st_gs, b"ST,GS,+  0.235kg\r\n") == Reading(Decimal("0.235"), True, "stable")
    assert read_frame(st_gs, b"US,NT,+001.500kg\r\n") == Reading(Decimal("1.500"), False, "motion")
    assert read_frame(st_gs, b"ST,GS,+ 235.0 g\r\n").kg == Decimal("0.235")
    assert read_frame(st_gs, b"OL,GS,+        \r\n") == Reading(None, False, "over")
    assert read_frame(st_gs, b"ST,TR,+  0.100kg\r\n") is None
    assert read_frame(st_gs, b"kg\r\nST,GS,+  0.200kg\r\n").kg == Decimal("0.200")  # a partial frame first


def test_yaohua_a9_frames_are_checked_before_they_are_believed():
    a9 = SERIAL_PROTOCOLS["yaohua-a9"]
    body = b"+0020002"
    good = b"\x02" + body + xor_hex(body) + b"\x03"
    assert read_frame(a9, good) == Reading(Decimal("20.000"), True, "stable")
    assert read_frame(a9, b"\x02" + body + b"00\x03") is None
    negative = b"-0001503"
    assert read_frame(a9, b"\x02" + negative + xor_hex(negative) + b"\x03").kg == Decimal("-0.150")


def serial_candidate(scale: EmulatedSerialScale) -> Candidate:
    config = SerialScaleSettings(port=scale.path, protocol="mettler-8217")
    return Candidate(f"serial:{scale.path}", "serial", "8217", config, "scale")


def test_the_serial_scale_driver_asks_an_8217_scale_and_reads_its_answer():
    scale = EmulatedSerialScale()
    scale.weight = Decimal("1.234")

    async def ask() -> list[dict]:
        driver = SerialScale(serial_candidate(scale), Settings(read_timeout_ms=500))
        await driver.open()
        answers = [await driver.read_weight({})]
        scale.motion = True
        answers.append(await driver.read_weight({}))
        scale.motion, scale.over = False, True
        answers.append(await driver.read_weight({}))
        await driver.close()
        return answers

    try:
        answers = asyncio.run(ask())
    finally:
        scale.unplug()
    assert answers == [
        {"kg": "1.234", "stable": True, "status": "stable"},
        {"kg": None, "stable": False, "status": "motion"},
        {"kg": None, "stable": False, "status": "over"},
    ]
    assert scale.requests == 3


def test_a_scale_sending_continuous_frames_is_read_as_it_sends(start_bridge, open_page, tmp_path):
    scale = EmulatedSerialScale(link=tmp_path / "ttyScale")  # a /dev/pts name is soon another's
    try:
        page = open_page(
            start_bridge(serial_scales=(SerialScaleSettings(port=scale.path, protocol="st-gs"),))
        )
        assert page.hello["data"]["devices"][0]["driver"] == "serial-scale"
        scale.send(b"US,GS,+  0.230kg\r\nST,GS,+  0.235kg\r\n")
        assert page.expect("weight")["data"] == {"kg": "0.230", "stable": False, "status": "motion"}
        assert page.expect("weight")["data"] == {"kg": "0.235", "stable": True, "status": "stable"}
        scale.send(b"ST,GS,+  0.235kg\r\n" * 3 + b"ST,TR,+  0.100kg\r\n")  # no news, and a tare frame
        assert page.command("weight.read")["data"]["kg"] == "0.235"
        assert scale.requests == 0  # it was never asked
    finally:
        scale.unplug()


def test_a_continuous_frame_cut_in_two_by_the_read_timeout_is_put_back_together():
    config = SerialScaleSettings(port="loop://", protocol="st-gs")
    driver = SerialScale(
        Candidate("serial:loop://", "serial", "x", config, "scale"), Settings(read_timeout_ms=20)
    )

    async def read_halves() -> list[Reading | None]:
        await driver.open()
        try:
            driver._port.write(b"US,GS,+  0.2")  # the timeout comes in the middle of the frame ...
            first = await asyncio.to_thread(driver._read_frame)
            driver._port.write(b"30kg\r\n")  # ... and the rest of it comes with the next read
            return [first, await asyncio.to_thread(driver._read_frame)]
        finally:
            await driver.close()

    first, second = asyncio.run(read_halves())
    assert first is None
    assert second.data() == {"kg": "0.230", "stable": False, "status": "motion"}


def test_an_unknown_serial_protocol_is_a_configuration_error():
    config = SerialScaleSettings(port="loop://", protocol="no-such-scale")
    driver = SerialScale(Candidate("serial:loop://", "serial", "x", config, "scale"), Settings())
    with pytest.raises(ConfigError, match="unknown scale protocol"):
        asyncio.run(driver.open())
