"""Run a sweep: Ray Tune + Optuna over trials, each trial one Ray Train worker group (the sweep's
directory and its layout: xlt.results.sweep_dir).
"""

import os
import sys
import uuid
from dataclasses import dataclass
from typing import Any

from xlt.config import SweepConfig
from xlt.results.sweep_dir import (SweepError, SweepPaths, clear_failure, record_failure, save_sweep,
                                  saved_revisions)
from xlt.sweep.stoppable_fit import EndsRunsOnStop

TRIAL_SLOT = "trial_slot"  # custom resource: a trial driver holds one, so it holds no CPU

# Ray Train's controller acts only when it polls its workers, every RAY_TRAIN_HEALTH_CHECK_INTERVAL_S
# (Ray's default: 2 s): only then does it see the worker group finish, and take a `ray.train.report`
# from the worker's one-slot queue (a worker's next report waits until the last was taken). A trial
# reports once per unit, so at 2 s its start, every unit and its end each wait out part of a poll.
# A poll is one small call per worker. 0.5 s: BENCHMARKS.md "Trial start-up". The environment's value wins.
TRAIN_POLL_INTERVAL_S = "0.5"


@dataclass(frozen=True)
class SweepOutcome:
    paths: SweepPaths
    num_trials: int
    num_errors: int


def _trial_driver(params: dict[str, Any], cfg: SweepConfig, paths: SweepPaths, local: bool = False,
                  revisions=None) -> None:
    """Tune function trainable: run the trial's configuration, once per replicate seed; each run is
    a TorchTrainer fit (Ray Train V2 pattern), or on the surrogate backend the response model in
    this process."""
    from ray import tune

    from xlt.objective import metric_name
    from xlt.sweep.replicates import ReplicateView
    from xlt.trial.expand import expand, replicate_id, replicate_seeds

    ctx = tune.get_context()
    seeds = replicate_seeds(cfg, params)
    modes = tuple((metric_name(i), o.mode) for i, o in enumerate(cfg.objectives()))
    previous: list[dict[str, float]] = []
    for index, seed in enumerate(seeds):
        run = replicate_id(ctx.get_trial_id(), seed, len(seeds))
        plan = expand(cfg, {**params, "seed": seed}, run, paths.results, paths.root, revisions)
        view = None if len(seeds) == 1 else ReplicateView(index, len(seeds), seed, tuple(previous),
                                                         cfg.search.replicate_statistic, modes)
        try:
            if cfg.backend == "surrogate":  # nothing to train: the response model answers in this process
                final = _run_surrogate(plan, cfg, view)
            else:
                final = _fit(plan, cfg, paths, local, replicate_id(ctx.get_trial_name(), seed, len(seeds)), view)
        except Exception as err:  # noqa: BLE001 - recorded, then re-raised for Tune to mark the trial
            record_failure(cfg, paths, plan, err)
            raise
        clear_failure(paths, plan)
        if view is not None:
            previous.append(view.objectives(final))


def _run_surrogate(plan, cfg: SweepConfig, view) -> dict:
    """One run on the surrogate backend, its reports to Tune (through `view` for a replicate);
    returns its last report."""
    from ray import tune

    from xlt.surrogate.backend import run_surrogate_trial

    last: dict = {}

    def forward(metrics: dict) -> None:
        last.clear()
        last.update(metrics)
        tune.report(view(metrics) if view is not None else metrics)

    run_surrogate_trial(plan, cfg, forward)
    return last


def trial_torch_config(cfg: SweepConfig, local: bool):
    """A trial's torch backend: on the embedded Ray, xlt's, whose rendezvous store listens on loopback
    (gloo on CPU workers, nccl on GPUs; xlt.sweep.local_ray), else Ray's (a cluster is set up by you)."""
    res = cfg.resources
    gloo = res.simulated_gpus or not res.gpus_per_worker
    if local:
        from xlt.sweep.local_ray import loopback_torch_config

        return loopback_torch_config(res.collective_timeout_s, backend="gloo" if gloo else "nccl")
    from ray.train.torch import TorchConfig

    return TorchConfig(backend="gloo" if gloo else None, timeout_s=res.collective_timeout_s)


def _fit(plan, cfg: SweepConfig, paths: SweepPaths, local: bool, name: str, view) -> dict:
    """One run as a Ray Train worker group named `name` (after the trial, never a timestamp:
    restore finds it); its reports that carry the objective go to Tune (through `view` for a
    replicate). Returns its last report."""
    import ray.train

    from xlt.sweep.stoppable_fit import fit_reporting_to_tune, forward_scored_reports, report_queue
    from xlt.sweep.trainer import lean_torch_trainer
    from xlt.sweep.worker import train_loop_per_worker

    res = cfg.resources
    worker = {"CPU": res.cpus_per_worker, **({"GPU": res.gpus_per_worker} if res.gpus_per_worker else {})}
    torch_config = trial_torch_config(cfg, local)
    # Ray Train's controller reads this from the environment of the process that calls fit (this
    # trial's driver, a process of its own)
    os.environ.setdefault("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", TRAIN_POLL_INTERVAL_S)
    reports = report_queue()
    trainer = lean_torch_trainer()(
        train_loop_per_worker,
        train_loop_config={"plan": plan},
        torch_config=torch_config,
        scaling_config=ray.train.ScalingConfig(num_workers=res.workers_per_trial,
                                               use_gpu=res.gpus_per_worker > 0,
                                               resources_per_worker=worker),
        run_config=ray.train.RunConfig(
            name=name,
            storage_path=paths.train,
            callbacks=[forward_scored_reports(reports, view)],
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=1),
            failure_config=ray.train.FailureConfig(max_failures=res.max_failures),
        ),
    )
    return fit_reporting_to_tune(trainer, reports)


