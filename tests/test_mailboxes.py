"""The sweep actor's report mailboxes (xlt.sweep.mailboxes), on an event loop of their own: the
one-deep queue semantics a trial's controller and function rely on (xlt.sweep.stoppable_fit)."""

import asyncio

from xlt.sweep.mailboxes import Mailboxes


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_put_waits_until_the_last_item_was_taken():
    async def scenario():
        boxes = Mailboxes()
        assert await boxes.put("a", 1)
        second = asyncio.create_task(boxes.put("a", 2))
        await asyncio.sleep(0.05)
        assert not second.done() and await boxes.full("a")  # one deep: the second put waits
        assert await boxes.take("a", 1.0) == (True, 1)
        assert await second is True
        assert await boxes.take("a", 1.0) == (True, 2)
        assert not await boxes.full("a")

    run(scenario())


def test_a_take_waits_for_the_next_item_or_its_timeout():
    async def scenario():
        boxes = Mailboxes()
        waiting = asyncio.create_task(boxes.take("a", 5.0))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await boxes.put("a", "report")
        assert await waiting == (True, "report")
        loop = asyncio.get_running_loop()
        start = loop.time()
        assert await boxes.take("a", 0.1) == (False, None)
        assert 0.09 <= loop.time() - start < 1.0

    run(scenario())


def test_keys_do_not_share_items():
    async def scenario():
        boxes = Mailboxes()
        await boxes.put("a", 1)
        assert await boxes.put("b", 2)  # another key's box is empty: no wait
        assert await boxes.take("b", 0.1) == (True, 2)
        assert await boxes.take("b", 0.05) == (False, None)
        assert await boxes.take("a", 0.1) == (True, 1)

    run(scenario())


def test_closing_drops_the_item_and_releases_a_waiting_put():
    async def scenario():
        boxes = Mailboxes()
        await boxes.put("a", 1)
        waiting = asyncio.create_task(boxes.put("a", 2))  # a controller on a full box
        await asyncio.sleep(0.05)
        await boxes.close("a")
        assert await asyncio.wait_for(waiting, 1.0) is False
        assert await boxes.put("a", 3) is False  # a late put is dropped, not kept
        assert not await boxes.full("a")
        assert await boxes.take("a", 0.05) == (False, None)

    run(scenario())
