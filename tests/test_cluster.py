"""Multi-node behaviour on one machine: a node lost mid-trial, and autoscaling GPU workers on
Ray's fake multi-node provider (cluster/local-autoscale.yaml)."""

import json
import re
import subprocess
import sys
import time

import pytest
import yaml

import ray_heads as heads

from xlt.results.rows import KEY, read_results

from conftest import REPO

pytestmark = pytest.mark.ray

SMALL = ["target.epochs=1", "data.max_train_examples=32", "model.max_seq_length=64", "search.algorithm=random"]


def test_a_node_lost_mid_trial_reschedules_it_and_the_sweep_completes(tmp_path):
    out = subprocess.run([sys.executable, str(REPO / "tests" / "node_loss.py"), str(tmp_path), "name=nodes",
                          "intermediate.tasks=mnli", "intermediate.steps=20", "search.num_trials=2",
                          "resources.max_concurrent_trials=2", *SMALL],
                         cwd=REPO, capture_output=True, text=True, timeout=500, env=heads.ray_env())
    log = (tmp_path / "sweep.log").read_text()
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["both_nodes_busy"], "trials never ran on both nodes at once"
    assert seen["removed_while_busy"], "the worker node was never removed mid-trial"
    assert seen["sweep_exit"] == 0, log[-4000:]
    assert "[FailurePolicy] RETRY" in log  # Ray Train restarted the trial that lost its worker
    assert "failed" not in log.split("results:")[0].splitlines()[-1]

    rows = read_results(str(tmp_path / "nodes" / "results")).to_pylist()
    keys = [tuple(r[k] for k in KEY) for r in rows]
    assert len(keys) == len(set(keys))
    trials = {r["trial_id"] for r in rows}
    assert len(trials) == 2
    for trial in trials:  # complete: the intermediate unit and zero-shot on every XNLI language
        phases = {r["phase"] for r in rows if r["trial_id"] == trial}
        assert {"intermediate", "zero_shot"} <= phases
        assert len({r["language"] for r in rows if r["trial_id"] == trial and r["phase"] == "zero_shot"}) == 15


def _gpu_nodes(head: heads.Head) -> int:
    status = subprocess.run([heads.RAY, "status", "--address", head.address], capture_output=True, text=True,
                            env=head.env, timeout=60).stdout
    active = status.split("Active:")[1].split("Pending:")[0] if "Active:" in status else ""
    return sum(int(n) for n in re.findall(r"^\s*(\d+) gpu_1x\b", active, flags=re.M))


def test_fake_autoscaling_cluster_adds_gpu_nodes_for_a_sweep_and_removes_them_when_idle(tmp_path):
    port = heads.free_ports(1)[0]
    config = yaml.safe_load((REPO / "cluster" / "local-autoscale.yaml").read_text())
    config["provider"]["gcs_address"] = f"127.0.0.1:{port}"
    (tmp_path / "autoscale.yaml").write_text(yaml.safe_dump(config))
    env = heads.ray_env(RAY_FAKE_CLUSTER="1")
    with heads.ray_head("--num-cpus=0", '--resources={"trial_slot": 2}', f"--autoscaling-config={tmp_path / 'autoscale.yaml'}",
                        port=port, env=env) as head:
        assert _gpu_nodes(head) == 0  # GPU workers start at zero
        sweep = subprocess.Popen([sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml", f"storage={tmp_path}",
                                  "name=autoscale", "intermediate.tasks=none", "search.num_trials=2",
                                  "resources.max_concurrent_trials=2", "resources.gpus_per_worker=1",
                                  "resources.simulated_gpus=true", *SMALL, "--address", head.address],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        most, deadline = 0, time.monotonic() + 400
        while sweep.poll() is None and time.monotonic() < deadline:
            most = max(most, _gpu_nodes(head))
            time.sleep(2)
        log = sweep.communicate(timeout=60)[0]
        assert sweep.returncode == 0, log[-4000:]
        assert most == 2, f"expected 2 GPU workers for 2 concurrent one-GPU trials, saw at most {most}"
        deadline = time.monotonic() + 180  # idle_timeout_minutes: 0.2, plus the monitor's period
        while _gpu_nodes(head) and time.monotonic() < deadline:
            time.sleep(3)
        assert _gpu_nodes(head) == 0, "idle GPU workers were not removed"
    rows = read_results(str(tmp_path / "autoscale" / "results")).to_pylist()
    assert len({r["trial_id"] for r in rows if r["phase"] == "zero_shot"}) == 2
