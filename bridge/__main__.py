"""huotong-bridge: the till's hardware bridge.

huotong-bridge                  run (systemd starts it like this)
huotong-bridge --simulate       run with virtual devices; type codes and commands on stdin
huotong-bridge --list-devices   what the bridge sees, and which driver claims it
huotong-bridge pair             show the pairing token and link; --rotate for a new one; --origin URL to allow a page
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from bridge import __version__, config
from bridge.app import Bridge
from bridge.config import Settings
from bridge.devices import claiming_driver, usbio
from bridge.devices.simulated import Simulator
from bridge.errors import ConfigError
from bridge.sources import sources_for

log = logging.getLogger("bridge")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huotong-bridge", description="Huotong 货通 hardware bridge")
    parser.add_argument("--version", action="version", version=f"huotong-bridge {__version__}")
    parser.add_argument("--simulate", action="store_true", help="virtual scanner, scale and printer")
    parser.add_argument("--list-devices", action="store_true", help="print the devices found and exit")
    parser.add_argument("--port", type=int, help="websocket port (default 8765)")
    parser.add_argument("--poll-interval", type=float, help="seconds between looks for devices (default 1)")
    parser.add_argument(
        "--home", type=Path, help="config dir (default $HUOTONG_BRIDGE_HOME or ~/.config/huotong-bridge)"
    )
    parser.add_argument("--receipts-dir", type=Path, help="where the simulated printer writes receipts")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command")
    pair = commands.add_parser("pair", help="show (or rotate) the pairing token")
    pair.add_argument("--rotate", action="store_true", help="make a new token; paired pages must pair again")
    pair.add_argument("--origin", action="append", default=[], help="also allow pages from this origin")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    directory = args.home or config.home()
    try:
        if args.command == "pair":
            return pair(directory, args.rotate, args.origin, sys.stdout)
        settings = config.load_settings(directory).with_overrides(
            port=args.port,
            poll_interval=args.poll_interval,
            receipts_dir=args.receipts_dir,
            simulate=args.simulate or None,
        )
    except ConfigError as e:
        print(f"huotong-bridge: {e}", file=sys.stderr)
        return 2
    simulator_dir = settings.receipts_dir or directory / "receipts"
    if args.list_devices:
        return list_devices(settings, Simulator(simulator_dir) if settings.simulate else None, sys.stdout)
    _log_to_stderr(args.verbose)
    return asyncio.run(serve(settings, directory, simulator_dir))


def _log_to_stderr(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # python-escpos configures the root logger when imported
    )
    logging.getLogger("websockets").setLevel(logging.INFO)  # its debug log shows request paths: the token


PAIR_PATH = "/pos/bridge/pair"  # the till's pairing page: it stores the token from the link's fragment


def pair(directory: Path, rotate: bool, origins: list[str], out: TextIO) -> int:
    """Print the token and, per page origin (those just allowed, else every allowed one), the link that
    pairs a till's browser; a bridge on another port than 8765 puts its address in the link too."""
    token = config.rotate_token(directory) if rotate else config.read_token(directory)
    if origins:
        config.add_origins(directory, origins)
    settings = config.load_settings(directory)
    shown = [config.normalise_origin(o) for o in origins] or list(settings.origins)
    address = "" if settings.port == 8765 else f"&bridge-url=ws://127.0.0.1:{settings.port}/"
    print(f"Pairing token: {token}", file=out)
    print("Paste it once in the till's device settings (收银 → 设备), or open one of these on the till:", file=out)
    for origin in dict.fromkeys(shown):
        print(f"  {origin}{PAIR_PATH}#bridge-token={token}{address}", file=out)
    if rotate:
        print("The old token no longer works: pair every till page again.", file=out)
    return 0


def list_devices(settings: Settings, simulator: Simulator | None, out: TextIO) -> int:
    rows = [("ID", "NAME", "DRIVER")]
    for source in sources_for(settings, simulator):
        for candidate in source.scan():
            driver = claiming_driver(candidate)
            name = usbio.product_name(candidate.handle) if candidate.bus == "usb" else candidate.name
            claimed = f"{driver.driver} ({driver.kind})" if driver else "- (not claimed)"
            rows.append((candidate.key, name, claimed))
    if len(rows) == 1:
        print("No devices found.", file=out)
        return 0
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}", file=out)
    return 0


async def serve(settings: Settings, directory: Path, simulator_dir: Path) -> int:
    simulator = Simulator(simulator_dir) if settings.simulate else None
    config.read_token(directory)  # made now if there is none yet, for `huotong-bridge pair` to show
    bridge = Bridge(settings, lambda: config.read_token(directory), simulator,
                    origins=config.OriginsFile(directory, settings.origins))
    try:
        await bridge.start()
    except OSError as e:
        log.error("cannot listen on port %s: %s", settings.port, e)
        await bridge.manager.close()
        return 1
    log.info("pages allowed from: %s (huotong-bridge pair --origin URL adds one, no restart)",
             ", ".join(settings.origins))
    log.info("pairing token in %s (`huotong-bridge pair` shows it)", directory / config.TOKEN_FILE)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if simulator is not None:
        _console(simulator, loop)
    await stop.wait()
    log.info("stopping")
    await bridge.stop()
    return 0


def _console(simulator: Simulator, loop: asyncio.AbstractEventLoop) -> None:
    """Read the simulator's commands from stdin in a daemon thread (a blocked read must not hold up exit)."""

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(simulator.handle_line, line)

    simulator.say(
        "Simulated scanner, scale and printer are ready.\n"
        "  type a code and Enter to scan it; 'w 0.235' sets the scale ('w 0.235 ~': still moving);\n"
        f"  'paper out' / 'paper in'; receipts are written to {simulator.receipts_dir}"
    )
    threading.Thread(target=read, name="simulator console", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
