"""BUCC and Tatoeba retrieval against the official XTREME code's own outputs.

Inputs (seeded embeddings) and expected values live in tests/data/xtreme_retrieval/: the
expected values were printed by google-research/xtreme@838c13b69daafb9328785d16caae2711e4012123
(third_party/utils_retrieve.py: similarity_search, mine_bitext, bucc_optimize, bucc_extract;
evaluate.py: accuracy, bucc_f1) run in a scratch environment outside this repository with
numpy 2.4.6 and faiss-cpu 1.15.1. Only the numbers are here.
"""

import json
from pathlib import Path

import pytest
import torch

from xlt.data.bucc import Bitext
from xlt.formats.bitext import (bucc_candidates, bucc_extract, bucc_score, bucc_threshold, distinct, mine_bitext,
                                tatoeba_score, tatoeba_search)
from xlt.formats.retrieval import default_retrieval_layer
from xlt.metrics import bucc_prf

DATA = Path(__file__).parent / "data" / "xtreme_retrieval"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def _tensor(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32)


@pytest.mark.parametrize("expected", EXPECTED["tatoeba"], ids=lambda e: f"case{e['case']}")
def test_tatoeba_queries_with_english_as_xtreme_does(expected):
    case = _load(f"tatoeba_case{expected['case']}.json")
    src, eng = _tensor(case["src"]), _tensor(case["eng"])
    assert tatoeba_search(src, eng) == expected["predictions"]
    correct = sum(p == l for p, l in zip(expected["predictions"], expected["labels"]))
    assert 100 * correct / len(expected["labels"]) == pytest.approx(expected["accuracy"])


def test_tatoeba_score_reads_english_line_j_as_the_translation_of_row_j():
    # xlt's Tatoeba records are parallel (the hub's order): English line j translates row j
    case = _load("tatoeba_case1.json")
    order = case["labels"]  # English line j's translation is non-English row labels[j]
    src = _tensor(case["src"])
    eng = _tensor(case["eng"])
    aligned_src = src[order]  # rows put in English order, so the gold of line j is j
    metrics, lines = tatoeba_score([{}] * len(order), aligned_src, eng)
    assert metrics["accuracy"] == pytest.approx(EXPECTED["tatoeba"][0]["accuracy"] / 100)
    assert lines == [str(order.index(p)) for p in EXPECTED["tatoeba"][0]["predictions"]]


def _bitext(case: dict) -> Bitext:
    return Bitext(case["lang"], case["src_ids"], [f"s{i}" for i in range(len(case["src_ids"]))],
                  case["trg_ids"], [f"t{i}" for i in range(len(case["trg_ids"]))], case["gold"])


@pytest.mark.parametrize("expected", EXPECTED["bucc_mining"], ids=lambda e: f"case{e['case']}")
def test_bucc_mining_equals_mine_bitext(expected):
    case = _load(f"bucc_case{expected['case']}.json")
    bitext = _bitext(case)
    got = bucc_candidates(bitext, _tensor(case["src"]), _tensor(case["trg"]))
    want = expected["candidates"]
    assert [pair for _, pair in got] == [f"{s}\t{t}" for _, s, t in want]
    assert [score for score, _ in got] == pytest.approx([score for score, *_ in want], abs=1e-6)
    # bucc_eval tuned on the case's own gold: threshold, predictions, P/R/F1 (percent)
    tuned = expected["self_tuned"]
    threshold = bucc_threshold(got, case["gold"])
    assert threshold == pytest.approx(tuned["threshold"], abs=1e-6)
    metrics, predicted = bucc_score(got, case["gold"], threshold)
    assert predicted == tuned["predicted"]
    assert [100 * metrics[k] for k in ("precision", "recall", "f1")] == \
        pytest.approx([tuned["precision"], tuned["recall"], tuned["f1"]])


def test_bucc_threshold_tuned_on_dev_transfers_to_test():
    dev, test = _load("bucc_case1.json"), _load("bucc_case2.json")
    threshold = bucc_threshold(bucc_candidates(_bitext(dev), _tensor(dev["src"]), _tensor(dev["trg"])), dev["gold"])
    expected = EXPECTED["bucc_transfer"]
    assert threshold == pytest.approx(expected["threshold"], abs=1e-6)
    candidates = bucc_candidates(_bitext(test), _tensor(test["src"]), _tensor(test["trg"]))
    predicted = bucc_extract(candidates, threshold)
    assert predicted == expected["predicted"]
    scores = bucc_prf(test["gold"], predicted)
    assert {k: 100 * v for k, v in scores.items()} == pytest.approx(expected["scores"])


