"""Claiming a phase-cache entry: every trial that needs a phase either reuses the entry or holds
the lease to compute it, and all ranks of a trial's worker group take the same decision.

    with claim(cache, "intermediate", key, rt, owner) as slot:
        if slot.hit is None:
            rows = train()                       # this trial holds the lease (renewed while it trains)
            slot.store(rows, steps, weights=w)   # rank 0 writes; the others' store does nothing
    if slot.hit is not None:
        meta, weights = slot.hit                 # another trial (or an earlier sweep) computed it

Rank 0 decides, one poll at a time, and every rank takes part in each poll's one short collective:
while another trial trains the key, the ranks wait together in `poll_s` steps, so no collective
waits longer than a poll, whatever the process group's timeout (a wait can last hours, for an
XLM-R large intermediate phase). The lease is released when the block ends, however it ends.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from xlt.cache.store import PhaseCache
from xlt.cache.leases import Renewer
from xlt.trial.runtime import Runtime

log = logging.getLogger(__name__)

LEASE_POLL_S = 2.0
"""How often ranks waiting for another trial's entry look again."""
RENEW_EVERY_S = 20.0
"""How often the holder renews its lease while it computes (the lease table's ttl is 120 s)."""


@dataclass
class Slot:
    """What a claim found: `hit` is the cached (meta, weights), or None when this trial computes."""

    hit: tuple[dict, dict | None] | None
    _save: object = field(default=None, repr=False)

    def store(self, rows: list, steps: int, scores: dict | None = None, weights: dict | None = None) -> None:
        """Save the computed phase (rank 0 of a trial with a cache; a no-op elsewhere)."""
        if self.hit is not None:
            raise RuntimeError("a cache hit is stored already")
        if self._save is not None:
            self._save(rows, steps, scores, weights)


@contextmanager
def claim(cache: PhaseCache | None, kind: str, key: str, rt: Runtime, owner: str,
          poll_s: float = LEASE_POLL_S) -> Iterator[Slot]:
    """A `Slot` for `kind/key`: the cached entry, or the lease to compute it (see the module)."""
    if cache is None:  # no cache: every trial computes, nothing is stored
        yield Slot(None)
        return
    hit = _wait_for_entry(cache, kind, key, rt, owner, poll_s)
    if hit is not None:
        yield Slot(hit)
        return
    lead = rt.rank == 0
    try:
        with Renewer(lambda: rt.renew(key, owner), every=RENEW_EVERY_S) if lead else nullcontext():
            yield Slot(None, (lambda rows, steps, scores, weights:
                              cache.save_phase(kind, key, rows, steps, scores, weights)) if lead else None)
    finally:
        if lead:
            rt.release(key, owner)


def _wait_for_entry(cache: PhaseCache, kind: str, key: str, rt: Runtime, owner: str, poll_s: float):
    """The cached (meta, weights), or None once this trial holds the lease to compute them."""
    told = False
    while True:
        hit, status = None, None
        if rt.rank == 0:
            hit = cache.load(kind, key)
            if hit is not None:
                status = "hit"
            elif rt.acquire(key, owner):
                hit = cache.load(kind, key)  # finished between our look and our lease?
                if hit is not None:
                    rt.release(key, owner)
                status = "hit" if hit is not None else "compute"
            else:
                status = "wait"
        status = rt.all_gather(status)[0]
        if status == "hit":
            return hit if hit is not None else cache.load(kind, key)
        if status == "compute":
            return None
        if not told:
            log.info("%s %s: another trial is computing it; waiting", kind, key)
            told = True
        rt.sleep(poll_s)
