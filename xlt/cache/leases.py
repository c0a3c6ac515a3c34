"""Leases on phase-cache keys, so that trials needing the same phase train it once.

On Ray, a named actor holding a `Leases` table (`xlt.sweep.sweep_actor`, created by the sweep
driver) holds the leases, so trials on any node of the cluster see them. A holder renews its
lease while it trains; a lease not renewed within `ttl` seconds (its trial died) expires, and a
waiting trial takes over.
"""

import threading
import time
from collections.abc import Callable


class Leases:
    """Lease table: key -> (owner, expiry). Thread-safe; also the Ray actor's state. `clock` (seconds,
    monotonic) is injectable so that expiry is tested without sleeping."""

    def __init__(self, ttl: float = 120.0, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._held: dict[str, tuple[str, float]] = {}
        self._mutex = threading.Lock()

    def acquire(self, key: str, owner: str) -> bool:
        with self._mutex:
            now = self._clock()
            holder = self._held.get(key)
            if holder and holder[0] != owner and holder[1] > now:
                return False
            self._held[key] = (owner, now + self.ttl)
            return True

    def renew(self, key: str, owner: str) -> None:
        with self._mutex:
            if self._held.get(key, (None,))[0] == owner:
                self._held[key] = (owner, self._clock() + self.ttl)

    def release(self, key: str, owner: str) -> None:
        with self._mutex:
            if self._held.get(key, (None,))[0] == owner:
                del self._held[key]


class Renewer:
    """Renews a lease from a daemon thread while a phase trains."""

    def __init__(self, renew: Callable[[], None], every: float):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(renew, every), daemon=True)

    def _run(self, renew, every):
        while not self._stop.wait(every):
            renew()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
