"""Fixtures for the hardware bridge: emulated devices, a real bridge on a free port, page clients."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import usb.core
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from bridge.app import BridgeThread
from bridge.config import Settings
from bridge.devices.base import Candidate
from tests.bridge.emulation import EmulatedDevice, EmulatedUsbBackend

ORIGIN = "http://till.test:5000"
TOKEN = "till-pairing-token"


# The bridge needs neither the web app nor its database: the suite-wide autouse fixtures of
# tests/conftest.py are replaced, for tests/bridge, by these.
@pytest.fixture(scope="session")
def compiled_translations() -> None:
    return None


@pytest.fixture
def clean_database() -> None:
    return None


@pytest.fixture
def usb_backend() -> EmulatedUsbBackend:
    return EmulatedUsbBackend()


@pytest.fixture
def usb_candidate(usb_backend: EmulatedUsbBackend) -> Callable[..., Candidate]:
    """What the USB source would offer the drivers for an emulated device."""

    def make(emulated: EmulatedDevice, role: str | None = None) -> Candidate:
        device = usb.core.find(backend=usb_backend, bus=emulated.bus, address=emulated.address)
        return Candidate(f"usb:{emulated.bus}-{emulated.address}", "usb", emulated.product_name, device, role)

    return make


@pytest.fixture
def make_settings(usb_backend: EmulatedUsbBackend, tmp_path: Any) -> Callable[..., Settings]:
    """Settings for a bridge on a free loopback port that polls fast."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "port": 0,
            "hosts": ("127.0.0.1",),
            "origins": (ORIGIN,),
            "poll_interval": 0.05,
            "read_timeout_ms": 20,
            "scale_interval": 0.02,
            "status_interval": 0.05,
            "usb_backend": usb_backend,
            "receipts_dir": tmp_path / "receipts",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def start_bridge(
    make_settings: Callable[..., Settings], tmp_path: Any
) -> Iterator[Callable[..., BridgeThread]]:
    """Start a real bridge (its own event loop, in a thread); it stops at the end of the test."""
    running: list[BridgeThread] = []

    def start(simulate: bool = False, **overrides: Any) -> BridgeThread:
        thread = BridgeThread(
            make_settings(simulate=simulate, **overrides), TOKEN, tmp_path / "receipts" if simulate else None
        )
        running.append(thread.__enter__())
        return thread

    yield start
    for thread in running:
        thread.stop()


class Page:
    """A till page's connection to the bridge: send commands, wait for the messages it cares about."""

    _ids = itertools.count(1)

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.backlog: list[dict[str, Any]] = []
        self.hello = self.expect("hello")

    def next(self, match: Callable[[dict[str, Any]], bool], timeout: float = 3.0) -> dict[str, Any]:
        for message in self.backlog:
            if match(message):
                self.backlog.remove(message)
                return message
        while True:
            message = json.loads(self.ws.recv(timeout=timeout))
            if match(message):
                return message
            self.backlog.append(message)

    def expect(self, type: str, timeout: float = 3.0) -> dict[str, Any]:
        return self.next(lambda m: m["type"] == type, timeout)

    def send(
        self, type: str, data: dict[str, Any] | None = None, id: str | None = None, device: str | None = None
    ) -> str:
        command_id = id or f"cmd-{next(self._ids)}"
        self.ws.send(json.dumps({"type": type, "id": command_id, "device": device, "data": data or {}}))
        return command_id

    def reply(self, command_id: str, timeout: float = 3.0) -> dict[str, Any]:
        return self.next(lambda m: m["id"] == command_id and m["type"] in ("ok", "error"), timeout)

    def command(self, type: str, data: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return self.reply(self.send(type, data, **kw))


@pytest.fixture
def refusal() -> Callable[..., tuple[int, str]]:
    """Connect as a page that should be turned away; the close code and reason it got."""

    def refused(bridge: BridgeThread, token: str = TOKEN, origin: str = ORIGIN) -> tuple[int, str]:
        with connect(f"ws://127.0.0.1:{bridge.port}/?token={token}", origin=origin, proxy=None) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=3)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, closed.value.rcvd.reason

    return refused


