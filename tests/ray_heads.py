"""A separate Ray head on loopback for tests that need one of their own (Ray Jobs, the fake
autoscaling cluster). The test session's Ray runs on the same machine, so every port is chosen
free, and the head's processes are found by their temp dir and killed by PID (`ray stop` would
also stop the session's Ray)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

RAY = str(Path(sys.executable).parent / "ray")


def free_ports(n: int) -> list[int]:
    """`n` distinct ports free now (all held open while choosing, so no two are the same)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@dataclass(frozen=True)
class Head:
    address: str
    """GCS address (`--address` of `xlt sweep run`, `ray status`)."""
    dashboard: str
    """Dashboard URL (`--address` of `xlt sweep submit`)."""
    env: dict


def ray_env(**extra) -> dict:
    return {**os.environ, "RAY_AUTH_MODE": "disabled",
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **extra}


@contextlib.contextmanager
def ray_head(*args: str, port: int | None = None, env: dict | None = None):
    """`ray start --head` with `args` added; yields a Head, then kills everything it started."""
    temp = tempfile.mkdtemp(prefix="xlt-head-")  # short: Ray's socket paths live under it
    chosen, dash, agent, agent_grpc, metrics, runtime_env = free_ports(6)
    port = port or chosen
    env = env or ray_env()
    try:
        subprocess.run([RAY, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                        "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}",
                        f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
                        f"--metrics-export-port={metrics}", f"--runtime-env-agent-port={runtime_env}",
                        f"--temp-dir={temp}", "--memory=2000000000", "--object-store-memory=200000000",
                        "--disable-usage-stats", *args],
                       check=True, env=env, capture_output=True, timeout=120)
        yield Head(f"127.0.0.1:{port}", f"http://127.0.0.1:{dash}", env)
    finally:
        kill_processes_naming(temp, f":{port} ")  # the client server names only the GCS address
        shutil.rmtree(temp, ignore_errors=True)


def kill_processes_naming(*markers: str) -> None:
    """Kill (SIGKILL) every process whose command line holds one of `markers`, with its children."""
    mine = [p for p in psutil.process_iter(["cmdline"])
            if any(m in " ".join(p.info["cmdline"] or []) + " " for m in markers)]
    family = {p.pid: p for p in mine}
    for p in mine:  # with their children: agents and autoscaled nodes do not name the temp dir
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
