"""`search.scheduler: screen` (xlt.sweep.screening): a trial stops only when the finished trials'
regression of final on partial objective puts its prediction interval below the best so far."""

import numpy as np
import pytest
from scipy import stats

from xlt.sweep.screening import Screen, rung


def test_the_prediction_is_least_squares_with_its_student_t_prediction_interval():
    """Against the matrix form of the same interval: y0 + t(n-2) * s * sqrt(1 + x0'(X'X)^-1 x0)."""
    partial = [0.60, 0.62, 0.65, 0.66, 0.70, 0.71]
    final = [0.70, 0.71, 0.75, 0.74, 0.78, 0.80]
    screen = Screen("max", min_trials=5, confidence=0.975)
    for i, (x, y) in enumerate(zip(partial, final)):
        screen.partial[f"t{i}"] = {0.25: x}
        screen.finish(f"t{i}", y)
    got = screen.predict(0.25, 0.63)

    X = np.column_stack([np.ones(len(partial)), partial])
    beta, residual, *_ = np.linalg.lstsq(X, np.array(final), rcond=None)
    x0 = np.array([1.0, 0.63])
    s = np.sqrt(residual[0] / (len(partial) - 2))
    half = stats.t.ppf(0.975, len(partial) - 2) * s * np.sqrt(1 + x0 @ np.linalg.inv(X.T @ X) @ x0)
    assert got.mean == pytest.approx(x0 @ beta) and got.bound == pytest.approx(x0 @ beta + half) and got.trials == 6


def test_nothing_stops_until_enough_trials_finished_at_the_rung():
    screen = Screen("max", min_trials=5)
    for i in range(4):
        screen.partial[f"t{i}"] = {0.5: 0.6 + 0.01 * i}
        screen.finish(f"t{i}", 0.7 + 0.01 * i)
    assert screen.report("hopeless", 0.5, 0.0) is None  # 4 finished: no regression yet
    assert screen.report("hopeless", 0.25, 0.0) is None  # no finished trial reported at this rung
    screen.partial["t4"] = {0.5: 0.64}
    screen.finish("t4", 0.74)
    assert screen.report("hopeless", 0.5, 0.0) is not None and "hopeless" in screen.stopped


def test_a_signal_that_predicts_the_end_stops_the_hopeless_and_keeps_the_close():
    screen = Screen("max", min_trials=5)
    for i, x in enumerate([0.50, 0.55, 0.60, 0.65, 0.70, 0.75]):
        screen.partial[f"t{i}"] = {rung(1 / 3): x}
        screen.finish(f"t{i}", 0.2 + x + 0.002 * (-1) ** i)  # the rung ranks trials as the end does
    stopped = screen.report("poor", 1 / 3, 0.52)
    assert stopped is not None and stopped.bound < 0.95 and stopped.mean == pytest.approx(0.72, abs=0.005)
    assert screen.report("close", 1 / 3, 0.75) is None and "close" not in screen.stopped


def test_a_signal_that_does_not_predict_the_end_stops_nothing():
    """The first targets rank trials unlike the whole set (ASHA's failure): the interval is wide."""
    screen = Screen("max", min_trials=5)
    finals = [0.78, 0.70, 0.76, 0.71, 0.77, 0.72]
    for i, (x, y) in enumerate(zip([0.50, 0.55, 0.60, 0.65, 0.70, 0.75], finals)):
        screen.partial[f"t{i}"] = {0.25: x}
        screen.finish(f"t{i}", y)
    assert all(screen.report(f"new{x}", 0.25, x) is None for x in (0.40, 0.50, 0.60, 0.75))


def test_minimising_mirrors_maximising():
    screen = Screen("min", min_trials=5)
    for i, x in enumerate([0.50, 0.55, 0.60, 0.65, 0.70, 0.75]):
        screen.partial[f"t{i}"] = {0.5: x}
        screen.finish(f"t{i}", x + 0.001 * (-1) ** i)
    assert screen.report("poor", 0.5, 0.74) is not None  # predicted far above the least loss
    assert screen.report("good", 0.5, 0.49) is None  # predicted below the least loss so far, 0.499


def test_a_rung_with_no_objective_yet_is_not_recorded_and_bad_settings_are_refused():
    screen = Screen()
    assert screen.report("t", 0.1, float("nan")) is None and screen.partial == {}
    with pytest.raises(ValueError, match="min_trials"):
        Screen(min_trials=2)
    with pytest.raises(ValueError, match="confidence"):
        Screen(confidence=0.4)


@pytest.mark.parametrize("scheduler", ["screen", "asha"])
def test_the_scheduler_follows_the_objectives_own_direction(scheduler):
    """An objective may set its own `mode` (search.mode its default); Optuna follows it, and so must
    the scheduler: it was built with search.mode, so a minimised objective was screened as maximised."""
    from xlt.config import load_sweep
    from xlt.sweep.run import _scheduler

    from conftest import REPO

    cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml", [
        f"search.scheduler={scheduler}", "search.objective={statistic: mean_minus_std, mode: min}"])
    assert cfg.search.mode == "max" and cfg.objectives()[0].mode == "min"
    built = _scheduler(cfg)
    assert (built.screen.mode if scheduler == "screen" else built._mode) == "min"
