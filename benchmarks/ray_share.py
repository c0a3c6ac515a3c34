"""Ray's share of a small node: while xlt's loop trains inside Ray Train (1 worker), which
processes beside the worker use the CPU and how much, with Ray's defaults and with xlt's.

Every row, the reference included, runs in a fresh process of its own under the same psutil
sampler (every process's CPU time every 0.25 s over the training window, and how often the kernel
took a core from the loop's threads), so the sampler's own cost falls on every row alike. The
reference is xlt's loop in that process without Ray; the other rows are a fresh embedded Ray (as
`xlt sweep run` starts it: no dashboard, no log forwarding) with settings given as environment
variables. A last row runs the reference loop beside a neighbour process that burns as many cores
as Ray's processes used beside the worker in the same round's xlt row (busy for that share of
every 0.1 s): whether Ray costs the loop more than any process using that much CPU would. Row 4
is xlt's row with Ray Train's placement-group cleaner kept (xlt's settings before 2026-12-05). Rows
alternate over `--reps` rounds and each keeps its fastest run (every run's figure is in the JSON
line).

  python -m benchmarks.ray_share --examples 1024 --reps 4     # the figures in BENCHMARKS.md
  python -m benchmarks.ray_share --wakeups                    # how often each Ray process wakes in an idle fit
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict

from xlt.sweep.local_ray import loopback_torch_config, prepare_loopback_ray
from xlt.sweep.run import TRAIN_POLL_INTERVAL_S
from xlt.sweep.trainer import EMBEDDED_RAY_ENV, NO_AUTOSCALER

IN_PROCESS = "xlt loop in process (no Ray)"
LOOP = "the loop"  # the loop's own process: in process, the measuring one less its sampler thread
HERE, SAMPLER = "the measuring process", "its sampler thread"  # the first drives Ray, less the second
XLT = {**EMBEDDED_RAY_ENV, "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": TRAIN_POLL_INTERVAL_S}
XLT_ROW = "as `xlt sweep run` (xlt's trainer, its embedded-Ray settings)"
# name -> (xlt's trainer (xlt.sweep.trainer) rather than Ray's TorchTrainer, environment)
EARLIER = "xlt's settings, but with Ray Train's autoscaling coordinator and Ray's prestarted worker (as before)"
VARIANTS = {
    "Ray Train's defaults (TorchTrainer)": (False, {}),
    XLT_ROW: (True, XLT),
    EARLIER: (True, {**XLT, NO_AUTOSCALER: "0", "RAY_prestart_worker_first_driver": "1"}),
}
NEIGHBOUR = "xlt loop in process, beside a neighbour using the CPU Ray's processes used"
# what a variant sets, removed from the environment of every row first: each row sets only its own
SETTINGS = {name for _, env in VARIANTS.values() for name in env}
IDLE_WINDOW_S = 10.0  # `--wakeups`: how long the idle fit's processes are counted
RAY_ROLES = ("raylet", "gcs_server", "dashboard/agent.py", "runtime_env/agent", "log_monitor", "monitor.py",
             "dashboard.py", "TrainController", "RayTrainWorker", "ray::IDLE", "default_worker")
# The neighbour: busy for `cores` x 0.1 s of every 0.1 s, so its CPU arrives in short slices, as a
# daemon's does, rather than as one long stretch.
BURN = """import sys, time
cores = float(sys.argv[1])
while True:
    end = time.perf_counter() + 0.1 * cores
    while time.perf_counter() < end:
        pass
    time.sleep(0.1 * (1 - cores))
"""


def _is_ray(label: str) -> bool:
    """Whether a process labelled so is one of Ray's own: a daemon, an actor or a worker."""
    return label in RAY_ROLES or label.startswith("ray::")


def _label(proc) -> tuple[str, bool]:
    """A short name for a process, its role from the command line, and whether that can change: a
    Ray worker's command line does (default_worker.py, then ray::IDLE, then its actor and method)."""
    try:
        cmd = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - a process that ended between listing and reading
        return "?", False
    stable = "default_worker" not in cmd and not cmd.startswith("ray::")
    for key in RAY_ROLES:
        if key in cmd:
            return key, stable
    return (cmd.split()[0].rsplit("/", 1)[-1][:30] if cmd else proc.name()), stable


def _sample(samples: list, stop: threading.Event, me: int) -> None:
    """Every process's CPU time and involuntary context switches (times the kernel took a core
    from one of its threads) every 0.25 s into `samples`, and this thread's own CPU time (in
    process, the sampler shares the loop's process)."""
    import psutil

    labels: dict[int, str] = {me: HERE}  # a process's label, read once where it cannot change (`_label`)
    while not stop.is_set():
        now = time.time()
        samples.append((now, 0, SAMPLER, time.thread_time(), 0))
        for p in psutil.process_iter():
            try:
                t = p.cpu_times()
                label = labels.get(p.pid)
                if label is None:
                    label, stable = _label(p)
                    if stable:
                        labels[p.pid] = label
                samples.append((now, p.pid, label, t.user + t.system,
                                _switches(p.pid, "nonvoluntary") if label in (HERE, "RayTrainWorker") else 0))
            except Exception:  # noqa: BLE001 - gone or not ours
                continue
        stop.wait(0.25)


