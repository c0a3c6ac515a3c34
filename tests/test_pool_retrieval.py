"""XTREME-R's pool retrieval: LAReQA and Mewsli-X loaders (real layouts), the shared candidate
pool, ranking and mAP@20, and a trial that writes prediction files `xlt score` reads."""

import json
from pathlib import Path

import pytest
import torch

from xlt.submission.benchmarks import XTREME_R
from xlt.data.loading import DataError, load_records
from xlt.data.pools import answer_sentence_pool, load_pool, sentence_spans
from xlt.objective import Objective
from xlt.formats.pool import pool_files, pool_score, rank_pool
from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.torch_backend import run_trial
from xlt.results.rows import read_results
from xlt.trial.runtime import LocalRuntime
from xlt.submission.scoring import score_language
from xlt.tasks import get_task


def _spans(text):
    return [text[a:b] for a, b in sentence_spans(text)]


def test_sentences_split_at_final_punctuation_of_each_script():
    assert _spans("Ana was born in Lima. She moved to Quito!  Why?") == ["Ana was born in Lima.", "She moved to Quito!", "Why?"]
    assert _spans("王伟出生在上海。李娜出生在成都。") == ["王伟出生在上海。", "李娜出生在成都。"]
    assert _spans("राहुल का जन्म हुआ था। प्रिया का जन्म हुआ था।") == ["राहुल का जन्म हुआ था।", "प्रिया का जन्म हुआ था।"]
    assert _spans("ولد أحمد في القاهرة؟ نعم") == ["ولد أحمد في القاهرة؟", "نعم"]
    assert _spans("มาลี เกิดที่ภูเก็ต สุดา เกิดที่ขอนแก่น") == ["มาลี เกิดที่ภูเก็ต สุดา เกิดที่ขอนแก่น"]  # no marks: one


def test_answer_sentence_pool_makes_every_language_answer_relevant():
    def record(qid, passage, answer, breaks=None):
        return {"query": f"q{qid}", "query_id": qid, "passage": passage, "answer_start": passage.index(answer),
                "sentence_breaks": breaks}

    en, de = "Ann was born in Rome. Bob was born in Oslo.", "Ann wurde in Rom geboren. Bob wurde in Oslo geboren."
    pool = answer_sentence_pool({
        "en": [record("a", en, "Rome"), record("b", en, "Oslo")],
        "de": [record("a", de, "Rom"), record("b", de, "Oslo", breaks=[[0, 25], [26, 52]])],
    })
    assert pool.candidate_ids == ["en/0/0", "en/0/1", "de/0/0", "de/0/1"]  # a passage's sentences once
    assert [c["candidate"] for c in pool.candidates[2:]] == ["Ann wurde in Rom geboren.", "Bob wurde in Oslo geboren."]
    assert pool.candidates[0]["candidate_context"] == en
    assert pool.queries["en"][1] == {"query": "qb", "query_context": None, "query_id": "b", "relevant": ["de/0/1", "en/0/1"]}
    assert pool.queries["de"][0]["relevant"] == ["de/0/0", "en/0/0"]


def test_lareqa_reads_xquad_r_from_the_hub_and_uses_sentence_breaks_where_given(monkeypatch):
    import datasets

    rows = {"en": {"id": "q1", "title": "t", "context": "Ann lives in Rome. Bob lives in Oslo.", "question": "Where does Bob live?",
                   "answers": {"text": ["Oslo"], "answer_start": [32]}},
            "es": {"id": "q1", "title": "t", "context": "Ann vive en Roma; Bob vive en Oslo", "question": "¿Dónde vive Bob?",
                   "answers": {"text": ["Oslo"], "answer_start": [30]}, "sentence_breaks": [[0, 17], [18, 34]]}}
    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None: calls.append((path, name, split)) or
                        datasets.Dataset.from_list([rows[name]]))
    pool = load_pool(get_task("lareqa@en,es"), "test", "hub")
    assert calls == [("google-research-datasets/xquad_r", "en", "validation"), ("google-research-datasets/xquad_r", "es", "validation")]
    assert [c["candidate"] for c in pool.candidates] == ["Ann lives in Rome.", "Bob lives in Oslo.", "Ann vive en Roma;",
                                                         "Bob vive en Oslo"]
    assert pool.queries["es"][0]["relevant"] == ["en/0/1", "es/0/1"]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _article(lang, text, mentions):
    return {"context": {"document_id": lang, "document_title": "t", "document_url": "u", "language": lang, "text": text},
            "mentions": [{"example_id": f"{lang}-{i}", "entity_id": e,
                          "mention_span": {"start": text.index(m), "end": text.index(m) + len(m), "text": m}}
                         for i, (m, e) in enumerate(mentions)]}


