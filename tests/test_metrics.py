"""Metrics against hand-computed cases and the official scripts' known edge cases."""

import json
import random
from pathlib import Path

import pytest
import seqeval.metrics

from xlt.metrics import accuracy, bucc_prf, mean_average_precision_at_k, seqeval_prf
from xlt.metrics.qa import mlqa_em_f1, mlqa_normalize, squad_em_f1, squad_normalize, squad_v2_em_f1
from xlt.tasks import get_task


def squad(*qas):
    """SQuAD-format data: qas = (id, [gold answers])."""
    return [{"paragraphs": [{"qas": [{"id": i, "answers": [{"text": a} for a in golds]} for i, golds in qas]}]}]


def test_accuracy():
    assert accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 0.75
    with pytest.raises(ValueError):
        accuracy(["a"], ["a", "b"])


def test_squad_normalisation_articles_punctuation_whitespace():
    assert squad_normalize("The  Eiffel-Tower, in Paris!") == "eiffeltower in paris"
    assert squad_normalize("an apple a day") == "apple day"
    assert squad_normalize("theatre") == "theatre"  # articles only as whole words


def test_squad_em_f1_hand_computed():
    data = squad(("q1", ["the cat sat"]), ("q2", ["Paris", "in Paris, France"]), ("q3", ["blue"]), ("q4", ["x"]))
    preds = {"q1": "cat sat down", "q2": "Paris France", "q3": ""}  # q4 unanswered: scores 0
    out = squad_em_f1(data, preds)
    # q1: pred [cat, sat, down] vs [cat, sat]: P 2/3, R 1 -> F1 0.8; q2: best gold "paris france"
    # tokens [in, paris, france] vs [paris, france]: P 1, R 2/3 -> 0.8 (vs "paris": P 1/2 R 1 -> 2/3)
    assert out["f1"] == pytest.approx((0.8 + 0.8 + 0 + 0) / 4)
    assert out["exact_match"] == 0
    assert squad_em_f1(squad(("q", ["The Cat."])), {"q": "cat"})["exact_match"] == 1


def test_squad_v1_empty_gold_and_v2_no_answer():
    # v1.1: two empty strings match exactly but share no tokens -> EM 1, F1 0
    assert squad_em_f1(squad(("q", ["the"])), {"q": "a"}) == {"exact_match": 1.0, "f1": 0.0}
    # v2.0: a no-answer question (no gold) is right only for an empty prediction, F1 then 1
    data = squad(("q1", []), ("q2", []), ("q3", ["dog"]))
    assert squad_v2_em_f1(data, {"q1": "", "q2": "something", "q3": "dog"}) == {"exact_match": 2 / 3, "f1": 2 / 3}


def test_mlqa_language_specific_normalisation():
    assert mlqa_normalize("Der Hund und die Katze", "de") == "hund und katze"
    assert mlqa_normalize("Los perros, el gato", "es") == "perros gato"
    assert mlqa_normalize("The end", "en") == "end"
    # Arabic: every "ال" is removed, wherever it stands (the official pattern's effect)
    assert mlqa_normalize("الكتاب في المكتبة", "ar") == "كتاب في مكتبة"
    # Chinese: each CJK character is a token; Unicode punctuation (，。《》) is removed
    assert mlqa_normalize("北京，中国。", "zh") == "北 京 中 国"
    assert mlqa_normalize("《三体》abc def", "zh") == "三 体 abc def"
    with pytest.raises(ValueError, match="no normalisation"):
        mlqa_normalize("x", "fr")


def test_mlqa_chinese_character_f1_and_max_over_golds():
    data = squad(("q", ["北京大学", "清华"]))
    out = mlqa_em_f1(data, {"q": "北京"}, "zh")
    # vs 北京大学: 2 common of 2 predicted / 4 gold -> P 1, R 0.5 -> F1 2/3; vs 清华: 0
    assert out["f1"] == pytest.approx(2 / 3) and out["exact_match"] == 0
    # English would treat "北京大学" as one token: no overlap
    assert squad_em_f1(data, {"q": "北京"})["f1"] == 0


def test_mlqa_unicode_punctuation_differs_from_squad():
    assert mlqa_normalize("«hallo»", "de") == "hallo"
    assert squad_normalize("«hallo»") == "«hallo»"  # SQuAD strips ASCII punctuation only


def test_seqeval_boundaries_hand_computed():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "I-ORG", "O"]]
    # gold entities: PER(0,1) LOC(3) ORG(5,7); predicted: PER(0,1) ORG(3) ORG(5,6) -> 1 correct of 3/3
    out = seqeval_prf(gold, pred)
    assert out == {"f1": pytest.approx(1 / 3), "precision": pytest.approx(1 / 3), "recall": pytest.approx(1 / 3)}


