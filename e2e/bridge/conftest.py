"""Fixtures for the bridge's browser tests: static files over HTTP, a real bridge with an emulated USB
scanner and printer, and a Chromium to load a till page in."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bridge.app import BridgeThread
from bridge.config import Settings
from tests.bridge.emulation import EmulatedPrinter, EmulatedScanner, EmulatedUsbBackend

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
TOKEN = "e2e-pairing-token"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TILL_PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>Till</title></head>
<body>
  <p role="status" aria-label="Scanner" data-bridge-status="scanner"></p>
  <p role="status" aria-label="Last scan"></p>
  <input aria-label="Customer note">
  <script>
    document.body.addEventListener("bridge:scan", function (event) {{
      document.querySelector('[aria-label="Last scan"]').textContent =
        event.detail.code + " (" + event.detail.source + ")";
    }});
  </script>
  <script src="/static/js/bridge.js" data-bridge-url="{bridge_url}" data-bridge-token="{token}"></script>
</body>
</html>
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The system Chromium when there is one, else Playwright's own."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if Path("/usr/bin/chromium").exists():
        args["executable_path"] = "/usr/bin/chromium"
    return args


@dataclass
class Till:
    url: str  # the till page
    scanner: EmulatedScanner
    printer: EmulatedPrinter
    backend: EmulatedUsbBackend
    bridge: BridgeThread


class _Handler(SimpleHTTPRequestHandler):
    """/static/... from the repository's static dir; /till.html is the page under test."""

    pages: dict[str, str] = {}

    def do_GET(self) -> None:
        if self.path.split("?")[0] in self.pages:
            body = self.pages[self.path.split("?")[0]].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self.path.startswith("/static/"):
            self.send_error(404)
            return
        self.path = self.path[len("/static") :]
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    """A till page served over HTTP, talking to a real bridge with an emulated USB scanner and printer."""
    pages: dict[str, str] = {}
    handler = functools.partial(type("Handler", (_Handler,), {"pages": pages}), directory=str(STATIC))
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    origin = f"http://127.0.0.1:{http.server_port}"
    backend = EmulatedUsbBackend()
    scanner = backend.plug(EmulatedScanner())
    printer = backend.plug(EmulatedPrinter())
    settings = Settings(
        port=0,
        hosts=("127.0.0.1",),
        origins=(origin,),
        poll_interval=0.05,
        read_timeout_ms=20,
        usb_backend=backend,
        receipts_dir=tmp_path,
    )
    with BridgeThread(settings, TOKEN) as bridge:
        pages["/till.html"] = TILL_PAGE.format(bridge_url=f"ws://127.0.0.1:{bridge.port}/", token=TOKEN)
        serving = threading.Thread(target=http.serve_forever, daemon=True)
        serving.start()
        try:
            yield Till(f"{origin}/till.html", scanner, printer, backend, bridge)
        finally:
            http.shutdown()
            http.server_close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        folder = ROOT / "screenshots"
        folder.mkdir(exist_ok=True)
        item.funcargs["page"].screenshot(path=str(folder / f"bridge-{item.name}.png"), full_page=True)
    return report