def _switches(pid: int, kind: str) -> int:
    """Context switches of all of a process's threads: `nonvoluntary` (the kernel took a core from
    one of them) or `voluntary` (one of them slept, so it woke before)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            total += int(f.read().split(f"\n{kind}_ctxt_switches:")[1].split()[0])
    return total


def wakeups(name: str, seconds: float = IDLE_WINDOW_S) -> dict[str, float]:
    """How often each Ray process wakes while one fit (1 worker) sleeps in its training function,
    in this fresh process (its environment set by the caller): every thread's voluntary context
    switches a second over `seconds`, by process, the fit's own worker included."""
    import psutil
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from xlt.sweep.trainer import lean_torch_trainer

    lean = VARIANTS[name][0]
    if lean:  # as `xlt sweep run` starts the embedded Ray, and its trials' torch config (xlt.sweep.run)
        prepare_loopback_ray()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    trainer_class = lean_torch_trainer() if lean else TorchTrainer
    trainer = trainer_class(lambda config: time.sleep(config["seconds"]), train_loop_config={"seconds": seconds + 20},
                            **({"torch_config": loopback_torch_config()} if lean else {}),
                            scaling_config=ray.train.ScalingConfig(num_workers=1),
                            run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="idle"))
    fit = threading.Thread(target=trainer.fit, daemon=True)
    fit.start()

    def ray_processes() -> dict[int, str]:
        found = {}
        for p in psutil.process_iter():
            label, _ = _label(p)
            if _is_ray(label):
                found[p.pid] = label
        return found

    deadline = time.monotonic() + 120
    while "RayTrainWorker" not in ray_processes().values():  # the fit's worker is up and sleeping
        if time.monotonic() > deadline:
            raise RuntimeError("the fit's worker did not start within 120 s")
        time.sleep(0.5)
    time.sleep(3)  # the fit's other processes settle
    before = ray_processes()
    first = {pid: _switches(pid, "voluntary") for pid in before}
    time.sleep(seconds)
    by_role: dict[str, float] = defaultdict(float)
    for pid, label in before.items():
        try:
            by_role[label] += (_switches(pid, "voluntary") - first[pid]) / seconds
        except (FileNotFoundError, IndexError):  # ended in the window: not an idle fit's process
            continue
    fit.join()
    ray.shutdown()
    return dict(sorted(by_role.items(), key=lambda kv: -kv[1]))


def _by_process(samples: list, start: float, end: float, column: int = 3) -> dict[str, float]:
    """CPU-seconds (or, column 4, involuntary context switches) of each kind of process between
    `start` and `end`, the sampler thread's apart from the rest of its process."""
    first, last = {}, {}
    for sample in samples:
        t, pid, label, value = sample[0], sample[1], sample[2], sample[column]
        if start <= t <= end:
            first.setdefault((pid, label), value)
            last[(pid, label)] = value
    by_role = defaultdict(float)
    for key, cpu in last.items():
        by_role[key[1]] += cpu - first[key]
    by_role[HERE] -= by_role[SAMPLER]
    return dict(sorted(by_role.items(), key=lambda kv: -kv[1]))


def ray_cores(cpu_s_by_process: dict[str, float], window_s: float) -> float:
    """The cores Ray's own processes used beside the worker: Ray's daemons and actors, and the
    process that drives the fit; not the loop, the sampler, kernel threads or other programs."""
    ray_cpu = sum(v for k, v in cpu_s_by_process.items() if _is_ray(k) or k == HERE)
    return ray_cpu / window_s


def variant(name: str, examples: int, threads: int, neighbour_cores: float = 0.0) -> dict:
    """One row, in this fresh process (its environment set by the caller): the loop's throughput
    and who used the CPU while it trained."""
    from benchmarks.train_throughput import xlt_in_process, xlt_in_ray_train

    in_process = name in (IN_PROCESS, NEIGHBOUR)
    neighbour = None
    if name == NEIGHBOUR:
        neighbour = subprocess.Popen([sys.executable, "-c", BURN, str(neighbour_cores)])
    elif not in_process:
        import ray

        if VARIANTS[name][0]:  # as `xlt sweep run` starts the embedded Ray (xlt.sweep.run.init_ray)
            prepare_loopback_ray()
        ray.init(num_cpus=threads, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=_sample, args=(samples, stop, os.getpid()), daemon=True)
    sampler.start()
    try:
        if in_process:
            seconds = xlt_in_process("mid", examples, 1.0)
            end = time.time()
        else:
            run = xlt_in_ray_train("mid", examples, 1.0, threads, lean=VARIANTS[name][0])
            seconds, end = run["seconds"], run["ended"]
    finally:
        stop.set()
        sampler.join()
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()
        if not in_process:
            ray.shutdown()
    cpu = _by_process(samples, end - seconds, end)
    cpu[LOOP] = cpu.pop(HERE) if in_process else cpu.pop("RayTrainWorker", 0.0)
    preempted = _by_process(samples, end - seconds, end, column=4)
    loop_preempted = preempted[HERE] if in_process else preempted.get("RayTrainWorker", 0.0)
    return {"examples_per_s": examples / seconds, "window_s": seconds, "cpu_s_by_process": cpu,
            "loop_preempted_per_s": loop_preempted / seconds}


