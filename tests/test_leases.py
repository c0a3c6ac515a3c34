"""Leases on phase-cache keys (xlt.cache.leases): exclusive, renewable, expiring, on an injected
clock; the renewer thread."""

import threading

from xlt.cache.leases import Leases, Renewer


def test_leases_are_exclusive_renewable_and_expire():
    now = [0.0]
    leases = Leases(ttl=0.2, clock=lambda: now[0])  # time moves only when the test says
    assert leases.acquire("k", "a") and not leases.acquire("k", "b")
    assert leases.acquire("k", "a")  # re-entrant for its owner
    now[0] = 0.12
    leases.renew("k", "a")  # now held until 0.32
    now[0] = 0.24
    assert not leases.acquire("k", "b")  # renewed: still held (without the renewal it expired at 0.2)
    now[0] = 0.3199
    assert not leases.acquire("k", "b")
    now[0] = 0.33
    assert leases.acquire("k", "b")  # expired: its holder died
    leases.release("k", "a")  # not the owner: no effect
    assert not leases.acquire("k", "a")
    leases.release("k", "b")
    assert leases.acquire("k", "a")


def test_the_renewer_renews_until_the_block_ends():
    renewed = threading.Event()
    calls = []

    def renew():
        calls.append(1)
        renewed.set()

    with Renewer(renew, every=0.01):
        assert renewed.wait(5)  # renewed from its own thread while the block runs
    after = len(calls)
    threading.Event().wait(0.05)
    assert len(calls) == after  # stopped with the block
