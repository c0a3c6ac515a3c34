import pytest

from xlt.objective import objective


def test_zero_shot_mean_excludes_training_language_and_averages_tasks():
    scores = {"xnli": {"en": 0.9, "de": 0.6, "ur": 0.4}, "pawsx": {"en": 1.0, "fr": 0.8}}
    assert objective("zero_shot_mean", scores) == pytest.approx(((0.6 + 0.4) / 2 + 0.8) / 2)
    assert objective("all_languages_mean", scores) == pytest.approx(((0.9 + 0.6 + 0.4) / 3 + 0.9) / 2)


def test_objective_needs_languages():
    with pytest.raises(ValueError, match="no target task has languages"):
        objective("zero_shot_mean", {"xnli": {"en": 0.9}})
    with pytest.raises(ValueError, match="no zero-shot scores"):
        objective("zero_shot_mean", {})


SCORES = {"xnli": {"en": 0.9, "de": 0.8, "fr": 0.7, "sw": 0.4, "ur": 0.5}, "pawsx": {"en": 0.95, "de": 0.9, "ja": 0.6}}


def test_objectives_over_languages_arithmetic():
    from statistics import pstdev

    from xlt.objective import Objective

    assert Objective("worst")(SCORES) == pytest.approx((0.4 + 0.6) / 2)  # per task, then averaged
    assert Objective("mean", "all")(SCORES) == pytest.approx((0.66 + (0.95 + 0.9 + 0.6) / 3) / 2)
    # a resource group: sw is low-resource in the shipped table (ur is mid); pawsx has none: it drops out
    assert Objective("mean", "low")(SCORES) == pytest.approx(0.4)
    assert Objective("mean", "high")(SCORES) == pytest.approx(((0.8 + 0.7) / 2 + (0.9 + 0.6) / 2) / 2)
    assert Objective("mean", ("de", "ja"))(SCORES) == pytest.approx((0.8 + (0.9 + 0.6) / 2) / 2)
    xnli, pawsx = [0.8, 0.7, 0.4, 0.5], [0.9, 0.6]
    expected = ((sum(xnli) / 4 - 2 * pstdev(xnli)) + (sum(pawsx) / 2 - 2 * pstdev(pawsx))) / 2
    assert Objective("mean_minus_std", k=2)(SCORES) == pytest.approx(expected)
    assert Objective.named("worst_language") == Objective("worst")
    assert Objective("mean_minus_std", "low", k=0.5).name == "mean-0.5std[low]"
    with pytest.raises(ValueError, match=r"mean\[low\]: no target task"):
        Objective("mean", "low")({"pawsx": {"de": 0.9}})


def test_objective_config_single_list_and_errors():
    from xlt.config import SearchConfig
    from xlt.objective import Objective, objective_metrics

    s = SearchConfig(objective=["zero_shot_mean", {"statistic": "worst"}])
    objs = s.objectives()
    assert objs == (Objective(), Objective("worst"))
    assert objective_metrics(objs, SCORES) == {"objective": Objective()(SCORES), "objective_2": Objective("worst")(SCORES)}
    assert SearchConfig(objective={"languages": ["sw", "ur"], "mode": "min"}).objectives() == \
        (Objective("mean", ("sw", "ur"), mode="min"),)
    with pytest.raises(ValueError, match="two or more"):
        SearchConfig(objective=["zero_shot_mean"])
    with pytest.raises(ValueError, match="multi-objective search cannot use it"):
        SearchConfig(objective=["zero_shot_mean", "worst_language"], scheduler="asha")
    with pytest.raises(ValueError, match="unknown language"):
        SearchConfig(objective={"languages": ["xx"]})