def test_seqeval_prf_matches_the_library_on_random_sequences():
    rng = random.Random(0)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
    pos = ["NOUN", "VERB", "ADJ", "ADP", "PROPN", "PRON", "SCONJ", "X", "PUNCT"]
    for vocab in (tags, pos):
        for _ in range(30):
            gold = [[rng.choice(vocab) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(1, 6))]
            pred = [[rng.choice(vocab) if rng.random() < 0.4 else t for t in s] for s in gold]
            ours = seqeval_prf(gold, pred)
            assert ours["f1"] == pytest.approx(seqeval.metrics.f1_score(gold, pred), abs=1e-12)
            assert ours["precision"] == pytest.approx(seqeval.metrics.precision_score(gold, pred), abs=1e-12)
            assert ours["recall"] == pytest.approx(seqeval.metrics.recall_score(gold, pred), abs=1e-12)


def test_seqeval_no_entities_and_length_mismatch():
    assert seqeval_prf([["O", "O"]], [["O", "O"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    with pytest.raises(ValueError, match="sentence 0"):
        seqeval_prf([["O", "O"]], [["O"]])


def test_bucc_sets_and_empty_prediction():
    gold = ["de-1\ten-5", "de-2\ten-9", "de-3\ten-1"]
    out = bucc_prf(gold, ["de-1\ten-5", "de-2\ten-8", "de-1\ten-5"])  # duplicates count once
    assert out["precision"] == 0.5 and out["recall"] == pytest.approx(1 / 3) and out["f1"] == pytest.approx(0.4)
    assert bucc_prf(gold, []) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_map_at_k():
    gold = {"q1": {"a"}, "q2": {"a", "b"}}
    ranked = {"q1": ["x", "a"], "q2": ["a", "y", "b"]}
    # q1: hit at 2 -> 1/2; q2: hits at 1 and 3 -> (1 + 2/3) / 2
    assert mean_average_precision_at_k(gold, ranked, 20) == pytest.approx((0.5 + (1 + 2 / 3) / 2) / 2)
    assert mean_average_precision_at_k(gold, {"q2": ["a"]}, 1) == pytest.approx(0.5)


# --- XGLUE and CodeXGLUE: the official scorers' numbers -------------------------------------------
# tests/data/xglue_codexglue/*.json are seeded inputs; expected.json holds what the official scorers
# printed for them, run outside this repository: microsoft/XGLUE@e417c4c53088d9685c177085ada172fcc793e42e
# evaluation/xglue_evaluate.py (numpy 1.23.5, scikit-learn 1.2.2, seqeval 1.2.2) and
# microsoft/CodeXGLUE@ac74a62802a0dd159b3258c78a2df8ad36cdf2b9 Clone-detection-BigCloneBench/evaluator.
XG = Path(__file__).parent / "data" / "xglue_codexglue"
XG_EXPECTED = json.loads((XG / "expected.json").read_text())


def _xg(name: str) -> dict:
    return json.loads((XG / f"{name}.json").read_text())


@pytest.mark.parametrize("case", sorted(XG_EXPECTED["pos"]))
def test_xglue_pos_is_seqeval_precision_over_bare_tags(case):
    data = _xg(case)
    gold, pred = data["gold"], data["pred"]
    # the official loader pads a short prediction with "O" (xglue_evaluate.py:153-155)
    pred = [p + ["O"] * (len(g) - len(p)) for g, p in zip(gold, pred)]
    assert seqeval_prf(gold, pred)["precision"] == pytest.approx(XG_EXPECTED["pos"][case], abs=1e-12)
    task = get_task("xglue_pos")
    assert (task.metric, task.primary_metric) == ("seqeval_precision", "precision")


@pytest.mark.parametrize("case", sorted(XG_EXPECTED["ner"]))
def test_xglue_ner_is_seqeval_f1(case):
    data = _xg(case)
    assert seqeval_prf(data["gold"], data["pred"])["f1"] == pytest.approx(XG_EXPECTED["ner"][case], abs=1e-12)


@pytest.mark.parametrize("case", sorted(XG_EXPECTED["wpr"]))
def test_xglue_wpr_ndcg_equals_the_official(case):
    from xlt.metrics.ranking import xglue_ndcg

    data = _xg(case)
    value = xglue_ndcg(data["query_ids"], data["grades"], data["scores"])
    assert value == pytest.approx(XG_EXPECTED["wpr"][case], abs=1e-12)


@pytest.mark.parametrize("case", sorted(XG_EXPECTED["clone"]))
def test_clone_detection_reports_binary_precision_recall_f1(case):
    from xlt.formats import FORMATS

    data = _xg(case)
    predicted = {(a, b): y for a, b, y in data["predictions"]}
    gold = [y for _, _, y in data["answers"]]
    outputs = [predicted[(a, b)] for a, b, _ in data["answers"]]
    task = get_task("code_clone")
    metrics, _ = FORMATS["classification"].score(task, [{"label": y} for y in gold], None, outputs, "en")
    want = XG_EXPECTED["clone"][case]
    assert [metrics[k] for k in ("recall", "precision", "f1")] == \
        pytest.approx([want["Recall"], want["Precision"], want["F1"]], abs=1e-12)
    assert task.primary_metric == "f1"
