"""Generation metrics against the official scorers' own outputs.

tests/data/xglue_codexglue/{qg,ntg,code2text}_case*.json are the inputs; expected.json holds what
the official scorers printed for them, run outside this repository:
microsoft/XGLUE@e417c4c53088d9685c177085ada172fcc793e42e evaluation/xglue_evaluate.py (sacrebleu
1.5.1, numpy 1.23.5) and microsoft/CodeXGLUE@ac74a62802a0dd159b3258c78a2df8ad36cdf2b9
Code-Text/code-to-text/evaluator/evaluator.py. The edge-case numbers below were printed the same
way (the same two scripts, same versions) on the inputs written next to them.
"""

import json
from pathlib import Path

import pytest

from xlt.metrics import codexglue_smoothed_bleu, xglue_bleu

DATA = Path(__file__).parent / "data" / "xglue_codexglue"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def _case(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf8"))


# XGLUE's own value is sacrebleu's score / 100, and xlt computes exactly that: equal to the bit with
# sacrebleu 2.x on these inputs; 1e-12 leaves room for a last-place change in a later sacrebleu.
@pytest.mark.parametrize("task,case", [(t, c) for t in ("qg", "ntg") for c in sorted(EXPECTED[t])])
def test_xglue_qg_ntg_bleu_equals_xglue_evaluate(task, case):
    data = _case(case)
    assert xglue_bleu(data["refs"], data["hyps"]) == pytest.approx(EXPECTED[task][case], abs=1e-12)


# CodeXGLUE reports percent; xlt returns the fraction, so the comparison multiplies by 100, one
# rounding apart from the evaluator's own `sum * 100 / n`: 1e-12 on a percent scale.
@pytest.mark.parametrize("case", sorted(EXPECTED["code_to_text"]))
def test_code_to_text_smoothed_bleu_equals_codexglue_evaluator(case):
    data = _case(case)
    assert 100 * codexglue_smoothed_bleu(data["refs"], data["hyps"]) == \
        pytest.approx(EXPECTED["code_to_text"][case], abs=1e-12)


EMPTY_PREDICTION = (["Who wrote the novel War and Peace ?", "What is the capital city of France ?"],
                    ["", "What is the capital city of France ?"])
UNICODE = (["Путин провёл переговоры с Си Цзиньпином в Москве", "भारत की राजधानी नई दिल्ली है", "東京は日本の首都です"],
           ["Путин встретился с Си Цзиньпином в Москве", "भारत की राजधानी दिल्ली है", "東京は日本の首都"])
NO_MATCH = (["the cat sat on the mat today", "a dog ran in the park"],
            ["Stocks rally as Fed holds", "Heavy rain causes flooding north"])


def test_an_empty_prediction_scores_as_the_official_scorers_score_it():
    # XGLUE: the empty line adds reference length only (brevity penalty exp(1 - 16/8) = 1/e)
    assert xglue_bleu(*EMPTY_PREDICTION) == pytest.approx(0.3678794411714425, abs=1e-12)
    # CodeXGLUE: an empty prediction scores exp(-8) (8 reference tokens), not 0
    assert 100 * codexglue_smoothed_bleu(*EMPTY_PREDICTION) == pytest.approx(50.01677313139512, abs=1e-12)


def test_non_latin_scripts():
    # Cyrillic, Devanagari and Japanese (one token without spaces in both tokenisations)
    assert xglue_bleu(*UNICODE) == pytest.approx(0.4806008061476426, abs=1e-12)
    assert 100 * codexglue_smoothed_bleu(*UNICODE) == pytest.approx(49.62883086035572, abs=1e-12)


def test_a_corpus_without_any_matching_ngram_is_the_known_sacrebleu_departure():
    # XGLUE's environment (sacrebleu 1.5.1) prints 0.01978387498742975 here: its exp smoothing
    # credits a corpus with no match at all. sacrebleu >= 2 stops at 0 first (its PR #141), and xlt
    # uses sacrebleu 2: the one departure found (docs/scoring.md). This test fails if that changes.
    assert xglue_bleu(*NO_MATCH) == 0.0
    # CodeXGLUE's evaluator: log of a zero unigram count is log(float min), so not quite 0
    assert 100 * codexglue_smoothed_bleu(*NO_MATCH) == pytest.approx(2.2934453640300328e-76, rel=1e-9)


@pytest.mark.parametrize("metric", [xglue_bleu, codexglue_smoothed_bleu])
def test_empty_corpus_and_length_mismatch_are_refused(metric):
    with pytest.raises(ValueError, match="no examples"):
        metric([], [])
    with pytest.raises(ValueError, match="3 predictions for 2 references"):
        metric(["a b", "c d"], ["a b", "c d", "e f"])


def test_xglue_refuses_an_empty_reference_as_its_scorer_does():
    # sacrebleu 1.5.1 raises "No valid references for a sentence!" on it; sacrebleu 2 would score it
    with pytest.raises(ValueError, match="1 of 2 references are empty \\(first at index 1\\)"):
        xglue_bleu(["a question ?", "   "], ["a question ?", "another one ?"])


def test_code_to_text_tokens_split_underscores_and_punctuation_and_ignore_case():
    # "get_value()" is get _ value ( ) for the evaluator: identical texts up to case score 100
    assert codexglue_smoothed_bleu(["Returns get_value() of the Node ."], ["returns GET_VALUE ( ) of the node."]) == \
        pytest.approx(1.0)
