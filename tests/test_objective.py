import pytest

from xlt.objective import objective


def test_zero_shot_mean_excludes_training_language_and_averages_tasks():
    scores = {"xnli": {"en": 0.9, "de": 0.6, "ur": 0.4}, "pawsx": {"en": 1.0, "fr": 0.8}}
    assert objective("zero_shot_mean", scores) == pytest.approx(((0.6 + 0.4) / 2 + 0.8) / 2)
    assert objective("all_languages_mean", scores) == pytest.approx(((0.9 + 0.6 + 0.4) / 3 + 0.9) / 2)


def test_objective_needs_languages():
    with pytest.raises(ValueError, match="no languages"):
        objective("zero_shot_mean", {"xnli": {"en": 0.9}})
    with pytest.raises(ValueError, match="no zero-shot scores"):
        objective("zero_shot_mean", {})
