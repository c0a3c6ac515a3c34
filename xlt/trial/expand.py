"""A sweep expanded: the parameters a sweep searches, its grid, and one trial's parameters ->
the `TrialPlan` it runs. Pure (no Ray, no torch): Tune's trainable, `xlt sweep plan`'s cost
estimate, `xlt data prepare`, the surrogate and the tests all expand trials here, so the cache
keys a plan predicts are the keys the trials use.
"""

import hashlib
import itertools
import json
import random
from pathlib import Path
from typing import Any

from xlt.config import Choice, SweepConfig, is_domain
from xlt.mixtures import Mixture, from_search, normalised
from xlt.revisions import Revisions
from xlt.tasks import NO_INTERMEDIATE, get_task
from xlt.models.registry import head_of
from xlt.trial.plan import PhasePlan, TrialPlan

MIXTURE_SEARCH = "<searched mixture>"
"""The `intermediate_task` of a trial whose mixture weights are searched."""


def search_params(cfg: SweepConfig) -> dict[str, Any]:
    """The trial parameters a sweep sets, each a fixed value or a search domain (xlt.config),
    named as trials receive them; a searched mixture's weights and temperature are separate
    (`mixture_params`). Tune's space (xlt.sweep.space) and the grid below are both built from it."""
    params: dict[str, Any] = {"intermediate_task": cfg.intermediate.tasks, "seed": cfg.search.seed}
    if cfg.target.learning_rate is not None:  # else each target's default rate
        params["target_learning_rate"] = cfg.target.learning_rate
    if isinstance(cfg.target.tasks, Choice):
        params["target_task"] = cfg.target.tasks
    if isinstance(cfg.model.name, Choice):
        params["model"] = cfg.model.name
    if _any_intermediate(cfg) and cfg.intermediate.learning_rate is not None:
        params["intermediate_learning_rate"] = cfg.intermediate.learning_rate
    if cfg.intermediate.mixture is not None:
        params["intermediate_task"] = MIXTURE_SEARCH
    return params


