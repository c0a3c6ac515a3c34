"""Expanding a sweep (xlt.trial.expand): the baseline point and the grid. (Trial plans and their
cache keys against a real sweep: test_cost_estimate.py and test_sweep_e2e.py.)"""

import pytest

from xlt.config import ConfigError, load_sweep

from conftest import REPO


def test_baseline_point_and_grid_space():
    from xlt.trial.expand import baseline_point, grid_size
    from xlt.sweep.space import param_space

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe",
                                                      "intermediate.learning_rate={loguniform: [3.0e-4, 3.0e-3]}"])
    # the baseline samples no intermediate rate: it trains no intermediate task
    assert baseline_point(cfg) == {"intermediate_task": "none", "target_learning_rate": 1e-3}
    assert baseline_point(load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=none"])) is None
    assert baseline_point(load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=mnli"])) is None
    grid = load_sweep(REPO / "sweeps" / "paper-single.yaml")
    assert grid_size(grid) == 90 and param_space(grid)["intermediate_task"] == {"grid_search": grid.intermediate.tasks.choice}
    with pytest.raises(ConfigError, match="intermediate.learning_rate: search.algorithm grid needs a fixed value"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.learning_rate={loguniform: [3.0e-4, 3.0e-3]}"])
