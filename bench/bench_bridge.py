"""How long a scan takes to reach the till page: from the key report that ends a code (Enter) appearing
on the emulated scanner's interrupt endpoint to the `scan` message arriving at a websocket client.

The real bridge (driver, manager, server) runs with an emulated USB scanner; the client is a
websocket connection on the loopback, as the till's browser is. Target: p99 <= 5 ms.

    .venv/bin/python -m bench.bench_bridge [--scans 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

from websockets.asyncio.client import connect

from bridge.app import Bridge
from bridge.config import Settings
from tests.bridge.emulation import EmulatedScanner, EmulatedUsbBackend

ORIGIN = "http://bench.local"
TOKEN = "bench-token"
TARGET_P99_MS = 5.0


def ean13(n: int) -> str:
    body = f"690{n:09d}"
    odd, even = sum(map(int, body[0::2])), sum(map(int, body[1::2]))
    return body + str((10 - (odd + 3 * even) % 10) % 10)


async def measure(scans: int, warmup: int) -> list[float]:
    backend = EmulatedUsbBackend()
    scanner = backend.plug(EmulatedScanner())
    settings = Settings(
        port=0, hosts=("127.0.0.1",), origins=(ORIGIN,), usb_backend=backend, read_timeout_ms=200
    )
    bridge = Bridge(settings, TOKEN)
    await bridge.start()
    latencies = []
    try:
        url = f"ws://127.0.0.1:{bridge.port}/?token={TOKEN}"
        async with connect(url, origin=ORIGIN, compression=None, proxy=None) as page:
            assert json.loads(await page.recv())["type"] == "hello"
            for n in range(warmup + scans):
                code = ean13(n)
                reports = EmulatedScanner.reports(code)
                for report in reports[:-2]:
                    scanner.report(report)
                started = time.perf_counter()
                scanner.report(reports[-2])  # Enter: the code is complete
                scanner.report(reports[-1])
                message = json.loads(await page.recv())
                elapsed = time.perf_counter() - started
                if message["type"] != "scan" or message["data"]["code"] != code:
                    raise RuntimeError(f"expected scan {code}, got {message}")
                if n >= warmup:
                    latencies.append(elapsed * 1000)
    finally:
        await bridge.stop()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    latencies = asyncio.run(measure(args.scans, args.warmup))
    wall = time.perf_counter() - started
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    p50, p99 = statistics.median(latencies), percentiles[98]
    print(f"bridge scan latency: emulated Enter key report -> websocket message, {len(latencies)} scans")
    print(
        f"  p50 {p50:.3f} ms   p90 {percentiles[89]:.3f} ms   p99 {p99:.3f} ms   max {max(latencies):.3f} ms"
    )
    print(
        f"  mean {statistics.fmean(latencies):.3f} ms   wall {wall:.1f} s ({len(latencies) / wall:.0f} scans/s)"
    )
    print(f"  target p99 <= {TARGET_P99_MS} ms: {'met' if p99 <= TARGET_P99_MS else 'MISSED'}")
    return 0 if p99 <= TARGET_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
