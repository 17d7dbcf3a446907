"""The websocket server. It only speaks the protocol: who may connect, what a command is, who
carries it out, one reply per id. Devices are the manager's business."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from bridge import __version__
from bridge.config import Settings, normalise_origin
from bridge.errors import BridgeError, ProtocolError, UnknownCommand
from bridge.hub import Hub
from bridge.idempotency import ReplyCache
from bridge.manager import DeviceManager
from bridge.protocol import (
    BRIDGE_COMMANDS,
    CLOSE_BAD_ORIGIN,
    CLOSE_BAD_TOKEN,
    DEVICE_COMMANDS,
    Command,
    dumps,
    envelope,
    error,
    ok,
    parse_command,
)

log = logging.getLogger(__name__)


class BridgeServer:
    def __init__(
        self,
        settings: Settings,
        token: Callable[[], str],
        manager: DeviceManager,
        hub: Hub,
        origins: Callable[[], tuple[str, ...]] | None = None,
    ) -> None:
        self._settings = settings
        # read for each connection too: `huotong-bridge pair --origin` needs no restart
        self._origins = origins or (lambda: settings.origins)
        self._token = token  # read for each connection: `huotong-bridge pair --rotate` needs no restart
        self._manager = manager
        self._hub = hub
        self._replies = ReplyCache()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: Server | None = None

    @property
    def ports(self) -> list[int]:
        assert self._server is not None
        return sorted({sock.getsockname()[1] for sock in self._server.sockets})

    @property
    def connections(self) -> set[ServerConnection]:
        """The pages connected now."""
        return set(self._server.connections) if self._server is not None else set()

    async def start(self) -> None:
        hosts = list(self._settings.hosts)
        try:
            self._server = await self._serve(hosts)
        except OSError:
            if len(hosts) < 2:
                raise
            log.warning("cannot listen on %s; trying %s alone", ", ".join(hosts[1:]), hosts[0])
            self._server = await self._serve(hosts[:1])
        log.info("listening on %s port %s", " and ".join(hosts), self.ports[0])

    async def _serve(self, hosts: list[str]) -> Server:
        return await serve(
            self.handle,
            host=hosts,
            port=self._settings.port,
            compression=None,
            max_size=256 * 1024,
            server_header=f"huotong-bridge/{__version__}",
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # --- one connection -----------------------------------------------------------------------------

    def refusal(self, connection: ServerConnection) -> tuple[int, str] | None:
        """Why this connection may not stay, or None. Checked before anything is sent."""
        origin = connection.request.headers.get("Origin")
        if origin is None or normalise_origin(origin) not in self._origins():
            return CLOSE_BAD_ORIGIN, f"origin not allowed: {origin or '(none)'}"[:120]
        token = parse_qs(urlsplit(connection.request.path).query).get("token", [""])[0]
        if not hmac.compare_digest(token.encode(), self._token().encode()):
            return CLOSE_BAD_TOKEN, "pairing token missing or wrong: run `huotong-bridge pair`"
        return None

    async def handle(self, connection: ServerConnection) -> None:
        refused = self.refusal(connection)
        if refused is not None:
            log.warning("refused a connection: %s", refused[1])
            await connection.close(*refused)
            return
        outbox = self._hub.subscribe()  # before the hello: no event falls between the two
        forwarder: asyncio.Task[None] | None = None
        try:
            hello = {"version": __version__, "devices": self._manager.devices()}
            await connection.send(dumps(envelope("hello", data=hello)))
            forwarder = asyncio.create_task(self._forward(outbox, connection))
            async for message in connection:
                task = asyncio.create_task(self._answer(connection, message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except ConnectionClosed:
            pass
        finally:
            self._hub.unsubscribe(outbox)
            if forwarder is not None:
                forwarder.cancel()

    async def _forward(self, outbox: asyncio.Queue[str], connection: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await connection.send(await outbox.get())

    async def _answer(self, connection: ServerConnection, message: str | bytes) -> None:
        try:
            command = parse_command(message)
            reply = await self._replies.reply(command, lambda: self.execute(command))
        except ProtocolError as e:
            reply = error(e.command_id, None, e)
        with contextlib.suppress(ConnectionClosed):
            await connection.send(dumps(reply))

    async def execute(self, command: Command) -> dict[str, Any]:
        """Carry out a command; the reply, never an exception."""
        device_id = command.device
        try:
            if command.type in BRIDGE_COMMANDS:
                return ok(command, None, {"devices": self._manager.devices()})
            kind = DEVICE_COMMANDS.get(command.type)
            if kind is None:
                raise UnknownCommand(f"unknown command {command.type!r}")
            device = self._manager.pick(kind, command.device)
            device_id = device.id
            return ok(command, device_id, await device.send(command.type, command.data))
        except BridgeError as e:
            return error(command.id, device_id, e)
        except Exception as e:
            log.exception("%s %s failed", command.type, command.id)
            return error(command.id, device_id, BridgeError(f"the bridge failed: {e}"))
