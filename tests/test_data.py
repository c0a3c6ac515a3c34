import json
from pathlib import Path

import pytest

from xlt.data.loading import DataError, available_languages, load_records
from xlt.tasks import get_task


def test_xnli_fixture_languages_include_low_resource_ones():
    langs = available_languages(get_task("xnli"), "test", "local")
    assert {"en", "de", "es", "ur", "sw", "zh"} <= set(langs)
    assert langs == get_task("xnli").languages  # the fixture covers all 15 XNLI languages


def test_fixture_rows_have_hub_columns_and_valid_labels():
    split = load_records(get_task("xnli"), "sw", "test", "local")
    assert len(split) == 30 and set(split.records[0]) == {"text", "text_pair", "label"}
    assert {r["label"] for r in split.records} == {0, 1, 2}


def test_hub_sources_map_configs_splits_and_language_names():
    assert get_task("xnli").hub[0].config_for("ur") == "ur"
    mnli = get_task("mnli").hub[0]
    assert (mnli.path, mnli.config_for("en"), mnli.splits_for("validation")) == ("nyu-mll/glue", "mnli", ("validation_matched",))
    assert get_task("udpos").hub[0].config_for("de") == "udpos.German"
    assert get_task("tatoeba").hub[0].config_for("zh") == "tatoeba.cmn"
    assert get_task("mlqa").hub[0].config_for("hi") == "MLQA.hi.hi"  # google/xtreme's Parquet (facebook/mlqa is a script)
    anli = get_task("anli_plus").hub
    assert [h.path for h in anli] == ["facebook/anli", "nyu-mll/glue", "stanfordnlp/snli"]
    assert anli[0].splits_for("train") == ("train_r1", "train_r2", "train_r3")
    assert get_task("tydiqa").hub[0].id_prefix["sw"] == "swahili"
    assert get_task("xnli").train_from == "mnli" and get_task("xquad").train_from == "squad_v1"


def test_bad_rows_name_task_split_row_and_field(tmp_path, monkeypatch):
    task = get_task("xnli")
    bad = tmp_path / "xnli" / "de" / "test.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text(json.dumps({"premise": "a", "hypothesis": "b", "label": 0}) + "\n"
                   + json.dumps({"premise": "a", "hypothesis": "b", "label": 7}) + "\n")
    monkeypatch.setattr("xlt.tasks.spec.FIXTURES", tmp_path)
    with pytest.raises(DataError, match=r"task 'xnli' de/test row 1: field 'label' is 7, expected an int in \[0, 3\)"):
        load_records(task, "de", "test", "local")
    bad.write_text(json.dumps({"premise": "a", "label": 0}) + "\n")
    with pytest.raises(DataError, match="row 0: missing field 'hypothesis'"):
        load_records(task, "de", "test", "local")
    bad.write_text("{not json\n")
    with pytest.raises(DataError, match=r"test.jsonl:1: not valid JSON"):
        load_records(task, "de", "test", "local")


def test_hub_path_calls_load_dataset_with_the_real_ids_and_filters_languages(monkeypatch):
    """The hub is unreachable here: `datasets.load_dataset` is replaced at that boundary by a real
    `datasets.Dataset`, and the call and everything after it run as for a user online."""
    import datasets

    calls = []

    def fake_load(path, name=None, split=None):
        calls.append((path, name, split))
        rows = [{"id": "swahili-1", "title": "t", "context": "Juma alizaliwa Mombasa.", "question": "Wapi?",
                 "answers": {"text": ["Mombasa"], "answer_start": [15]}},
                {"id": "english-2", "title": "t", "context": "Ann was born in Leeds.", "question": "Where?",
                 "answers": {"text": ["Leeds"], "answer_start": [16]}}]
        return datasets.Dataset.from_list(rows)

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    records = load_records(get_task("tydiqa"), "sw", "test", "hub").records
    assert calls == [("google-research-datasets/tydiqa", "secondary_task", "validation")]
    assert [r["id"] for r in records] == ["swahili-1"]

    calls.clear()
    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None: calls.append((path, name, split)) or
                        datasets.Dataset.from_list([{"premise": "a", "hypothesis": "b", "label": -1},
                                                    {"premise": "c", "hypothesis": "d", "label": 2}]))
    out = load_records(get_task("anli_plus"), "en", "train", "hub")
    assert calls == [("facebook/anli", None, "train_r1"), ("facebook/anli", None, "train_r2"),
                     ("facebook/anli", None, "train_r3"), ("nyu-mll/glue", "mnli", "train"), ("stanfordnlp/snli", None, "train")]
    assert len(out) == 5 and out.skipped == 5  # label -1 rows skipped by the documented rule, counted


