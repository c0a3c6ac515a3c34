"""Trial start-up: what a real trial pays before and after its few seconds of training, measured
on the demo sweep (`xlt sweep run sweeps/demo.yaml`, 4 trials, 2 at a time, embedded Ray).

Two things are compared, each against its reference (the "÷ reference" column) in the same run:
- the imports of a trial's Ray Train worker (`xlt.sweep.worker`, in a fresh interpreter), against
  the same imports plus seqeval and scikit-learn, which xlt.metrics used to import at start-up;
- the demo sweep end to end with Ray Train's controller polling its workers every 0.5 s (xlt's
  setting, xlt.sweep.run.TRAIN_POLL_INTERVAL_S) against every 2 s (Ray's default), alternating
  the two so that drift on a shared machine falls on both;
- one `fit()` of a trivial training function with xlt's trainer on the embedded Ray's settings
  (xlt.sweep.trainer: no Ray Data actor, no preemption watcher; its loopback torch config, which
  gives a one-worker fit no process group, xlt.sweep.local_ray) against Ray's TorchTrainer with
  Ray's defaults, alternated in one Ray started as `xlt sweep run` starts it (on loopback): wall seconds, and the CPU-seconds of every process the
  fit starts (sampled with psutil), by process.

  python -m benchmarks.trial_startup --reps 3 --fits 6   # the figures in BENCHMARKS.md
  python -m benchmarks.trial_startup --quick             # CI: the import rows only (the sweep is the README's)
"""

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import emit

REPO = Path(__file__).resolve().parent.parent
IMPORTS = {
    "xlt.sweep.worker (seqeval and scikit-learn on first use)": "import xlt.sweep.worker",
    "same + seqeval and scikit-learn at import (before)": "import xlt.sweep.worker, seqeval.metrics, sklearn.metrics",
}
POLLS = {"Ray's default, 2 s": "2", "xlt's, 0.5 s": None}  # None: xlt sets it (xlt.sweep.run)


