"""`search.algorithm: mixture-gp` (xlt/sweep/mixture_gp.py): Bayesian optimisation over the
proportions a trial trains on."""

import pickle
from pathlib import Path

import numpy as np
import optuna
import pytest

from xlt.config import ConfigError, load_sweep

REPO = Path(__file__).resolve().parent.parent
MIXTURE = REPO / "sweeps" / "mixture-search.yaml"


def _sampler(*overrides):
    from xlt.sweep.searcher import sampler_for

    return sampler_for(load_sweep(MIXTURE, ["search.algorithm=mixture-gp", *overrides]))


def test_features_are_the_proportions_the_trial_trains_on():
    """The GP's inputs come from xlt's own mixture code, through the trial's expansion."""
    from xlt.cost_estimate import load_cost_model, train_examples
    from xlt.trial.expand import trial_mixture

    cfg = load_sweep(MIXTURE, ["search.algorithm=mixture-gp"])
    sampler = _sampler()
    tasks = cfg.intermediate.mixture.tasks
    sizes = {t: train_examples(cfg, t, load_cost_model()) for t in tasks}
    rng = np.random.default_rng(0)
    for _ in range(5):
        params = {**{f"mixture_weight_{t}": float(w) for t, w in zip(tasks, rng.random(len(tasks)))},
                  "mixture_temperature": float(rng.uniform(1, 5)), "intermediate_task": "<searched mixture>"}
        expected = trial_mixture(cfg, params).probabilities(sizes)
        assert np.allclose(sampler.proportions(params), [expected.get(t, 0.0) for t in tasks])


def test_the_design_is_the_centroid_then_every_task_alone():
    sampler = _sampler()
    k = len(sampler.tasks)
    design = sampler.design()
    assert len(design) == k + 1
    assert np.allclose(sampler.proportions(design[0]), 1 / k)  # equal proportions, whatever the sizes
    vertices = np.array([sampler.proportions(p) for p in design[1:]])
    assert np.allclose(np.sort(vertices, axis=0)[-1], 1.0) and np.allclose(vertices.sum(axis=0), 1.0)
    assert all(1.0 <= p["mixture_temperature"] <= 5.0 for p in design)


def _run(sampler, objective, trials):
    study = optuna.create_study(direction="maximize", sampler=sampler)
    distributions = {**{f"mixture_weight_{t}": optuna.distributions.FloatDistribution(0.0, 1.0) for t in sampler.tasks},
                     "mixture_temperature": optuna.distributions.FloatDistribution(1.0, 5.0, log=True)}
    for _ in range(trials):
        trial = study.ask(distributions)
        study.tell(trial, objective(sampler.proportions(trial.params)))
    return study


def test_after_the_design_the_gp_climbs_to_a_two_task_optimum():
    """A concave objective peaking at an unequal mix of two tasks (no design point is near it):
    within 8 trials past the design the sampler is at most 0.02 below the peak, and it never
    proposes a mixture twice."""
    sampler = _sampler("search.sampler_seed=1")
    peak = np.zeros(len(sampler.tasks))
    peak[[1, 4]] = [0.7, 0.3]
    objective = lambda p: float(1.0 - np.abs(p - peak).sum() ** 2)  # noqa: E731
    study = _run(sampler, objective, len(sampler.design()) + 8)
    assert study.best_value > 0.98
    seen = [tuple(np.round(sampler.proportions(t.params), 6)) for t in study.trials]
    assert len(set(seen)) == len(seen)


def _distributions(sampler) -> dict:
    return {**{f"mixture_weight_{t}": optuna.distributions.FloatDistribution(0.0, 1.0) for t in sampler.tasks},
            "mixture_temperature": optuna.distributions.FloatDistribution(1.0, 5.0, log=True)}


