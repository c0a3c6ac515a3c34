"""Trial start-up: what a real trial pays before and after its few seconds of training, measured
on the demo sweep (`xlt sweep run sweeps/demo.yaml`, 4 trials, 2 at a time, embedded Ray).

Two things are compared, each against its reference (the "÷ reference" column) in the same run:
- the imports of a trial's Ray Train worker (`xlt.sweep.worker`, in a fresh interpreter), against
  the same imports plus seqeval and scikit-learn, which xlt.metrics used to import at start-up;
- the demo sweep end to end with Ray Train's controller polling its workers every 0.5 s (xlt's
  setting, xlt.sweep.run.TRAIN_POLL_INTERVAL_S) against every 2 s (Ray's default), alternating
  the two so that drift on a shared machine falls on both.

  python -m benchmarks.trial_startup --reps 3      # the figures in BENCHMARKS.md
  python -m benchmarks.trial_startup --quick       # CI: the import rows only (the sweep is the README's)
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="demo sweeps per poll interval")
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per import row")
    parser.add_argument("--quick", action="store_true", help="import rows only, 1 interpreter each")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.imports = 0, 1
    rows = []
    imports = {label: [] for label in IMPORTS}
    for _ in range(args.imports):  # alternated, as the sweeps below
        for label, statement in IMPORTS.items():
            imports[label].append(import_seconds(statement))
    before = statistics.median(imports["same + seqeval and scikit-learn at import (before)"])
    for label, seconds in imports.items():
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
    return emit("trial_startup", rows, {"imports": imports, "sweeps": sweeps})


if __name__ == "__main__":
    main()
