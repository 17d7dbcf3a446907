"""Typed errors. Each carries a stable `code` that the protocol sends to the page."""


class BridgeError(Exception):
    code = "bridge_error"


class ConfigError(BridgeError):
    code = "config_error"


class ProtocolError(BridgeError):
    code = "bad_request"

    def __init__(self, message: str, command_id: str | None = None) -> None:
        super().__init__(message)
        self.command_id = command_id  # the id of the bad command, when it had a usable one


class UnknownCommand(ProtocolError):
    code = "unknown_command"


class IdReused(ProtocolError):
    code = "id_reused"


class DeviceAbsent(BridgeError):
    code = "device_absent"


class UnsupportedCommand(BridgeError):
    code = "unsupported_command"


class DeviceError(BridgeError):
    code = "device_error"


class DeviceGone(DeviceError):
    """The device disappeared while the bridge was using it (unplugged, powered off)."""

    code = "device_gone"


class DeviceBusy(DeviceError):
    """The device could not be claimed: no permission, or another program holds it."""

    code = "device_busy"


class ScaleError(DeviceError):
    code = "scale_error"


class NoWeight(ScaleError):
    code = "no_weight"


class PrinterNotReady(DeviceError):
    code = "printer_not_ready"


class PrinterOffline(PrinterNotReady):
    code = "printer_offline"


class PaperOut(PrinterNotReady):
    code = "paper_out"


class CoverOpen(PrinterNotReady):
    code = "cover_open"


class InvalidReceipt(BridgeError):
    code = "invalid_receipt"