def grid_points(cfg: SweepConfig) -> list[dict[str, Any]]:
    """Every trial's parameters of a grid sweep, in Tune's order (the last parameter varies fastest
    in Tune's grid_search expansion: the order is not relied on, only the set)."""
    params = search_params(cfg)
    names = list(params)
    values = [params[n].values() if isinstance(params[n], Choice) else [params[n]] for n in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def sample_point(cfg: SweepConfig, rng: random.Random) -> dict[str, Any]:
    """One trial's parameters drawn uniformly from the space (a searched mixture's weights too)."""
    point = {name: p.sample(rng) if is_domain(p) else p for name, p in search_params(cfg).items()}
    search = cfg.intermediate.mixture
    if search is not None:
        if search.weights is not None:
            point.update({f"mixture_weight_{t}": rng.random() for t in search.tasks})
        if search.temperature is not None:
            point["mixture_temperature"] = search.temperature.sample(rng) if is_domain(search.temperature) \
                else search.temperature
    return point


def grid_size(cfg: SweepConfig) -> int:
    return len(grid_points(cfg))


def trial_mixture(cfg: SweepConfig, params: dict[str, Any]) -> Mixture | None:
    """The intermediate mixture of one trial (a single task is a mixture of one)."""
    name = params["intermediate_task"]
    search = cfg.intermediate.mixture
    if name == MIXTURE_SEARCH and search is not None:
        raw = {t: params.get(f"mixture_weight_{t}", 1.0) for t in search.tasks}
        temperature = params.get("mixture_temperature")
        return from_search(search.tasks, raw, float(temperature) if temperature is not None else None, search.min_weight,
                           search.examples_cap)
    if name == NO_INTERMEDIATE:
        return None
    if name in cfg.mixtures:
        m = cfg.mixtures[name]
        return Mixture(tuple(m.tasks), m.sampling, normalised(m.weights) if m.weights else {}, m.temperature,
                       m.examples_cap)
    return Mixture((name,))


def baseline_point(cfg: SweepConfig) -> dict[str, Any] | None:
    """The `none` baseline as a first point to evaluate, when `none` is one of several choices.
    Only the parameters such a trial samples appear in it (no intermediate rate; Optuna rejects
    constants in a point), each at its domain's centre."""
    tasks = cfg.intermediate.tasks
    if not cfg.search.include_baseline or not isinstance(tasks, Choice) or NO_INTERMEDIATE not in tasks.choice \
            or cfg.intermediate.mixture is not None:
        return None
    params = {"target_learning_rate": cfg.target.learning_rate, "seed": cfg.search.seed, "target_task": cfg.target.tasks,
              "model": cfg.model.name}
    point = {name: p.centre() for name, p in params.items() if is_domain(p)}
    return {"intermediate_task": NO_INTERMEDIATE, **point}


def _any_intermediate(cfg: SweepConfig) -> bool:
    tasks = cfg.intermediate.tasks
    values = tasks.choice if isinstance(tasks, Choice) else [tasks]
    return cfg.intermediate.mixture is not None or any(v != NO_INTERMEDIATE for v in values)


def replicate_seeds(cfg: SweepConfig, params: dict[str, Any]) -> list[int]:
    """The seeds a trial runs its configuration with: its own, then the next `replicates - 1`."""
    first = int(params["seed"])
    return [first + r for r in range(cfg.search.replicates)]


def replicate_id(trial_id: str, seed: int, replicates: int) -> str:
    """The run id of one replicate: the trial's own id without replicates, else `<trial>-s<seed>`."""
    return trial_id if replicates == 1 else f"{trial_id}-s{seed}"


def expand(cfg: SweepConfig, params: dict[str, Any], trial_id: str, results_dir: str,
           sweep_root: str | None = None, revisions: Revisions | None = None) -> TrialPlan:
    """The plan of one trial: the sweep's settings with the searcher's `params` (named as
    `search_params` names them); `revisions` (resolved at sweep start) pin the model and data."""
    inter, tgt = cfg.intermediate, cfg.target
    model = params.get("model", cfg.model.names[0])
    scale = cfg.model.learning_rate_scale.get(model, 1.0)
    mixture = trial_mixture(cfg, params)
    intermediate = None
    if mixture is not None:
        intermediate = _phase(inter, mixture.tasks[0], params.get("intermediate_learning_rate"), mixture.canonical, scale)
    target_tasks = [params["target_task"]] if isinstance(tgt.tasks, Choice) else tgt.tasks
    targets = tuple(_phase(tgt, task, params.get("target_learning_rate"), scale=scale) for task in target_tasks)
    plan = dict(model=model, max_seq_length=cfg.model.max_seq_length, source=cfg.data.source,
                intermediate=intermediate, intermediate_mixture=mixture, intermediate_steps=inter.steps,
                targets=targets, seed=int(params["seed"]),
                objective=cfg.objectives(),
                target_languages=tuple(tgt.languages) if tgt.languages else None,
                max_train_examples=cfg.data.max_train_examples, trust_remote_code=cfg.model.trust_remote_code,
                compile=cfg.model.compile, lora=cfg.model.lora.model_dump() if cfg.model.lora else None,
                choice_scoring=cfg.model.choice_scoring,
                **_head(cfg, model),
                selection=tgt.selection, retrieval_layer=tgt.retrieval_layer, retrieval_pooling=tgt.retrieval_pooling,
                world_size=cfg.resources.workers_per_trial)
    if cfg.robustness is not None:  # only when asked: other sweeps' config hashes stay as they were
        plan.update(robustness_tasks=tuple(cfg.robustness.tasks), perturbations=cfg.robustness.declared(),
                    perturbation_seed=cfg.robustness.seed)
    outputs = {}
    if cfg.cache:
        storage = cfg.storage if "://" in cfg.storage else str(Path(cfg.storage).resolve())
        outputs["cache_dir"] = f"{storage.rstrip('/')}/cache"
    if tgt.write_predictions and sweep_root:
        outputs.update(predictions_dir=f"{sweep_root}/predictions/{trial_id}", labels_dir=f"{sweep_root}/labels")
    revisions = revisions or Revisions()
    outputs.update(model_revision=revisions.models.get(plan["model"], ""),
                   data_revisions=tuple(sorted(revisions.data.items())), libraries=tuple(sorted(revisions.libraries.items())))
    return TrialPlan(sweep=cfg.name, trial_id=trial_id, results_dir=results_dir,
                     config_hash=config_hash(plan), cpus_per_worker=cfg.resources.cpus_per_worker,
                     gpus=_gpu_kind(cfg.resources), backend=cfg.backend,
                     surrogate_response=_resolved(cfg.surrogate_response),
                     **plan, **outputs)


def _head(cfg: SweepConfig, model: str) -> dict:
    """The plan's head settings: only a text (or yet unknown) head adds any, so pooled plans and
    their config hashes stay as they were."""
    head = head_of(cfg.model.head, model)
    if head == "pooled":
        return {}
    g = cfg.model.generation
    return {"head": head, "max_new_tokens": g.max_new_tokens, "num_beams": g.num_beams}


def _resolved(path: str | None) -> str | None:
    return str(Path(path).resolve()) if path and "://" not in path else path


def _gpu_kind(res) -> str:
    if not res.gpus_per_worker:
        return "none"
    return "simulated" if res.simulated_gpus else "cuda"


def _phase(section, task_name: str, learning_rate: float | None, name: str | None = None,
           scale: float = 1.0) -> PhasePlan:
    """A phase's plan: the sweep file's settings, else the (first) task's defaults (the reference
    protocol's). 0 turns dev selection, early stopping or the dev subset off. `scale`: the model's
    learning-rate factor (model.learning_rate_scale)."""
    d = get_task(task_name).defaults
    pick = lambda value, default: default if value is None else value  # noqa: E731
    return PhasePlan(name or task_name, float(pick(learning_rate, d.learning_rate)) * scale, pick(section.epochs, d.epochs),
                     pick(section.batch_size, d.batch_size), pick(section.warmup_ratio, d.warmup_ratio),
                     pick(section.weight_decay, d.weight_decay), pick(section.eval_every, d.eval_every) or None,
                     pick(section.patience, d.patience) or None, section.micro_batch_size,
                     pick(section.dev_subset, d.dev_subset) or None, section.batch_tokens, section.max_train_examples,
                     section.optimizer)


def config_hash(plan: dict[str, Any]) -> str:
    """Content hash of what determines a trial's results (not its id or where they go)."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True, default=repr).encode()).hexdigest()[:16]
