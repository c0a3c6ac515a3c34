"""The one actor a sweep's driver owns: the cluster-wide lease table on phase-cache keys
(`xlt.cache.leases.Leases`) and the trials' report mailboxes (`xlt.sweep.mailboxes`), a named Ray
actor. One process serves both: every Ray worker process wakes 100 times a second whatever it
does, and on a small node each wakeup takes a core from a training loop."""

from xlt.cache.leases import Leases
from xlt.sweep.mailboxes import Mailboxes

SWEEP_ACTOR = "xlt-sweep"


class SweepActor:
    """Leases and mailboxes behind one actor. Its mailbox methods are coroutines, so Ray runs it as
    an async actor: every method runs on its event loop, and a waiting `put` or `take` holds no
    thread (the lease methods return at once)."""

    def __init__(self):
        self._leases = Leases()
        self._mail = Mailboxes()

    def acquire(self, key: str, owner: str) -> bool:
        return self._leases.acquire(key, owner)

    def renew(self, key: str, owner: str) -> None:
        self._leases.renew(key, owner)

    def release(self, key: str, owner: str) -> None:
        self._leases.release(key, owner)

    async def put(self, key: str, item) -> bool:
        return await self._mail.put(key, item)

    async def take(self, key: str, timeout: float):
        return await self._mail.take(key, timeout)

    async def full(self, key: str) -> bool:
        return await self._mail.full(key)

    async def close(self, key: str) -> None:
        await self._mail.close(key)


def sweep_actor():
    """The sweep's actor, created on first use by the sweep driver and pinned to the driver's node:
    an actor on a worker node would die with a preempted node, and every trial after it with its
    leases and mailboxes."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    remote = ray.remote(num_cpus=0)(SweepActor)
    return remote.options(name=SWEEP_ACTOR, get_if_exists=True, scheduling_strategy=here).remote()
