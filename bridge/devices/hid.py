"""HID tables: boot keyboard usages (barcode scanners) and POS scale usages (USB HID scales).

Numbers come from the USB HID Usage Tables: Keyboard/Keypad page 0x07 and Scale page 0x8D.
Nothing here does I/O.
"""

from decimal import Decimal

# Interface triple (class, subclass, protocol) of a HID boot keyboard: how a USB scanner presents itself.
BOOT_KEYBOARD = (0x03, 0x01, 0x01)
HID_CLASS = 0x03
REPORT_DESCRIPTOR = 0x22  # descriptor type asked for with GET_DESCRIPTOR to an interface

# Class requests to a HID interface: (bmRequestType, bRequest, wValue).
SET_BOOT_PROTOCOL = (0x21, 0x0B, 0)  # SET_PROTOCOL boot: plain 8-byte reports, whatever the report descriptor
SET_IDLE_FOREVER = (0x21, 0x0A, 0)  # SET_IDLE 0: report only when something changes

# A boot keyboard report: modifier byte, reserved byte, six key usages.
KEY_REPORT_SIZE = 8
KEY_SLOTS = slice(2, 8)
SHIFT_BITS = 0x02 | 0x20  # bit 1 left shift, bit 5 right shift
NO_KEY = 0x00
ERROR_ROLL_OVER = 0x01  # "too many keys": the report says nothing about which keys are down

# Usages that end a code.
ENTER_KEYS = frozenset({0x28, 0x58})  # Enter, keypad Enter

# usage -> (character, character with shift)
KEYMAP: dict[int, tuple[str, str]] = {
    **{0x04 + i: (c, c.upper()) for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")},
    **{0x1E + i: pair for i, pair in enumerate(zip("1234567890", "!@#$%^&*()", strict=True))},
    0x2C: (" ", " "),
    0x2D: ("-", "_"),
    0x2E: ("=", "+"),
    0x2F: ("[", "{"),
    0x30: ("]", "}"),
    0x31: ("\\", "|"),
    0x32: ("#", "~"),  # non-US # and ~
    0x33: (";", ":"),
    0x34: ("'", '"'),
    0x35: ("`", "~"),
    0x36: (",", "<"),
    0x37: (".", ">"),
    0x38: ("/", "?"),
    0x54: ("/", "/"),  # keypad
    0x55: ("*", "*"),
    0x56: ("-", "-"),
    0x57: ("+", "+"),
    **{0x59 + i: (c, c) for i, c in enumerate("123456789")},
    0x62: ("0", "0"),
    0x63: (".", "."),
}


# --- POS scales (usage page 0x8D) ---------------------------------------------------------------

SCALE_USAGE_PAGE = 0x8D
WEIGHT_REPORT_ID = 3  # the 6-byte weight report: id, status, unit, exponent, weight (LE16)
WEIGHT_REPORT_SIZE = 6

# status value -> (status word, stable)
SCALE_STATUS: dict[int, tuple[str, bool]] = {
    1: ("fault", False),
    2: ("zero", True),  # stable at zero
    3: ("motion", False),
    4: ("stable", True),
    5: ("under", False),  # under zero
    6: ("over", False),  # over the weight limit
    7: ("calibrate", False),  # requires calibration
    8: ("rezero", False),  # requires re-zeroing
}

# unit value -> kilograms per unit (exact). 5 (taels) is left out: the spec does not say which tael.
SCALE_UNITS: dict[int, Decimal] = {
    1: Decimal("0.000001"),  # milligram
    2: Decimal("0.001"),  # gram
    3: Decimal("1"),  # kilogram
    4: Decimal("0.0002"),  # carat
    6: Decimal("0.00006479891"),  # grain
    7: Decimal("0.00155517384"),  # pennyweight
    8: Decimal("1000"),  # metric ton
    9: Decimal("907.18474"),  # avoirdupois ton
    10: Decimal("0.0311034768"),  # troy ounce
    11: Decimal("0.028349523125"),  # ounce
    12: Decimal("0.45359237"),  # pound
}


def usage_pages(report_descriptor: bytes) -> set[int]:
    """The usage pages a HID report descriptor declares (short items, global tag 0)."""
    pages: set[int] = set()
    i = 0
    while i < len(report_descriptor):
        prefix = report_descriptor[i]
        if prefix == 0xFE:  # long item: 0xFE, size, tag, data
            if i + 1 >= len(report_descriptor):
                break
            i += 3 + report_descriptor[i + 1]
            continue
        size = (0, 1, 2, 4)[prefix & 0x03]
        data = report_descriptor[i + 1 : i + 1 + size]
        if prefix & 0xFC == 0x04:  # type global, tag 0: Usage Page
            pages.add(int.from_bytes(data, "little"))
        i += 1 + size
    return pages