def import_seconds(statement: str) -> float:
    """Seconds a fresh interpreter takes to run `statement` (start-up excluded)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO)
    return float(out.stdout.strip().splitlines()[-1])


def demo_sweep_seconds(poll: str | None, storage: str) -> float:
    """Wall seconds of `xlt sweep run sweeps/demo.yaml` in its own process (its own embedded Ray)."""
    env = {**os.environ, "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "disabled")}
    env.pop("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", None)
    if poll is not None:
        env["RAY_TRAIN_HEALTH_CHECK_INTERVAL_S"] = poll
    xlt = Path(sys.executable).with_name("xlt")
    start = time.perf_counter()
    subprocess.run([str(xlt), "sweep", "run", "sweeps/demo.yaml", f"storage={storage}"], check=True, cwd=REPO,
                   env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


PREEMPTION = "RAY_TRAIN_ENABLE_PREEMPTION_WATCHER"


def _idle(config):
    import ray.train

    ray.train.report({"done": 1})


class ProcessCPU:
    """CPU-seconds of every process started after `start()`, by name (Ray names its actor
    processes `ray::Class`), sampled every `period` s until `stop()`."""

    def __init__(self, period: float = 0.1):
        self.period, self.seen, self._done = period, {}, threading.Event()

    def start(self):
        import psutil

        self.since = time.time()
        known = {p.pid for p in psutil.process_iter()}

        def sample():
            while not self._done.is_set():
                for p in psutil.process_iter():
                    if p.pid in known:
                        continue
                    try:
                        cpu = p.cpu_times()
                        name = (p.cmdline() or [p.name()])[0].split()[0]
                        self.seen[(p.pid, p.create_time())] = (name, cpu.user + cpu.system)
                    except psutil.Error:
                        pass
                time.sleep(self.period)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        time.sleep(2 * self.period)
        self._done.set()
        self._thread.join()
        by_name = collections.Counter()
        for name, cpu in self.seen.values():
            by_name[name] += cpu
        return dict(by_name)


def fit_processes(reps: int) -> dict[str, list[dict]]:
    """`reps` fits each of xlt's trainer and Ray's, alternated, in one Ray of this machine, after
    one fit that is not counted (the first fit also starts Ray Data's autoscaling coordinator)."""
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from xlt.sweep.local_ray import loopback_torch_config, prepare_loopback_ray
    from xlt.sweep.trainer import EMBEDDED_RAY_ENV, NO_STATE_API, lean_torch_trainer

    prepare_loopback_ray()  # as `xlt sweep run` starts the embedded Ray (its servers on 127.0.0.1)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    # label -> (trainer, its keyword arguments, environment): xlt's fits as a sweep's trials do (xlt.sweep.run)
    runners = {"Ray's TorchTrainer, Ray's defaults": (TorchTrainer, {}, {PREEMPTION: "1", NO_STATE_API: "0"}),
               "xlt's trainer, embedded Ray settings": (lean_torch_trainer(), {"torch_config": loopback_torch_config()},
                                                        EMBEDDED_RAY_ENV)}
    out = {label: [] for label in runners}
    try:
        TorchTrainer(_idle, run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="warm-up")).fit()
        for _ in range(reps):
            for label, (cls, kwargs, env) in runners.items():
                os.environ.update(env)  # read where fit() is called (the watcher's passed on to the controller)
                trainer = cls(_idle, **kwargs, scaling_config=ray.train.ScalingConfig(num_workers=1),
                              run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="fit"))
                cpu = ProcessCPU().start()
                start = time.perf_counter()
                trainer.fit()
                wall = time.perf_counter() - start
                out[label].append({"wall_s": wall, "cpu_s": cpu.stop()})
    finally:
        for name in EMBEDDED_RAY_ENV:  # the watcher's and the State API's among them: the reference sets both
            os.environ.pop(name, None)
        ray.shutdown()
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="demo sweeps per poll interval")
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per import row")
    parser.add_argument("--fits", type=int, default=0, help="trivial fits per trainer (0: none)")
    parser.add_argument("--quick", action="store_true", help="import rows only, 1 interpreter each")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.imports, args.fits = 0, 1, 0
    rows = []
    imports = {label: [] for label in IMPORTS}
    for _ in range(args.imports):  # alternated, as the sweeps below
        for label, statement in IMPORTS.items():
            imports[label].append(import_seconds(statement))
    before = statistics.median(imports["same + seqeval and scikit-learn at import (before)"]) if args.imports else None
    for label, seconds in imports.items() if args.imports else ():
        rows.append({"runner": f"worker imports: {label}", "median_s": statistics.median(seconds), "runs": len(seconds),
                     "÷ reference": statistics.median(seconds) / before})
    sweeps = {label: [] for label in POLLS}
    if args.reps:
        from xlt.models.registry import resolve_model

        resolve_model("tiny-xlmr")  # built once, before the first timed sweep
    for _ in range(args.reps):
        for label, poll in POLLS.items():
            with tempfile.TemporaryDirectory() as storage:
                sweeps[label].append(demo_sweep_seconds(poll, storage))
    reference = statistics.median(sweeps["Ray's default, 2 s"]) if args.reps else None
    for label, seconds in sweeps.items():
        if seconds:
            rows.append({"runner": f"demo sweep (4 trials), Ray Train polls: {label}",
                         "median_s": statistics.median(seconds), "runs": len(seconds),
                         "÷ reference": statistics.median(seconds) / reference})
    fits = fit_processes(args.fits) if args.fits else {}
    if fits:
        reference = statistics.median(sum(f["cpu_s"].values()) for f in fits["Ray's TorchTrainer, Ray's defaults"])
    for label, runs in fits.items():
        cpu = statistics.median(sum(f["cpu_s"].values()) for f in runs)
        names = collections.Counter()
        for f in runs:
            names.update({k: v / len(runs) for k, v in f["cpu_s"].items()})
        rows.append({"runner": f"one trivial fit, CPU-s of its processes: {label}", "median_s": cpu, "runs": len(runs),
                     "÷ reference": cpu / reference,
                     "wall_s": statistics.median(f["wall_s"] for f in runs),
                     "by process": ", ".join(f"{k} {v:.1f}" for k, v in names.most_common(8))})
    return emit("trial_startup", rows, {"imports": imports, "sweeps": sweeps, "fits": fits})


if __name__ == "__main__":
    main()
