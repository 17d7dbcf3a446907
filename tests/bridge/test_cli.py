"""The huotong-bridge command: pairing, settings, --list-devices, --simulate."""

import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bridge import config
from bridge.__main__ import list_devices, main, pair
from bridge.config import Settings
from bridge.devices.simulated import Simulator
from bridge.errors import ConfigError
from tests.bridge.emulation import EmulatedHidScale, EmulatedPrinter, EmulatedScanner

REPO = Path(__file__).resolve().parents[2]


def test_pair_shows_the_same_token_until_it_is_rotated(tmp_path):
    out = io.StringIO()
    pair(tmp_path, rotate=False, origins=[], out=out)
    token = config.read_token(tmp_path)
    assert f"Pairing token: {token}" in out.getvalue()
    assert f"http://localhost:5000/pos/bridge/pair#bridge-token={token}\n" in out.getvalue()
    assert config.read_token(tmp_path) == token
    assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600
    pair(tmp_path, rotate=True, origins=[], out=io.StringIO())
    assert config.read_token(tmp_path) != token


def test_pair_with_an_origin_allows_pages_from_it(tmp_path):
    assert main(["--home", str(tmp_path), "pair", "--origin", "https://Shop.example.com/"]) == 0
    assert "https://shop.example.com" in config.load_settings(tmp_path).origins
    assert "http://localhost:5000" in config.load_settings(tmp_path).origins


def test_settings_come_from_bridge_json(tmp_path):
    (tmp_path / "bridge.json").write_text(
        json.dumps(
            {
                "origins": ["https://pos.example.com"],
                "printer": {"paper": "58mm", "drawer_pin": 5},
                "serial_scales": [{"port": "/dev/ttyUSB0", "protocol": "st-gs"}],
                "network_printers": [{"host": "192.168.1.50", "profile": "latin"}],
                "ignore_usb": ["046D:C31C"],
            }
        )
    )
    settings = config.load_settings(tmp_path)
    assert settings.origins == ("https://pos.example.com",)
    assert (settings.printer.paper, settings.printer.drawer_pin) == ("58mm", 5)
    assert settings.serial_scales[0].protocol == "st-gs"
    assert settings.network_printers[0].printer.profile == "latin"
    assert settings.network_printers[0].printer.paper == "58mm"  # the rest from the default printer
    assert settings.ignore_usb == ("046d:c31c",)


def test_broken_settings_are_a_clear_error(tmp_path, capsys):
    (tmp_path / "bridge.json").write_text("{oops")
    with pytest.raises(ConfigError, match="bridge.json"):
        config.load_settings(tmp_path)
    assert main(["--home", str(tmp_path), "--list-devices"]) == 2
    assert "bridge.json" in capsys.readouterr().err


def test_the_bridge_will_not_listen_on_a_lan_address():
    with pytest.raises(ConfigError, match="loopback"):
        Settings(hosts=("192.168.1.20",))


