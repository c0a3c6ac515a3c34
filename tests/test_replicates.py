"""Replicates (`search.replicates`): each configuration run with several seeds, the searcher
seeing their combination, the plan counting every run. (Through a real sweep: test_surrogate.py.)"""

import math
from statistics import stdev

import pytest

from xlt.config import ConfigError, load_sweep
from xlt.cost_estimate import load_cost_model, plan_sweep
from xlt.objective import combine_replicates, t95
from xlt.sweep.replicates import ReplicateView
from xlt.trial.expand import replicate_id, replicate_seeds

from conftest import REPO


def _demo(*overrides):
    return load_sweep(REPO / "sweeps" / "demo.yaml", list(overrides))


def test_replicates_take_consecutive_seeds_and_refuse_what_would_be_ambiguous():
    cfg = _demo("search.replicates=3", "search.seed=7")
    assert replicate_seeds(cfg, {"seed": 7}) == [7, 8, 9]
    assert replicate_id("abc_00001", 8, 3) == "abc_00001-s8" and replicate_id("abc_00001", 7, 1) == "abc_00001"
    with pytest.raises(ConfigError, match=r"search.replicates: 3 replicates take seeds seed, seed \+ 1"):
        _demo("search.replicates=3", "search.seed={choice: [1, 2]}")
    with pytest.raises(ConfigError, match="search.replicate_statistic: lcb needs search.replicates >= 3"):
        _demo("search.replicates=2", "search.replicate_statistic=lcb")
    with pytest.raises(ConfigError, match="search.replicates: Input should be greater than or equal to 1"):
        _demo("search.replicates=0")


def test_the_lower_confidence_bound_is_the_interval_end_away_from_the_optimum():
    values = [0.60, 0.70, 0.65]
    half = t95(2) * stdev(values) / math.sqrt(3)  # 4.303 * 0.05 / sqrt(3)
    assert half == pytest.approx(0.12422, abs=1e-5)
    assert combine_replicates(values) == pytest.approx(0.65)
    assert combine_replicates(values, "lcb", "max") == pytest.approx(0.65 - half)
    assert combine_replicates(values, "lcb", "min") == pytest.approx(0.65 + half)
    assert combine_replicates([0.5, float("nan")]) == 0.5 and math.isnan(combine_replicates([float("nan")]))


def test_what_tune_sees_of_three_replicates():
    modes = (("objective", "max"),)
    first = ReplicateView(0, 3, 5, (), "lcb", modes)
    shown = first({"objective": 0.6, "progress": 0.5, "unit": "target-xnli"})
    assert shown["progress"] == pytest.approx(0.5 / 3) and shown["objective"] == 0.6
    assert shown["unit"] == "target-xnli (seed 5)" and shown["objective/seed"] == 0.6 and shown["seed"] == 5
    done = first({"objective": 0.6, "progress": 1.0, "unit": "done"})
    assert done["unit"] == "seed 5" and done["replicates_done"] == 1 and first.objectives(done | {"objective": 0.6}) == {"objective": 0.6}
    second = ReplicateView(1, 3, 6, ({"objective": 0.6},), "lcb", modes)
    running = second({"objective": 0.7, "progress": 0.5, "unit": "target-xnli"})
    assert running["objective"] == pytest.approx(0.65) and running["progress"] == pytest.approx(1.5 / 3)  # the mean while running
    last = ReplicateView(2, 3, 7, ({"objective": 0.6}, {"objective": 0.7}), "lcb", modes)
    final = last({"objective": 0.65, "progress": 1.0, "unit": "done"})
    assert final["unit"] == "done" and final["progress"] == 1.0 and final["replicates_done"] == 3
    assert final["objective"] == pytest.approx(combine_replicates([0.6, 0.7, 0.65], "lcb", "max"))  # what the searcher reads


def test_the_plan_counts_every_replicate_and_keys_each_by_its_seed():
    cost = load_cost_model()
    one, three = plan_sweep(_demo(), cost), plan_sweep(_demo("search.replicates=3"), cost)
    assert three.trials == one.trials == 4 and three.replicates == 3
    for kind in ("intermediate", "target"):
        assert three.count(kind, False) == 3 * one.count(kind, False)
        assert three.count(kind, True) == 3 * one.count(kind, True)  # a seed is part of every cache key
    assert three.hours(None, True) == pytest.approx(3 * one.hours(None, True))


def test_grid_seeds_and_replicates_give_the_same_runs():
    """Two ways to a balanced design: a grid over seeds (one trial per seed) or replicates (one
    trial per configuration, each run with every seed): the same phase runs."""
    cost = load_cost_model()
    grid = plan_sweep(_demo("search.seed={choice: [0, 1]}"), cost)
    reps = plan_sweep(_demo("search.replicates=2"), cost)
    assert sorted(r.key for r in grid.runs) == sorted(r.key for r in reps.runs)