def test_xglue_xcopa_and_code_hub_loaders_map_the_real_columns(monkeypatch):
    """XGLUE's labelled per-language sets are its `validation.<lang>` splits, read from its release files;
    XCOPA has a config per language; CodeXGLUE labels are booleans. Each row maps to the format's
    canonical record."""
    import datasets

    monkeypatch.setenv("XLT_XGLUE_DIR", str(Path(__file__).parent / "data" / "xglue_release"))
    qadsm = load_records(get_task("xglue_qadsm"), "de", "test", "hub").records  # QADSM/xglue.qadsm.de.dev
    assert qadsm[0] == {"text": "hotel berlin mitte", "text_pair": "Hotels in Berlin Mitte ab 59 € Jetzt günstig "
                        "buchen und vor Ort bezahlen. Kostenlose Stornierung.", "label": 1}
    assert [r["text"] for r in load_records(get_task("xglue_qadsm"), "de", "validation", "hub").records] == \
        ["cheap flights to paris"]  # validation is English's dev set, whatever the language
    monkeypatch.delenv("XLT_XGLUE_DIR")
    with pytest.raises(DataError, match="task 'xglue_qadsm': XGLUE tasks with source hub need XLT_XGLUE_DIR"):
        load_records(get_task("xglue_qadsm"), "de", "test", "hub")
    calls = []
    hub_rows = {
        "cambridgeltl/xcopa": [{"premise": "Hujan mulai turun.", "choice1": "Kami membuka payung.",
                                "choice2": "Kami melepas sepatu.", "question": "effect", "label": 0, "idx": 0,
                                "changed": False}],
        "google/code_x_glue_cc_defect_detection": [{"id": 0, "func": "int f() { return 0; }", "target": True,
                                                    "project": "qemu", "commit_id": "ab"}],
    }

    def fake_load(path, name=None, split=None):
        calls.append((path, name, split))
        return datasets.Dataset.from_list(hub_rows[path])

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    xcopa = load_records(get_task("xcopa"), "id", "test", "hub").records
    assert calls[-1] == ("cambridgeltl/xcopa", "id", "test")
    assert xcopa[0]["choices"] == ["Kami membuka payung.", "Kami melepas sepatu."] and xcopa[0]["label"] == 0
    assert xcopa[0]["context"] == "Hujan mulai turun. What was the effect?"
    defect = load_records(get_task("code_defect"), "en", "train", "hub").records
    assert defect[0]["label"] == 1 and isinstance(defect[0]["label"], int)


def test_translate_train_tasks_read_the_language_config_of_the_hub(monkeypatch):
    """`xnli_tt@ur` trains on XNLI's machine-translated MultiNLI in Urdu, `pawsx_tt@ja` on PAWS-X's
    Japanese translation of PAWS: the language's config, its `train` split."""
    import datasets

    calls = []
    rows = {"facebook/xnli": {"premise": "p", "hypothesis": "h", "label": 2},
            "google-research-datasets/paws-x": {"id": 1, "sentence1": "a", "sentence2": "b", "label": 1}}
    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None: calls.append((path, name, split)) or
                        datasets.Dataset.from_list([rows[path]]))
    for name, lang, path in (("xnli_tt@ur", "ur", "facebook/xnli"), ("pawsx_tt@ja", "ja", "google-research-datasets/paws-x")):
        task = get_task(name)
        assert task.train_language == lang and task.training_languages == (lang,)
        assert load_records(task, lang, "train", "hub").records[0]["label"] == rows[path]["label"]
        assert calls[-1] == (path, lang, "train")
        assert len(load_records(task, lang, "train", "local")) > 0


