"""`search.warm_start` (xlt.sweep.warm_start): which earlier trials a study is told, and with what
value. The end-to-end path through `xlt sweep run` is tests/test_surrogate.py's."""

import json

import optuna
import pytest

from xlt.config import load_sweep
from xlt.objective import TargetScores
from xlt.sweep.warm_start import earlier_sweeps, objective_values, tell
from xlt.trial.expand import expand

from conftest import REPO, scores_everywhere

MIXTURE = REPO / "sweeps" / "mixture-search.yaml"


def _sweep(*overrides):
    return load_sweep(MIXTURE, ["search.algorithm=optuna-tpe", *overrides])


def _point(cfg, **extra) -> dict:
    return {"intermediate_task": "<searched mixture>", "seed": 0, "mixture_temperature": 2.0,
            **{f"mixture_weight_{t}": 0.5 for t in cfg.intermediate.mixture.tasks}, **extra}


def _study(cfg):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(direction="maximize")


def test_an_earlier_value_outside_this_sweeps_range_is_not_told_and_does_not_stop_the_sweep():
    """An earlier sweep searched a wider learning-rate range: Optuna refuses a told trial outside this
    sweep's (it used to raise out of `tell`, after Ray had started, and end the sweep)."""
    cfg = _sweep("target.tasks=[xnli]", "intermediate.learning_rate={loguniform: [2.0e-5, 5.0e-5]}")
    wide = _sweep("name=wide", "target.tasks=[xnli]", "intermediate.learning_rate={loguniform: [1.0e-6, 1.0e-4]}")
    study = _study(cfg)
    points = [(_point(cfg, intermediate_learning_rate=lr), [scores_everywhere({"xnli": 0.6})]) for lr in (3e-5, 1e-5)]
    told = tell(study, cfg, [("wide", wide, points, 0)])
    assert (told.told, told.outside) == (1, 1)
    assert [t.params["intermediate_learning_rate"] for t in study.trials] == [3e-5]


def test_an_earlier_trial_is_scored_on_this_sweeps_targets_and_languages_only():
    """The objective reads what this sweep's own trial at that point would be scored on: a target the
    earlier trial trained besides is left out (it used to be averaged in: 0.80 here for 0.70)."""
    cfg = _sweep("target.tasks=[xnli]")
    earlier = _sweep("name=old", "target.tasks=[xnli, pawsx]")
    plan = expand(cfg, _point(cfg), "t", "-")
    assert objective_values(cfg, plan, [scores_everywhere({"xnli": 0.70, "pawsx": 0.90})]) == [pytest.approx(0.70)]
    study = _study(cfg)
    told = tell(study, cfg, [("old", earlier, [(_point(cfg), [scores_everywhere({"xnli": 0.70, "pawsx": 0.90})])], 0)])
    assert told.told == 1 and study.trials[0].value == pytest.approx(0.70)
    # this sweep's target.languages: the earlier trial's other languages are not read
    narrow = _sweep("target.tasks=[xnli]", "target.languages=[en, de, fr]")
    scores = scores_everywhere({"xnli": 0.70})
    scores["xnli"] = TargetScores({**scores["xnli"].test, "sw": 0.10}, {**scores["xnli"].dev, "sw": 0.10}, 0.70)
    assert objective_values(narrow, expand(narrow, _point(narrow), "t", "-"), [scores]) == [pytest.approx(0.70)]


def test_an_earlier_trial_without_every_score_the_objective_reads_is_not_told():
    """A trial stopped by a scheduler or failed after its first target, or evaluated on fewer languages,
    has no value on this sweep's scale: it is unscored (it used to be told its partial mean)."""
    cfg = _sweep("target.tasks=[xnli, pawsx]")
    plan = expand(cfg, _point(cfg), "t", "-")
    assert objective_values(cfg, plan, [scores_everywhere({"xnli": 0.70})]) is None  # PAWS-X never ran
    assert objective_values(cfg, plan, [scores_everywhere({"xnli": 0.55, "pawsx": 0.55}, languages=("en", "de"))]) is None
    # of two replicates, the one that finished counts
    assert objective_values(cfg, plan, [scores_everywhere({"xnli": 0.70}), scores_everywhere({"xnli": 0.6, "pawsx": 0.8})]) == [pytest.approx(0.7)]
    study = _study(cfg)
    told = tell(study, cfg, [("old", cfg, [(_point(cfg), [scores_everywhere({"xnli": 0.70})])], 0)])
    assert (told.told, told.unscored) == (0, 1) and not study.trials
    assert "1 without scores its objective reads" in told.line()


def test_all_leaves_out_a_sweep_that_has_run_no_trial(tmp_path):
    """`warm_start: all` reads every sweep on the storage with trials: one started without any (its
    sweep.json written, no tune/ yet) used to stop the new sweep with 'no sweep ... with trials'."""
    for name, trials in (("ran", True), ("started", False)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "sweep.json").write_text(json.dumps({}))
        if trials:
            (tmp_path / name / "tune").mkdir()
    cfg = load_sweep(MIXTURE, ["name=new", f"storage={tmp_path}", "search.warm_start=all"])
    assert earlier_sweeps(cfg) == ["ran"]
    named = load_sweep(MIXTURE, ["name=new", f"storage={tmp_path}", "search.warm_start=[started]"])
    assert earlier_sweeps(named) == ["started"]  # named, it is refused where its trials are read
