"""Formats: windowing of long inputs (answers mapped back, tag sequences re-joined), heads, scoring."""

import pytest
import torch
from transformers import AutoTokenizer

from xlt.data.loading import load_records, resolve_labels
from xlt.formats import FORMATS
from xlt.formats.tagging import join_windows, word_windows
from xlt.models.registry import resolve_model
from xlt.tasks import get_task


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_model("tiny-xlmr"))


def test_word_windows_respect_the_budget_and_cover_every_word():
    counts = [3, 1, 4, 1, 5, 9, 2, 6]
    windows = word_windows(counts, budget=8)
    assert windows[0][0] == 0 and windows[-1][1] == len(counts)
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:]))  # contiguous, no overlap
    assert all(sum(counts[s:e]) <= 8 or e - s == 1 for s, e in windows)
    assert word_windows([20], budget=8) == [(0, 1)]  # an over-long word gets its own window


def test_long_tag_sequence_is_windowed_and_rejoined(tokenizer):
    task = get_task("panx")
    words = ("Anna Schmidt visited Hamburg and met John Smith at Siemens . " * 12).split()
    tags = [task.labels.index(t) for t in ("B-PER I-PER O B-LOC O O B-PER I-PER O B-ORG O".split() * 12)]
    fmt = FORMATS["tagging"]
    features = fmt.encode(task, [{"tokens": words, "tags": tags}], tokenizer, max_length=32)
    assert len(features) > 3 and set(features.example_index) == {0}
    assert all(len(ids) <= 32 for ids in features.input_ids)
    # decode what the gold labels mark: every word exactly once, in order
    outputs = [[t for t in labels if t != -100] for labels in features.fields["labels"]]
    assert join_windows(features, outputs) == [tags]
    metrics, pred = fmt.score(task, [{"tokens": words, "tags": tags}], features, outputs, "de")
    assert metrics["f1"] == 1.0 and len(pred[0]) == len(words)


def test_long_context_answer_maps_back_across_windows(tokenizer):
    task = get_task("squad_v1")
    filler = "The weather in the valley was mild and the rivers were full that spring. " * 20
    context = filler + "The treaty was signed in Lisbon by both delegations."
    start = context.index("Lisbon")
    record = {"id": "q1", "question": "Where was the treaty signed?", "context": context,
              "answers": {"text": ["Lisbon"], "answer_start": [start]}}
    fmt = FORMATS["span_extraction"]
    features = fmt.encode(task, [record], tokenizer, max_length=64)
    assert len(features) > 5  # windows
    hits = [f for f in range(len(features)) if features.fields["start"][f] > 0]
    assert hits, "some window must contain the answer"
    for f in hits:
        offs = features.fields["offsets"][f]
        s, e = features.fields["start"][f], features.fields["end"][f]
        assert context[offs[s][0]:offs[e][1]] == "Lisbon"
    assert all(features.fields["start"][f] == 0 == features.fields["end"][f]
               for f in range(len(features)) if f not in hits)
    # logits peaked on the answer in one window: the prediction maps back to the context text
    outputs = []
    for f in range(len(features)):
        logits = torch.zeros(1, len(features.input_ids[f]), 2)
        if f == hits[0]:
            logits[0, features.fields["start"][f], 0] = logits[0, features.fields["end"][f], 1] = 10.0
        mask = torch.ones(1, len(features.input_ids[f]), dtype=torch.long)
        outputs += fmt.decode(logits, {"attention_mask": mask})
    metrics, predictions = fmt.score(task, [record], features, outputs, "en")
    assert predictions == {"q1": "Lisbon"} and metrics == {"exact_match": 1.0, "f1": 1.0}


def test_squad_v2_predicts_no_answer_when_the_null_score_wins(tokenizer):
    task = get_task("squad_v2")
    record = {"id": "q", "question": "Who?", "context": "Nobody came.", "answers": {"text": [], "answer_start": []}}
    fmt = FORMATS["span_extraction"]
    features = fmt.encode(task, [record], tokenizer, max_length=64)
    logits = torch.zeros(1, len(features.input_ids[0]), 2)
    logits[0, 0] = 5.0  # <s> start and end: no answer
    outputs = fmt.decode(logits, {"attention_mask": torch.ones(1, logits.shape[1], dtype=torch.long)})
    metrics, predictions = fmt.score(task, [record], features, outputs, "en")
    assert predictions == {"q": ""} and metrics["exact_match"] == 1.0


@pytest.mark.parametrize("name", ["xnli", "hellaswag", "commonsenseqa", "udpos", "ccg", "squad_v2"])
def test_heads_train_one_step_and_decode(tokenizer, name):
    from transformers import AutoModel

    from xlt.models.task_model import TaskModel

    task = resolve_labels(get_task(name), "local")
    fmt = FORMATS[task.format]
    split = "test" if "test" in task.splits and name == "xnli" else "validation"
    records = load_records(task, "en", split, "local", max_examples=6).records
    features = fmt.encode(task, records, tokenizer, max_length=64)
    encoder = AutoModel.from_pretrained(resolve_model("tiny-xlmr"))
    model = TaskModel(encoder, fmt.head(task, encoder.config.hidden_size))
    batch = fmt.collate(features, list(range(len(features))), tokenizer.pad_token_id)
    loss = fmt.loss(model(batch), batch)
    loss.backward()
    assert torch.isfinite(loss) and any(p.grad is not None for p in model.head.parameters())
    outputs = fmt.decode(model(batch).detach(), batch)
    metrics, _ = fmt.score(task, records, features, outputs, "en")
    assert metrics and all(0.0 <= v <= 1.0 for v in metrics.values())