def test_mewslix_reads_xtreme_r_files_from_its_folder_and_unnests_mentions(tmp_path, monkeypatch):
    _write_jsonl(tmp_path / "wikinews_mentions-test.jsonl", [
        _article("de", "Der Bürgermeister von Berlin traf den Präsidenten in Paris.", [("Berlin", "Q64"), ("Paris", "Q90")]),
        _article("uk", "Мер міста Берлін виступив.", [("Берлін", "Q64")]),
    ])
    _write_jsonl(tmp_path / "candidate_set_entities.jsonl", [
        {"entity_id": "Q64", "title": "Berlin", "description": "capital of Germany", "entity_types": []},
        {"entity_id": "Q90", "title": "Paris", "description": "capital of France"}])
    task = get_task("mewslix")
    monkeypatch.delenv("XLT_MEWSLIX_DIR", raising=False)
    with pytest.raises(DataError, match="task 'mewslix' with source hub needs XLT_MEWSLIX_DIR"):
        load_records(task, "de", "test", "hub")
    monkeypatch.setenv("XLT_MEWSLIX_DIR", str(tmp_path))
    records = load_records(task, "de", "test", "hub").records
    assert [(r["query"], r["query_id"], r["relevant"]) for r in records] == [("Berlin", "de-0", ["Q64"]),
                                                                           ("Paris", "de-1", ["Q90"])]
    assert records[0]["query_context"].startswith("Der Bürgermeister von Berlin")
    pool = load_pool(get_task("mewslix@de,uk"), "test", "hub")
    assert pool.candidates[0] == {"candidate_id": "Q64", "candidate": "Berlin", "candidate_context": "capital of Germany"}
    assert [q["query"] for q in pool.queries["uk"]] == ["Берлін"]
    with pytest.raises(DataError, match="task 'mewslix': .*wikinews_mentions-dev.jsonl: no such file"):
        load_records(task, "en", "validation", "hub")


def test_mewslix_refuses_a_span_off_its_text_and_an_entity_outside_the_pool(tmp_path, monkeypatch):
    monkeypatch.setenv("XLT_MEWSLIX_DIR", str(tmp_path))
    article = _article("de", "Berlin und Paris.", [("Berlin", "Q64"), ("Paris", "Q999")])
    _write_jsonl(tmp_path / "candidate_set_entities.jsonl", [{"entity_id": "Q64", "title": "Berlin", "description": "d"}])
    _write_jsonl(tmp_path / "wikinews_mentions-test.jsonl", [article])
    with pytest.raises(DataError, match=r"mentions link to entities outside the candidate set \(Q999\)"):
        load_pool(get_task("mewslix@de"), "test", "hub")
    article["mentions"][0]["mention_span"]["start"] += 1
    _write_jsonl(tmp_path / "wikinews_mentions-test.jsonl", [article])
    with pytest.raises(DataError, match=r"task 'mewslix' de/test row 0: field 'mention_span': text 'Berlin' is not"):
        load_records(get_task("mewslix"), "de", "test", "hub")


