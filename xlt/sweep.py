"""Run a sweep: Ray Tune + Optuna over trials, each trial one Ray Train worker group.

Layout under `<storage>/<name>/`: `results/` (Parquet, the truth), `tune/` (Tune's experiment
state, searcher included), `train/` (Ray Train runs and checkpoints, named after trials).
"""

import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

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


def _trial_driver(params: dict[str, Any], cfg: SweepConfig, paths: SweepPaths, local: bool = False,
                  revisions=None) -> None:
    """Tune function trainable: build this trial's TorchTrainer and fit it (Ray Train V2 pattern)."""
    import ray.train
    from ray import tune
    from ray.train.torch import TorchConfig, TorchTrainer
    from ray.tune.integration.ray_train import TuneReportCallback

    from xlt.expand import expand
    from xlt.worker import train_loop_per_worker

    class ForwardScoredReports(TuneReportCallback):
        """Forward to Tune only reports that carry the objective (target units, the end):
        Optuna reads `objective` from every result it is given."""

        def after_report(self, run_context, metrics, checkpoint):
            if "objective" in metrics[0]:
                super().after_report(run_context, metrics, checkpoint)

    ctx = tune.get_context()
    plan = expand(cfg, params, ctx.get_trial_id(), paths.results, paths.root, revisions)
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
    gloo = res.simulated_gpus or not res.gpus_per_worker
    if local and gloo:  # the embedded Ray: its rendezvous store on loopback too (xlt.local_ray)
        from xlt.local_ray import loopback_torch_config

        torch_config = loopback_torch_config(res.collective_timeout_s)
    else:
        torch_config = TorchConfig(backend="gloo" if gloo else None, timeout_s=res.collective_timeout_s)
    trainer = TorchTrainer(
        train_loop_per_worker,
        train_loop_config={"plan": plan},
        torch_config=torch_config,
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


OWNER = ".xlt-owner.json"  # in a results directory: the sweep run that writes it


def save_sweep(cfg: SweepConfig, paths: SweepPaths, run_id: str, revisions=None) -> None:
    """The validated config, paths and resolved revisions beside the results, so `xlt sweep resume
    NAME` needs nothing else, and the results directory's owner (this sweep run)."""
    from xlt.storage import write_text

    write_text(paths.root, "sweep.json", json.dumps({"config": cfg.model_dump(mode="json"), "run_id": run_id,
                                                     "paths": {"results": paths.results},
                                                     "revisions": revisions.to_json() if revisions else {}}, indent=2))
    write_text(paths.results, OWNER, json.dumps({"sweep": cfg.name, "run_id": run_id, "root": paths.root}))


def saved_revisions(root: str):
    """The revisions a saved sweep resolved when it started (xlt.revisions.Revisions)."""
    from xlt.revisions import Revisions
    from xlt.storage import filesystem

    fs, base = filesystem(root)
    with fs.open_input_stream(f"{base}/sweep.json") as f:
        return Revisions.from_json(json.loads(f.read()).get("revisions"))


def load_saved_sweep(root: str) -> tuple[SweepConfig, SweepPaths]:
    """The config and paths of the sweep saved under `root`; SweepError (naming the file and what
    is wrong) when it is not a sweep directory or its sweep.json or results do not match."""
    from pydantic import ValidationError

    from xlt.storage import filesystem

    fs, base = filesystem(root)
    info = fs.get_file_info(base)
    if info.type == pafs.FileType.File:
        raise SweepError(f"{root}: is a file; expected a sweep directory (holding sweep.json)")
    try:
        with fs.open_input_stream(f"{base}/sweep.json") as f:
            saved = json.loads(f.read())
        cfg = SweepConfig.model_validate(saved["config"])
        results, run_id = saved["paths"]["results"], saved.get("run_id")
    except FileNotFoundError:
        raise SweepError(f"{root}: no sweep.json: not a sweep directory (or started by an older xlt)") from None
    except json.JSONDecodeError as err:
        raise SweepError(f"{root}/sweep.json: not valid JSON (line {err.lineno}: {err.msg}); it is damaged") from None
    except (TypeError, KeyError) as err:
        raise SweepError(f"{root}/sweep.json: expected an object with 'config' and 'paths.results' (missing {err})") from None
    except ValidationError as err:
        raise SweepError(f"{root}/sweep.json: its config is not a valid sweep ({err.errors()[0]['msg']})") from None
    paths = SweepPaths.of(cfg, results)
    paths = SweepPaths(root=root.rstrip("/"), results=paths.results, train=f"{root.rstrip('/')}/train")
    owner = _owner(paths.results)
    if run_id and owner is not None and owner.get("run_id") != run_id:
        raise SweepError(f"{paths.results}: holds the results of sweep {owner.get('sweep')!r} run {owner.get('run_id')}, "
                         f"not of this sweep run ({run_id}); it would mix two runs' results")
    return cfg, paths


def _owner(results: str) -> dict | None:
    """The run recorded as the results directory's owner, or None."""
    from xlt.storage import filesystem

    fs, base = filesystem(results)
    try:
        with fs.open_input_stream(f"{base}/{OWNER}") as f:
            data = json.loads(f.read())
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return None
    except json.JSONDecodeError:
        return {}


def optuna_storage(cfg: SweepConfig) -> dict:
    """OptunaSearch keyword arguments for a database-backed study, or none. `env:NAME` stays a
    name here: the URL is read from the environment where it is used (xlt.searcher), never kept in
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


def check_fresh(cfg: SweepConfig, paths: SweepPaths, overwrite: bool) -> None:
    """Refuse to mix a new run into existing results, on any filesystem (local path or URI):
    the sweep directory must be new (or, with `overwrite`, is cleared), and the results
    directory must be empty or this sweep's own (cleared with `overwrite`); another sweep's
    results are never written into or deleted. Then check both are writable, before Ray starts."""
    from xlt.storage import filesystem

    fs, root = filesystem(paths.root)
    existing = fs.get_file_info(root).type
    if existing == pafs.FileType.File:
        raise SweepError(f"storage {paths.root}: is a file; the sweep needs a directory there")
    if existing == pafs.FileType.Directory:
        if not overwrite:
            raise SweepError(f"sweep directory {paths.root} already exists: pick another name (append name=NEW to the "
                             f"command) or pass --overwrite to delete it")
    rfs, results = filesystem(paths.results)
    inside = paths.results.rstrip("/").startswith(paths.root.rstrip("/") + "/")
    if not inside and rfs.get_file_info(results).type == pafs.FileType.Directory:
        held = [f for f in rfs.get_file_info(pafs.FileSelector(results, recursive=True)) if f.type == pafs.FileType.File]
        owner = _owner(paths.results)
        if held and owner is None:
            raise SweepError(f"results directory {paths.results} holds files of no recorded sweep run; pick an empty "
                             f"directory for --results")
        if held and owner.get("sweep") != cfg.name:
            raise SweepError(f"results directory {paths.results} holds the results of sweep {owner.get('sweep')!r}; "
                             f"pick another --results (xlt never mixes two sweeps' results)")
        if held and not overwrite:
            raise SweepError(f"results directory {paths.results} holds an earlier run of sweep {cfg.name!r}: pass "
                             f"--overwrite to replace it, or `xlt sweep resume {cfg.name}` to continue it")
        if held:
            rfs.delete_dir_contents(results)
    if existing == pafs.FileType.Directory:
        fs.delete_dir(root)
    for where in (paths.root, paths.results):
        _check_writable(where)


def _check_writable(location: str) -> None:
    """Create `location` and a probe file in it, then remove the probe; SweepError if that fails."""
    import uuid

    from xlt.storage import filesystem

    fs, base = filesystem(location)
    probe = f"{base}/.xlt-write-probe-{uuid.uuid4().hex}"
    try:
        fs.create_dir(base, recursive=True)
        with fs.open_output_stream(probe) as out:
            out.write(b"ok")
        fs.delete_file(probe)
    except (OSError, pa.ArrowException) as err:
        raise SweepError(f"storage {location}: not writable ({str(err).splitlines()[0]})") from None


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
            from xlt.local_ray import prepare_loopback_ray

            prepare_loopback_ray()  # every server on 127.0.0.1; token auth stays on
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


def run_sweep(cfg: SweepConfig, paths: SweepPaths, address: str | None = None, echo=print,
              resume: bool = False, dashboard: bool = False, revisions=None) -> SweepOutcome:
    """Run the sweep, or with `resume` continue it from Tune's saved state: finished trials are
    not re-run, unfinished and errored ones resume (from their Ray Train checkpoints), and the
    Optuna searcher continues with its saved state."""
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch
    import optuna

    from xlt.searcher import DistinctTrials, EnvStorageOptunaSearch

    from xlt.models.registry import resolve_model
    from xlt.objective import metric_name
    from xlt.progress import SweepProgress
    from xlt.expand import baseline_point, grid_size
    from xlt.space import define_by_run, param_space

    for model in cfg.model.names:
        resolve_model(model)  # build local models once, before workers race to
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study_storage = optuna_storage(cfg)  # bad input (an unset variable) fails before Ray starts
    local = init_ray(cfg, address, dashboard, echo)
    from xlt.locks import lock_actor

    _locks = lock_actor()  # noqa: F841  (owned by this driver: lives as long as the sweep)
    s = cfg.search
    grid = s.algorithm == "grid"
    num_trials = grid_size(cfg) if grid else s.num_trials
    search_alg = None  # grid: Tune's variant generator runs every combination once
    if not grid:
        sampler = (optuna.samplers.TPESampler(seed=s.sampler_seed) if s.algorithm == "optuna-tpe"
                   else optuna.samplers.RandomSampler(seed=s.sampler_seed))
        objectives = cfg.objectives()
        metrics = [metric_name(i) for i in range(len(objectives))]
        searcher = EnvStorageOptunaSearch if "storage_env" in study_storage else OptunaSearch
        search_alg = DistinctTrials(searcher(space=define_by_run(cfg), metric=metrics if len(metrics) > 1 else metrics[0],
                                             mode=[o.mode for o in objectives] if len(metrics) > 1 else objectives[0].mode,
                                             sampler=sampler, points_to_evaluate=[p] if (p := baseline_point(cfg)) else None,
                                             **study_storage))
    if resume:
        revisions = saved_revisions(paths.root)
    trainable = tune.with_resources(tune.with_parameters(_trial_driver, cfg=cfg, paths=paths, local=local,
                                                         revisions=revisions), {TRIAL_SLOT: 1})
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