def test_list_devices_names_the_driver_that_claims_each_device(usb_backend):
    usb_backend.plug(EmulatedScanner())
    usb_backend.plug(EmulatedHidScale())
    usb_backend.plug(EmulatedPrinter())
    mouse = EmulatedScanner(vendor=0x046D, product=0xC077, product_name="mouse")
    mouse.interfaces[0].triple = (0x03, 0x01, 0x02)  # a boot mouse: not ours
    usb_backend.plug(mouse)
    out = io.StringIO()
    list_devices(Settings(usb_backend=usb_backend), None, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["ID", "NAME", "DRIVER"]
    assert any("05e0:1200" in line and "hid-boot-scanner (scanner)" in line for line in lines)
    assert any("0922:8003" in line and "hid-pos-scale (scale)" in line for line in lines)
    assert any("0416:5011" in line and "escpos (printer)" in line for line in lines)
    assert any("046d:c077" in line and "not claimed" in line for line in lines)


def test_ignored_usb_devices_are_left_alone(usb_backend):
    usb_backend.plug(EmulatedScanner())
    out = io.StringIO()
    list_devices(Settings(usb_backend=usb_backend, ignore_usb=("05e0:1200",)), None, out)
    assert out.getvalue() == "No devices found.\n"


def test_list_devices_in_simulation_shows_the_virtual_devices(tmp_path):
    out = io.StringIO()
    list_devices(Settings(simulate=True), Simulator(tmp_path), out)
    assert "simulated-scanner (scanner)" in out.getvalue()
    assert "simulated-printer (printer)" in out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_simulate_starts_a_bridge_that_scans_what_is_typed(tmp_path):
    port = free_port()
    env = {**os.environ, "HUOTONG_BRIDGE_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    bridge = subprocess.Popen(
        [sys.executable, "-m", "bridge", "--simulate", "--port", str(port), "--poll-interval", "0.05"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    try:
        token = config.read_token(tmp_path)
        url = f"ws://127.0.0.1:{port}/?token={token}"
        deadline = time.monotonic() + 10
        while True:
            try:
                ws = connect(url, origin="http://localhost:5000", proxy=None, open_timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "hello"
            bridge.stdin.write("6901234567892\nw 0.5\n")
            bridge.stdin.flush()
            messages = [json.loads(ws.recv(timeout=5)) for _ in range(2)]
        assert {
            "type": "scan",
            "id": None,
            "device": "sim:scanner",
            "data": {"code": "6901234567892"},
        } in messages
        assert any(m["type"] == "weight" and m["data"]["kg"] == "0.500" for m in messages)
    finally:
        bridge.terminate()
        output, _ = bridge.communicate(timeout=10)
    assert bridge.returncode == 0
    assert "sim:scanner removed (bridge_stopped)" in output


def test_pair_prints_the_link_to_the_tills_pairing_page_for_the_origin_just_allowed(tmp_path):
    out = io.StringIO()
    pair(tmp_path, rotate=False, origins=["http://127.0.0.1:5001"], out=out)
    token = config.read_token(tmp_path)
    links = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert links == [f"http://127.0.0.1:5001/pos/bridge/pair#bridge-token={token}"]


def test_a_bridge_on_another_port_puts_its_address_in_the_pairing_link(tmp_path):
    (tmp_path / "bridge.json").write_text(json.dumps({"port": 8766}))
    out = io.StringIO()
    pair(tmp_path, rotate=False, origins=[], out=out)
    token = config.read_token(tmp_path)
    assert (f"http://localhost:5000/pos/bridge/pair#bridge-token={token}&bridge-url=ws://127.0.0.1:8766/\n"
            in out.getvalue())


def test_the_allowed_origins_follow_bridge_json_while_it_changes(tmp_path):
    origins = config.OriginsFile(tmp_path, config.DEFAULT_ORIGINS)
    assert origins() == config.DEFAULT_ORIGINS
    config.add_origins(tmp_path, ["http://127.0.0.1:5001"])
    assert "http://127.0.0.1:5001" in origins()
    (tmp_path / "bridge.json").write_text("{broken")  # a file half written: the origins last read stay
    assert "http://127.0.0.1:5001" in origins()


def test_a_running_bridge_lets_in_the_demos_port_once_pair_allows_it(tmp_path):
    """`PORT=5001 make demo` runs `huotong-bridge pair --origin http://127.0.0.1:5001`: a bridge already
    running takes pages from there at once, without a restart."""
    port = free_port()
    env = {**os.environ, "HUOTONG_BRIDGE_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    bridge = subprocess.Popen(
        [sys.executable, "-m", "bridge", "--simulate", "--port", str(port), "--poll-interval", "0.05"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, text=True)
    demo = "http://127.0.0.1:5001"
    try:
        token = config.read_token(tmp_path)
        url = f"ws://127.0.0.1:{port}/?token={token}"
        deadline = time.monotonic() + 10
        while True:
            try:
                ws = connect(url, origin=demo, proxy=None, open_timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with ws, pytest.raises(ConnectionClosed) as refused:
            ws.recv(timeout=5)
        assert refused.value.rcvd.code == 4403
        assert main(["--home", str(tmp_path), "pair", "--origin", demo]) == 0
        with connect(url, origin=demo, proxy=None, open_timeout=3) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "hello"
    finally:
        bridge.terminate()
        bridge.communicate(timeout=10)
