"""One-deep mailboxes by key, held in the sweep's actor (xlt.sweep.sweep_actor): how a trial's Ray
Train controller hands its reports to the trial's function (xlt.sweep.stoppable_fit).

A mailbox holds one item: a `put` waits while it is full, as Ray's `Queue(maxsize=1)` did, so a
controller waits until the trial took its last report. Every trial used to start a queue actor of
its own for this, a process that costs a second of CPU to start and wakes 100 times a second for
the length of the trial (Ray core's signal check; BENCHMARKS.md "Ray's share of a small node");
the mailboxes share the one actor a sweep already runs for its lease table.
"""

import asyncio
import queue
from typing import Any


class Mailboxes:
    """The table: key -> one item. Its methods are coroutines of the actor's event loop; a closed
    key takes no more items (a late `put` is dropped, a `take` finds nothing)."""

    def __init__(self):
        self._items: dict[str, Any] = {}
        self._closed: set[str] = set()
        self._changed = asyncio.Condition()

    async def put(self, key: str, item: Any) -> bool:
        """Wait until `key`'s box is empty, then put `item` in it; False (dropped) once it is closed."""
        async with self._changed:
            await self._changed.wait_for(lambda: key in self._closed or key not in self._items)
            if key in self._closed:
                return False
            self._items[key] = item
            self._changed.notify_all()
            return True

    async def take(self, key: str, timeout: float) -> tuple[bool, Any]:
        """(True, the item) as soon as `key`'s box holds one, or (False, None) after `timeout` s."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: key in self._items), timeout)
            except TimeoutError:
                return False, None
            item = self._items.pop(key)
            self._changed.notify_all()
            return True, item

    async def full(self, key: str) -> bool:
        return key in self._items

    async def close(self, key: str) -> None:
        """Drop `key`'s item, if any, and every later one; a `put` waiting on it returns False."""
        async with self._changed:
            self._closed.add(key)
            self._items.pop(key, None)
            self._changed.notify_all()


class Mailbox:
    """One key of the sweep actor's mailboxes, with a blocking `queue.Queue`-like face for the
    threads of a trial's function and its run's controller (it travels to the controller)."""

    def __init__(self, actor, key: str):
        self.actor, self.key = actor, key

    def put(self, item: Any) -> None:
        import ray

        ray.get(self.actor.put.remote(self.key, item))

    def get(self, timeout: float) -> Any:
        """The next item; raises `queue.Empty` after `timeout` s without one."""
        import ray

        got, item = ray.get(self.actor.take.remote(self.key, timeout))
        if not got:
            raise queue.Empty
        return item

    def full(self) -> bool:
        import ray

        return ray.get(self.actor.full.remote(self.key))

    def shutdown(self) -> None:
        import ray

        ray.get(self.actor.close.remote(self.key))