def optuna_storage(cfg: SweepConfig) -> dict:
    """OptunaSearch keyword arguments for a database-backed study, or none. `env:NAME` stays a
    name here: the URL is read from the environment where it is used (xlt.sweep.searcher), never kept in
    anything Tune persists."""
    url = cfg.search.optuna_storage
    if not url:
        return {}
    if url.startswith("env:"):
        name = url.removeprefix("env:")
        if not os.environ.get(name):
            raise SweepError(f"search.optuna_storage: environment variable {name} is not set")
        return {"storage_env": name, "study_name": cfg.name}
    import optuna

    return {"storage": optuna.storages.RDBStorage(url), "study_name": cfg.name}


def check_resumable(paths: SweepPaths) -> None:
    """A sweep to resume has Tune's experiment state (checked before Ray starts)."""
    from ray import tune

    experiment = f"{paths.root}/tune"
    if not tune.Tuner.can_restore(experiment):
        raise SweepError(f"{experiment}: no Tune experiment state to resume (the sweep stopped before its first "
                         f"trial was recorded); start it again with `xlt sweep run FILE --overwrite`")


def init_ray(cfg: SweepConfig, address: str | None, dashboard: bool = False, echo=print) -> bool:
    """Connect to `address`, or start the embedded local Ray (loopback only, token auth on);
    True when this call started the embedded one. Checks the resources a trial needs."""
    import ray

    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # xlt prints its own progress (verbose=0)
    started = False
    if not ray.is_initialized():
        started = not address
        if address:
            ray.init(address=address, logging_level="WARNING")
        else:
            from xlt.sweep.local_ray import prepare_loopback_ray
            from xlt.sweep.trainer import apply_embedded_ray_env

            prepare_loopback_ray()  # every server on 127.0.0.1; token auth stays on
            apply_embedded_ray_env(dashboard)  # one machine: no preemption watcher; no State API, no PG cleaner
            context = ray.init(resources={TRIAL_SLOT: cfg.resources.max_concurrent_trials},
                               include_dashboard=dashboard, dashboard_host="127.0.0.1",
                               logging_level="WARNING", log_to_driver=False)
            if dashboard:
                echo(f"Ray dashboard: http://{context.dashboard_url} (bound to 127.0.0.1)")
    available = ray.cluster_resources()
    if TRIAL_SLOT not in available:
        raise SweepError(f"the Ray cluster declares no {TRIAL_SLOT!r} resource: start the nodes that may "
                         f"host trial drivers with --resources='{{\"{TRIAL_SLOT}\": N}}'")
    if cfg.backend == "surrogate":  # trials run in their drivers: the resources are only costed
        return started
    need_cpu = cfg.resources.workers_per_trial * cfg.resources.cpus_per_worker
    need_gpu = cfg.resources.workers_per_trial * cfg.resources.gpus_per_worker
    if need_cpu > available.get("CPU", 0) or need_gpu > available.get("GPU", 0):
        message = (f"one trial needs {need_cpu:g} CPUs and {need_gpu:g} GPUs (resources.workers_per_trial x "
                   f"per-worker), the cluster has {available.get('CPU', 0):g} CPUs and {available.get('GPU', 0):g} GPUs")
        if not address:  # local Ray never grows: fail now rather than wait forever
            raise SweepError(message)
        # a cluster may autoscale (GPU workers start at zero): say so, then let trials wait
        print(f"xlt: warning: {message} now; trials wait until the autoscaler adds nodes", file=sys.stderr)
    return started


@dataclass(frozen=True)
class Preflight:
    """What a sweep reads and checks before anything is written or Ray starts (`preflight`)."""

    study_storage: dict
    earlier: list | None
    """The earlier sweeps' finished trials `search.warm_start` names (xlt.sweep.warm_start.read_earlier)."""


def preflight(cfg: SweepConfig, resume: bool = False) -> Preflight:
    """The checks of a sweep's input that need more than its config file: local models built,
    the Optuna storage's variable set, the earlier sweeps of a warm start found and readable.
    `xlt sweep run` calls it before it creates the sweep's directory, so that bad input leaves
    nothing behind that would refuse the corrected command; SweepError names what is wrong."""
    import optuna

    from xlt.models.registry import resolve_model

    for model in cfg.model.names:
        resolve_model(model)  # build local models once, before workers race to
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study_storage = optuna_storage(cfg)
    earlier = None
    if cfg.search.warm_start is not None and not resume:  # a resumed study holds what it was told
        from xlt.sweep.warm_start import read_earlier

        try:
            earlier = read_earlier(cfg)
        except FileNotFoundError as err:
            raise SweepError(str(err)) from None
    return Preflight(study_storage, earlier)


