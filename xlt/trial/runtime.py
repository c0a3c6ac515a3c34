"""Where a trial runs: the few things the pipeline needs from its worker group.

`LocalRuntime` is one process without Ray (unit tests, debugging). `xlt.sweep.worker.RayRuntime` is a
Ray Train worker in a DDP group. `DriverRuntime` is a Tune trial driver running a trial in its own
process (the surrogate backend: nothing to train).
"""

import shutil
import time
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from xlt.cache.leases import Leases


class Runtime:
    rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")
    keeps_checkpoints: bool = True
    """Whether a unit's report carries a checkpoint to resume from."""

    def wrap(self, model: nn.Module, find_unused_parameters: bool = False) -> nn.Module:
        """The module to train: DDP-wrapped in a group, as is alone."""
        return model

    def all_gather(self, obj: Any) -> list[Any]:
        return [obj]

    def report(self, metrics: dict, checkpoint_dir: Path | None = None) -> None:
        raise NotImplementedError

    def restored_checkpoint(self) -> Path | None:
        """A directory holding the checkpoint this trial resumes from, or None."""
        return None

    def done_with_restored(self, directory: Path) -> None:
        """The restored checkpoint has been read: a runtime that copied it there removes the copy."""

    def sleep(self, seconds: float) -> None:
        """Wait (every rank together); tests inject a clock."""
        time.sleep(seconds)

    # leases on phase-cache keys (see xlt.cache.leases); one process holds them here
    def acquire(self, key: str, owner: str) -> bool:
        return _LOCAL_LEASES.acquire(key, owner)

    def renew(self, key: str, owner: str) -> None:
        _LOCAL_LEASES.renew(key, owner)

    def release(self, key: str, owner: str) -> None:
        _LOCAL_LEASES.release(key, owner)


_LOCAL_LEASES = Leases()


@dataclass
class LocalRuntime(Runtime):
    """Single process; keeps what was reported (checkpoints copied, as Ray Train would), for tests."""

    resume_from: Path | None = None
    reports: list[dict] = field(default_factory=list)
    checkpoints: list[Path] = field(default_factory=list)

    def report(self, metrics: dict, checkpoint_dir: Path | None = None) -> None:
        self.reports.append(dict(metrics))
        if checkpoint_dir is not None:
            kept = Path(tempfile.mkdtemp(prefix="xlt-local-ckpt-"))
            shutil.copytree(checkpoint_dir, kept, dirs_exist_ok=True)
            self.checkpoints.append(kept)

    def restored_checkpoint(self) -> Path | None:
        return self.resume_from


@dataclass
class DriverRuntime(Runtime):
    """A Tune trial driver running a trial in its own process: reports go to `report`
    (`ray.tune.report`), only those carrying the objective (Optuna reads it from every result it is
    given), and without checkpoints (a restarted surrogate trial recomputes what the phase cache
    does not hold, at no cost). Leases are this process's: trials in other drivers do not wait for
    each other, as a computation here takes milliseconds."""

    forward: Callable[[dict], None]
    keeps_checkpoints: bool = False

    def report(self, metrics: dict, checkpoint_dir: Path | None = None) -> None:
        if "objective" in metrics:
            self.forward(metrics)