def test_ccg_reads_the_tagged_and_auto_formats(tmp_path):
    from xlt.data.ccgbank import read_auto, read_stagged

    (tmp_path / "a.stagged").write_text("John|NNP|N sleeps|VBZ|S[dcl]\\NP .|.|.\n")
    assert read_stagged(tmp_path / "a.stagged") == [{"tokens": ["John", "sleeps", "."], "tags": ["N", r"S[dcl]\NP", "."]}]
    (tmp_path / "a.auto").write_text(
        "ID=wsj_0001.1 PARSER=GOLD NUMPARSE=1\n"
        r"(<T S[dcl] 0 2> (<T NP 0 1> (<L N NNP NNP John N>) ) (<L S[dcl]\NP VBZ VBZ sleeps S[dcl]\NP_1> ) )" "\n")
    assert read_auto(tmp_path / "a.auto") == [{"tokens": ["John", "sleeps"], "tags": ["N", r"S[dcl]\NP"]}]
    labels = resolve_labels(get_task("ccg"), "local").labels
    assert labels[0] == "<unk>" and "N" in labels and len(labels) > 5


def test_bad_span_names_task_split_row_and_field(tmp_path, monkeypatch):
    from xlt.data.loading import DataError

    bad = tmp_path / "squad_v1" / "en" / "validation.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"id": "1", "question": "q", "context": "short", "answers": {"text": ["long answer"], "answer_start": [2]}}\n')
    monkeypatch.setattr("xlt.tasks.spec.FIXTURES", tmp_path)
    with pytest.raises(DataError, match=r"task 'squad_v1' en/validation row 0: field 'answers': answer 'long answer' at 2 lies outside"):
        load_records(get_task("squad_v1"), "en", "validation", "local")


def test_every_task_fixture_loads_with_the_hub_columns():
    from xlt.data.loading import available_languages, load_bitext
    from xlt.tasks import all_tasks

    for task in all_tasks():
        for split in task.splits:
            langs = available_languages(task, split, "local")
            assert langs or split == "train" and not task.trains or split == "validation", (task.name, split)
            for lang in langs:
                if task.bitext:  # BUCC: comparable corpora in the shared task's layout
                    bitext = load_bitext(task, lang, split, "local")
                    assert len(bitext.source) > len(bitext.gold) > 0 and len(bitext.target) > len(bitext.gold)
                    continue
                assert len(load_records(task, lang, split, "local")) > 0
        if task.role == "target":
            assert len(available_languages(task, "test", "local")) >= min(4, len(task.languages)), task.name


def test_ccg_is_scored_by_token_accuracy(tokenizer):
    task = resolve_labels(get_task("ccg"), "local")
    records = load_records(task, "en", "validation", "local", max_examples=4).records
    fmt = FORMATS["tagging"]
    features = fmt.encode(task, records, tokenizer, max_length=64)
    gold = [[t for t in labels if t != -100] for labels in features.fields["labels"]]
    wrong_first = [[(s[0] + 1) % task.num_labels, *s[1:]] for s in gold]
    metrics, _ = fmt.score(task, records, features, wrong_first, "en")
    n_tokens = sum(len(r["tags"]) for r in records)
    assert metrics == {"accuracy": pytest.approx((n_tokens - len(records)) / n_tokens)}


def test_masked_lm_masks_15_percent_deterministically(tokenizer):
    task = get_task("mlm")
    fmt = FORMATS["masked_lm"]
    records = [r for lang in ("de", "zh", "sw") for r in load_records(task, lang, "train", "local").records]
    features = fmt.encode(task, records, tokenizer, max_length=32)
    assert all(len(ids) <= 32 and ids[0] == tokenizer.bos_token_id for ids in features.input_ids)
    indices = list(range(len(features)))
    a, b = fmt.collate(features, indices, tokenizer.pad_token_id), fmt.collate(features, indices, tokenizer.pad_token_id)
    assert torch.equal(a["input_ids"], b["input_ids"]) and torch.equal(a["labels"], b["labels"])
    masked = a["labels"] != -100
    maskable = (a["attention_mask"] == 1).sum() - 2 * len(indices)
    assert 0.08 < masked.sum() / maskable < 0.22
    assert not masked[:, 0].any()  # never <s>
    assert (a["input_ids"][masked] == tokenizer.mask_token_id).float().mean() > 0.6  # ~80% <mask>


def test_language_variants_restrict_languages():
    task = get_task("mlm@de,ur")
    assert task.languages == ("de", "ur") and task.training_languages == ("de", "ur")
    assert task.fixture_path("ur", "train") == get_task("mlm").fixture_path("ur", "train")
    with pytest.raises(KeyError, match="has no language"):
        get_task("mlm@xx")


def test_long_questions_are_cut_so_qa_windows_fit_a_short_sequence(tokenizer):
    """With max_seq_length 48 a long question used to leave less context room than the stride
    (the tokenizer panicked); questions are cut to max_query_length as the SQuAD scripts do."""
    task = get_task("xquad")
    context = "Ann was born in Leeds in 1990 and moved to York when she was ten years old to study music."
    record = {"id": "q1", "question": " ".join(["where was the person in this story born"] * 6), "context": context,
              "answers": {"text": ["Leeds"], "answer_start": [context.index("Leeds")]}}
    features = FORMATS["span_extraction"].encode(task, [record], tokenizer, max_length=48)
    assert all(len(ids) <= 48 for ids in features.input_ids)
    assert any(s > 0 for s in features.fields["start"])  # the answer is still found in a window
