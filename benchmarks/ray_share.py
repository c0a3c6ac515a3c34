"""Ray's share of a small node: while xlt's loop trains inside Ray Train (1 worker), which
processes beside the worker use the CPU and how much, and what turning each off gives back.

Each variant is a fresh embedded Ray (as `xlt sweep run` starts it: no dashboard, no log
forwarding) in its own process, with settings given as environment variables; the same loop runs
in process without Ray in the same run as the reference. CPU use per process is sampled with psutil
every 0.25 s over the worker's training window.

  python -m benchmarks.ray_share --examples 1024          # the figures in BENCHMARKS.md
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict

VARIANTS = {
    "xlt's embedded Ray": {},
    "+ metrics collection off": {"RAY_enable_metrics_collection": "0"},
    "+ Train health check every 30 s": {"RAY_enable_metrics_collection": "0", "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": "30"},
    "+ usage stats, preemption watcher, print patch off": {
        "RAY_enable_metrics_collection": "0", "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": "30", "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_TRAIN_ENABLE_PREEMPTION_WATCHER": "0", "RAY_TRAIN_ENABLE_PRINT_PATCH": "0"},
}


def _label(proc) -> str:
    """A short name for a Ray process: its role, from the command line."""
    try:
        cmd = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - a process that ended between listing and reading
        return "?"
    for key in ("raylet", "gcs_server", "dashboard/agent.py", "runtime_env/agent", "log_monitor", "monitor.py",
                "dashboard.py", "TrainController", "RayTrainWorker", "ray::IDLE", "default_worker"):
        if key in cmd:
            return key
    return cmd.split()[0].rsplit("/", 1)[-1][:30] if cmd else proc.name()


def _sample(samples: list, stop: threading.Event, me: int) -> None:
    import psutil

    while not stop.is_set():
        now = time.time()
        for p in psutil.process_iter():
            try:
                if p.pid == me:
                    continue
                t = p.cpu_times()
                samples.append((now, p.pid, _label(p), t.user + t.system))
            except Exception:  # noqa: BLE001 - gone or not ours
                continue
        stop.wait(0.25)


def variant(examples: int, threads: int) -> dict:
    """One variant (this process's environment): the worker's throughput and who used the CPU."""
    import ray

    from benchmarks.train_throughput import xlt_in_ray_train

    ray.init(num_cpus=threads, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=_sample, args=(samples, stop, os.getpid()), daemon=True)
    sampler.start()
    try:
        run = xlt_in_ray_train("mid", examples, 1.0, threads)
    finally:
        stop.set()
        sampler.join()
        ray.shutdown()
    start, end = run["ended"] - run["seconds"], run["ended"]
    first, last = {}, {}
    for t, pid, label, cpu in samples:
        if start <= t <= end:
            first.setdefault((pid, label), cpu)
            last[(pid, label)] = cpu
    by_role = defaultdict(float)
    for key, cpu in last.items():
        by_role[key[1]] += cpu - first[key]
    return {"examples_per_s": examples / run["seconds"], "window_s": run["seconds"],
            "cpu_s_by_process": dict(sorted(by_role.items(), key=lambda kv: -kv[1]))}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(variant(args.examples, args.threads)))
        return
    from benchmarks.common import emit
    from benchmarks.train_throughput import xlt_in_process

    in_process = args.examples / xlt_in_process("mid", args.examples, 1.0)
    rows = [{"runner": "xlt loop in process (no Ray)", "examples/s": in_process, "÷ in process": 1.0}]
    for name, env in VARIANTS.items():
        out = subprocess.run([sys.executable, "-m", "benchmarks.ray_share", "--variant", name, "--examples",
                              str(args.examples), "--threads", str(args.threads)], capture_output=True, text=True,
                             env={**os.environ, **env}, check=True)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        others = {k: round(v, 2) for k, v in got["cpu_s_by_process"].items() if k != "RayTrainWorker" and v >= 0.05}
        rows.append({"runner": f"in Ray Train: {name}", "examples/s": got["examples_per_s"],
                     "÷ in process": got["examples_per_s"] / in_process,
                     "worker CPU s": round(got["cpu_s_by_process"].get("RayTrainWorker", 0.0), 1),
                     "other CPU s (window)": others, "window s": round(got["window_s"], 1)})
    emit("ray_share", rows, {"examples": args.examples, "threads": args.threads})


if __name__ == "__main__":
    main()
