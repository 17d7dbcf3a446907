import asyncio

import pytest

from bridge.errors import IdReused
from bridge.idempotency import ReplyCache
from bridge.protocol import Command


def run(coro):
    return asyncio.run(coro)


def counting_execute(runs: list[str], gate: asyncio.Event | None = None):
    def make(command: Command):
        async def execute():
            runs.append(command.id)
            if gate is not None:
                await gate.wait()
            return {"type": "ok", "id": command.id, "n": len(runs)}

        return execute

    return make


def test_a_command_id_is_carried_out_once_and_answered_every_time():
    async def go():
        cache, runs = ReplyCache(), []
        execute = counting_execute(runs)
        command = Command("print", "r-1")
        first = await cache.reply(command, execute(command))
        again = await cache.reply(command, execute(command))
        return first, again, runs

    first, again, runs = run(go())
    assert first == again == {"type": "ok", "id": "r-1", "n": 1}
    assert runs == ["r-1"]


def test_a_retry_while_the_first_is_running_waits_for_it_even_if_the_first_asker_leaves():
    async def go():
        cache, runs, gate = ReplyCache(), [], asyncio.Event()
        execute = counting_execute(runs, gate)
        command = Command("print", "r-2")
        first = asyncio.create_task(cache.reply(command, execute(command)))
        await asyncio.sleep(0)
        first.cancel()  # the connection that asked dropped
        retry = asyncio.create_task(cache.reply(command, execute(command)))
        await asyncio.sleep(0)
        assert not retry.done()
        gate.set()
        return await retry, runs

    reply, runs = run(go())
    assert reply["n"] == 1 and runs == ["r-2"]


def test_only_the_most_recent_ids_are_remembered_and_running_ones_never_forgotten():
    async def go():
        cache, runs, gate = ReplyCache(size=3), [], asyncio.Event()
        slow = Command("print", "slow")
        running = asyncio.create_task(cache.reply(slow, counting_execute(runs, gate)(slow)))
        await asyncio.sleep(0)
        for i in range(5):
            command = Command("drawer.open", f"d-{i}")
            await cache.reply(command, counting_execute(runs)(command))
        remembered = len(cache)
        gate.set()
        await running
        again = Command("drawer.open", "d-0")
        await cache.reply(again, counting_execute(runs)(again))
        return remembered, runs

    remembered, runs = run(go())
    assert remembered == 3  # "slow" (running) and the two newest
    assert runs.count("d-0") == 2  # forgotten, so carried out again
    assert runs.count("slow") == 1


def test_an_id_cannot_be_reused_for_another_kind_of_command():
    async def go():
        cache, runs = ReplyCache(), []
        drawer = Command("drawer.open", "same")
        await cache.reply(drawer, counting_execute(runs)(drawer))
        receipt = Command("print", "same")
        await cache.reply(receipt, counting_execute(runs)(receipt))

    with pytest.raises(IdReused):
        run(go())
