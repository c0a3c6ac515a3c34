"""`xlt sweep plan`'s predicted GPU-hours against a real sweep's, on this machine: calibrate the
sweep's (model, task) pairs (`--calibrate`), plan it with the measured figures, run it through
`xlt sweep run` (the embedded Ray), and add up what its trials held: each Tune trial's
`time_total_s` x its workers (CPU-hours here, GPU-hours on a GPU cluster).

  python -m benchmarks.plan_vs_measured sweeps/demo.yaml                   # the figures in BENCHMARKS.md
  python -m benchmarks.plan_vs_measured sweeps/rq-pawsx-mixtures.yaml KEY=VALUE ...
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import emit


def measured_hours(tune_dir: Path, workers: int) -> tuple[float, int]:
    """Σ over trials of the last reported time_total_s x workers, in hours; and the trial count."""
    total, trials = 0.0, 0
    for result in tune_dir.rglob("result.json"):
        lines = [json.loads(line) for line in result.read_text().splitlines() if line.strip()]
        if lines:
            total += lines[-1]["time_total_s"] * workers
            trials += 1
    return total / 3600, trials


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    from xlt.config import load_sweep

    work = Path(tempfile.mkdtemp(prefix="xlt-plan-vs-run-"))
    overrides = [*args.overrides, f"storage={work}", "name=measured"]
    cost_file = work / "cost.yaml"
    xlt = [sys.executable, "-m", "xlt.cli"]
    plan = subprocess.run([*xlt, "sweep", "plan", args.sweep, *overrides, "--calibrate", str(cost_file), "--json"],
                          capture_output=True, text=True, check=True)
    predicted = json.loads(plan.stdout)
    start = time.perf_counter()
    run = subprocess.run([*xlt, "sweep", "run", args.sweep, *overrides], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(run.stdout[-3000:] + run.stderr[-3000:])
    cfg = load_sweep(args.sweep, overrides)
    hours, trials = measured_hours(work / "measured" / "tune", cfg.resources.workers_per_trial)
    phases = predicted["intermediate"]["gpu_hours_with_cache"] + predicted["target"]["gpu_hours_with_cache"]
    row = {"sweep": cfg.name, "trials": trials, "predicted_phase_hours": phases,
           "predicted_startup_hours": predicted["startup_gpu_hours"],
           "predicted_hours": phases + predicted["startup_gpu_hours"], "measured_hours": hours,
           "ratio_measured_to_predicted": hours / (phases + predicted["startup_gpu_hours"]),
           "sweep_wall_s": wall}
    emit("plan_vs_measured", [row], {"priced_by": predicted["priced_by"], "overrides": args.overrides})
    print(f"{cfg.name}: predicted {row['predicted_hours'] * 3600:.0f} s of worker time "
          f"({phases * 3600:.0f} s phases + {predicted['startup_gpu_hours'] * 3600:.0f} s start-up), measured "
          f"{hours * 3600:.0f} s over {trials} trials: {row['ratio_measured_to_predicted']:.2f}x; sweep wall {wall:.0f} s")


if __name__ == "__main__":
    main()
