"""The sweep's search space: config primitives -> Ray Tune domains, and sampled params -> TrialPlan.

Only this module and `xlt.sweep` import `ray.tune`.
"""

import hashlib
import json
from typing import Any

from ray import tune

from xlt.config import Choice, LogUniform, SweepConfig, Uniform
from xlt.pipeline import PhasePlan, TrialPlan
from xlt.tasks import NO_INTERMEDIATE


def to_domain(param: Any) -> Any:
    if isinstance(param, Choice):
        return tune.choice(param.choice)
    if isinstance(param, LogUniform):
        return tune.loguniform(*param.loguniform)
    if isinstance(param, Uniform):
        return tune.uniform(*param.uniform)
    return param


def param_space(cfg: SweepConfig) -> dict[str, Any]:
    """What Optuna samples per trial."""
    space = {
        "intermediate_task": to_domain(cfg.intermediate.tasks),
        "target_learning_rate": to_domain(cfg.target.learning_rate),
        "seed": to_domain(cfg.search.seed),
    }
    if _any_intermediate(cfg):
        space["intermediate_learning_rate"] = to_domain(cfg.intermediate.learning_rate)
    return space


def baseline_point(cfg: SweepConfig) -> dict[str, Any] | None:
    """The `none` baseline as a first point to evaluate, or None when it is not in the space."""
    tasks = cfg.intermediate.tasks
    values = tasks.choice if isinstance(tasks, Choice) else [tasks]
    if not cfg.search.include_baseline or NO_INTERMEDIATE not in values:
        return None
    params = {"intermediate_task": cfg.intermediate.tasks, "target_learning_rate": cfg.target.learning_rate,
              "seed": cfg.search.seed, "intermediate_learning_rate": cfg.intermediate.learning_rate}
    point = {name: _centre(p) for name, p in params.items() if isinstance(p, (Choice, LogUniform, Uniform))}
    point["intermediate_task"] = NO_INTERMEDIATE
    return point  # sampled parameters only: Optuna rejects constants in a point


def _centre(param: Any) -> Any:
    """A representative value: the first choice, the geometric/arithmetic middle of a range."""
    if isinstance(param, Choice):
        return param.choice[0]
    if isinstance(param, LogUniform):
        low, high = param.loguniform
        return (low * high) ** 0.5
    if isinstance(param, Uniform):
        return sum(param.uniform) / 2
    return param


def _any_intermediate(cfg: SweepConfig) -> bool:
    tasks = cfg.intermediate.tasks
    values = tasks.choice if isinstance(tasks, Choice) else [tasks]
    return any(v != NO_INTERMEDIATE for v in values)


def trial_plan(cfg: SweepConfig, params: dict[str, Any], trial_id: str, results_dir: str,
               sweep_root: str | None = None) -> TrialPlan:
    inter = cfg.intermediate
    intermediate = None
    if params["intermediate_task"] != NO_INTERMEDIATE:
        intermediate = PhasePlan(params["intermediate_task"], float(params["intermediate_learning_rate"]),
                                 inter.epochs, inter.batch_size, inter.warmup_ratio, inter.weight_decay)
    tgt = cfg.target
    targets = tuple(PhasePlan(task, float(params["target_learning_rate"]), tgt.epochs, tgt.batch_size,
                              tgt.warmup_ratio, tgt.weight_decay) for task in tgt.tasks)
    plan = dict(model=cfg.model.name, max_seq_length=cfg.model.max_seq_length, source=cfg.data.source,
                intermediate=intermediate, targets=targets, seed=int(params["seed"]),
                objective=cfg.search.objective,
                target_languages=tuple(tgt.languages) if tgt.languages else None,
                max_train_examples=cfg.data.max_train_examples, trust_remote_code=cfg.model.trust_remote_code)
    outputs = {}
    if tgt.write_predictions and sweep_root:
        outputs = dict(predictions_dir=f"{sweep_root}/predictions/{trial_id}", labels_dir=f"{sweep_root}/labels")
    return TrialPlan(sweep=cfg.name, trial_id=trial_id, results_dir=results_dir,
                     config_hash=config_hash(plan), cpus_per_worker=cfg.resources.cpus_per_worker,
                     **plan, **outputs)


def config_hash(plan: dict[str, Any]) -> str:
    """Content hash of what determines a trial's results (not its id or where they go)."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True, default=repr).encode()).hexdigest()[:16]
