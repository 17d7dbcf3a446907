"""Emulated hardware that drives the real drivers: a pyusb backend with USB devices on it (a barcode
scanner, a HID POS scale, a receipt printer) and a Mettler Toledo 8217 scale on a pseudo-terminal.

Tests and the benchmark use these; nothing here is needed to run the bridge.

    backend = EmulatedUsbBackend()
    scanner = backend.plug(EmulatedScanner())
    settings = Settings(usb_backend=backend, ...)
    scanner.scan("6901234567892")   # key reports on the interrupt endpoint, as a scanner sends them
    backend.unplug(scanner)
"""

from __future__ import annotations

import array
import errno
import os
import select
import shutil
import tempfile
import threading
import tty
import weakref
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import usb.backend
import usb.core

from bridge.devices.hid import BOOT_KEYBOARD, KEYMAP, SCALE_USAGE_PAGE, WEIGHT_REPORT_ID

ENTER = 0x28
LEFT_SHIFT = 0x02
INTERRUPT, BULK = 0x03, 0x02


def _typing_table() -> dict[str, tuple[int, bool]]:
    """character -> (usage, shift), preferring the main keys to the keypad."""
    table: dict[str, tuple[int, bool]] = {}
    for usage, (plain, shifted) in sorted(KEYMAP.items()):
        table.setdefault(plain, (usage, False))
        table.setdefault(shifted, (usage, True))
    return table


TYPING = _typing_table()


@dataclass
class Interface:
    number: int
    triple: tuple[int, int, int]
    endpoints: list[tuple[int, int, int]]  # (address, transfer type, max packet size)
    report_descriptor: bytes = b""
    kernel_driver: bool = True  # usbhid / usblp hold it until the bridge sets them aside


