"""Where the bridge keeps its pairing token and settings, and what the settings are.

The config dir is $HUOTONG_BRIDGE_HOME, else $XDG_CONFIG_HOME/huotong-bridge, else
~/.config/huotong-bridge. It holds `token` (the pairing token, mode 0600) and, optionally,
`bridge.json` (settings; every key is optional, see docs/bridge.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bridge.errors import ConfigError

TOKEN_FILE = "token"
SETTINGS_FILE = "bridge.json"
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
DEFAULT_ORIGINS = ("http://localhost:5000", "http://127.0.0.1:5000")


def home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("HUOTONG_BRIDGE_HOME"):
        return Path(env["HUOTONG_BRIDGE_HOME"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "huotong-bridge"


@dataclass(frozen=True)
class PrinterSettings:
    profile: str = "zh-gb18030"  # see bridge/devices/escpos_tables.py PROFILES
    paper: str = "80mm"  # "58mm" (32 columns) or "80mm" (48 columns)
    drawer_pin: int = 2  # the kick pulse pin: 2, or 5


@dataclass(frozen=True)
class SerialScaleSettings:
    port: str  # a device path (/dev/ttyUSB0, /dev/serial/by-id/...) or a pyserial URL
    protocol: str = "mettler-8217"  # see bridge/devices/weights.py SERIAL_PROTOCOLS
    unit: str = "kg"  # for protocols whose frames carry no unit


@dataclass(frozen=True)
class SerialPrinterSettings:
    port: str
    baudrate: int = 9600
    printer: PrinterSettings = PrinterSettings()


@dataclass(frozen=True)
class NetworkPrinterSettings:
    host: str
    port: int = 9100
    printer: PrinterSettings = PrinterSettings()


@dataclass(frozen=True)
class Settings:
    port: int = 8765
    hosts: tuple[str, ...] = LOOPBACK_HOSTS
    origins: tuple[str, ...] = DEFAULT_ORIGINS
    poll_interval: float = 1.0  # seconds between two looks for plugged and unplugged devices
    read_timeout_ms: int = 200  # one blocking USB or serial read waits at most this long
    scale_interval: float = 0.25  # how often a scale that must be asked is asked
    status_interval: float = 5.0  # how often a printer that can tell is asked for its status
    printer: PrinterSettings = PrinterSettings()
    serial_scales: tuple[SerialScaleSettings, ...] = ()
    serial_printers: tuple[SerialPrinterSettings, ...] = ()
    network_printers: tuple[NetworkPrinterSettings, ...] = ()
    ignore_usb: tuple[str, ...] = ()  # "vvvv:pppp" of USB devices the bridge must leave alone
    usb_printers: tuple[
        str, ...
    ] = ()  # "vvvv:pppp" of printers with a vendor-specific (not printer class) interface
    simulate: bool = False
    receipts_dir: Path | None = None  # where the simulated printer writes receipts
    usb_backend: Any = field(default=None, compare=False)  # a pyusb backend; None: libusb

    def __post_init__(self) -> None:
        for host in self.hosts:
            if not ipaddress.ip_address(host).is_loopback:
                raise ConfigError(f"the bridge listens on loopback only, not on {host}")
        object.__setattr__(self, "origins", tuple(normalise_origin(o) for o in self.origins))

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def normalise_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _printer(raw: dict[str, Any], default: PrinterSettings) -> PrinterSettings:
    keys = {"profile", "paper", "drawer_pin"}
    return replace(default, **{k: raw[k] for k in keys if k in raw})


def load_settings(directory: Path) -> Settings:
    """Settings from `bridge.json` in the config dir; defaults for whatever it does not say."""
    path = directory / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    try:
        printer = _printer(raw.get("printer", {}), PrinterSettings())
        settings = Settings(
            port=int(raw.get("port", 8765)),
            origins=tuple(raw.get("origins", DEFAULT_ORIGINS)),
            poll_interval=float(raw.get("poll_interval", 1.0)),
            scale_interval=float(raw.get("scale_interval", 0.25)),
            status_interval=float(raw.get("status_interval", 5.0)),
            printer=printer,
            serial_scales=tuple(
                SerialScaleSettings(**{k: s[k] for k in ("port", "protocol", "unit") if k in s})
                for s in raw.get("serial_scales", ())
            ),
            serial_printers=tuple(
                SerialPrinterSettings(
                    port=p["port"], baudrate=int(p.get("baudrate", 9600)), printer=_printer(p, printer)
                )
                for p in raw.get("serial_printers", ())
            ),
            network_printers=tuple(
                NetworkPrinterSettings(
                    host=p["host"], port=int(p.get("port", 9100)), printer=_printer(p, printer)
                )
                for p in raw.get("network_printers", ())
            ),
            ignore_usb=tuple(s.lower() for s in raw.get("ignore_usb", ())),
            usb_printers=tuple(s.lower() for s in raw.get("usb_printers", ())),
            receipts_dir=Path(raw["receipts_dir"]) if raw.get("receipts_dir") else None,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: {e}") from e
    return settings


def add_origins(directory: Path, origins: list[str]) -> tuple[str, ...]:
    """Allow more page origins, keeping the rest of `bridge.json` as it is."""
    path = directory / SETTINGS_FILE
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current = [normalise_origin(o) for o in raw.get("origins", DEFAULT_ORIGINS)]
    for origin in origins:
        if normalise_origin(origin) not in current:
            current.append(normalise_origin(origin))
    raw["origins"] = current
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return tuple(current)


class OriginsFile:
    """The allowed page origins, read again whenever `bridge.json` changes: a running bridge follows
    `huotong-bridge pair --origin URL` (say, for the demo on another port) without a restart.
    A file that cannot be read keeps the origins last read."""

    def __init__(self, directory: Path, origins: tuple[str, ...]) -> None:
        self._path = directory / SETTINGS_FILE
        self._origins = origins
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = self._path.stat()
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size

    def __call__(self) -> tuple[str, ...]:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            with contextlib.suppress(ConfigError):
                self._origins = load_settings(self._path.parent).origins
        return self._origins


def read_token(directory: Path) -> str:
    """The pairing token; made on first use."""
    path = directory / TOKEN_FILE
    if path.exists():
        token = path.read_text(encoding="ascii").strip()
        if token:
            return token
    return rotate_token(directory)


def rotate_token(directory: Path) -> str:
    """A new pairing token: every paired till page must be paired again."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path = directory / TOKEN_FILE
    tmp = path.with_suffix(".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    os.replace(tmp, path)
    return token
