"""Run a sweep: Ray Tune + Optuna over trials, each trial one Ray Train worker group.

Layout under `<storage>/<name>/`: `results/` (Parquet, the truth), `tune/` (Tune's experiment
state, searcher included), `train/` (Ray Train runs and checkpoints, named after trials).
"""

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlt.config import SweepConfig

TRIAL_SLOT = "trial_slot"  # custom resource: a trial driver holds one, so it holds no CPU


class SweepError(RuntimeError):
    """A sweep that cannot start or run; the message says what to do."""


@dataclass(frozen=True)
class SweepPaths:
    root: str
    results: str
    train: str

    @classmethod
    def of(cls, cfg: SweepConfig, results: str | None = None) -> "SweepPaths":
        storage = cfg.storage if "://" in cfg.storage else str(Path(cfg.storage).resolve())
        root = f"{storage.rstrip('/')}/{cfg.name}"
        res = results if results and "://" in results else str(Path(results).resolve()) if results else f"{root}/results"
        return cls(root=root, results=res, train=f"{root}/train")


@dataclass(frozen=True)
class SweepOutcome:
    paths: SweepPaths
    num_trials: int
    num_errors: int


def _trial_driver(params: dict[str, Any], cfg: SweepConfig, paths: SweepPaths) -> None:
    """Tune function trainable: build this trial's TorchTrainer and fit it (Ray Train V2 pattern)."""
    import ray.train
    from ray import tune
    from ray.train.torch import TorchConfig, TorchTrainer
    from ray.tune.integration.ray_train import TuneReportCallback

    from xlt.space import trial_plan
    from xlt.train import train_loop_per_worker

    class ForwardScoredReports(TuneReportCallback):
        """Forward to Tune only reports that carry the objective (target units, the end):
        Optuna reads `objective` from every result it is given."""

        def after_report(self, run_context, metrics, checkpoint):
            if "objective" in metrics[0]:
                super().after_report(run_context, metrics, checkpoint)

    ctx = tune.get_context()
    plan = trial_plan(cfg, params, ctx.get_trial_id(), paths.results, paths.root)
    if cfg.backend == "surrogate":  # nothing to train: the response model answers in this process
        from xlt.surrogate.trial import run_surrogate_trial

        try:
            run_surrogate_trial(plan, cfg, tune.report)
        except Exception as err:  # noqa: BLE001 - recorded, then re-raised for Tune to mark the trial
            record_failure(cfg, paths, plan, err)
            raise
        return
    res = cfg.resources
    worker = {"CPU": res.cpus_per_worker, **({"GPU": res.gpus_per_worker} if res.gpus_per_worker else {})}
    trainer = TorchTrainer(
        train_loop_per_worker,
        train_loop_config={"plan": plan},
        torch_config=TorchConfig(backend="gloo") if res.simulated_gpus or not res.gpus_per_worker else None,
        scaling_config=ray.train.ScalingConfig(num_workers=res.workers_per_trial,
                                               use_gpu=res.gpus_per_worker > 0,
                                               resources_per_worker=worker),
        run_config=ray.train.RunConfig(
            name=ctx.get_trial_name(),  # after the trial, never a timestamp: restore finds it
            storage_path=paths.train,
            callbacks=[ForwardScoredReports()],
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=1),
            failure_config=ray.train.FailureConfig(max_failures=res.max_failures),
        ),
    )
    try:
        trainer.fit()
    except Exception as err:  # noqa: BLE001 - recorded, then re-raised for Tune to mark the trial
        record_failure(cfg, paths, plan, err)
        raise