def test_the_design_runs_until_the_study_holds_as_many_distinct_mixtures():
    """A study told more trials than the design has points, all at one vertex (replicates of one
    single-task run), still runs the rest of the design; one told as many distinct mixtures goes
    straight to the GP. The design used to end once the study held as many trials of any kind."""
    sampler = _sampler()
    design, distributions = sampler.design(), _distributions(sampler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    vertex = next(p for p in design[1:] if sampler.proportions(p)[0] == 1.0)
    for i in range(len(design) + 2):
        study.add_trial(optuna.trial.create_trial(params=vertex, distributions=distributions, value=0.5 + 0.001 * i))
    proposed = [sampler.proportions(study.ask(distributions).params) for _ in range(len(design) - 1)]
    held = [sampler.proportions(p) for p in design if p is not vertex]
    assert all(any(np.allclose(p, q) for q in held) for p in proposed)  # the centroid and every other vertex
    spread = optuna.create_study(direction="maximize", sampler=_sampler())
    rng = np.random.default_rng(0)
    for i in range(len(design)):
        weights = {f"mixture_weight_{t}": float(w) for t, w in zip(sampler.tasks, rng.uniform(0.2, 1.0, len(sampler.tasks)))}
        spread.add_trial(optuna.trial.create_trial(params={**weights, "mixture_temperature": 2.0},
                                                   distributions=distributions, value=0.5 + 0.01 * i))
    first = sampler.proportions(spread.ask(distributions).params)
    assert not any(np.allclose(first, sampler.proportions(p)) for p in design)  # the GP's proposal


def test_an_infinite_value_is_left_out_of_the_gp():
    """Optuna keeps +-inf as a finished trial's value (told, or warm-started); the GP's standardisation
    of the values turned it into NaN and every later proposal raised."""
    sampler = _sampler()
    distributions = _distributions(sampler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    for i in range(len(sampler.design())):
        trial = study.ask(distributions)
        study.tell(trial, float("inf") if i == 3 else 0.5 + 0.01 * i)
    trial = study.ask(distributions)  # raised ValueError: Input y contains NaN
    assert all(0.0 <= v <= 1.0 for k, v in trial.params.items() if k.startswith("mixture_weight_"))


def test_concurrent_trials_get_distinct_mixtures():
    """Trials asked before earlier ones report count at their predicted mean, so eight workers do
    not all run the GP's single favourite."""
    sampler = _sampler()
    study = _run(sampler, lambda p: float(p[0] - p[2]), len(sampler.design()))
    distributions = {f"mixture_weight_{t}": optuna.distributions.FloatDistribution(0.0, 1.0) for t in sampler.tasks}
    distributions["mixture_temperature"] = optuna.distributions.FloatDistribution(1.0, 5.0, log=True)
    asked = [study.ask(distributions) for _ in range(4)]
    mixtures = {tuple(np.round(sampler.proportions(t.params), 4)) for t in asked}
    assert len(mixtures) == 4


def test_through_tunes_searcher_with_the_sweeps_define_by_run_space():
    """As a sweep runs it: Tune's OptunaSearch over xlt's define-by-run space, pickled as Tune
    pickles its searcher; the learning rate is left to TPE."""
    from ray.tune.search.optuna import OptunaSearch

    from xlt.sweep.searcher import DistinctTrials, sampler_for
    from xlt.sweep.space import define_by_run

    cfg = load_sweep(MIXTURE, ["search.algorithm=mixture-gp", "intermediate.learning_rate={loguniform: [1e-6, 1e-4]}"])
    searcher = DistinctTrials(OptunaSearch(space=define_by_run(cfg), metric="objective", mode="max",
                                           sampler=sampler_for(cfg)))
    for i in range(len(cfg.intermediate.mixture.tasks) + 4):
        config = searcher.suggest(f"t{i}")
        assert 1e-6 <= config["intermediate_learning_rate"] <= 1e-4
        searcher.on_trial_complete(f"t{i}", result={"objective": config["mixture_weight_mnli"]})
        searcher = pickle.loads(pickle.dumps(searcher))
    assert len(searcher.get_state()["finished"]) == len(cfg.intermediate.mixture.tasks) + 4


def test_mixture_gp_needs_a_searched_mixture_and_one_objective(tmp_path):
    with pytest.raises(ConfigError, match="mixture-gp searches mixture weights, and this sweep has none"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=mixture-gp"])
    with pytest.raises(ConfigError, match="mixture-gp models one objective"):
        load_sweep(MIXTURE, ["search.algorithm=mixture-gp",
                             "search.objective=[zero_shot_mean, worst_language]"])


def scored(cfg, value: float) -> list[dict]:
    """One run (xlt.sweep.warm_start.Runs) with `value` everywhere on every target of `cfg`."""
    from conftest import scores_everywhere

    return [scores_everywhere(dict.fromkeys(cfg.target.names, value))]


def test_single_task_trials_warm_start_a_mixture_search_as_its_vertices():
    """An earlier sweep's single-task trials (same settings) are the mixtures of one task; told to
    the study, the design skips the vertices they cover and runs the rest."""
    from xlt.sweep.warm_start import tell

    cfg = load_sweep(MIXTURE, ["search.algorithm=mixture-gp"])
    single = load_sweep(MIXTURE, ["name=single", "intermediate.mixture=null", "search.algorithm=optuna-tpe",
                                  "intermediate.tasks={choice: [mnli, qqp, xnli]}"])
    runs = [({"intermediate_task": task, "seed": 0}, scored(cfg, value)) for task, value in (("mnli", 0.61), ("qqp", 0.55))]
    other = load_sweep(MIXTURE, ["name=other", "intermediate.mixture=null", "intermediate.tasks={choice: [mnli]}",
                                 "search.algorithm=optuna-tpe", "intermediate.steps=100"])
    earlier = [("single", single, [*runs, ({"intermediate_task": "xnli", "seed": 0}, scored(cfg, 0.5))], 0),
               ("other", other, [({"intermediate_task": "mnli", "seed": 0}, scored(cfg, 0.4))], 0)]
    sampler = _sampler()
    study = optuna.create_study(direction="maximize", sampler=sampler)
    told = tell(study, cfg, earlier)
    # xnli is not among the mixture's tasks; the other sweep trained mnli for 100 steps, not 20,000
    assert (told.told, told.outside, told.other_settings, told.differed) == (2, 1, 1, ("intermediate_steps",))
    vertices = {sampler.tasks[int(np.argmax(sampler.proportions(t.params)))]: t.value for t in study.trials}
    assert vertices == {"mnli": 0.61, "qqp": 0.55}
    assert all(np.isclose(sampler.proportions(t.params).max(), 1.0) for t in study.trials)
    distributions = {**{f"mixture_weight_{t}": optuna.distributions.FloatDistribution(0.0, 1.0) for t in sampler.tasks},
                     "mixture_temperature": optuna.distributions.FloatDistribution(1.0, 5.0, log=True)}
    proposed = []
    for _ in range(len(sampler.design()) - 2):
        trial = study.ask(distributions)
        proposed.append(sampler.proportions(trial.params))
        study.tell(trial, 0.5)
    assert np.allclose(proposed[0], 1 / len(sampler.tasks))  # the centroid first
    alone = {sampler.tasks[int(np.argmax(p))] for p in proposed[1:]}
    assert alone == set(sampler.tasks) - {"mnli", "qqp"}  # then only the vertices not yet run
