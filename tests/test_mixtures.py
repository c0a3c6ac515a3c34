"""Samplers: empirical task frequencies over many draws match each strategy's formula."""

import pytest

from xlt.mixtures import Mixture, TaskSampler, from_search, mixture_steps

SIZES = {"mnli": 9000, "squad_v1": 1000, "ccg": 100}
DRAWS = 200_000


def empirical(mixture: Mixture, seed: int = 0) -> dict[str, float]:
    sampler = TaskSampler(mixture.probabilities(SIZES), seed)
    counts = dict.fromkeys(mixture.tasks, 0)
    for _ in range(DRAWS):
        counts[next(sampler)] += 1
    return {t: c / DRAWS for t, c in counts.items()}


@pytest.mark.parametrize("mixture, expected", [
    (Mixture(tuple(SIZES), "proportional"), {"mnli": 0.9, "squad_v1": 0.1, "ccg": 0.01}),
    (Mixture(tuple(SIZES), "uniform"), {t: 1 / 3 for t in SIZES}),
    (Mixture(tuple(SIZES), "weights", {"mnli": 1, "squad_v1": 2, "ccg": 1}), {"mnli": 0.25, "squad_v1": 0.5, "ccg": 0.25}),
])
def test_strategies_match_their_formula(mixture, expected):
    total = sum(expected.values())
    expected = {t: v / total for t, v in expected.items()}
    assert mixture.probabilities(SIZES) == pytest.approx(expected)
    got = empirical(mixture)
    for t in SIZES:
        assert got[t] == pytest.approx(expected[t], abs=0.005), t


def test_temperature_sampling_follows_n_to_the_one_over_t():
    mixture = Mixture(tuple(SIZES), "temperature", temperature=2.0)
    raw = {t: n ** 0.5 for t, n in SIZES.items()}  # sqrt(9000) : sqrt(1000) : sqrt(100)
    expected = {t: v / sum(raw.values()) for t, v in raw.items()}
    assert mixture.probabilities(SIZES) == pytest.approx(expected)
    got = empirical(mixture, seed=3)
    assert all(got[t] == pytest.approx(expected[t], abs=0.005) for t in SIZES)
    # T -> large approaches uniform, T = 1 is proportional
    assert Mixture(tuple(SIZES), "temperature", temperature=1e9).probabilities(SIZES)["ccg"] == pytest.approx(1 / 3, abs=1e-6)
    assert Mixture(tuple(SIZES), "temperature", temperature=1.0).probabilities(SIZES) == \
        pytest.approx(Mixture(tuple(SIZES), "proportional").probabilities(SIZES))


def test_same_seed_same_sequence_for_every_rank():
    p = Mixture(tuple(SIZES), "uniform").probabilities(SIZES)
    a, b = TaskSampler(p, 7), TaskSampler(p, 7)
    assert [next(a) for _ in range(100)] == [next(b) for _ in range(100)]


def test_searched_weights_are_normalised_and_small_ones_dropped():
    m = from_search(["mnli", "squad_v1", "ccg"], {"mnli": 0.6, "squad_v1": 0.38, "ccg": 0.02}, None)
    assert m.tasks == ("mnli", "squad_v1") and sum(m.weights.values()) == pytest.approx(1.0)
    assert m.canonical == "mnli:0.612+squad_v1:0.388"
    t = from_search(["mnli", "ccg"], {"mnli": 0.5, "ccg": 0.5}, 2.0)
    assert t.sampling == "temperature" and t.canonical == "ccg:0.500+mnli:0.500@T=2"
    assert from_search(["mnli", "ccg"], {"mnli": 0.0, "ccg": 0.0}, None).tasks == ("ccg", "mnli")
    # without a minimum weight a task at 0 is still left out: a vertex of the simplex is one task alone
    # (it used to stay in the mixture at weight 0, which no single-task trial's warm start then matched)
    assert from_search(["mnli", "ccg"], {"mnli": 1.0, "ccg": 0.0}, 2.0, min_weight=0.0).tasks == ("mnli",)


def test_invalid_mixtures_are_refused():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        Mixture(("mnli",), "temperature", temperature=0)
    with pytest.raises(ValueError, match=">= 0"):
        Mixture(("mnli", "qqp"), "weights", {"mnli": -1, "qqp": 1})
    with pytest.raises(ValueError, match="all zero"):
        Mixture(("mnli", "qqp"), "weights", {"mnli": 0, "qqp": 0})


def test_canonical_text_and_epoch_length():
    assert Mixture(("mnli",)).canonical == "mnli"
    assert Mixture(("squad_v1", "mnli"), "proportional").canonical == "mnli:0.500+squad_v1:0.500@proportional"
    assert mixture_steps({"mnli": 10, "qqp": 5}, 2) == 30


def test_examples_cap_is_jiants():
    """jiant's TemperatureMultiTaskSampler (nyu-mll/jiant@daa5a258,
    jiant/proj/main/components/task_sampler.py:66-83): p_i ~ min(n_i, cap)^(1/T). With cap 2^14 and
    T = 2, sizes 392,702 / 87,599 / 400 give 128/276, 128/276, 20/276 (.464 / .464 / .072)."""
    from xlt.mixtures import Mixture

    m = Mixture(("mnli", "squad_v1", "copa"), "temperature", temperature=2.0, examples_cap=2 ** 14)
    p = m.probabilities({"mnli": 392_702, "squad_v1": 87_599, "copa": 400})
    assert p == pytest.approx({"mnli": 32 / 69, "squad_v1": 32 / 69, "copa": 5 / 69})
    assert [round(p[t], 3) for t in ("mnli", "squad_v1", "copa")] == [0.464, 0.464, 0.072]
    assert m.canonical.endswith("@T=2@cap=16384") and m.capped(400) == 400 and m.capped(10 ** 6) == 2 ** 14
    uncapped = Mixture(("mnli", "squad_v1", "copa"), "temperature", temperature=2.0)
    assert uncapped.probabilities({"mnli": 392_702, "squad_v1": 87_599, "copa": 400})["copa"] < 0.03


def test_the_cap_is_in_the_cache_key_and_the_config():
    from xlt.config import parse_sweep
    from xlt.trial.expand import expand

    def key(cap):
        mixture = {"tasks": ["mnli", "qqp"], "sampling": "temperature", "temperature": 2.0, **({"examples_cap": cap} if cap else {})}
        cfg = parse_sweep({"name": "c", "mixtures": {"two": mixture}, "intermediate": {"tasks": "two"},
                           "target": {"tasks": ["xnli"]}}, "c.yaml")
        return expand(cfg, {"intermediate_task": "two", "seed": 0}, "t", "/tmp/r").intermediate_key

    assert len({key(None), key(16384), key(1000)}) == 3
