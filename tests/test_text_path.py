"""The text-to-text path (`model.head: text`): encoder-decoder and decoder-only models trained and
evaluated as themselves, on tiny local models of each family: verbalisers, batches, the answer-only
loss, constrained scoring, generation that learns, trials end to end, and the sweep-file checks."""

import random

import pytest
import torch

from xlt.config import ConfigError, load_sweep
from xlt.formats import FORMATS
from xlt.formats.text import TextToText
from xlt.models.text_model import IGNORE, TextModel, load_text_model
from xlt.results.rows import read_results
from xlt.tasks import get_task
from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.runtime import LocalRuntime
from xlt.trial.train import predict, train_loop

from conftest import REPO

FAMILIES = {"tiny-mt5": "encoder-decoder", "tiny-decoder": "decoder"}


@pytest.fixture(scope="module", params=list(FAMILIES))
def lm(request):
    torch.manual_seed(0)
    return load_text_model(request.param)


def text_format(task, lm):
    model, tokenizer = lm
    return TextToText(FORMATS[task.format], tokenizer, model.xlt_family)


def test_every_format_reads_as_a_prompt_and_a_target(lm):
    xnli, xquad, panx = get_task("xnli"), get_task("xquad"), get_task("panx")
    assert get_task("pawsx").label_words == ("not paraphrase", "paraphrase")  # the declared default verbaliser
    fmt = text_format(xnli, lm)
    assert fmt.verbalize(xnli, {"text": "A man sleeps.", "text_pair": "A person rests.", "label": 0}) == (
        "xnli sentence1: A man sleeps. sentence2: A person rests.", "entailment", ["entailment", "neutral", "contradiction"])
    qa = {"id": "1", "question": "Who?", "context": "Ann came.", "answers": {"text": ["Ann"], "answer_start": [0]}}
    assert text_format(xquad, lm).verbalize(xquad, qa)[:2] == ("xquad question: Who? context: Ann came.", "Ann")
    tags = {"tokens": ["Ann", "came"], "tags": [panx.labels.index("B-PER"), 0]}
    assert text_format(panx, lm).verbalize(panx, tags)[:2] == ("panx tokens: Ann came", "B-PER O")
    xcopa = get_task("xcopa")
    choice = {"context": "It rained.", "choices": ["We stayed in.", "We swam."], "label": 0}
    assert text_format(xcopa, lm).verbalize(xcopa, choice) == (
        "xcopa context: It rained. choices: (1) We stayed in. (2) We swam.", "We stayed in.", ["We stayed in.", "We swam."])
    with pytest.raises(ValueError, match="the masked_lm format has no text-to-text form"):
        TextToText(FORMATS["masked_lm"], lm[1], lm[0].xlt_family)


def test_batches_put_the_answer_right_after_the_prompt_and_the_loss_on_it_only(lm):
    model, tokenizer = lm
    task = get_task("xnli")
    fmt = text_format(task, lm)
    records = [{"text": "short", "text_pair": None, "label": 1}, {"text": "a much longer premise here", "text_pair": "and more", "label": 2}]
    features = fmt.encode(task, records, tokenizer, 64)
    batch = fmt.collate(features, [0, 1], tokenizer.pad_token_id)
    short = len(features.input_ids[0])
    mask = batch["attention_mask"][0].tolist()
    if model.xlt_family == "decoder":  # left padding: the prompt ends where the answer starts
        assert mask == [0] * (len(mask) - short) + [1] * short
    else:
        assert mask == [1] * short + [0] * (len(mask) - short)
    targets = batch["target_ids"]
    assert targets[0].tolist()[: len(features.fields["target_ids"][0])] == features.fields["target_ids"][0]
    assert targets[0, -1].item() == IGNORE or targets.size(1) == len(features.fields["target_ids"][0])
    assert features.fields["target_ids"][0][-1] == tokenizer.eos_token_id
    assert batch["candidates"].shape[:2] == (2, 3)
    if model.xlt_family == "decoder":  # only answer tokens carry labels
        joined, joined_mask, labels = TextModel(model)._joined(batch["input_ids"], batch["attention_mask"], targets)
        assert labels.ne(IGNORE).sum() == targets.ne(IGNORE).sum()
        assert joined_mask.sum() == batch["attention_mask"].sum() + targets.ne(IGNORE).sum()


WORDS = ["apple", "river", "stone", "cloud", "green", "music", "house", "light"]


