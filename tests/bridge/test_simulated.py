import io
from decimal import Decimal

from bridge.devices.simulated import Simulator


def test_lines_typed_at_the_console_scan_codes_and_set_the_weight(tmp_path):
    console = io.StringIO()
    sim = Simulator(tmp_path, console)
    sim.handle_line("6901234567892\n")
    sim.handle_line("w 0.2354\n")
    assert sim.scans.get_nowait() == "6901234567892"
    assert (sim.reading.kg, sim.reading.stable) == (Decimal("0.235"), True)
    sim.handle_line("w 1.5 ~")
    assert (sim.reading.kg, sim.reading.status) == (Decimal("1.500"), "motion")
    sim.handle_line("w lots")
    assert "usage:" in console.getvalue()
    assert sim.scans.empty()


def test_the_simulated_printer_writes_each_receipt_to_a_file(start_bridge, open_page, receipt, tmp_path):
    bridge = start_bridge(simulate=True)
    page = open_page(bridge)
    assert sorted(d["driver"] for d in page.hello["data"]["devices"]) == [
        "simulated-printer",
        "simulated-scale",
        "simulated-scanner",
    ]
    reply = page.command("print", {"receipt": receipt})
    assert reply["type"] == "ok"
    (written,) = (tmp_path / "receipts").glob("*R20240601-0001.txt")
    assert written == tmp_path / "receipts" / reply["data"]["file"].split("/")[-1]
    text = written.read_text(encoding="utf-8")
    assert "货通便利店" in text and "谢谢惠顾" in text and "[QR R20240601-0001]" in text
    assert page.command("drawer.open")["data"] == {"pin": 2}


def test_simulated_devices_work_through_the_bridge(start_bridge, open_page, receipt):
    bridge = start_bridge(simulate=True)
    page = open_page(bridge)
    bridge.call_soon(bridge.simulator.handle_line, "4006381333931")
    assert page.expect("scan")["data"] == {"code": "4006381333931"}
    bridge.call_soon(bridge.simulator.handle_line, "w 0.755")
    assert page.expect("weight")["data"] == {"kg": "0.755", "stable": True, "status": "stable"}
    assert page.command("weight.read")["data"]["kg"] == "0.755"
    bridge.call_soon(bridge.simulator.handle_line, "paper out")
    assert page.expect("device.status")["data"]["reason"] == "paper_out"
    assert page.command("print", {"receipt": receipt})["data"]["code"] == "paper_out"
