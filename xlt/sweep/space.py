"""The sweep's search space for Ray Tune: xlt.trial.expand's parameters as Tune domains (grids), or an
Optuna define-by-run space. Ray Tune is imported only at the edge (tests/test_architecture.py
lists the modules); what a trial runs is expanded in xlt.trial.expand, without Ray.
"""

from typing import Any

from ray import tune

from xlt.config import Choice, LogUniform, SweepConfig, Uniform, is_domain
from xlt.trial.expand import MIXTURE_SEARCH, search_params
from xlt.tasks import NO_INTERMEDIATE


def to_domain(param: Any, grid: bool = False) -> Any:
    if isinstance(param, Choice):
        return tune.grid_search(param.choice) if grid else tune.choice(param.choice)
    if isinstance(param, LogUniform):
        return tune.loguniform(*param.loguniform)
    if isinstance(param, Uniform):
        return tune.uniform(*param.uniform)
    return param


def param_space(cfg: SweepConfig) -> dict[str, Any]:
    """What Optuna samples per trial (or, for grid, every combination): xlt.trial.expand's parameters
    as Tune domains."""
    grid = cfg.search.algorithm == "grid"
    space = {name: to_domain(param, grid) for name, param in search_params(cfg).items()}
    search = cfg.intermediate.mixture
    if search is not None:
        if search.weights is not None:
            space.update({f"mixture_weight_{t}": tune.uniform(0.0, 1.0) for t in search.tasks})
        if search.temperature is not None:
            space["mixture_temperature"] = to_domain(search.temperature)
    return space


class DefineByRun:
    """The sweep's space for Optuna, as a define-by-run function of an Optuna trial: a parameter a
    trial does not use is not sampled (a `none` trial draws no intermediate learning rate), so
    trials that run the same thing look the same to the sampler. Returns the fixed values. A class,
    not a closure: Tune pickles its searcher with it."""

    def __init__(self, cfg: SweepConfig):
        self.cfg = cfg

    def __call__(self, trial) -> dict[str, Any]:
        cfg, search = self.cfg, self.cfg.intermediate.mixture
        fixed: dict[str, Any] = {}

        def draw(name: str, param: Any) -> Any:
            if is_domain(param):
                return param.suggest(trial, name)
            fixed[name] = param
            return param

        if search is not None:
            fixed["intermediate_task"] = MIXTURE_SEARCH
            for task in search.tasks if search.weights is not None else ():
                trial.suggest_float(f"mixture_weight_{task}", 0.0, 1.0)
            if search.temperature is not None:
                draw("mixture_temperature", search.temperature)
            trains_intermediate = True
        else:
            trains_intermediate = draw("intermediate_task", cfg.intermediate.tasks) != NO_INTERMEDIATE
        if trains_intermediate and cfg.intermediate.learning_rate is not None:
            draw("intermediate_learning_rate", cfg.intermediate.learning_rate)
        if cfg.target.learning_rate is not None:
            draw("target_learning_rate", cfg.target.learning_rate)
        draw("seed", cfg.search.seed)
        if isinstance(cfg.target.tasks, Choice):
            draw("target_task", cfg.target.tasks)
        if isinstance(cfg.model.name, Choice):
            draw("model", cfg.model.name)
        return fixed


define_by_run = DefineByRun