def run_sweep(cfg: SweepConfig, paths: SweepPaths, address: str | None = None, echo=print,
              resume: bool = False, dashboard: bool = False, revisions=None,
              checked: Preflight | None = None) -> SweepOutcome:
    """Run the sweep, or with `resume` continue it from Tune's saved state: finished trials are
    not re-run, unfinished and errored ones resume (from their Ray Train checkpoints), and the
    Optuna searcher continues with its saved state. `checked`: `preflight`'s result, where the
    caller ran it already."""
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.searcher import DistinctTrials, EnvStorageOptunaSearch, sampler_for

    from xlt.objective import metric_name
    from xlt.sweep.progress import SweepProgress
    from xlt.trial.expand import baseline_point, grid_size
    from xlt.sweep.space import define_by_run, param_space

    checked = checked or preflight(cfg, resume)  # bad input fails before Ray starts
    study_storage, earlier = checked.study_storage, checked.earlier
    local = init_ray(cfg, address, dashboard, echo)
    from xlt.sweep.sweep_actor import sweep_actor

    _actor = sweep_actor()  # noqa: F841  (owned by this driver: lives as long as the sweep)
    s = cfg.search
    grid = s.algorithm == "grid"
    num_trials = grid_size(cfg) if grid else s.num_trials
    search_alg = None  # grid: Tune's variant generator runs every combination once
    scheduler = _scheduler(cfg)
    screen = getattr(scheduler, "screen", None)  # a screen's stops are told to the searcher and printed
    if not grid:
        sampler = sampler_for(cfg)
        objectives = cfg.objectives()
        metrics = [metric_name(i) for i in range(len(objectives))]
        searcher = EnvStorageOptunaSearch if "storage_env" in study_storage else OptunaSearch
        optuna_search = searcher(space=define_by_run(cfg), metric=metrics if len(metrics) > 1 else metrics[0],
                                 mode=[o.mode for o in objectives] if len(metrics) > 1 else objectives[0].mode,
                                 sampler=sampler, points_to_evaluate=[p] if (p := baseline_point(cfg)) else None,
                                 **study_storage)
        if earlier is not None:  # Ray's add_evaluated_point refuses define-by-run spaces: tell the study itself
            from xlt.sweep.warm_start import tell

            echo(tell(optuna_search._ot_study, cfg, earlier).line())
        search_alg = DistinctTrials(optuna_search, screen=screen)
    if resume:
        revisions = saved_revisions(paths.root)
    trainable = tune.with_resources(tune.with_parameters(_trial_driver, cfg=cfg, paths=paths, local=local,
                                                         revisions=revisions), {TRIAL_SLOT: 1})
    trainable.__mixins__ = (EndsRunsOnStop,)  # Tune's hook for a function trainable's class (wrap_function)
    if resume:
        experiment = f"{paths.root}/tune"
        if not tune.Tuner.can_restore(experiment):
            raise SweepError(f"{experiment}: no Tune experiment to resume")
        outcome = tune.Tuner.restore(experiment, trainable=trainable, resume_unfinished=True,
                                     resume_errored=True).fit()
        return SweepOutcome(paths=paths, num_trials=len(outcome), num_errors=outcome.num_errors)
    save_sweep(cfg, paths, run_id=uuid.uuid4().hex[:12], revisions=revisions)
    tuner = tune.Tuner(
        trainable,
        param_space=param_space(cfg) if grid else {},  # Optuna's space is define-by-run
        tune_config=tune.TuneConfig(search_alg=search_alg, scheduler=scheduler,
                                    num_samples=1 if grid else num_trials,
                                    reuse_actors=True,  # docs/reliability.md "Trial processes"
                                    max_concurrent_trials=cfg.resources.max_concurrent_trials),
        run_config=tune.RunConfig(name="tune", storage_path=paths.root, verbose=0,
                                  callbacks=[SweepProgress(num_trials, cfg.objectives()[0].mode, echo, screen)]),
    )
    grid = tuner.fit()
    return SweepOutcome(paths=paths, num_trials=len(grid), num_errors=grid.num_errors)


def _scheduler(cfg: SweepConfig):
    """ASHA or a screen over `progress` (the fraction of a trial's target fine-tuning done), or none;
    in the direction of the sweep's one objective (its own `mode`, else search.mode), as Optuna's."""
    s = cfg.search
    if s.scheduler == "none":
        return None
    mode = cfg.objectives()[0].mode
    if s.scheduler == "screen":
        from xlt.sweep.screen_scheduler import ScreenScheduler

        return ScreenScheduler(mode=mode, confidence=s.screen_confidence)
    from ray.tune.schedulers import ASHAScheduler

    return ASHAScheduler(time_attr="progress", metric="objective", mode=mode, max_t=1.0,
                         grace_period=s.grace_period, reduction_factor=s.reduction_factor)

