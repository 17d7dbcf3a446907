"""Virtual devices for demos and development (`huotong-bridge --simulate`).

A scanner that scans what you type (stdin), a scale whose weight you set, and a printer that writes
each receipt as text to a file and to the console. Lines typed into the bridge:

    6901234567892      scan this code
    w 0.235            the scale now shows 0.235 kg, stable
    w 0.235 ~          ... still moving
    paper out          the printer runs out of paper (and "paper in")
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from bridge.devices.base import ERROR, READY, Candidate, Device, Event
from bridge.devices.escpos_tables import DRAWER_PINS, PAPERS, PROFILES
from bridge.devices.receipt import as_text, layout
from bridge.devices.textwidth import TextMetrics
from bridge.devices.weights import Reading, to_kg
from bridge.errors import InvalidReceipt, PaperOut, ProtocolError

log = logging.getLogger(__name__)
KINDS = ("scanner", "scale", "printer")


@dataclass
class Simulator:
    """The state the virtual devices share, and the controls a person (or a test) works them with."""

    receipts_dir: Path
    console: TextIO = sys.stdout

    def __post_init__(self) -> None:
        self.scans: asyncio.Queue[str] = asyncio.Queue()
        self.reading = Reading(Decimal("0.000"), True, "zero")
        self.weight_changed = asyncio.Event()
        self.paper_out = False
        self.paper_changed = asyncio.Event()

    def scan(self, code: str) -> None:
        self.scans.put_nowait(code)

    def set_weight(self, kg: Decimal, stable: bool = True) -> None:
        kg = to_kg(kg, Decimal(1))
        status = ("zero" if kg == 0 else "stable") if stable else "motion"
        self.reading = Reading(kg, stable, status)
        self.weight_changed.set()

    def set_paper(self, out: bool) -> None:
        self.paper_out = out
        self.paper_changed.set()

    def handle_line(self, line: str) -> None:
        """One line typed at the console."""
        words = line.split()
        if not words:
            return
        command = LINE_COMMANDS.get(words[0].lower())
        if command is None:
            self.scan(line.strip())
            self.say(f"[scanner] {line.strip()}")
            return
        try:
            command(self, words[1:])
        except (InvalidOperation, IndexError, KeyError):
            self.say("usage: a code to scan | w <kg> [~] (~: still moving) | paper out | paper in")

    def say(self, text: str) -> None:
        print(text, file=self.console, flush=True)


def _weight_line(sim: Simulator, args: list[str]) -> None:
    sim.set_weight(Decimal(args[0]), stable="~" not in args[1:])
    sim.say(f"[scale] {sim.reading.kg} kg{'' if sim.reading.stable else ' (moving)'}")


def _paper_line(sim: Simulator, args: list[str]) -> None:
    sim.set_paper({"out": True, "in": False}[args[0].lower()])
    sim.say(f"[printer] paper {args[0].lower()}")


LINE_COMMANDS: dict[str, Callable[[Simulator, list[str]], None]] = {
    "w": _weight_line,
    "weight": _weight_line,
    "paper": _paper_line,
}


class _Simulated(Device):
    @classmethod
    def supported(cls, candidate: Candidate) -> bool:
        return candidate.bus == "sim" and candidate.role == cls.kind

    @property
    def sim(self) -> Simulator:
        return self.candidate.handle


class SimulatedScanner(_Simulated):
    kind = "scanner"
    driver = "simulated-scanner"

    async def events(self) -> AsyncIterator[Event]:
        while True:
            yield Event("scan", {"code": await self.sim.scans.get()})


class SimulatedScale(_Simulated):
    kind = "scale"
    driver = "simulated-scale"
    commands = {"weight.read": "read_weight"}

    async def events(self) -> AsyncIterator[Event]:
        while True:
            await self.sim.weight_changed.wait()
            self.sim.weight_changed.clear()
            yield Event("weight", self.sim.reading.data())

    async def read_weight(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self.sim.reading.data()


class SimulatedPrinter(_Simulated):
    kind = "printer"
    driver = "simulated-printer"
    commands = {"print": "print_receipt", "drawer.open": "open_drawer"}

    async def events(self) -> AsyncIterator[Event]:
        while True:
            await self.sim.paper_changed.wait()
            self.sim.paper_changed.clear()
            self.status, self.reason = (ERROR, PaperOut.code) if self.sim.paper_out else (READY, None)
            yield Event("device.status", self.describe())

    async def print_receipt(self, data: Mapping[str, Any]) -> dict[str, Any]:
        receipt = data.get("receipt")
        if not isinstance(receipt, dict):
            raise InvalidReceipt("print needs data.receipt, an object")
        paper = PAPERS.get(receipt.get("paper", self.settings.printer.paper))
        if paper is None:
            raise InvalidReceipt(f"paper must be one of {', '.join(PAPERS)}")
        if self.sim.paper_out:
            raise PaperOut("the printer is out of paper")
        profile = PROFILES[self.settings.printer.profile]
        metrics = TextMetrics(profile.encoding)
        text = as_text(layout(receipt, paper, metrics, profile.qr_size), paper.columns, metrics)
        path = await asyncio.to_thread(self._write, receipt["number"], text)
        self.sim.say(f"[printer] receipt {receipt['number']} -> {path}\n{text}")
        return {"number": receipt["number"], "file": str(path)}

    async def open_drawer(self, data: Mapping[str, Any]) -> dict[str, Any]:
        pin = data.get("pin", self.settings.printer.drawer_pin)
        if pin not in DRAWER_PINS:
            raise ProtocolError(f"pin must be one of {sorted(DRAWER_PINS)}")
        self.sim.say(f"[drawer] kick pulse on pin {pin}: the cash drawer opens")
        return {"pin": pin}

    def _write(self, number: str, text: str) -> Path:
        self.sim.receipts_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]", "_", number)
        path = self.sim.receipts_dir / f"{datetime.now():%Y%m%d-%H%M%S-%f}-{safe}.txt"
        path.write_text(text, encoding="utf-8")
        return path
