"""Drivers, in the order they are offered a device: the first whose `supported()` says yes claims it."""

from __future__ import annotations

import logging

from bridge.devices.base import Candidate, Device
from bridge.devices.printer import EscposPrinter
from bridge.devices.scale import HidPosScale, SerialScale
from bridge.devices.scanner import HidBootScanner
from bridge.devices.simulated import SimulatedPrinter, SimulatedScale, SimulatedScanner

log = logging.getLogger(__name__)

DRIVERS: tuple[type[Device], ...] = (
    HidBootScanner,
    HidPosScale,
    SerialScale,
    EscposPrinter,
    SimulatedScanner,
    SimulatedScale,
    SimulatedPrinter,
)


def claiming_driver(candidate: Candidate, drivers: tuple[type[Device], ...] = DRIVERS) -> type[Device] | None:
    """The driver that claims a candidate, or None. Blocking (drivers may ask the device): use a thread."""
    for driver in drivers:
        try:
            if driver.supported(candidate):
                return driver
        except Exception:  # a device that cannot even be asked is simply not ours
            log.debug("%s could not examine %s", driver.driver, candidate.key, exc_info=True)
    return None
