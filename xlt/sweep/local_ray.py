"""The embedded local Ray, listening on loopback only, with Ray's token auth on.

Ray 2.60 binds its servers to the node IP, and on Linux it swaps a node IP of 127.0.0.1 for the
host's address unless `ENABLE_RAY_CLUSTER` is off (ray/_private/services.py,
`resolve_ip_for_localhost`; read from RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER at import). Off, the node
IP is 127.0.0.1 and the GCS, raylet, core workers, dashboard and its agents all listen on
loopback. It also keeps this Ray single-node: a user's own cluster (`--address`) is untouched.

One listener is torch's, not Ray's: Ray Train's rendezvous TCPStore listens on every interface
(`::`) with no authentication. `LoopbackTorchConfig` hosts it on a socket bound to 127.0.0.1
instead, every rank a client: gloo on CPU workers, nccl on GPUs (whose bootstrap sockets
NCCL_SOCKET_IFNAME keeps on loopback; not run on GPUs here: this project's machine has none). A trial of
one worker gets neither store nor process group: xlt runs no collective at world size 1
(xlt.sweep.worker.RayRuntime), and Ray's backend already leaves such a group alone at shutdown. That
is a listening socket fewer, and a gloo thread fewer in the training process, which woke 100 times a
second beside the loop (BENCHMARKS.md, "Ray's share of a small node"). It rests on Ray Train's
private backend hooks (`ray.train.torch.config`): checked against ray 2.60.
"""

import os

LOOPBACK = "127.0.0.1"


def prepare_loopback_ray() -> None:
    """Before `ray.init()` starts the embedded local Ray: its node IP stays 127.0.0.1 (so every
    server binds loopback), in this process and in every process it starts."""
    import ray._private.ray_constants as constants

    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    os.environ.setdefault("NCCL_SOCKET_IFNAME", "lo")  # NCCL's bootstrap: one node, loopback (its default skips lo)
    constants.ENABLE_RAY_CLUSTER = False  # read at import: ray may be imported already


def loopback_torch_config(timeout_s: int = 1800, backend: str = "gloo"):
    """A TorchConfig whose rendezvous store listens on 127.0.0.1 only: gloo on CPU workers, nccl on
    GPUs (its bootstrap sockets on loopback too: NCCL_SOCKET_IFNAME, prepare_loopback_ray)."""
    from dataclasses import dataclass

    import ray
    from ray.train.torch.config import (TorchConfig, _set_torch_distributed_env_vars, _setup_torch_process_group,
                                        _TorchBackend)

    class _LoopbackBackend(_TorchBackend):
        def on_start(self, worker_group, backend_config):
            if len(worker_group) == 1:  # nothing to synchronise: no store, no process group (module docstring)
                worker_group.execute(_set_torch_distributed_env_vars)
                return
            port = worker_group.execute_single(0, _host_store, world_size=len(worker_group),
                                               timeout_s=backend_config.timeout_s)
            worker_group.execute(_point_at_store, port=port)
            worker_group.execute(_set_torch_distributed_env_vars)
            ray.get([worker_group.execute_single_async(i, _setup_torch_process_group, backend=backend_config.backend, world_rank=i,
                                                       world_size=len(worker_group), init_method="env://",
                                                       timeout_s=backend_config.timeout_s)
                     for i in range(len(worker_group))])

    @dataclass
    class LoopbackTorchConfig(TorchConfig):
        @property
        def backend_cls(self):
            return _LoopbackBackend

    return LoopbackTorchConfig(backend=backend, timeout_s=timeout_s)


_STORE: dict = {}  # rank 0's hosted store, alive as long as its worker


def _host_store(world_size: int, timeout_s: int) -> int:
    """On rank 0: a TCPStore serving on a socket bound to loopback; its port."""
    import datetime
    import socket

    import torch.distributed as dist

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    store = dist.TCPStore(LOOPBACK, port, world_size, True, timeout=datetime.timedelta(seconds=timeout_s),
                          wait_for_workers=False, multi_tenant=True, master_listen_fd=sock.fileno())
    _STORE["store"] = (sock, store)
    return port


def _point_at_store(port: int) -> None:
    os.environ["MASTER_ADDR"] = LOOPBACK
    os.environ["MASTER_PORT"] = str(port)
    os.environ["TORCHELASTIC_USE_AGENT_STORE"] = "True"  # every rank a client of the hosted store
