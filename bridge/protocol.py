"""The wire format: JSON envelopes {"type", "id", "device", "data"}.

Commands (page -> bridge) carry an `id` and get exactly one reply with it: {"type": "ok"} or
{"type": "error", "data": {"code", "reason"}}. Events (bridge -> page) have "id": null.
See docs/bridge.md for every type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import BridgeError, ProtocolError

MAX_ID_LENGTH = 128

# Close codes for a refused connection (4000-4999 are the application's own).
CLOSE_BAD_TOKEN = 4401
CLOSE_BAD_ORIGIN = 4403

# Commands and the kind of device that carries them out. devices.list is answered by the bridge itself.
DEVICE_COMMANDS: dict[str, str] = {
    "print": "printer",
    "drawer.open": "printer",
    "weight.read": "scale",
}
BRIDGE_COMMANDS = frozenset({"devices.list"})


@dataclass(frozen=True)
class Command:
    type: str
    id: str
    device: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def envelope(
    type: str, *, id: str | None = None, device: str | None = None, data: Any = None
) -> dict[str, Any]:
    return {"type": type, "id": id, "device": device, "data": {} if data is None else data}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def parse_command(text: str | bytes) -> Command:
    """A command from the page. Raises ProtocolError."""
    try:
        message = json.loads(text)
    except ValueError:
        raise ProtocolError("not JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message is a JSON object")
    command_id = message.get("id")
    if not isinstance(command_id, str) or not command_id or len(command_id) > MAX_ID_LENGTH:
        raise ProtocolError(f"a command needs an id: a string of 1 to {MAX_ID_LENGTH} characters")
    problem = _problem(message)
    if problem:
        raise ProtocolError(problem, command_id)
    return Command(message["type"], command_id, message.get("device"), message.get("data") or {})


def _problem(message: dict[str, Any]) -> str | None:
    if not isinstance(message.get("type"), str):
        return "a command needs a type"
    if message.get("device") is not None and not isinstance(message["device"], str):
        return "device must be a device id (a string) or null"
    if message.get("data") is not None and not isinstance(message["data"], dict):
        return "data must be an object"
    return None


def ok(command: Command, device: str | None, data: dict[str, Any]) -> dict[str, Any]:
    return envelope("ok", id=command.id, device=device, data=data)


def error(command_id: str | None, device: str | None, e: BridgeError) -> dict[str, Any]:
    return envelope("error", id=command_id, device=device, data={"code": e.code, "reason": str(e)})
