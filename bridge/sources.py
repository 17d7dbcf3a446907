"""Where devices are looked for. Each source lists what is there right now; the manager diffs two lists.
`scan()` blocks (libusb, the file system): call it from a worker thread."""

from __future__ import annotations

import logging
import os
from typing import Any, Protocol

import usb.core

from bridge.config import Settings
from bridge.devices import usbio
from bridge.devices.base import Candidate
from bridge.devices.simulated import KINDS, Simulator

log = logging.getLogger(__name__)


class Source(Protocol):
    def scan(self) -> list[Candidate]: ...


class UsbSource:
    def __init__(
        self, backend: Any = None, ignore: tuple[str, ...] = (), printers: tuple[str, ...] = ()
    ) -> None:
        self._backend = backend
        self._ignore = frozenset(ignore)
        self._printers = frozenset(printers)
        self._warned = False

    def scan(self) -> list[Candidate]:
        try:
            devices = list(usb.core.find(find_all=True, backend=self._backend))
        except usb.core.NoBackendError:
            if not self._warned:
                log.warning("no libusb on this machine: USB devices are not looked for")
                self._warned = True
            return []
        found = []
        for device in devices:
            ident = usbio.ident(device)
            if ident in self._ignore:
                continue
            role = "printer" if ident in self._printers else None
            found.append(Candidate(f"usb:{device.bus}-{device.address}", "usb", ident, device, role))
        return found


def _present(port: str) -> bool:
    return "://" in port or os.path.exists(port)  # a pyserial URL (socket://, rfc2217://) is always "there"


class SerialSource:
    """Serial scales and printers named in the settings, present while their port exists."""

    def __init__(self, settings: Settings) -> None:
        self._ports = [(s, "scale", f"{s.protocol} scale on {s.port}") for s in settings.serial_scales] + [
            (p, "printer", f"printer on {p.port}") for p in settings.serial_printers
        ]

    def scan(self) -> list[Candidate]:
        return [
            Candidate(f"serial:{config.port}", "serial", name, config, role)
            for config, role, name in self._ports
            if _present(config.port)
        ]


class NetworkSource:
    """Network printers named in the settings; whether they answer is found out when printing."""

    def __init__(self, settings: Settings) -> None:
        self._printers = settings.network_printers

    def scan(self) -> list[Candidate]:
        return [
            Candidate(f"tcp:{p.host}:{p.port}", "tcp", f"printer at {p.host}:{p.port}", p, "printer")
            for p in self._printers
        ]


class SimulatedSource:
    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator

    def scan(self) -> list[Candidate]:
        return [Candidate(f"sim:{kind}", "sim", f"simulated {kind}", self._simulator, kind) for kind in KINDS]


def sources_for(settings: Settings, simulator: Simulator | None = None) -> list[Source]:
    """Simulation replaces the real devices: a developer's own keyboard must not become a scanner."""
    if simulator is not None:
        return [SimulatedSource(simulator)]
    return [
        UsbSource(settings.usb_backend, settings.ignore_usb, settings.usb_printers),
        SerialSource(settings),
        NetworkSource(settings),
    ]