@dataclass
class EmulatedDevice:
    vendor: int
    product: int
    product_name: str
    interfaces: list[Interface]
    bus: int = 1
    address: int = 0  # given when plugged
    gone: bool = False
    configuration: int = 1
    claimed: set[int] = field(default_factory=set)
    received: bytearray = field(default_factory=bytearray)  # everything written to OUT endpoints
    requests: list[tuple[int, int, int, int]] = field(default_factory=list)  # class requests taken

    def __post_init__(self) -> None:
        self._pending: dict[int, deque[bytes]] = {}
        self._cond = threading.Condition()
        self._flowing = threading.Event()  # cleared: writes wait (a busy printer)
        self._flowing.set()
        self.write_waiting = threading.Event()  # set while a write waits for resume()

    # --- what the device sends ---

    def send(self, endpoint: int, data: bytes) -> None:
        """Queue a transfer on an IN endpoint."""
        with self._cond:
            self._pending.setdefault(endpoint, deque()).append(bytes(data))
            self._cond.notify_all()

    def read_in(self, endpoint: int, size: int, timeout_ms: int) -> bytes:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: self.gone or self._pending.get(endpoint),
                None if timeout_ms == 0 else timeout_ms / 1000,
            )
            if self.gone:
                raise _gone()
            if not ok:
                raise usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
            return self._pending[endpoint].popleft()[:size]

    # --- what the host writes ---

    def pause(self) -> None:
        """Hold every write until resume(), as a busy device does."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def accept(self, endpoint: int, data: bytes) -> None:
        if not self._flowing.is_set():
            self.write_waiting.set()
            self._flowing.wait()
            self.write_waiting.clear()
        if self.gone:
            raise _gone()
        self.receive(endpoint, data)

    def receive(self, endpoint: int, data: bytes) -> None:
        self.received += data

    def unplug(self) -> None:
        with self._cond:
            self.gone = True
            self._cond.notify_all()
        self._flowing.set()

    def kernel_driver_active(self, number: int) -> bool:
        return self._interface(number).kernel_driver

    def _interface(self, number: int) -> Interface:
        return next(i for i in self.interfaces if i.number == number)


def _gone() -> usb.core.USBError:
    return usb.core.USBError("No such device (it may have been disconnected)", -4, errno.ENODEV)


class EmulatedUsbBackend(usb.backend.IBackend):
    """A pyusb backend whose bus holds the emulated devices plugged into it."""

    def __init__(self) -> None:
        self._devices: list[EmulatedDevice] = []
        self._next_address = 1
        self._lock = threading.Lock()
        # Where usbhid publishes report descriptors (read by bridge.devices.usbio.report_descriptor).
        self.sysfs_root = Path(tempfile.mkdtemp(prefix="emulated-sysfs-"))
        weakref.finalize(self, shutil.rmtree, self.sysfs_root, True)

    def plug(self, device: EmulatedDevice) -> Any:
        with self._lock:
            device.address, self._next_address = self._next_address, self._next_address + 1
            device.gone = False
            device.claimed.clear()
            for intf in device.interfaces:
                self._bind(device, intf.number)
            self._devices.append(device)
        return device

    def unplug(self, device: EmulatedDevice) -> None:
        with self._lock:
            self._devices.remove(device)
        for intf in device.interfaces:
            self._unbind(device, intf.number)
        device.unplug()

    def _sysfs(self, dev: EmulatedDevice, number: int) -> Path:
        return (
            self.sysfs_root
            / f"{dev.bus}-{dev.address}:1.{number}"
            / f"0003:{dev.vendor:04X}:{dev.product:04X}.0001"
        )

    def _bind(self, dev: EmulatedDevice, number: int) -> None:
        """The kernel driver takes the interface (and, for HID, shows its report descriptor in sysfs)."""
        intf = dev._interface(number)
        intf.kernel_driver = True
        if intf.triple[0] == 0x03:
            path = self._sysfs(dev, number)
            path.mkdir(parents=True, exist_ok=True)
            (path / "report_descriptor").write_bytes(intf.report_descriptor)

    def _unbind(self, dev: EmulatedDevice, number: int) -> None:
        dev._interface(number).kernel_driver = False
        shutil.rmtree(self._sysfs(dev, number).parent, ignore_errors=True)

    # --- descriptors ---

    def enumerate_devices(self) -> list[EmulatedDevice]:
        with self._lock:
            return list(self._devices)

    def get_device_descriptor(self, dev: EmulatedDevice) -> SimpleNamespace:
        return SimpleNamespace(
            bLength=18, bDescriptorType=1, bcdUSB=0x0200, bDeviceClass=0, bDeviceSubClass=0,
            bDeviceProtocol=0, bMaxPacketSize0=64, idVendor=dev.vendor, idProduct=dev.product,
            bcdDevice=0x0100, iManufacturer=0, iProduct=1, iSerialNumber=0, bNumConfigurations=1,
            address=dev.address, bus=dev.bus, port_number=dev.address, port_numbers=(dev.address,), speed=None,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev: EmulatedDevice, config: int) -> SimpleNamespace:
        if config != 0:
            raise IndexError(config)
        return SimpleNamespace(
            bLength=9, bDescriptorType=2, wTotalLength=0, bNumInterfaces=len(dev.interfaces),
            bConfigurationValue=1, iConfiguration=0, bmAttributes=0x80, bMaxPower=50, extra_descriptors=[],
        )  # fmt: skip

    def get_interface_descriptor(
        self, dev: EmulatedDevice, intf: int, alt: int, config: int
    ) -> SimpleNamespace:
        if alt != 0 or intf >= len(dev.interfaces):
            raise IndexError(alt)
        i = dev.interfaces[intf]
        return SimpleNamespace(
            bLength=9, bDescriptorType=4, bInterfaceNumber=i.number, bAlternateSetting=0,
            bNumEndpoints=len(i.endpoints), bInterfaceClass=i.triple[0], bInterfaceSubClass=i.triple[1],
            bInterfaceProtocol=i.triple[2], iInterface=0, extra_descriptors=[],
        )  # fmt: skip

    def get_endpoint_descriptor(
        self, dev: EmulatedDevice, ep: int, intf: int, alt: int, config: int
    ) -> SimpleNamespace:
        address, kind, size = dev.interfaces[intf].endpoints[ep]
        return SimpleNamespace(
            bLength=7, bDescriptorType=5, bEndpointAddress=address, bmAttributes=kind,
            wMaxPacketSize=size, bInterval=1, bRefresh=0, bSynchAddress=0, extra_descriptors=[],
        )  # fmt: skip

    # --- a handle is the device itself ---

    def _alive(self, dev: EmulatedDevice) -> EmulatedDevice:
        if dev.gone:
            raise _gone()
        return dev

    def open_device(self, dev: EmulatedDevice) -> EmulatedDevice:
        return self._alive(dev)

    def close_device(self, dev_handle: EmulatedDevice) -> None:
        pass

    def set_configuration(self, dev_handle: EmulatedDevice, config_value: int) -> None:
        self._alive(dev_handle).configuration = config_value

    def get_configuration(self, dev_handle: EmulatedDevice) -> int:
        return self._alive(dev_handle).configuration

    def set_interface_altsetting(self, dev_handle: EmulatedDevice, intf: int, altsetting: int) -> None:
        self._alive(dev_handle)

    def claim_interface(self, dev_handle: EmulatedDevice, intf: int) -> None:
        dev = self._alive(dev_handle)
        if dev.kernel_driver_active(intf):
            raise usb.core.USBError("Resource busy", -6, errno.EBUSY)
        dev.claimed.add(intf)

    def release_interface(self, dev_handle: EmulatedDevice, intf: int) -> None:
        self._alive(dev_handle).claimed.discard(intf)

    def is_kernel_driver_active(self, dev_handle: EmulatedDevice, intf: int) -> bool:
        return self._alive(dev_handle).kernel_driver_active(intf)

    def detach_kernel_driver(self, dev_handle: EmulatedDevice, intf: int) -> None:
        self._unbind(self._alive(dev_handle), intf)

    def attach_kernel_driver(self, dev_handle: EmulatedDevice, intf: int) -> None:
        self._bind(self._alive(dev_handle), intf)

    def _read(self, dev_handle: EmulatedDevice, ep: int, buff: array.array, timeout: int) -> int:
        data = self._alive(dev_handle).read_in(ep, len(buff), timeout)
        buff[: len(data)] = array.array("B", data)
        return len(data)

    def _write(self, dev_handle: EmulatedDevice, ep: int, data: array.array) -> int:
        self._alive(dev_handle).accept(ep, bytes(data))
        return len(data)

    def intr_read(
        self, dev_handle: EmulatedDevice, ep: int, intf: int, buff: array.array, timeout: int
    ) -> int:
        return self._read(dev_handle, ep, buff, timeout)

    def bulk_read(
        self, dev_handle: EmulatedDevice, ep: int, intf: int, buff: array.array, timeout: int
    ) -> int:
        return self._read(dev_handle, ep, buff, timeout)

    def intr_write(
        self, dev_handle: EmulatedDevice, ep: int, intf: int, data: array.array, timeout: int
    ) -> int:
        return self._write(dev_handle, ep, data)

    def bulk_write(
        self, dev_handle: EmulatedDevice, ep: int, intf: int, data: array.array, timeout: int
    ) -> int:
        return self._write(dev_handle, ep, data)

    def ctrl_transfer(
        self,
        dev_handle: EmulatedDevice,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: Any,
        timeout: int,
    ) -> int:
        dev = self._alive(dev_handle)
        if bmRequestType == 0x21:  # a class request to an interface (HID SET_PROTOCOL, SET_IDLE)
            dev.requests.append((bmRequestType, bRequest, wValue, wIndex))
            return 0
        if bRequest != 0x06 or not bmRequestType & 0x80:  # of the rest, only GET_DESCRIPTOR is answered
            raise usb.core.USBError("Pipe error", -9, errno.EPIPE)
        kind, index = wValue >> 8, wValue & 0xFF
        if kind == 0x22:
            answer = dev._interface(wIndex).report_descriptor
        elif kind == 0x03:
            text = "\u0409".encode("utf-16-le") if index == 0 else dev.product_name.encode("utf-16-le")
            answer = bytes([len(text) + 2, 3]) + text
        else:
            raise usb.core.USBError("Pipe error", -9, errno.EPIPE)
        answer = answer[: len(data)]
        data[: len(answer)] = array.array("B", answer)
        return len(answer)

    def clear_halt(self, dev_handle: EmulatedDevice, ep: int) -> None:
        self._alive(dev_handle)

    def reset_device(self, dev_handle: EmulatedDevice) -> None:
        self._alive(dev_handle)


# --- the devices ------------------------------------------------------------------------------------


class EmulatedScanner(EmulatedDevice):
    """A barcode scanner presenting itself as a HID boot keyboard."""

    ENDPOINT = 0x81

    def __init__(
        self, vendor: int = 0x05E0, product: int = 0x1200, product_name: str = "Emulated Bar Code Scanner"
    ):
        super().__init__(
            vendor, product, product_name, [Interface(0, BOOT_KEYBOARD, [(self.ENDPOINT, INTERRUPT, 8)])]
        )

    @staticmethod
    def reports(text: str, enter: bool = True) -> list[bytes]:
        """The key reports a scanner sends for `text`: each key pressed, then released."""
        out = []
        for ch in text:
            usage, shift = TYPING[ch]
            out.append(bytes([LEFT_SHIFT if shift else 0, 0, usage, 0, 0, 0, 0, 0]))
            out.append(bytes(8))
        if enter:
            out += [bytes([0, 0, ENTER, 0, 0, 0, 0, 0]), bytes(8)]
        return out

    def report(self, report: bytes) -> None:
        self.send(self.ENDPOINT, report)

    def scan(self, code: str) -> None:
        for report in self.reports(code):
            self.report(report)


# Usage Page (Scale), Usage (Scale Device), Collection (Application), Report ID (3), Usage (Weight) ...
SCALE_REPORT_DESCRIPTOR = bytes(
    [
        0x05,
        SCALE_USAGE_PAGE,
        0x09,
        0x20,
        0xA1,
        0x01,
        0x85,
        WEIGHT_REPORT_ID,
        0x09,
        0x40,
        0x15,
        0x00,
        0x25,
        0xFF,
    ]
    + [0x75, 0x08, 0x95, 0x05, 0x81, 0x02, 0xC0]
)


class EmulatedHidScale(EmulatedDevice):
    """A USB HID POS scale (usage page 0x8D) sending 6-byte weight reports."""

    ENDPOINT = 0x82

    def __init__(self, vendor: int = 0x0922, product: int = 0x8003, product_name: str = "Emulated HID Scale"):
        interface = Interface(0, (0x03, 0x00, 0x00), [(self.ENDPOINT, INTERRUPT, 8)], SCALE_REPORT_DESCRIPTOR)
        super().__init__(vendor, product, product_name, [interface])

    def weigh(self, weight: int, status: int = 4, unit: int = 2, exponent: int = 0) -> None:
        """A weight report: status 4 stable, 3 in motion, 2 zero...; unit 2 grams, 3 kg, 11 ounces."""
        self.send(
            self.ENDPOINT,
            bytes([WEIGHT_REPORT_ID, status, unit, exponent & 0xFF]) + weight.to_bytes(2, "little"),
        )


class EmulatedPrinter(EmulatedDevice):
    """A receipt printer (USB printer class): keeps what it is sent, answers DLE EOT status requests."""

    OUT, IN = 0x01, 0x82

    def __init__(
        self, vendor: int = 0x0416, product: int = 0x5011, product_name: str = "Emulated POS80 Printer"
    ):
        interface = Interface(0, (0x07, 0x01, 0x02), [(self.OUT, BULK, 64), (self.IN, BULK, 64)])
        super().__init__(vendor, product, product_name, [interface])
        self.paper_out = False
        self.paper_low = False
        self.cover_open = False
        self.answers_status = True

    def status(self, n: int) -> int:
        offline = self.paper_out or self.cover_open
        bits = {
            1: 0x08 if offline else 0,
            2: (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0),
            4: (0x60 if self.paper_out else 0) | (0x0C if self.paper_low else 0),
        }.get(n, 0)
        return 0x12 | bits

    def receive(self, endpoint: int, data: bytes) -> None:
        super().receive(endpoint, data)
        if len(data) == 3 and data[:2] == b"\x10\x04" and self.answers_status:
            self.send(self.IN, bytes([self.status(data[2])]))


class EmulatedSerialScale:
    """A Mettler Toledo 8217 scale on a pseudo-terminal: answers W with STX weight CR, or with
    STX ? status CR when it has no weight to give; send() puts out continuous-mode frames. `link`,
    if given, is a symlink to the port that lives as long as the scale is plugged (as udev's
    /dev/serial/by-id links do)."""

    def __init__(self, link: Path | None = None) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        self.port = os.ttyname(self._slave)
        self.link = link
        if link is not None:
            link.unlink(missing_ok=True)
            link.symlink_to(self.port)
        self.weight = Decimal("0.000")
        self.motion = self.over = self.under = self.outside_zero = False
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="emulated 8217 scale", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return str(self.link) if self.link is not None else self.port

    def send(self, frame: bytes) -> None:
        """Send a frame unasked, as a scale in continuous mode does."""
        os.write(self._master, frame)

    def answer(self) -> bytes:
        bits = (self.motion << 0) | (self.over << 1) | (self.under << 2) | (self.outside_zero << 3)
        if bits:
            return b"\x02?" + bytes([0x60 | bits]) + b"\r"
        return b"\x02" + f"{self.weight:06.3f}".encode() + b"\r"

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 64)
            except OSError:
                return
            for _ in range(data.count(b"W")):
                self.requests += 1
                os.write(self._master, self.answer())

    def unplug(self) -> None:
        self._stop.set()
        self._thread.join()
        if self.link is not None:
            self.link.unlink(missing_ok=True)
        os.close(self._master)
        os.close(self._slave)
