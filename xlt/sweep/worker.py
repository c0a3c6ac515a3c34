"""The Ray Train edge: the runtime of a Ray Train worker (DDP group, checkpoints through
`ray.train`, leases through the sweep's lock actor) and the entry point each worker runs. The
training loop (xlt.trial.train) and the trial (xlt.trial.torch_backend) are plain torch; only this module talks to
Ray Train.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from xlt.trial.torch_backend import run_trial
from xlt.trial.runtime import Runtime


class RayRuntime(Runtime):
    """A Ray Train worker: DDP group set up by TorchTrainer, checkpoints through ray.train."""

    def __init__(self, num_threads: int, gpus: str = "none"):
        import ray.train
        import ray.train.torch

        ctx = ray.train.get_context()
        self.rank, self.world_size = ctx.get_world_rank(), ctx.get_world_size()
        # simulated GPUs (fake autoscaling cluster) are Ray accounting only: train on CPU
        self.device = torch.device("cpu") if gpus == "simulated" else ray.train.torch.get_device()
        if gpus == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"this worker was given a GPU by Ray (resources.gpus_per_worker) but torch sees no CUDA "
                               f"device on node {ray.util.get_node_ip_address()}; on a simulated cluster set "
                               f"resources.simulated_gpus: true")
        if self.device.type == "cpu":
            torch.set_num_threads(max(1, num_threads))

    def wrap(self, model: nn.Module, find_unused_parameters: bool = False) -> nn.Module:
        if self.world_size == 1:
            return model
        ids = [self.device.index] if self.device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(model, device_ids=ids, find_unused_parameters=find_unused_parameters)

    def all_gather(self, obj: Any) -> list[Any]:
        if self.world_size == 1:
            return [obj]
        out: list[Any] = [None] * self.world_size
        torch.distributed.all_gather_object(out, obj)
        return out

    def report(self, metrics: dict, checkpoint_dir: Path | None = None) -> None:
        import ray.train

        checkpoint = ray.train.Checkpoint.from_directory(str(checkpoint_dir)) if checkpoint_dir else None
        ray.train.report(metrics, checkpoint=checkpoint)

    def acquire(self, key: str, owner: str) -> bool:
        import ray

        return ray.get(self._locks().acquire.remote(key, owner))

    def renew(self, key: str, owner: str) -> None:
        import ray

        ray.get(self._locks().renew.remote(key, owner))

    def release(self, key: str, owner: str) -> None:
        import ray

        ray.get(self._locks().release.remote(key, owner))

    def _locks(self):
        from xlt.sweep.sweep_actor import sweep_actor

        if not hasattr(self, "_sweep_actor"):
            self._sweep_actor = sweep_actor()
        return self._sweep_actor

    def restored_checkpoint(self) -> Path | None:
        import ray.train

        checkpoint = ray.train.get_checkpoint()
        if checkpoint is None:
            return None
        local = Path(tempfile.mkdtemp(prefix="xlt-restore-"))
        return Path(checkpoint.to_directory(str(local)))

    def done_with_restored(self, directory: Path) -> None:
        """Remove this worker's copy (restored_checkpoint): each restart of each rank made one, the
        encoder included where the trial has no cache, and none was ever removed."""
        shutil.rmtree(directory, ignore_errors=True)


def train_loop_per_worker(config: dict) -> None:
    """Entry point of each Ray Train worker: run every phase of one trial."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    plan = config["plan"]
    run_trial(plan, RayRuntime(num_threads=int(plan.cpus_per_worker), gpus=plan.gpus))