def record_failure(cfg: SweepConfig, paths: SweepPaths, plan, err: BaseException) -> None:
    """A trial that failed for good gets a `failed` row holding its error, so reports list it."""
    from xlt import __version__
    from xlt.results import ResultRow, write_rows

    cause = err.__cause__ or err
    message = f"{type(cause).__name__}: {cause}"[:4000]
    write_rows(paths.results, plan.trial_id, "failed", [ResultRow(
        sweep=cfg.name, trial_id=plan.trial_id, phase="failed", intermediate=plan.intermediate_name,
        mixture=plan.mixture, target_task=",".join(t.task for t in plan.targets), language="", split="",
        metric="error", value=float("nan"), n_examples=0, model=plan.model, backend=plan.backend,
        learning_rate=plan.targets[0].learning_rate if plan.targets else float("nan"),
        intermediate_learning_rate=plan.intermediate.learning_rate if plan.intermediate else None,
        seed=plan.seed, step=0, config_hash=plan.config_hash, xlt_version=__version__, error=message,
        data_source=plan.source)])


def save_sweep(cfg: SweepConfig, paths: SweepPaths) -> None:
    """The validated config and paths beside the results, so `xlt sweep resume NAME` needs nothing else."""
    from xlt.storage import write_text

    write_text(paths.root, "sweep.json", json.dumps({"config": cfg.model_dump(mode="json"),
                                                     "paths": {"results": paths.results}}, indent=2))


def load_saved_sweep(root: str) -> tuple[SweepConfig, SweepPaths]:
    from xlt.storage import filesystem

    fs, base = filesystem(root)
    try:
        with fs.open_input_stream(f"{base}/sweep.json") as f:
            saved = json.loads(f.read())
    except FileNotFoundError:
        raise SweepError(f"{root}: no sweep.json: not a sweep directory (or started by an older xlt)") from None
    cfg = SweepConfig.model_validate(saved["config"])
    paths = SweepPaths.of(cfg, saved["paths"]["results"])
    return cfg, SweepPaths(root=root.rstrip("/"), results=paths.results, train=f"{root.rstrip('/')}/train")


def optuna_storage(cfg: SweepConfig) -> dict:
    """OptunaSearch keyword arguments for a database-backed study, or none."""
    url = cfg.search.optuna_storage
    if not url:
        return {}
    import optuna

    if url.startswith("env:"):
        name = url.removeprefix("env:")
        if name not in os.environ:
            raise SweepError(f"search.optuna_storage: environment variable {name} is not set")
        url = os.environ[name]
    return {"storage": optuna.storages.RDBStorage(url), "study_name": cfg.name}


def check_fresh(paths: SweepPaths, overwrite: bool) -> None:
    """Refuse to mix a new run into an existing sweep's results, unless asked to replace them."""
    if "://" in paths.root or not Path(paths.root).exists():
        return
    if not overwrite:
        raise SweepError(f"sweep directory {paths.root} already exists: pick another name "
                         f"(append name=NEW to the command) or pass --overwrite to delete it")
    shutil.rmtree(paths.root)


