"""`xlt sweep submit/status/logs` against a Ray head started with `ray start --head` on loopback."""

import subprocess
import sys
import time

import pytest

import ray_heads as heads

from xlt.results.rows import read_results

from conftest import REPO

pytestmark = pytest.mark.ray


@pytest.fixture
def ray_head():
    with heads.ray_head("--num-cpus=2", '--resources={"trial_slot": 1}') as head:
        yield head.dashboard


def xlt(*args):
    return subprocess.run([sys.executable, "-m", "xlt.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_submit_a_sweep_as_a_ray_job_and_follow_it(ray_head, tmp_path):
    out = xlt("sweep", "submit", "sweeps/demo.yaml", f"storage={tmp_path}", "name=job", "intermediate.tasks=none", "target.learning_rate=1.0e-3",
              "search.num_trials=1", "target.epochs=1", "data.max_train_examples=32", "model.max_seq_length=64",
              "resources.max_concurrent_trials=1", "--address", ray_head, "--python", sys.executable)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("submitted xlt-job-")
    deadline, state = time.monotonic() + 400, ""
    while time.monotonic() < deadline:
        state = xlt("sweep", "status", "job", "--address", ray_head).stdout
        if "SUCCEEDED" in state or "FAILED" in state or "STOPPED" in state:
            break
        time.sleep(3)
    logs = xlt("sweep", "logs", "job", "--address", ray_head).stdout
    assert "SUCCEEDED" in state, state + logs[-3000:]
    assert "finished (1/1)" in logs and f"results: {tmp_path / 'job' / 'results'}" in logs
    assert read_results(str(tmp_path / "job" / "results")).num_rows > 0
    assert xlt("sweep", "status", "nope", "--address", ray_head).returncode == 2
