"""`xlt sweep submit/status/logs` against a Ray head started with `ray start --head` on loopback."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from xlt.results import read_results

from conftest import REPO

pytestmark = pytest.mark.ray


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head(tmp_path_factory):
    """A separate head on loopback; its processes are found by their temp dir and killed by PID
    (`ray stop` would also stop the test session's Ray)."""
    temp = Path(tempfile_dir := tmp_path_factory.mktemp("rayhead"))
    # every port free and our own: the session's Ray (same machine) holds the default agent ports
    port, dash, agent, agent_grpc, metrics, runtime_env = (_free_port() for _ in range(6))
    ray_bin = Path(sys.executable).parent / "ray"
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run([str(ray_bin), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                    "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}", "--num-cpus=2",
                    f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
                    f"--metrics-export-port={metrics}", f"--runtime-env-agent-port={runtime_env}",
                    '--resources={"trial_slot": 1}', f"--temp-dir={temp}", "--memory=2000000000",
                    "--object-store-memory=200000000", "--disable-usage-stats"],
                   check=True, env=env, capture_output=True, timeout=120)
    yield f"http://127.0.0.1:{dash}"
    mine = [p for p in psutil.process_iter(["cmdline"]) if str(tempfile_dir) in " ".join(p.info["cmdline"] or [])]
    family = {p.pid: p for p in mine}
    for p in mine:  # with their children: agents do not name the temp dir, and outlive a killed raylet
        try:
            family.update({c.pid: c for c in p.children(recursive=True)})
        except psutil.NoSuchProcess:
            pass
    for p in family.values():
        if p.pid != os.getpid():
            try:
                p.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
    shutil.rmtree(temp, ignore_errors=True)


def xlt(*args):
    return subprocess.run([sys.executable, "-m", "xlt.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_submit_a_sweep_as_a_ray_job_and_follow_it(ray_head, tmp_path):
    out = xlt("sweep", "submit", "sweeps/demo.yaml", f"storage={tmp_path}", "name=job", "intermediate.tasks=none",
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