def test_a_running_objective_over_a_group_with_no_language_yet_is_nan_not_an_error():
    import math

    from xlt.objective import Objective, objective_metrics

    done_so_far = {"xglue_nc": {"en": 0.9, "de": 0.8}}  # no low-resource language in this target
    assert math.isnan(objective_metrics([Objective("mean", "low")], done_so_far, partial=True)["objective"])
    with pytest.raises(ValueError, match="no target task has languages"):
        objective_metrics([Objective("mean", "low")], done_so_far)


def _sweep(*overrides):
    from xlt.config import load_sweep

    from conftest import REPO

    return load_sweep(REPO / "sweeps" / "demo.yaml", list(overrides))


def test_an_objective_that_would_drop_a_task_is_refused_unless_the_sweep_allows_it():
    from xlt.config import ConfigError

    # XQuAD has no low-resource language: the objective would average XNLI alone, silently
    with pytest.raises(ConfigError, match=r"search.objective: mean\[low\] would silently leave out xquad .*"
                                          r"allow_partial: true"):
        _sweep("data.source=hub", "target.tasks=[xnli, xquad]", "search.objective={languages: low}")
    cfg = _sweep("data.source=hub", "target.tasks=[xnli, xquad]", "search.objective={languages: low, allow_partial: true}")
    assert cfg.objectives()[0].allow_partial
    from xlt.objective import coverage_lines
    from xlt.tasks import get_task

    assert coverage_lines(cfg.objectives(), [get_task("xnli"), get_task("xquad")]) == \
        ["objective mean[low] reads xnli (sw); leaves out xquad (allow_partial)"]


def test_a_sweep_names_its_own_language_groups():
    from xlt.config import ConfigError

    cfg = _sweep("languages={groups: {focus: [ur, sw]}}", "search.objective={statistic: worst, languages: focus}")
    (o,) = cfg.objectives()
    assert o.name == "worst[focus]" and o.languages == ("ur", "sw")
    assert o({"xnli": {"en": 0.9, "de": 0.8, "ur": 0.5, "sw": 0.4}}) == pytest.approx(0.4)
    with pytest.raises(ConfigError, match=r"search.objective.languages: unknown group 'fokus' \(built in: zero_shot, "
                                          r"all, high, mid, low; this sweep's languages.groups: focus"):
        _sweep("languages={groups: {focus: [ur]}}", "search.objective={languages: fokus}")
    with pytest.raises(ConfigError, match="'low' is a built-in group"):
        _sweep("languages={groups: {low: [ur]}}")
    with pytest.raises(ConfigError, match=r"unknown language code\(s\) \['xx'\]"):
        _sweep("languages={groups: {focus: [ur, xx]}}")


def test_seeds_are_replicates_never_searched():
    from xlt.config import ConfigError

    with pytest.raises(ConfigError, match="search.seed: optuna-tpe would search over seeds and favour lucky ones"):
        _sweep("search.algorithm=optuna-tpe", "search.seed={choice: [1, 2]}")
    from xlt.trial.expand import grid_size

    assert grid_size(_sweep("search.seed={choice: [1, 2]}")) == 8  # a grid runs every configuration with each seed


def test_a_task_without_target_language_dev_sets_is_scored_by_its_english_dev():
    """XQuAD and TyDiQA-GoldP have no dev set in the target languages: their model-selection
    score (English dev) stands in, never their test scores; a task with dev sets uses its own."""
    from xlt.objective import Objective, TargetScores

    xquad = TargetScores(test={"en": 0.9, "de": 0.7, "ar": 0.5}, dev={}, english_dev=0.8)
    xnli = TargetScores(test={"en": 0.9, "de": 0.6, "ur": 0.4}, dev={"de": 0.65}, english_dev=0.85)
    mean = Objective("mean", "zero_shot")
    assert mean.values(xquad) == [0.8] and mean.values(xnli) == [0.65]
    assert mean({"xquad": xquad, "xnli": xnli}) == pytest.approx((0.8 + 0.65) / 2)
    on_test = Objective("mean", "zero_shot", split="test")  # only when a sweep asks by name
    assert on_test.values(xquad) == [0.7, 0.5]