def _row(name: str, examples: int, threads: int, neighbour_cores: float = 0.0, wakeups: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(VARIANTS[name][1] if name in VARIANTS else {})
    out = subprocess.run([sys.executable, "-m", "benchmarks.ray_share", "--variant", name, "--examples",
                          str(examples), "--threads", str(threads), "--neighbour-cores", str(neighbour_cores),
                          *(["--wakeups"] if wakeups else [])],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--rows", help="comma-separated row numbers to run (0: in process, 1: Ray's defaults, "
                                           "2: xlt's, 3: beside the neighbour, 4: xlt's with the autoscaling "
                                           "coordinator and the prestarted worker; default: all)")
    parser.add_argument("--neighbour-cores", type=float, help="the neighbour's cores (default: what Ray's "
                                                               "processes used in the round's xlt row)")
    parser.add_argument("--wakeups", action="store_true",
                        help="instead: how often each Ray process wakes during an idle fit, for the Ray rows (1, 2, 4)")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        got = wakeups(args.variant) if args.wakeups else \
            variant(args.variant, args.examples, args.threads, args.neighbour_cores or 0.0)
        print(json.dumps(got))
        return None
    from benchmarks.common import emit

    if args.wakeups:
        rows = []
        for name in VARIANTS:
            by_process = _row(name, args.examples, args.threads, wakeups=True)
            rows.append({"runner": f"in Ray Train: {name}", "wakeups per s": round(sum(by_process.values())),
                         "Ray processes": len(by_process),
                         "by process": {k: round(v) for k, v in by_process.items() if v >= 1}})
        return emit("ray_wakeups", rows, {"window_s": IDLE_WINDOW_S})

    names = [IN_PROCESS, *(v for v in VARIANTS if v != EARLIER), NEIGHBOUR, EARLIER]  # rows 0-4
    if args.rows:
        names = [names[i] for i in sorted({int(i) for i in args.rows.split(",")})]  # the xlt row before the neighbour
    if NEIGHBOUR in names and args.neighbour_cores is None and XLT_ROW not in names:
        parser.error("the neighbour row (3) takes its cores from the xlt row (2): run both, or give --neighbour-cores")
    best: dict[str, dict] = {}
    runs: dict[str, list[float]] = {name: [] for name in names}
    neighbour_runs: list[float] = []  # the neighbour's cores in each round
    for _ in range(args.reps):
        cores = args.neighbour_cores
        for name in names:
            got = _row(name, args.examples, args.threads, cores or 0.0)
            if name == XLT_ROW and args.neighbour_cores is None:
                cores = ray_cores(got["cpu_s_by_process"], got["window_s"])
            if name == NEIGHBOUR:
                got["neighbour_cores"] = cores
                neighbour_runs.append(round(cores, 3))
            runs[name].append(round(got["examples_per_s"], 2))
            if name not in best or got["examples_per_s"] > best[name]["examples_per_s"]:
                best[name] = got
    reference = best[IN_PROCESS]["examples_per_s"]
    rows = []
    for name in names:
        got = best[name]
        cpu = got["cpu_s_by_process"]
        worker = cpu[LOOP]
        others = {k: round(v, 2) for k, v in cpu.items() if v >= 0.05 and k != LOOP}
        extra = {}
        if name in VARIANTS:
            extra["Ray's cores"] = round(ray_cores(cpu, got["window_s"]), 3)
        if name == NEIGHBOUR:
            extra = {"the neighbour's cores (fastest run)": round(got["neighbour_cores"], 3),
                     "the neighbour's cores, every run": neighbour_runs}
        rows.append({"runner": name if name in (IN_PROCESS, NEIGHBOUR) else f"in Ray Train: {name}",
                     "examples/s": got["examples_per_s"], "÷ in process": got["examples_per_s"] / reference,
                     "loop CPU s": round(worker, 1), "window s": round(got["window_s"], 1),
                     "loop cores": round(worker / got["window_s"], 2),
                     "examples per loop CPU s": round(args.examples / worker, 2) if worker else None,
                     "loop preempted per s": round(got["loop_preempted_per_s"]),
                     "other CPU s (window)": others, **extra, "every run, examples/s": runs[name]})
    return emit("ray_share", rows, {"examples": args.examples, "threads": args.threads, "reps": args.reps})


if __name__ == "__main__":
    main()