def test_rank_pool_and_map_at_20_arithmetic():
    candidates = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]]), dim=-1)
    queries = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    ids = ["c0", "c1", "c2", "c3"]
    ranked = rank_pool(queries, candidates, ids)
    assert ranked == [["c0", "c1", "c2", "c3"], ["c2", "c1", "c0", "c3"]]
    assert rank_pool(queries, candidates, ids, k=2, block=1) == [["c0", "c1"], ["c2", "c1"]]
    queries_records = [{"query_id": "q0", "relevant": ["c1", "c3"]}, {"query_id": "q1", "relevant": ["c2"]}]
    # LAReQA: AP@20; q0: hits at ranks 2 and 4: (1/2 + 2/4) / 2 = 0.5; q1: hit at rank 1: 1.0
    assert pool_score(get_task("lareqa"), queries_records, ranked) == {"map@20": pytest.approx(0.75)}
    predictions, _, suffix = pool_files(get_task("lareqa"), queries_records, ranked)
    assert suffix == "jsonl" and json.loads(predictions.splitlines()[1]) == {"id": "q1", "ranking": ["c2", "c1", "c0", "c3"]}
    # Mewsli-X: the reciprocal rank of the first gold entity only (q0: c1 at rank 2)
    assert pool_score(get_task("mewslix"), queries_records, ranked) == {"map@20": pytest.approx((1 / 2 + 1) / 2)}
    predictions, gold, suffix = pool_files(get_task("mewslix"), queries_records, ranked)
    assert suffix == "json" and json.loads(predictions)["q0"] == ranked[0] and json.loads(gold) == {"q0": ["c1", "c3"], "q1": ["c2"]}


def test_pool_tasks_run_in_a_trial_and_their_files_score_as_the_rows_say(tmp_path):
    plan = TrialPlan(sweep="t", trial_id="t1", model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=None, targets=(PhasePlan("lareqa", 1e-3, 1, 8), PhasePlan("mewslix", 1e-3, 1, 8)),
                     seed=0, objective=Objective(split="test"),  # neither has dev data in the fixtures
                     results_dir=str(tmp_path / "results"), config_hash="h",
                     predictions_dir=str(tmp_path / "pred"), labels_dir=str(tmp_path / "gold"))
    value = run_trial(plan, LocalRuntime())
    rows = [r for r in read_results(str(tmp_path / "results")).to_pylist() if r["phase"] == "zero_shot" and r["split"] == "test"]
    assert {(r["target_task"], r["metric"]) for r in rows} == {("lareqa", "map@20"), ("mewslix", "map@20")}
    assert {r["language"] for r in rows if r["target_task"] == "mewslix"} == set(get_task("mewslix").languages)
    assert len([r for r in rows if r["target_task"] == "lareqa"]) == 11 and 0 <= value <= 1
    for row in rows:  # `xlt score`'s reading of the written files agrees with the row
        if row["target_task"] == "lareqa":  # XTREME-R's evaluate.py does not score LAReQA
            continue
        task = XTREME_R.task(row["target_task"])
        name = f"{row['target_task']}/test-{row['language']}.json"
        scored = score_language(task, tmp_path / "pred" / name, tmp_path / "gold" / name, row["language"])
        assert scored["map@20"] == pytest.approx(100 * row["value"])
    gold = [json.loads(line) for line in (tmp_path / "gold" / "lareqa" / "test-zh.jsonl").read_text().splitlines()]
    assert len(gold) == 24 and all(len(g["relevant"]) == 11 for g in gold)


def test_mewslix_reads_xtreme_rs_per_language_layout_and_refuses_its_blanked_test(tmp_path, monkeypatch):
    """XTREME-R's download script leaves wikinews_mentions/<split>-<lang>.jsonl and blanks the test
    split's gold entities: dev reads, test stops with how to get the labelled files."""
    from xlt.data.mewslix import MewsliXFormatError, read_articles

    dev = _article("de", "Berlin liegt an der Spree.", [("Berlin", "Q64")])
    test = _article("de", "Berlin liegt an der Spree.", [("Berlin", "")])
    (tmp_path / "wikinews_mentions").mkdir()
    _write_jsonl(tmp_path / "wikinews_mentions" / "dev-de.jsonl", [dev])
    _write_jsonl(tmp_path / "wikinews_mentions" / "test-de.jsonl", [test])
    assert read_articles(tmp_path, "validation", "de") == [dev]
    with pytest.raises(MewsliXFormatError, match="blanks the test split's gold entities.*get-mewsli-x.sh"):
        read_articles(tmp_path, "test", "de")
    with pytest.raises(FileNotFoundError, match="nor XTREME-R's .*test-fr.jsonl"):
        read_articles(tmp_path, "test", "fr")