def _learn(lm, task, records, steps):
    model, tokenizer = lm
    fmt = text_format(task, lm)
    features = fmt.encode(task, records, tokenizer, 32)
    text_model = TextModel(model, max_new_tokens=16)
    rt = LocalRuntime()
    torch.manual_seed(0)
    before = predict(text_model, fmt, features, batch_size=32, pad_id=tokenizer.pad_token_id, rt=rt)
    train_loop(text_model, {"t": fmt}, {"t": features}, {"t": 1.0}, lr=3e-3, batch_size=16, warmup_ratio=0.0,
               weight_decay=0.0, seed=0, pad_id=tokenizer.pad_token_id, rt=rt, steps=steps)
    after = predict(text_model, fmt, features, batch_size=32, pad_id=tokenizer.pad_token_id, rt=rt)
    return fmt, features, before, after


def test_classification_learns_to_copy_a_label_word_from_the_input():
    """Scoring is constrained to the label words: every prediction is a label, and the model learns
    to pick the one the input names."""
    for name in FAMILIES:
        torch.manual_seed(0)
        lm = load_text_model(name)
        task, rng = get_task("xnli"), random.Random(0)
        records = [{"text": f"the answer is {task.label_words[label]}", "text_pair": rng.choice(WORDS), "label": label}
                   for label in (rng.randrange(3) for _ in range(96))]
        fmt, features, before, after = _learn(lm, task, records, steps=150)
        assert set(after) <= {0, 1, 2}
        accuracy = fmt.score(task, records, features, after, "en")[0]["accuracy"]
        assert accuracy >= 0.9, (name, accuracy, fmt.score(task, records, features, before, "en")[0])


def test_generation_learns_to_copy_and_bleu_moves_off_the_floor():
    for name in FAMILIES:
        torch.manual_seed(0)
        lm = load_text_model(name)
        task, rng = get_task("xglue_qg"), random.Random(0)
        records = []
        for i in range(96):
            words = " ".join(rng.choice(WORDS) for _ in range(5))
            records.append({"id": str(i), "source": f"copy {words}", "target": words})
        fmt, features, before, after = _learn(lm, task, records, steps=150)
        start = fmt.score(task, records, features, before, "en")[0]["bleu"]
        end = fmt.score(task, records, features, after, "en")[0]["bleu"]
        assert all(isinstance(p, str) for p in after) and end > start + 0.1, (name, start, end, after[:3])


def test_span_answers_are_generated_and_exact_match_moves_off_the_floor():
    """QA as text: the answer span's text is generated, then scored by SQuAD's own EM/F1."""
    for name in FAMILIES:
        torch.manual_seed(0)
        lm = load_text_model(name)
        task, rng = get_task("xquad"), random.Random(0)
        records = []
        for i in range(96):
            answer, other = rng.sample(WORDS, 2)
            context = f"key {answer} . {other} ."
            records.append({"id": str(i), "question": "key ?", "context": context,
                            "answers": {"text": [answer], "answer_start": [context.index(answer)]}})
        fmt, features, before, after = _learn(lm, task, records, steps=150)
        start = fmt.score(task, records, features, before, "en")[0]["exact_match"]
        end = fmt.score(task, records, features, after, "en")[0]["exact_match"]
        assert end > start + 0.3, (name, start, end, after[:4])


def text_plan(tmp_path, model, targets, intermediate=None, **kw):
    return TrialPlan(sweep="t", trial_id="trial1", model=model, max_seq_length=64, source="local",
                     intermediate=PhasePlan(intermediate, 1e-3, 1, 8) if intermediate else None,
                     targets=tuple(PhasePlan(t, 1e-3, 1, 8, eval_every=0) for t in targets), seed=0,
                     objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h", head="text",
                     target_languages=("en", "de"), cache_dir=str(tmp_path / "cache"), **kw)


