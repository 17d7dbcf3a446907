"""Scale readings from HID POS weight reports and from serial scale frames.

Serial scale protocols are rows of SERIAL_PROTOCOLS: line settings, what to send to ask (if anything),
a regular expression for one frame, and tables for what its fields mean. `read_frame` interprets any
row. Weights are Decimal kilograms, to the gram, never floats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import reduce
from typing import Any

from bridge.devices.hid import SCALE_STATUS, SCALE_UNITS, WEIGHT_REPORT_ID, WEIGHT_REPORT_SIZE

GRAM = Decimal("0.001")

# unit text in a frame -> kilograms per unit
UNIT_FACTORS: dict[str, Decimal] = {
    "kg": Decimal("1"),
    "g": Decimal("0.001"),
    "t": Decimal("1000"),
    "lb": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
    "jin": Decimal("0.5"),  # 斤
}


@dataclass(frozen=True)
class Reading:
    kg: Decimal | None  # None when the scale gives a status instead of a weight
    stable: bool
    status: str  # stable, zero, motion, over, under, outside_zero, fault, ...

    def data(self) -> dict[str, Any]:
        return {
            "kg": None if self.kg is None else format(self.kg, "f"),
            "stable": self.stable,
            "status": self.status,
        }


def to_kg(value: Decimal, factor: Decimal) -> Decimal:
    return (value * factor).quantize(GRAM, rounding=ROUND_HALF_UP)


def from_hid_report(report: bytes) -> Reading | None:
    """A HID POS scale weight report: id, status, unit, signed exponent, weight (16 bits, little-endian).
    None for any other report."""
    if len(report) < WEIGHT_REPORT_SIZE or report[0] != WEIGHT_REPORT_ID:
        return None
    status, stable = SCALE_STATUS.get(report[1], ("fault", False))
    factor = SCALE_UNITS.get(report[2])
    if factor is None:
        return Reading(None, False, "fault")
    exponent = int.from_bytes(report[3:4], "little", signed=True)
    value = Decimal(int.from_bytes(report[4:6], "little")).scaleb(exponent)
    if status == "under":
        value = -value
    return Reading(to_kg(value, factor), stable, status)


def xor_hex(data: bytes) -> bytes:
    """XOR of the bytes as two upper-case hex digits (耀华 A9 frames)."""
    return b"%02X" % reduce(lambda a, b: a ^ b, data, 0)


@dataclass(frozen=True)
class SerialProtocol:
    name: str
    title: str
    baudrate: int
    bytesize: int
    parity: str  # "N", "E", "O"
    stopbits: int
    request: bytes | None  # sent to ask for a weight; None: the scale sends frames by itself
    terminator: bytes  # the byte that ends a frame
    # named groups: weight, sign, decimals, unit, state, mode, status_byte, checked + check
    frame: re.Pattern[bytes]
    status_bits: tuple[tuple[int, str], ...] = ()  # status byte: (bit, status), first set bit wins
    states: Mapping[bytes, tuple[str, bool]] = field(default_factory=dict)  # state field -> (status, stable)
    modes: frozenset[bytes] = frozenset()  # mode fields that carry a weight to sell by
    checksum: Callable[[bytes], bytes] | None = None  # computes `check` from `checked`


SERIAL_PROTOCOLS: dict[str, SerialProtocol] = {
    p.name: p
    for p in (
        SerialProtocol(
            name="mettler-8217",
            title="Mettler Toledo 8217 (8213 demand mode): send W, get STX weight CR or STX ? status CR",
            baudrate=9600,
            bytesize=7,
            parity="E",
            stopbits=1,
            request=b"W",
            terminator=b"\r",
            frame=re.compile(rb"\x02(?:\?(?P<status_byte>[^\r])|(?P<weight>[0-9. ]+))\r"),
            status_bits=((1, "over"), (2, "under"), (0, "motion"), (3, "outside_zero")),
        ),
        SerialProtocol(
            name="st-gs",
            title='Continuous "ST,GS,+0001.235kg" text frames (ST stable, US unstable, OL overload; GS gross, NT net)',
            baudrate=9600,
            bytesize=8,
            parity="N",
            stopbits=1,
            request=None,
            terminator=b"\n",
            frame=re.compile(
                rb"(?P<state>ST|US|OL),(?P<mode>GS|NT|TR),(?P<sign>[+-])(?P<weight>[0-9. ]*?)\s*(?P<unit>[a-zA-Z]*)\r?\n"
            ),
            states={b"ST": ("stable", True), b"US": ("motion", False), b"OL": ("over", False)},
            modes=frozenset({b"GS", b"NT"}),
        ),
        SerialProtocol(
            name="yaohua-a9",
            title="耀华 XK3190-A9 continuous frames: STX sign 6 digits decimals XOR(2 hex) ETX",
            baudrate=9600,
            bytesize=8,
            parity="N",
            stopbits=1,
            request=None,
            terminator=b"\x03",
            frame=re.compile(
                rb"\x02(?P<checked>(?P<sign>[+-])(?P<weight>[0-9]{6})(?P<decimals>[0-9]))(?P<check>[0-9A-F]{2})\x03"
            ),
            checksum=xor_hex,
        ),
    )
}


def read_frame(protocol: SerialProtocol, data: bytes, unit: str = "kg") -> Reading | None:
    """The reading in the last complete frame of `data`; None if there is none, it is corrupt,
    or it does not carry a weight to sell by (a tare frame)."""
    matches = list(protocol.frame.finditer(data))
    if not matches:
        return None
    g = matches[-1].groupdict()
    if protocol.checksum and protocol.checksum(g["checked"]) != g["check"]:
        return None
    if g.get("mode") is not None and g["mode"] not in protocol.modes:
        return None
    if g.get("status_byte") is not None:
        bits = g["status_byte"][0]
        status = next((name for bit, name in protocol.status_bits if bits & (1 << bit)), "fault")
        return Reading(None, False, status)
    status, stable = protocol.states.get(g.get("state") or b"", ("stable", True))
    text = (g.get("weight") or b"").strip()
    if not text:
        return Reading(None, False, status)
    try:
        value = Decimal(text.decode("ascii"))
    except InvalidOperation:
        return None
    if g.get("decimals"):
        value = value.scaleb(-int(g["decimals"]))
    if g.get("sign") == b"-":
        value = -value
    factor = UNIT_FACTORS.get((g.get("unit") or unit.encode()).decode("ascii").lower())
    if factor is None:
        return Reading(None, False, "fault")
    kg = to_kg(value, factor)
    if stable and kg == 0:
        status = "zero"
    elif stable and kg < 0:
        status, stable = "under", False
    return Reading(kg, stable, status)
