"""Blocking pyusb helpers shared by the USB drivers. Call them from a worker thread (asyncio.to_thread).

Errors come out typed: a timeout is "nothing yet" (None), a vanished device is DeviceGone,
a device the bridge may not have is DeviceBusy.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import usb.core
import usb.util

from bridge.errors import DeviceBusy, DeviceError, DeviceGone

log = logging.getLogger(__name__)

SYSFS_USB = Path("/sys/bus/usb/devices")
GONE_ERRNOS = frozenset({errno.ENODEV, errno.EIO, errno.ESHUTDOWN, errno.ENOENT})
BUSY_ERRNOS = frozenset({errno.EACCES, errno.EBUSY, errno.EPERM})

InterfaceTest = Callable[[usb.core.Interface], bool]


@dataclass
class Claim:
    """An interface the bridge holds, with its endpoints, and whether a kernel driver was set aside."""

    device: usb.core.Device
    interface: int
    endpoint_in: int | None
    endpoint_out: int | None
    detached: bool


def typed(e: usb.core.USBError, doing: str) -> DeviceError:
    if e.errno in GONE_ERRNOS:
        return DeviceGone(f"device gone while {doing}")
    if e.errno in BUSY_ERRNOS:
        return DeviceBusy(f"cannot use the device ({e.strerror}); see the udev rules in docs/bridge.md")
    return DeviceError(f"USB error while {doing}: {e.strerror}")


def ident(device: usb.core.Device) -> str:
    return f"{device.idVendor:04x}:{device.idProduct:04x}"


def interfaces(device: usb.core.Device) -> list[usb.core.Interface]:
    """The interfaces of the first configuration, from descriptors only (the device is not opened)."""
    try:
        return list(device[0])
    except (usb.core.USBError, IndexError, ValueError):
        return []


def find_interface(device: usb.core.Device, test: InterfaceTest) -> usb.core.Interface | None:
    return next((intf for intf in interfaces(device) if test(intf)), None)


def has_class(triple: tuple[int, ...]) -> InterfaceTest:
    def test(intf: usb.core.Interface) -> bool:
        own = (intf.bInterfaceClass, intf.bInterfaceSubClass, intf.bInterfaceProtocol)
        return own[: len(triple)] == triple

    return test


def product_name(device: usb.core.Device) -> str:
    """'vvvv:pppp Product', or just the ids when the device will not say (no permission, no string)."""
    try:
        product = device.product
    except (usb.core.USBError, ValueError, NotImplementedError):
        product = None
    return f"{ident(device)} {product}".strip() if product else ident(device)


def report_descriptor(device: usb.core.Device, intf: usb.core.Interface) -> bytes:
    """The HID report descriptor of an interface: from sysfs while the kernel's usbhid holds the
    interface (the usual case: asking the device would need the interface), else with GET_DESCRIPTOR.
    Empty when neither works. A backend may say where its sysfs is (the emulated one does)."""
    ports = getattr(device, "port_numbers", None)
    if ports:
        root = getattr(device.backend, "sysfs_root", SYSFS_USB)
        name = f"{device.bus}-{'.'.join(map(str, ports))}:{device[0].bConfigurationValue}.{intf.bInterfaceNumber}"
        for path in (root / name).glob("*/report_descriptor"):
            try:
                return path.read_bytes()
            except OSError:
                break
    try:
        if device.is_kernel_driver_active(intf.bInterfaceNumber):
            return b""
        return bytes(device.ctrl_transfer(0x81, 0x06, 0x22 << 8, intf.bInterfaceNumber, 1024, 1000))
    except (usb.core.USBError, NotImplementedError, ValueError):
        return b""
    finally:
        usb.util.dispose_resources(device)


def _endpoint(intf: usb.core.Interface, direction: int, kinds: tuple[int, ...]) -> int | None:
    for ep in intf:
        if (
            usb.util.endpoint_direction(ep.bEndpointAddress) == direction
            and usb.util.endpoint_type(ep.bmAttributes) in kinds
        ):
            return ep.bEndpointAddress
    return None


def claim(device: usb.core.Device, test: InterfaceTest, kinds: tuple[int, ...]) -> Claim:
    """Take the first interface that passes `test`: set its kernel driver aside (usbhid, usblp),
    configure the device, claim the interface. `kinds`: the endpoint types to use."""
    intf = find_interface(device, test)
    if intf is None:
        raise DeviceGone("the device no longer has the interface the bridge wants")
    number = intf.bInterfaceNumber
    detached = False
    try:
        try:
            if device.is_kernel_driver_active(number):
                device.detach_kernel_driver(number)
                detached = True
        except NotImplementedError:
            pass  # backends without kernel drivers (not Linux)
        try:
            device.get_active_configuration()
        except usb.core.USBError:
            device.set_configuration()
        usb.util.claim_interface(device, number)
    except usb.core.USBError as e:
        if detached:
            _reattach(device, number)
        raise typed(e, "claiming it") from e
    return Claim(
        device=device,
        interface=number,
        endpoint_in=_endpoint(intf, usb.util.ENDPOINT_IN, kinds),
        endpoint_out=_endpoint(intf, usb.util.ENDPOINT_OUT, kinds),
        detached=detached,
    )


def control_out(held: Claim, request: tuple[int, int, int], timeout_ms: int = 1000) -> bool:
    """A control request without data to the claimed interface: (bmRequestType, bRequest, wValue).
    False if the device refuses it (many do refuse the optional ones)."""
    kind, code, value = request
    try:
        held.device.ctrl_transfer(kind, code, value, held.interface, None, timeout_ms)
    except usb.core.USBError:
        return False
    return True


def _reattach(device: usb.core.Device, number: int) -> None:
    try:
        device.attach_kernel_driver(number)
    except (usb.core.USBError, NotImplementedError) as e:
        log.debug("could not give interface %s back to its kernel driver: %s", number, e)


def release(held: Claim) -> None:
    """Give the interface back and hand it to its kernel driver again. Quiet if the device is gone."""
    try:
        usb.util.release_interface(held.device, held.interface)
    except (usb.core.USBError, ValueError) as e:
        log.debug("release: %s", e)
    if held.detached:
        _reattach(held.device, held.interface)
    try:
        usb.util.dispose_resources(held.device)
    except usb.core.USBError as e:
        log.debug("dispose: %s", e)


def read(held: Claim, size: int, timeout_ms: int) -> bytes | None:
    """One transfer from the IN endpoint; None when nothing came within the timeout."""
    if held.endpoint_in is None:
        return None
    try:
        return bytes(held.device.read(held.endpoint_in, size, timeout_ms))
    except usb.core.USBTimeoutError:
        return None
    except usb.core.USBError as e:
        if e.errno == errno.ETIMEDOUT:
            return None
        raise typed(e, "reading") from e


def write(held: Claim, data: bytes, timeout_ms: int) -> None:
    if held.endpoint_out is None:
        raise DeviceError("the device has no OUT endpoint")
    try:
        held.device.write(held.endpoint_out, data, timeout_ms)
    except usb.core.USBError as e:
        raise typed(e, "writing") from e
