"""Fan-out of events to every connected page. Each message is serialised once."""

from __future__ import annotations

import asyncio
from typing import Any

from bridge.protocol import dumps


class Hub:
    def __init__(self) -> None:
        self._clients: set[asyncio.Queue[str]] = set()

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._clients.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._clients.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        text = dumps(message)
        for queue in self._clients:
            queue.put_nowait(text)
