"""Sweep overhead: seconds per trial of Ray Tune + Optuna with a trivial trainable (xlt's wiring:
OptunaSearch, the trial_slot resource, xlt's progress callback, trial processes reused, and the
trial class's stop hook), with no scheduler and under ASHA (which stops some trials at their first
of two reports), against ASHA with a fresh process per trial (what xlt did under a scheduler until
its trials could end their Ray Train runs: xlt.sweep.stoppable_fit) and a bare Optuna loop, all in
the same run; and the start-up of one Ray Train worker group (a fit of xlt's trainer, as a
sweep's trials fit: xlt.sweep.trainer with its loopback torch config, xlt.sweep.local_ray; Ray's
TorchTrainer until 2026-12-05, Ray's TorchConfig until later that day): the time from `fit()`
to the first line of the training function, and to its return.

  python -m benchmarks.sweep_overhead --trials 1000        # the figures in BENCHMARKS.md
  python -m benchmarks.sweep_overhead --quick              # CI
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import emit


RUNNERS = {  # name: (scheduler, trial processes reused, what the row is)
    "none": (None, True, "no scheduler, trial processes reused"),
    "asha": ("asha", True, "ASHA, trial processes reused"),
    "asha-fresh": ("asha", False, "ASHA, a fresh process per trial (xlt before stoppable_fit)"),
}


def tune_trials(n: int, concurrent: int, runner: str) -> float:
    import optuna
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.progress import SweepProgress
    from xlt.sweep.run import TRIAL_SLOT
    from xlt.sweep.stoppable_fit import EndsRunsOnStop

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    scheduler, reuse, _ = RUNNERS[runner]

    def trivial(config):
        for progress in (0.5, 1.0):  # two reports, as a trial of two targets: ASHA may stop it at the first
            tune.report({"objective": (config["x"] - 0.3) ** 2 / progress, "progress": progress})

    trainable = tune.with_resources(trivial, {TRIAL_SLOT: 1})
    trainable.__mixins__ = (EndsRunsOnStop,)
    searcher = OptunaSearch(metric="objective", mode="min", sampler=optuna.samplers.TPESampler(seed=0))
    asha = ASHAScheduler(time_attr="progress", metric="objective", mode="min", max_t=1.0, grace_period=0.5)
    tuner = tune.Tuner(trainable, param_space={"x": tune.uniform(0, 1)},
                       tune_config=tune.TuneConfig(search_alg=searcher, num_samples=n, max_concurrent_trials=concurrent,
                                                   scheduler=asha if scheduler == "asha" else None, reuse_actors=reuse),
                       run_config=tune.RunConfig(storage_path=tempfile.mkdtemp(), name="overhead", verbose=0,
                                                 callbacks=[SweepProgress(n, "min", echo=lambda m: None)]))
    start = time.perf_counter()
    grid = tuner.fit()
    elapsed = time.perf_counter() - start
    assert len(grid) == n and grid.num_errors == 0, "every trivial trial must complete or be stopped"
    return elapsed


def optuna_loop(n: int) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    start = time.perf_counter()
    study.optimize(lambda t: (t.suggest_float("x", 0, 1) - 0.3) ** 2, n_trials=n)
    return time.perf_counter() - start


def _probe(config):
    Path(config["out"]).write_text(json.dumps({"entered": time.time()}))


def fit_startup(repeats: int) -> list[dict]:
    import ray.train

    from xlt.sweep.local_ray import loopback_torch_config
    from xlt.sweep.trainer import lean_torch_trainer

    out = []
    for _ in range(repeats):
        probe = Path(tempfile.mkdtemp()) / "probe.json"
        # as a sweep's trials fit on the embedded Ray (xlt.sweep.run): xlt's trainer and torch config
        trainer = lean_torch_trainer()(_probe, train_loop_config={"out": str(probe)}, torch_config=loopback_torch_config(),
                                       scaling_config=ray.train.ScalingConfig(num_workers=1),
                                       run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="probe"))
        t0 = time.time()
        trainer.fit()
        done = time.time()
        entered = json.loads(probe.read_text())["entered"]
        out.append({"to_train_fn_s": entered - t0, "after_train_fn_s": done - entered, "fit_s": done - t0})
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=8)
    parser.add_argument("--fits", type=int, default=3)
    parser.add_argument("--runners", default=",".join(RUNNERS),
                        help=f"comma-separated, of {', '.join(RUNNERS)} (the module docstring)")
    parser.add_argument("--quick", action="store_true", help="6 trials, 1 fit (CI: the path, not a figure)")
    args = parser.parse_args(argv)
    if args.quick:
        args.trials, args.fits = 6, 1
    import ray

    from xlt.sweep.run import TRIAL_SLOT

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    started = not ray.is_initialized()
    t0 = time.perf_counter()
    if started:
        from xlt.sweep.local_ray import prepare_loopback_ray

        prepare_loopback_ray()  # as `xlt sweep run` starts the embedded Ray
        ray.init(num_cpus=os.cpu_count(), resources={TRIAL_SLOT: args.concurrent}, include_dashboard=False,
                 logging_level="ERROR", log_to_driver=False)
    init_s = time.perf_counter() - t0
    runners = args.runners.split(",")
    if unknown := set(runners) - set(RUNNERS):
        parser.error(f"--runners: unknown {', '.join(sorted(unknown))}; expected some of {', '.join(RUNNERS)}")
    try:
        tune_s = {runner: tune_trials(args.trials, args.concurrent, runner) for runner in runners}
        fits = fit_startup(args.fits)
    finally:
        if started:
            ray.shutdown()
    optuna_s = optuna_loop(args.trials)
    rows = [{"runner": f"Tune + Optuna (xlt wiring; {RUNNERS[k][2]})", "trials": args.trials, "s/trial": t / args.trials,
             "total_s": t} for k, t in tune_s.items()]
    rows.append({"runner": "bare Optuna loop", "trials": args.trials, "s/trial": optuna_s / args.trials,
                 "total_s": optuna_s})
    mean = lambda k: sum(f[k] for f in fits) / len(fits)
    return emit("sweep_overhead", rows, {"concurrent": args.concurrent, "ray_init_s": init_s,
                                         "fit_to_train_fn_s": mean("to_train_fn_s"),
                                         "fit_after_train_fn_s": mean("after_train_fn_s"), "fit_s": mean("fit_s"),
                                         "fits": fits})


if __name__ == "__main__":
    main()
