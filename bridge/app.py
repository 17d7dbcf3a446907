"""The bridge put together: hub, device manager, websocket server. `Bridge` runs in an event loop;
`BridgeThread` runs one in a background thread (tests, benchmarks, embedding)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bridge.config import Settings
from bridge.devices.simulated import Simulator
from bridge.hub import Hub
from bridge.manager import DeviceManager
from bridge.server import BridgeServer
from bridge.sources import sources_for

T = TypeVar("T")


class Bridge:
    def __init__(
        self,
        settings: Settings,
        token: str | Callable[[], str],
        simulator: Simulator | None = None,
        origins: Callable[[], tuple[str, ...]] | None = None,
    ) -> None:
        self.settings = settings
        self.hub = Hub()
        self.manager = DeviceManager(sources_for(settings, simulator), settings, self.hub.publish)
        tokens = token if callable(token) else lambda: token
        self.server = BridgeServer(
            settings, tokens, self.manager, self.hub, origins or (lambda: settings.origins)
        )
        self._poller: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return self.server.ports[0]

    async def start(self) -> None:
        """Look for devices once, then listen, then keep looking."""
        await self.manager.poll()
        await self.server.start()
        self._poller = asyncio.create_task(self.manager.run(), name="device poll")

    async def stop(self) -> None:
        await self.server.stop()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.manager.close()


class BridgeThread:
    """A bridge with its own event loop in a daemon thread. Use as a context manager."""

    def __init__(self, settings: Settings, token: str, simulator_dir: Any = None) -> None:
        self._settings = settings
        self._token = token
        self._simulator_dir = simulator_dir
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="bridge", daemon=True)
        self.bridge: Bridge | None = None
        self.simulator: Simulator | None = None

    @property
    def port(self) -> int:
        assert self.bridge is not None
        return self.bridge.port

    def __enter__(self) -> BridgeThread:
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the bridge (devices given back) and its loop. Stopping twice is stopping once."""
        if self.loop.is_closed():
            return
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        """Run a coroutine in the bridge's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call_soon(self, function: Any, *args: Any) -> None:
        self.loop.call_soon_threadsafe(function, *args)

    async def _start(self) -> None:
        if self._simulator_dir is not None:
            self.simulator = Simulator(self._simulator_dir)
        self.bridge = Bridge(self._settings, self._token, self.simulator)
        await self.bridge.start()

    async def _stop(self) -> None:
        assert self.bridge is not None
        await self.bridge.stop()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as e:  # handed to the thread that waits in __enter__
            self._failure = e
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
