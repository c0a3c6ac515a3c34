"""The embedded Ray's torch backend (xlt.sweep.local_ray.loopback_torch_config), fitted for real on
the test session's Ray: two workers rendezvous through a store on loopback and run collectives; one
worker gets neither store nor process group (nothing to synchronise), so neither its listening
socket nor gloo's thread, which woke 100 times a second beside the training loop."""

import json
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.ray


def _fit(workers: int, out: Path) -> list[dict]:
    import ray.train

    def worker(config: dict) -> None:  # defined here: Ray pickles it by value (workers cannot import tests)
        import ray.train
        import torch.distributed as dist

        rank = ray.train.get_context().get_world_rank()
        gathered = None
        if dist.is_initialized():
            gathered = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, rank)
        # thread names as the kernel has them: gloo's threads are not Python's
        native = {p.read_text().strip() for p in Path("/proc/self/task").glob("*/comm")}
        seen = {"initialized": dist.is_initialized(), "gathered": gathered,
                "threads": sorted({t.name for t in threading.enumerate()} | native)}
        Path(config["out"], f"rank{rank}.json").write_text(json.dumps(seen))

    from xlt.sweep.local_ray import loopback_torch_config
    from xlt.sweep.trainer import lean_torch_trainer

    lean_torch_trainer()(worker, train_loop_config={"out": str(out)}, torch_config=loopback_torch_config(60),
                         scaling_config=ray.train.ScalingConfig(num_workers=workers, resources_per_worker={"CPU": 1}),
                         run_config=ray.train.RunConfig(storage_path=str(out / "runs"), name=f"w{workers}")).fit()
    return [json.loads((out / f"rank{i}.json").read_text()) for i in range(workers)]


def test_two_workers_rendezvous_on_loopback_and_one_worker_needs_no_process_group(ray_cluster, tmp_path):
    (tmp_path / "two").mkdir()
    (tmp_path / "one").mkdir()
    two = _fit(2, tmp_path / "two")
    assert [w["initialized"] for w in two] == [True, True]
    assert [w["gathered"] for w in two] == [[0, 1], [0, 1]]
    assert any("gloo" in name for name in two[0]["threads"]), two[0]["threads"]
    (one,) = _fit(1, tmp_path / "one")
    assert one["initialized"] is False and one["gathered"] is None
    assert not any("gloo" in name for name in one["threads"]), one["threads"]


def test_the_embedded_rays_trials_rendezvous_on_loopback_with_gpus_too(monkeypatch):
    """On the embedded Ray a trial on GPUs used Ray's TorchConfig, whose store listens on every
    interface; now xlt's backend serves it on loopback with nccl, and NCCL's bootstrap sockets stay
    on `lo` (not run here: no GPU). A cluster keeps Ray's own."""
    from xlt.config import load_sweep
    from xlt.sweep.local_ray import prepare_loopback_ray
    from xlt.sweep.run import trial_torch_config

    from conftest import REPO

    gpus = load_sweep(REPO / "sweeps" / "demo.yaml", ["resources.gpus_per_worker=1"])
    embedded, cluster = trial_torch_config(gpus, local=True), trial_torch_config(gpus, local=False)
    assert (type(embedded).__name__, embedded.backend) == ("LoopbackTorchConfig", "nccl")
    assert (type(cluster).__name__, cluster.backend) == ("TorchConfig", None)  # Ray picks nccl on GPUs
    cpus = trial_torch_config(load_sweep(REPO / "sweeps" / "demo.yaml"), local=True)
    assert (type(cpus).__name__, cpus.backend) == ("LoopbackTorchConfig", "gloo")
    import os

    import ray._private.ray_constants as constants

    for name in ("NCCL_SOCKET_IFNAME", "GLOO_SOCKET_IFNAME", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "ENABLE_RAY_CLUSTER", constants.ENABLE_RAY_CLUSTER)  # restored after
    prepare_loopback_ray()
    assert os.environ["NCCL_SOCKET_IFNAME"] == "lo" and os.environ["GLOO_SOCKET_IFNAME"] == "lo"