@pytest.mark.parametrize("model", list(FAMILIES))
def test_a_text_trial_runs_intermediate_and_targets_of_every_kind(tmp_path, model):
    from xlt.trial.torch_backend import run_trial

    plan = text_plan(tmp_path, model, ["xnli", "xquad", "panx", "xglue_qg"], intermediate="code_to_text")
    run_trial(plan, LocalRuntime())
    rows = read_results(str(tmp_path / "results")).to_pylist()
    metrics = {(r["phase"], r["target_task"], r["metric"]) for r in rows}
    assert ("intermediate", "code_to_text", "smoothed_bleu") in metrics
    for task, metric in (("xnli", "accuracy"), ("xquad", "f1"), ("panx", "f1"), ("xglue_qg", "bleu")):
        assert ("zero_shot", task, metric) in metrics, (task, sorted(metrics))
    assert all(0 <= r["value"] <= 1 for r in rows)
    # the cache keys cover the head: a pooled plan of the same model keys elsewhere
    from dataclasses import replace

    text = text_plan(tmp_path, model, ["xnli"], intermediate="mnli")
    pooled = replace(text, head="pooled")
    assert text.intermediate_key != pooled.intermediate_key
    assert text.target_key(text.targets[0]) != pooled.target_key(pooled.targets[0])


def test_the_sweep_file_checks_heads_models_and_tasks(tmp_path):
    demo = REPO / "sweeps" / "demo.yaml"
    with pytest.raises(ConfigError, match="xglue_qg generate text, which a pooled head cannot"):
        load_sweep(demo, ["target.tasks=[xglue_qg]"])
    with pytest.raises(ConfigError, match="model.head: text needs an encoder-decoder or decoder model; tiny-xlmr is an encoder"):
        load_sweep(demo, ["model.head=text"])
    with pytest.raises(ConfigError, match="has no text-to-text form"):
        load_sweep(demo, ["model.name=tiny-mt5", "model.head=text", "intermediate.tasks=mlm"])
    cfg = load_sweep(demo, ["model.name={choice: [tiny-xlmr, tiny-mt5]}", "model.head=native",
                            "model.generation={max_new_tokens: 8, num_beams: 2}", "target.optimizer=adafactor"])
    from xlt.trial.expand import expand

    plans = {m: expand(cfg, {"model": m, "intermediate_task": "none", "target_learning_rate": 1e-3, "seed": 0}, "t", "")
             for m in ("tiny-xlmr", "tiny-mt5")}
    assert plans["tiny-xlmr"].head == "pooled" and plans["tiny-mt5"].head == "text"
    assert (plans["tiny-mt5"].max_new_tokens, plans["tiny-mt5"].num_beams) == (8, 2)
    assert plans["tiny-mt5"].targets[0].optimizer == "adafactor"
    # a pooled plan hashes as before the head existed
    plain = expand(load_sweep(demo), {"intermediate_task": "none", "target_learning_rate": 1e-3, "seed": 0}, "t", "")
    assert "head" not in plain._cache_content() and "optimizer" not in plain.targets[0].cache_content()


def test_adafactor_trains_a_text_model():
    torch.manual_seed(0)
    lm = load_text_model("tiny-mt5")
    task = get_task("xnli")
    fmt = text_format(task, lm)
    records = [{"text": f"the answer is {task.label_words[i % 3]}", "text_pair": None, "label": i % 3} for i in range(32)]
    features = fmt.encode(task, records, lm[1], 32)
    out = train_loop(TextModel(lm[0]), {"t": fmt}, {"t": features}, {"t": 1.0}, lr=1e-3, batch_size=16, warmup_ratio=0.0,
                     weight_decay=0.0, seed=0, pad_id=lm[1].pad_token_id, rt=LocalRuntime(), steps=4, optimizer="adafactor")
    assert out["steps"] == 4 and out["train_loss"] > 0


def test_a_cached_text_intermediate_checkpoint_feeds_the_next_trial(tmp_path):
    """The phase cache holds the whole text model after phase 2; a second trial with the same
    intermediate phase loads it instead of training, and its target rows say so."""
    from dataclasses import replace

    from xlt.trial.torch_backend import run_trial

    first = text_plan(tmp_path, "tiny-decoder", ["xnli"], intermediate="mnli")
    run_trial(first, LocalRuntime())
    second = replace(first, trial_id="trial2", targets=(PhasePlan("pawsx", 1e-3, 1, 8, eval_every=0),))
    assert second.intermediate_key == first.intermediate_key
    rt = LocalRuntime()
    run_trial(second, rt)
    rows = [r for r in read_results(str(tmp_path / "results")).to_pylist() if r["trial_id"] == "trial2"]
    inter = [r for r in rows if r["phase"] == "intermediate"]
    assert inter and all(r["cache_hit"] for r in inter) and all(r["head"] == "text" for r in rows)
    assert {r["target_task"] for r in rows if r["phase"] == "zero_shot"} == {"pawsx"}