def init_ray(cfg: SweepConfig, address: str | None) -> None:
    import ray

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # xlt prints its own progress (verbose=0)
    if not ray.is_initialized():
        if address:
            ray.init(address=address, logging_level="WARNING")
        else:
            ray.init(resources={TRIAL_SLOT: cfg.resources.max_concurrent_trials},
                     include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    available = ray.cluster_resources()
    if TRIAL_SLOT not in available:
        raise SweepError(f"the Ray cluster declares no {TRIAL_SLOT!r} resource: start the nodes that may "
                         f"host trial drivers with --resources='{{\"{TRIAL_SLOT}\": N}}'")
    if cfg.backend == "surrogate":  # trials run in their drivers: the resources are only costed
        return
    need_cpu = cfg.resources.workers_per_trial * cfg.resources.cpus_per_worker
    need_gpu = cfg.resources.workers_per_trial * cfg.resources.gpus_per_worker
    if need_cpu > available.get("CPU", 0) or need_gpu > available.get("GPU", 0):
        message = (f"one trial needs {need_cpu:g} CPUs and {need_gpu:g} GPUs (resources.workers_per_trial x "
                   f"per-worker), the cluster has {available.get('CPU', 0):g} CPUs and {available.get('GPU', 0):g} GPUs")
        if not address:  # local Ray never grows: fail now rather than wait forever
            raise SweepError(message)
        # a cluster may autoscale (GPU workers start at zero): say so, then let trials wait
        print(f"xlt: warning: {message} now; trials wait until the autoscaler adds nodes", file=sys.stderr)


def run_sweep(cfg: SweepConfig, paths: SweepPaths, address: str | None = None, echo=print,
              resume: bool = False) -> SweepOutcome:
    """Run the sweep, or with `resume` continue it from Tune's saved state: finished trials are
    not re-run, unfinished and errored ones resume (from their Ray Train checkpoints), and the
    Optuna searcher continues with its saved state."""
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch
    import optuna

    from xlt.models.registry import resolve_model
    from xlt.objective import metric_name
    from xlt.progress import SweepProgress
    from xlt.space import baseline_point, grid_size, param_space

    for model in cfg.model.names:
        resolve_model(model)  # build local models once, before workers race to
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study_storage = optuna_storage(cfg) if not resume else {}  # bad input fails before Ray starts
    init_ray(cfg, address)
    from xlt.locks import lock_actor

    _locks = lock_actor()  # noqa: F841  (owned by this driver: lives as long as the sweep)
    s = cfg.search
    grid = s.algorithm == "grid"
    num_trials = grid_size(cfg) if grid else s.num_trials
    search_alg = None  # grid: Tune's variant generator runs every combination once
    if not grid:
        sampler = (optuna.samplers.TPESampler(seed=s.sampler_seed) if s.algorithm == "optuna-tpe"
                   else optuna.samplers.RandomSampler(seed=s.sampler_seed))
        objectives = s.objectives()
        metrics = [metric_name(i) for i in range(len(objectives))]
        search_alg = OptunaSearch(metric=metrics if len(metrics) > 1 else metrics[0],
                                  mode=[o.mode for o in objectives] if len(metrics) > 1 else objectives[0].mode,
                                  sampler=sampler,
                                  points_to_evaluate=[p] if (p := baseline_point(cfg)) else None,
                                  **study_storage)
    trainable = tune.with_resources(tune.with_parameters(_trial_driver, cfg=cfg, paths=paths), {TRIAL_SLOT: 1})
    if resume:
        experiment = f"{paths.root}/tune"
        if not tune.Tuner.can_restore(experiment):
            raise SweepError(f"{experiment}: no Tune experiment to resume")
        outcome = tune.Tuner.restore(experiment, trainable=trainable, resume_unfinished=True,
                                     resume_errored=True).fit()
        return SweepOutcome(paths=paths, num_trials=len(outcome), num_errors=outcome.num_errors)
    save_sweep(cfg, paths)
    tuner = tune.Tuner(
        trainable,
        param_space=param_space(cfg),
        tune_config=tune.TuneConfig(search_alg=search_alg, scheduler=_scheduler(cfg),
                                    num_samples=1 if grid else num_trials,
                                    # reused trial actors skip a process start and imports (~1.8 s a
                                    # trial), but a reused driver never dies, so Ray Train's cleaner
                                    # would not free a failed worker group's placement group: only
                                    # for the surrogate, whose trials start no worker groups
                                    reuse_actors=cfg.backend == "surrogate",
                                    max_concurrent_trials=cfg.resources.max_concurrent_trials),
        run_config=tune.RunConfig(name="tune", storage_path=paths.root, verbose=0,
                                  callbacks=[SweepProgress(num_trials, s.mode, echo)]),
    )
    grid = tuner.fit()
    return SweepOutcome(paths=paths, num_trials=len(grid), num_errors=grid.num_errors)


def _scheduler(cfg: SweepConfig):
    """ASHA over `progress` (the fraction of a trial's target fine-tuning done), or none."""
    s = cfg.search
    if s.scheduler == "none":
        return None
    from ray.tune.schedulers import ASHAScheduler

    return ASHAScheduler(time_attr="progress", metric="objective", mode=s.mode, max_t=1.0,
                         grace_period=s.grace_period, reduction_factor=s.reduction_factor)