@pytest.fixture
def open_page() -> Iterator[Callable[..., Page]]:
    """Connect a page to a bridge, as the till's browser does."""
    with contextlib.ExitStack() as stack:

        def open_(bridge: BridgeThread, token: str = TOKEN, origin: str = ORIGIN) -> Page:
            url = f"ws://127.0.0.1:{bridge.port}/?token={token}"
            return Page(stack.enter_context(connect(url, origin=origin, proxy=None, open_timeout=3)))

        yield open_


@pytest.fixture
def receipt() -> dict[str, Any]:
    """A receipt as the till sends it."""
    return {
        "number": "R20240601-0001",
        "store": {"name": "货通便利店", "lines": ["人民路店 电话 0571-8888"]},
        "time": "2024-06-01 10:23",
        "cashier": "张三",
        "lines": [
            {"name": "可口可乐 330ml", "qty": "2", "unit_price": "3.50", "amount": "7.00"},
            {"name": "散装苹果", "qty": "0.235", "unit_price": "12.80", "amount": "3.01"},
        ],
        "discounts": [{"name": "会员折扣", "amount": "-0.50"}],
        "totals": [{"label": "合计", "amount": "9.51"}],
        "payments": [{"method": "现金", "amount": "20.00"}],
        "change": "10.49",
        "member": {"number": "138****0000", "points_earned": "9", "points_balance": "1209"},
        "code": "qr",
        "footer": ["谢谢惠顾"],
    }


# --- a small receipt and exactly what a Chinese 58 mm printer is sent for it ---------------------

ESC_INIT = b"\x1b@"
CHINESE_MODE = b"\x1c&"
NORMAL = b"\x1d!\x00\x1bE\x00"  # GS ! 0 (normal size), ESC E 0 (bold off)
LARGE = b"\x1d!\x01\x1bE\x01"  # GS ! 1 (double height), ESC E 1 (bold on)
RULE_32 = b"-" * 32 + b"\n"
QR_R0001 = (
    b"\x1ba\x01"  # centre
    b"\x1d(k\x04\x001A2\x00"  # QR model 2
    b"\x1d(k\x03\x001C\x06"  # module size 6
    b"\x1d(k\x03\x001E0"  # error correction L
    b"\x1d(k\x08\x001P0R0001"  # store the data
    b"\x1d(k\x03\x001Q0"  # print it
    b"\x1ba\x00"  # left
)
FEED_AND_CUT = b"\x1bd\x06\x1dV\x00"

SMALL_RECEIPT = {
    "number": "R0001",
    "store": {"name": "货通小店"},
    "lines": [{"name": "可乐", "qty": "2", "unit_price": "3.50", "amount": "7.00"}],
    "totals": [{"label": "合计", "amount": "7.00"}],
    "payments": [{"method": "现金", "amount": "10.00"}],
    "change": "3.00",
    "footer": ["谢谢"],
}

# The same receipt as the printer gets it: GB18030 Chinese, two columns per Chinese character.
SMALL_RECEIPT_58MM = (
    ESC_INIT
    + CHINESE_MODE
    + LARGE
    + b" " * 12 + b"\xbb\xf5\xcd\xa8\xd0\xa1\xb5\xea\n"  # 货通小店, centred
    + NORMAL
    + RULE_32
    + b"\xb5\xa5\xba\xc5: R0001\n"  # 单号
    + RULE_32
    + b"\xc9\xcc\xc6\xb7" + b" " * 24 + b"\xbd\xf0\xb6\xee\n"  # 商品 ... 金额
    + b"\xbf\xc9\xc0\xd6\n"  # 可乐
    + b"  2 x 3.50" + b" " * 18 + b"7.00\n"
    + RULE_32
    + LARGE
    + b"\xba\xcf\xbc\xc6" + b" " * 24 + b"7.00\n"  # 合计
    + NORMAL
    + b"\xcf\xd6\xbd\xf0" + b" " * 23 + b"10.00\n"  # 现金
    + b"\xd5\xd2\xc1\xe3" + b" " * 24 + b"3.00\n"  # 找零
    + RULE_32
    + QR_R0001
    + b" " * 14 + b"\xd0\xbb\xd0\xbb\n"  # 谢谢, centred
    + FEED_AND_CUT
)  # fmt: skip


@pytest.fixture
def small_receipt() -> dict[str, Any]:
    return json.loads(json.dumps(SMALL_RECEIPT))


@pytest.fixture
def small_receipt_58mm() -> bytes:
    return SMALL_RECEIPT_58MM