def test_code_search_pairs_each_docstring_with_its_code_and_a_mismatched_one(monkeypatch):
    """NL-code search's hub rows are matching pairs only; the loader adds one negative a pair: the
    docstring with another row's code, never its own, every code used once, the same on each load."""
    import datasets

    hub = [{"docstring_tokens": [f"doc{i}"], "code_tokens": ["def", f"f{i}"], "docstring": f"doc{i}", "code": f"f{i}"}
           for i in range(7)]
    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None: calls.append((path, name, split)) or
                        datasets.Dataset.from_list(hub))
    records = load_records(get_task("code_search"), "en", "train", "hub").records
    assert calls == [("google/code_x_glue_tc_nl_code_search_adv", None, "train")]
    assert len(records) == 14 and [r["label"] for r in records] == [1, 0] * 7
    positives, negatives = records[0::2], records[1::2]
    assert all(p["text_pair"] == f"def f{i}" and p["text"] == f"doc{i}" for i, p in enumerate(positives))
    assert all(n["text"] == f"doc{i}" and n["text_pair"] != f"def f{i}" for i, n in enumerate(negatives))
    assert sorted(n["text_pair"] for n in negatives) == sorted(p["text_pair"] for p in positives)
    assert load_records(get_task("code_search"), "en", "train", "hub").records == records
    local = load_records(get_task("nl_code_search"), "en", "validation", "local").records
    assert {r["label"] for r in local} == {0, 1} and all(r["text"] and r["text_pair"] for r in local)


def test_expand_names_the_task_and_field_a_row_lacks(monkeypatch):
    import datasets

    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None: datasets.Dataset.from_list(
        [{"docstring_tokens": ["a"]}, {"docstring_tokens": ["b"]}]))
    with pytest.raises(DataError, match="task 'code_search' en/train: a row lacks field 'code_tokens'"):
        load_records(get_task("code_search"), "en", "train", "hub")


def test_xglue_ner_columns_and_generation_tasks_read_from_the_release(monkeypatch):
    from xlt.config import ConfigError, load_sweep

    monkeypatch.setenv("XLT_XGLUE_DIR", str(Path(__file__).parent / "data" / "xglue_release"))
    rows = load_records(get_task("xglue_ner"), "de", "test", "hub").records  # NER/de.dev
    assert rows[0] == {"tokens": ["Die", "Deutsche", "Bank", "in", "Frankfurt", "meldet", "Gewinne", "."],
                       "tags": [0, 3, 4, 0, 5, 0, 0, 0]}
    rows = load_records(get_task("xglue_pos"), "de", "test", "hub").records  # POS/de.dev
    assert rows[1] == {"tokens": ["Oh", ",", "Berlin", "!"], "tags": [6, 12, 11, 12]}
    with pytest.raises(DataError, match=r"task 'xglue_pos': XGLUE pos validation.nl: no .*/POS/nl.dev"):
        load_records(get_task("xglue_pos"), "nl", "test", "hub")  # the fixture has en and de only
    with pytest.raises(ConfigError, match="xglue_qg generate text, which a pooled head cannot"):
        load_sweep(Path(__file__).parent.parent / "sweeps" / "demo.yaml", ["target.tasks=[xglue_qg]"])
    # QG/NTG: a src and a tgt file a split, aligned by line, each line stripped (the hub script's reading)
    rows = load_records(get_task("xglue_qg"), "de", "test", "hub").records  # QG/xglue.qg.de.{src,tgt}.test
    assert len(rows) == 3 and rows[0]["target"] == "Wo wurde Felix Wagner geboren?"  # its trailing space stripped
    assert rows[0]["source"].startswith("Felix Wagner wurde") and rows[0]["id"] == "0"
    assert len(load_records(get_task("xglue_ntg"), "en", "train", "hub").records) == 6


def test_code_to_text_builds_examples_as_codexglue_run_py():
    """microsoft/CodeXGLUE@ac74a62 Code-Text/code-to-text/code/run.py lines 69-72: code tokens joined by
    spaces with line breaks as spaces, docstring tokens joined with line breaks removed, whitespace
    runs collapsed."""
    from xlt.tasks import adapters

    row = {"code_tokens": ["def", "f", "(", "x", ")", ":", "return", "x\n+1"],
           "docstring_tokens": ["Add", "one\n", "to", "x", "."]}
    assert adapters.code_to_text(row, 7) == {"id": "7", "source": "def f ( x ) : return x +1", "target": "Add one to x ."}
    assert load_records(get_task("code_to_text"), "en", "train", "local").records[0]["target"] == \
        "Return the sum of all values in buf"
