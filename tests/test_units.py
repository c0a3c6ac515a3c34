"""The unit runner (xlt.trial.units) over a recording backend: the contract every backend relies
on (cache claims and reuse, rows, the running objective, curve points, checkpoints, resume),
tested without a model."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from xlt.config import load_sweep
from xlt.objective import TargetScores
from xlt.results.rows import read_results
from xlt.tasks import get_task
from xlt.trial.expand import expand
from xlt.trial.runtime import DriverRuntime, LocalRuntime
from xlt.trial.units import TrialState, run_units

REPO = Path(__file__).resolve().parent.parent


class RecordingBackend:
    """Scores a fixed value per language; records what the runner asked of it."""

    def __init__(self, plan, state, value: float = 0.5, curve_points: int = 0):
        self.plan, self.state, self.value, self.curve_points = plan, state, value, curve_points
        self.calls: list[str] = []
        self.weights_now = {"w": torch.zeros(2)}

    def intermediate(self):
        self.calls.append("intermediate")
        self.state.step += 7
        self.weights_now = {"w": torch.tensor([1.0, 2.0])}
        return [self.plan.row("intermediate", "mnli", "en", "validation", "accuracy", 0.9, 10, 1e-3, self.state.step)]

    def adopt_intermediate(self, weights):
        self.calls.append("adopt")
        self.weights_now = weights

    def weights(self):
        return self.weights_now

    def freeze_base(self):
        self.calls.append("freeze")

    def target(self, phase, curve):
        self.calls.append(f"target-{phase.task}")
        task = get_task(phase.task)
        languages = ["de", "sw"]
        for k in range(1, self.curve_points):
            partial = {l: self.value * k / self.curve_points for l in languages}
            curve(k / self.curve_points, TargetScores(partial, partial, None), {"simulated": k})
        self.state.step += 5
        row = lambda lang, split, v: self.plan.row("zero_shot", task.name, lang, split, task.primary_metric, v,  # noqa: E731
                                                   4, phase.learning_rate, self.state.step)
        return [row(l, s, self.value) for l in languages for s in ("validation", "test")]

    def unit_metrics(self):
        return {"train_loss": 0.25}

    def notices(self):
        return []


def _plan(tmp_path, trial_id="t1", lr=1e-3, cache=True):
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", [f"storage={tmp_path}"])
    params = {"intermediate_task": "mnli", "seed": 0, "target_learning_rate": lr, "intermediate_learning_rate": 1e-3}
    plan = expand(cfg, params, trial_id, str(tmp_path / "results"), str(tmp_path) if cache else None)
    return plan if cache else replace(plan, cache_dir=None)


def _run(plan, rt, **kw):
    state = TrialState()
    backend = RecordingBackend(plan, state, **kw)
    return run_units(plan, rt, backend, state), backend, state


def test_units_run_in_order_write_their_rows_and_report_the_objective(tmp_path):
    plan = _plan(tmp_path)
    rt = LocalRuntime()
    value, backend, state = _run(plan, rt)
    assert backend.calls == ["intermediate", "freeze", "target-xnli"]
    assert value == pytest.approx(0.5) and state.step == 12
    assert [r["unit"] for r in rt.reports] == ["intermediate", "target-xnli", "done"]
    assert rt.reports[1]["progress"] == 1.0 and rt.reports[1]["objective"] == pytest.approx(0.5)
    assert rt.reports[1]["zero_shot/xnli/sw/accuracy"] == 0.5 and rt.reports[1]["train_loss"] == 0.25
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert sorted({(r["phase"], r["step"]) for r in rows}) == [("intermediate", 7), ("zero_shot", 12)]
    assert {r["target_key"] for r in rows if r["phase"] == "zero_shot"} == {plan.target_key(plan.targets[0])}
    assert not any(r["cache_hit"] for r in rows)


def test_a_second_trial_takes_both_units_from_the_cache_and_adopts_the_weights(tmp_path):
    run_first = _run(_plan(tmp_path), LocalRuntime())
    second = _plan(tmp_path, "t2")
    rt = LocalRuntime()
    value, backend, state = _run(second, rt)
    assert backend.calls == ["adopt", "freeze"]  # nothing trained: the intermediate and the target are cached
    assert torch.equal(backend.weights_now["w"], torch.tensor([1.0, 2.0])) and value == run_first[0]
    assert state.step == 12  # the cached units' steps count
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert all(r["cache_hit"] for r in rows if r["trial_id"] == "t2")
    # a new target learning rate is a new target key: the intermediate is reused, the target trained
    _, backend, _ = _run(_plan(tmp_path, "t3", lr=3e-3), LocalRuntime())
    assert backend.calls == ["adopt", "freeze", "target-xnli"]


def test_a_resumed_trial_skips_finished_units_and_keeps_their_scores(tmp_path):
    plan = _plan(tmp_path, cache=False)
    rt = LocalRuntime()
    value, _, _ = _run(plan, rt)
    after_intermediate, after_target = rt.checkpoints
    # no cache: the checkpoint holds the weights; resuming after the intermediate runs only the target
    state, weights = TrialState.load(after_intermediate)
    assert state.completed == ["intermediate"] and torch.equal(weights["w"], torch.tensor([1.0, 2.0]))
    backend = RecordingBackend(plan, state)
    resumed = LocalRuntime()
    assert run_units(plan, resumed, backend, state) == value
    assert backend.calls == ["freeze", "target-xnli"] and [r["unit"] for r in resumed.reports] == ["target-xnli", "done"]
    state, _ = TrialState.load(after_target)
    backend = RecordingBackend(plan, state)
    assert run_units(plan, LocalRuntime(), backend, state) == value and backend.calls == ["freeze"]


def test_curve_points_carry_the_running_objective_and_a_driver_forwards_only_scored_reports(tmp_path):
    plan = _plan(tmp_path)
    seen = []
    value, _, _ = _run(plan, DriverRuntime(seen.append), curve_points=4)
    # the intermediate unit's report has no objective: a driver keeps it from the searcher
    assert [r.get("unit") for r in seen] == [None, None, None, "target-xnli", "done"]
    assert [r["progress"] for r in seen] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert [r["objective"] for r in seen[:3]] == pytest.approx([0.125, 0.25, 0.375]) and seen[-1]["objective"] == value
    assert seen[0]["simulated"] == 1
