"""Commands are carried out once per id.

A retry (same id, after a dropped connection) gets the same reply; a retry that arrives while the
first is still running waits for the same result. The first run does not belong to the connection
that asked: it finishes even if that connection drops. Only the last `size` finished ids are kept.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bridge.errors import IdReused
from bridge.protocol import Command

Reply = dict[str, Any]


@dataclass
class _Entry:
    type: str
    task: asyncio.Future[Reply]


class ReplyCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def reply(self, command: Command, execute: Callable[[], Awaitable[Reply]]) -> Reply:
        """The reply to `command`, carrying it out only if its id is new. `execute` must not raise:
        it returns the reply, ok or error."""
        entry = self._entries.get(command.id)
        if entry is None:
            entry = _Entry(command.type, asyncio.ensure_future(execute()))
            self._entries[command.id] = entry
            self._trim()
        elif entry.type != command.type:
            raise IdReused(f"id {command.id!r} was already used for a {entry.type} command", command.id)
        return await asyncio.shield(entry.task)

    def _trim(self) -> None:
        """Forget the oldest finished ids beyond `size`; never one still running."""
        excess = len(self._entries) - self.size
        for command_id in [i for i, e in self._entries.items() if e.task.done()][: max(0, excess)]:
            del self._entries[command_id]