@pytest.mark.parametrize("tiny", EXPECTED["bucc_optimize_tiny"], ids=lambda t: t["name"].split(" ")[0])
def test_bucc_threshold_edge_cases(tiny):
    candidates = [(score, f"{s}\t{t}") for s, t, score in tiny["candidates"]]
    threshold = bucc_threshold(candidates, tiny["gold"])
    if tiny["threshold"] is None:  # XTREME raises IndexError; xlt keeps every candidate (documented)
        assert threshold == candidates[-1][0]
        return
    assert threshold == pytest.approx(tiny["threshold"])
    if "extracted_with_threshold" in tiny:
        assert bucc_extract(candidates, threshold) == tiny["extracted_with_threshold"]


def test_mining_keeps_pairs_one_to_one_and_drops_duplicated_texts():
    torch.manual_seed(0)
    x = torch.randn(6, 8)
    y = torch.cat([x[:4] + 0.01 * torch.randn(4, 8), torch.randn(3, 8)])
    mined = mine_bitext(x, y)
    assert len({i for _, i, _ in mined}) == len(mined) == len({j for _, _, j in mined})
    assert [s for s, *_ in mined] == sorted((s for s, *_ in mined), reverse=True)
    # a source text occurring twice is dropped from the candidates (XTREME's read_sent2id)
    texts = ["a", "b", "a", "c", "d", "e"]
    unique, rows = distinct(texts)
    assert unique == ["a", "b", "c", "d", "e"] and rows == [-1, 1, 3, 4, 5]
    bitext = Bitext("de", [f"de-{i}" for i in range(6)], texts, [f"en-{j}" for j in range(7)],
                    [f"t{j}" for j in range(7)], None)
    src = torch.stack([x[0], x[1], x[3], x[4], x[5]])
    pairs = [p for _, p in bucc_candidates(bitext, src, y)]
    assert not any(p.startswith(("de-0\t", "de-2\t")) for p in pairs)


def test_default_retrieval_layer_follows_the_models_depth():
    # hidden_states index, 0 = embeddings: jiant's 14 for XLM-R large; XTREME's mBERT layer (its 7 of the last 12)
    assert [default_retrieval_layer(n) for n in (24, 12, 6, 2, 1)] == [14, 8, 5, 2, 1]


def test_a_retrieval_trial_writes_files_that_score_to_its_rows(tmp_path):
    """BUCC and Tatoeba in one in-process trial (the tiny model): the prediction files `xlt score`
    reads give the Parquet values, and BUCC's dev rows sit beside its test rows."""
    from xlt.submission.benchmarks import XTREME
    from xlt.objective import Objective
    from xlt.trial.plan import PhasePlan, TrialPlan
    from xlt.trial.torch_backend import run_trial
    from xlt.results.rows import read_results
    from xlt.trial.runtime import LocalRuntime
    from xlt.submission.scoring import score_language

    plan = TrialPlan(sweep="t", trial_id="r", model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=None, targets=(PhasePlan("bucc", 1e-5, 0, 8), PhasePlan("tatoeba", 1e-5, 0, 8)),
                     seed=0, objective=Objective(split="test"), results_dir=str(tmp_path / "results"),
                     config_hash="h", predictions_dir=str(tmp_path / "pred"), labels_dir=str(tmp_path / "gold"))
    run_trial(plan, LocalRuntime())
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert {(r["target_task"], r["split"]) for r in rows} == {("bucc", "validation"), ("bucc", "test"), ("tatoeba", "test")}
    for row in (r for r in rows if r["split"] == "test" and r["metric"] in ("f1", "accuracy")):
        task = XTREME.task("bucc2018" if row["target_task"] == "bucc" else "tatoeba")
        name = f"{task.folder}/test-{row['language']}.tsv"
        scored = score_language(task, tmp_path / "pred" / name, tmp_path / "gold" / name, row["language"])
        assert scored[row["metric"]] == pytest.approx(100 * row["value"]), name
    gold = (tmp_path / "gold" / "bucc2018" / "test-de.tsv").read_text().splitlines()
    assert len(gold) == 15 and all(line.startswith("de-") and "\ten-" in line for line in gold)
