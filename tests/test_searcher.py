"""The Optuna searcher's wrapper (xlt.sweep.searcher): every configuration runs once."""

import json

from xlt.config import load_sweep

from conftest import REPO


def test_a_finished_configuration_is_not_run_again():
    from ray.tune.search import Searcher
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.searcher import DistinctTrials
    from xlt.sweep.space import define_by_run
    import optuna

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe"])  # 2 x 2 = 4 configurations
    searcher = DistinctTrials(OptunaSearch(space=define_by_run(cfg), metric="objective", mode="max",
                                           sampler=optuna.samplers.TPESampler(seed=0)), retries=50)
    configs = []
    for i in range(4):
        config = searcher.suggest(f"t{i}")
        configs.append(json.dumps(config, sort_keys=True))
        searcher.on_trial_complete(f"t{i}", result={"objective": 0.1 * i})
    assert len(set(configs)) == 4 and searcher.skipped > 0  # every configuration once, repeats skipped
    state = searcher.get_state()
    assert len(state["finished"]) == 4 and not state["running"]
    assert Searcher.FINISHED == "FINISHED"


def test_a_trial_a_scheduler_stopped_is_not_told_as_if_it_had_finished():
    """Its running objective covers the targets it ran: an ASHA stop is told as pruned, a screened
    trial at the screen's predicted final objective, a finished one as it is."""
    import optuna
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.screening import Prediction, Screen
    from xlt.sweep.searcher import DistinctTrials
    from xlt.sweep.space import define_by_run

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe"])
    screen = Screen()
    screen.stopped["screened"] = Prediction(mean=0.61, bound=0.64, trials=5)
    searcher = DistinctTrials(OptunaSearch(space=define_by_run(cfg), metric="objective", mode="max",
                                           sampler=optuna.samplers.TPESampler(seed=0)), screen=screen)
    for trial, result in (("finished", {"objective": 0.7, "progress": 1.0}), ("asha", {"objective": 0.9, "progress": 0.5}),
                          ("screened", {"objective": 0.5, "progress": 0.25})):
        searcher.suggest(trial)
        searcher.on_trial_complete(trial, result=result)
    told = [(t.state, t.value) for t in searcher.searcher._ot_study.trials]
    assert told == [(optuna.trial.TrialState.COMPLETE, 0.7), (optuna.trial.TrialState.PRUNED, None),
                    (optuna.trial.TrialState.COMPLETE, 0.61)]


def test_the_gp_sampler_searches_a_mixture_space_through_tunes_optuna_searcher():
    """`search.algorithm: optuna-gp`: Optuna's GP sampler behind the same searcher, past its random
    start-up trials, on the mixture search's space (simplex weights, temperature, learning rate)."""
    import optuna
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.searcher import DistinctTrials, sampler_for
    from xlt.sweep.space import define_by_run

    cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml", ["search.algorithm=optuna-gp", "search.sampler_seed=3"])
    sampler = sampler_for(cfg)
    assert isinstance(sampler, optuna.samplers.GPSampler)
    searcher = DistinctTrials(OptunaSearch(space=define_by_run(cfg), metric="objective", mode="max", sampler=sampler))
    for i in range(12):  # 10 random start-up trials, then the GP proposes
        config = searcher.suggest(f"t{i}")
        weights = [v for k, v in config.items() if k.startswith("mixture_weight_")]
        searcher.on_trial_complete(f"t{i}", result={"objective": weights[0] - weights[1]})
    assert len(searcher.get_state()["finished"]) == 12


def test_warm_start_is_checked_before_ray_starts(tmp_path, capsys):
    from xlt.cli import main
    from xlt.config import ConfigError

    import pytest

    with pytest.raises(ConfigError, match="warm_start: grid search runs every combination"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=grid", "search.warm_start=all"])
    code = main(["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate",
                 f"storage={tmp_path}", "search.warm_start=[nope]"])
    err = capsys.readouterr().err
    assert code == 2 and "search.warm_start: no sweep 'nope' with trials under" in err, err
    # nothing was written: the corrected command is not refused for a sweep directory left behind
    assert list(tmp_path.iterdir()) == []


def test_an_unset_optuna_storage_variable_fails_before_anything_is_written(tmp_path, capsys, monkeypatch):
    from xlt.cli import main

    monkeypatch.delenv("XLT_TEST_UNSET_DB", raising=False)
    code = main(["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate",
                 f"storage={tmp_path}", "search.optuna_storage=env:XLT_TEST_UNSET_DB"])
    err = capsys.readouterr().err
    assert code == 2 and "search.optuna_storage: environment variable XLT_TEST_UNSET_DB is not set" in err, err
    assert list(tmp_path.iterdir()) == []


def test_an_earlier_trial_is_told_only_where_it_is_a_point_of_this_space():
    import optuna

    from xlt.sweep.space import define_by_run
    from xlt.sweep.warm_start import _as_point

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe"])
    space = define_by_run(cfg)
    inside = {"intermediate_task": "mnli", "intermediate_learning_rate": 1.0e-3, "target_learning_rate": 1.0e-3, "seed": 0}
    trial, config = _as_point(space, inside, 1)
    assert trial.params["intermediate_task"] == "mnli" and config == inside
    study = optuna.create_study(direction="maximize")
    study.add_trial(optuna.trial.create_trial(params=trial.params, distributions=trial.distributions, value=0.5))
    assert study.best_value == 0.5
    assert _as_point(space, {**inside, "intermediate_task": "qqp"}, 1) is None  # not among this sweep's tasks
    assert _as_point(space, {**inside, "seed": 7}, 1) is None                   # this sweep fixes the seed at 0


def test_an_earlier_trial_that_ran_with_other_settings_is_not_told():
    # the same point of the space, but a setting neither sweep searches differs: another experiment
    from xlt.sweep.warm_start import differences

    point = {"intermediate_task": "mnli", "intermediate_learning_rate": 1.0e-3, "target_learning_rate": 1.0e-3, "seed": 0}
    base = ["search.algorithm=optuna-tpe"]
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", base)
    same = load_sweep(REPO / "sweeps" / "demo.yaml", [*base, "search.objective={statistic: worst, languages: zero_shot}",
                                                     "resources.cpus_per_worker=2", "name=other"])
    assert differences(cfg, point, same, point) == ()  # another objective, name and CPUs: the same experiment
    for override, differs in [("model.max_seq_length=64", ("max_seq_length",)), ("target.epochs=5", ("targets",)),
                              ("intermediate.epochs=3", ("intermediate",)), ("data.max_train_examples=16", ("max_train_examples",))]:
        other = load_sweep(REPO / "sweeps" / "demo.yaml", [*base, override])
        assert differences(cfg, point, other, point) == differs, override
