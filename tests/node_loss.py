"""Run a sweep on a two-node Ray cluster on this machine, lose the worker node mid-trial, and
report what happened as one JSON line. Run as a script (its own process: the test session
already has a Ray), by tests/test_cluster.py.

    python tests/node_loss.py STORAGE [OVERRIDE ...]

The head hosts the trial drivers (`trial_slot`) and one CPU; the worker node has one CPU, so two
concurrent one-worker trials run one on each node (the test runs two). When both nodes are busy and a trial has
checkpointed, the worker node is removed (a spot preemption) and a fresh one joins, as a cloud
autoscaler would replace it; the trial that lost its worker restarts from its checkpoint.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ray
from ray.cluster_utils import Cluster

from ray_heads import free_ports, kill_processes_naming

REPO = Path(__file__).resolve().parent.parent


def node_args(**extra) -> dict:
    """A one-CPU node whose agents use ports of their own (another Ray runs on this machine)."""
    agent, grpc, metrics, runtime_env = free_ports(4)
    return dict(num_cpus=1, object_store_memory=100 * 1024 * 1024, dashboard_agent_listen_port=agent,
                metrics_agent_port=grpc, metrics_export_port=metrics, runtime_env_agent_port=runtime_env, **extra)


def busy_cpus(node_id: str) -> float:
    total = {n["NodeID"]: n["Resources"].get("CPU", 0) for n in ray.nodes() if n["Alive"]}
    available = ray._private.state.available_resources_per_node()
    return total.get(node_id, 0) - available.get(node_id, {}).get("CPU", 0)


def main(storage: str, overrides: list[str]) -> dict:
    temp = tempfile.mkdtemp(prefix="xlt-ray-")  # short: Ray's socket paths live under it
    os.environ["RAY_TMPDIR"] = temp
    os.makedirs(os.path.join(temp, "ray"))
    cluster = Cluster(initialize_head=True, head_node_args=node_args(resources={"trial_slot": 2}, temp_dir=temp,
                                                                        include_dashboard=False))
    worker = cluster.add_node(**node_args())
    ray.init(address=cluster.address, logging_level="WARNING", log_to_driver=False)
    head_id, worker_id = cluster.head_node.node_id, worker.node_id
    log = open(Path(storage) / "sweep.log", "w")
    sweep = subprocess.Popen([sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml",
                              f"storage={storage}", *overrides, "--address", cluster.address],
                             cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    seen = {"both_nodes_busy": False, "removed_while_busy": False}
    deadline = time.monotonic() + 400
    try:
        while sweep.poll() is None and time.monotonic() < deadline:
            both = busy_cpus(head_id) > 0 and busy_cpus(worker_id) > 0
            seen["both_nodes_busy"] |= both
            checkpointed = any((Path(storage)).glob("*/train/*/checkpoint_*"))
            if both and checkpointed and not seen["removed_while_busy"]:
                cluster.remove_node(worker, allow_graceful=False)
                seen["removed_while_busy"] = True
                seen["removed_at"] = time.time()
                cluster.add_node(**node_args())  # the autoscaler's replacement
            time.sleep(0.5)
        seen["sweep_exit"] = sweep.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if sweep.poll() is None:
            sweep.kill()
        ray.shutdown()
        cluster.shutdown()
        kill_processes_naming(f"--address={cluster.address} ")  # Ray's client server outlives shutdown()
        shutil.rmtree(temp, ignore_errors=True)
    return seen


if __name__ == "__main__":
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
