"""ESC/POS tables: printer profiles, paper widths, text styles, status bits, drawer pins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.errors import CoverOpen, PaperOut, PrinterNotReady, PrinterOffline

ESC, FS, GS, DLE, EOT = b"\x1b", b"\x1c", b"\x1d", b"\x10", b"\x04"
QR_SIZE = 6  # QR module size in dots, unless a profile says otherwise


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    title: str
    encoding: str  # how text is sent; also decides how wide a character prints
    setup: bytes  # sent after ESC @ at the start of every job
    escpos_profile: str  # python-escpos capabilities profile (cut, barcode support)
    qr_size: int = QR_SIZE  # QR module size in dots (receipt.layout checks the code fits the paper)


PROFILES: dict[str, PrinterProfile] = {
    p.name: p
    for p in (
        PrinterProfile(
            name="zh-gb18030",
            title="Chinese printers (Xprinter, GPrinter, HPRT, Sunmi and the like): GB18030 text in Chinese mode",
            encoding="gb18030",
            setup=FS + b"&",  # FS &: select Chinese (Kanji) character mode
            escpos_profile="default",
        ),
        PrinterProfile(
            name="latin",
            title="Western printers (Epson TM-T20/T88 and the like): code page PC437, no Chinese",
            encoding="cp437",
            setup=ESC + b"t\x00",  # ESC t 0: code page PC437
            escpos_profile="default",
        ),
    )
}


@dataclass(frozen=True)
class Paper:
    """Column plan for one paper width. name_columns 0: the item name has its own line. `dots`: the
    width a 203 dpi head prints across, which a barcode or QR code must fit in."""

    dots: int
    columns: int
    name_columns: int
    qty_columns: int
    price_columns: int
    amount_columns: int


PAPERS: dict[str, Paper] = {
    "58mm": Paper(dots=384, columns=32, name_columns=0, qty_columns=8, price_columns=10, amount_columns=14),
    "80mm": Paper(dots=576, columns=48, name_columns=20, qty_columns=8, price_columns=9, amount_columns=11),
}

# CODE128 (GS k 73, code set B) as render() prints it: modules 2 dots wide, 64 dots high. Each
# character is 11 modules; start, check character and stop take 35 more.
BARCODE_MODULE_DOTS = 2
BARCODE_HEIGHT_DOTS = 64

# text style -> python-escpos set() arguments (GS ! for size, ESC E for bold)
STYLES: dict[str, dict[str, Any]] = {
    "normal": {"custom_size": True, "width": 1, "height": 1, "bold": False},
    "bold": {"custom_size": True, "width": 1, "height": 1, "bold": True},
    "large": {"custom_size": True, "width": 1, "height": 2, "bold": True},  # double height: same columns
}

# Real-time status (DLE EOT n): (n, bits, error, what it means). The first one whose bits are set
# stops a print. Every status byte has bits 1 and 4 set and bits 0 and 7 clear.
STATUS_CHECKS: tuple[tuple[int, int, type[PrinterNotReady], str], ...] = (
    (4, 0x60, PaperOut, "the printer is out of paper"),  # roll paper sensor: paper end
    (2, 0x20, PaperOut, "the printer is out of paper"),  # offline cause: printing stopped at paper end
    (2, 0x04, CoverOpen, "the printer cover is open"),  # offline cause: cover open
    (2, 0x40, PrinterNotReady, "the printer reports an error"),  # offline cause: an error occurred
    (1, 0x08, PrinterOffline, "the printer is offline"),  # printer status: offline
)
PAPER_LOW = (4, 0x0C)  # roll paper near end: prints, and says so
STATUS_QUERY = DLE + EOT  # + n


def status_valid(byte: int) -> bool:
    return byte & 0x93 == 0x12


# The kick pulse: python-escpos cashdraw() pin numbers.
DRAWER_PINS = frozenset({2, 5})
