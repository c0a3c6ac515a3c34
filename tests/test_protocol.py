"""The reference training protocol (jiant's XTREME configuration, which the paper's runs follow)
as each task's defaults, the global batch with gradient accumulation, jiant's QA windows, and a
TyDiQA dev set held out of its training data."""

import dataclasses
import math

import pytest
import torch
from torch import nn

from xlt.data.batching import step_share
from xlt.formats.span import _doc_spans, _is_max_context
from xlt.trial.runtime import LocalRuntime
from xlt.tasks import get_task

# nyu-mll/jiant@daa5a258e3af5e7503288de8401429eaf3f58e13, jiant/scripts/benchmarks/xtreme/subscripts:
# d_write_configs.sh (batch 4 x accumulation 8 = 32, QA 4 x 4 = 16; epochs), c_tokenize_and_cache.sh
# (lengths), e_run_models.sh (lr 1e-5, eval every 1000, patience 30); xtreme_runconfig_writer.py
# (warm-up 0.1, eval subset 500, validation on the training task).
@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from xlt.models.registry import resolve_model

    return AutoTokenizer.from_pretrained(resolve_model("tiny-xlmr"))


JIANT = {  # task: (global batch, epochs, max length, selection task)
    "xnli": (32, 2, 256, "mnli"), "pawsx": (32, 5, 256, "pawsx"), "udpos": (32, 10, 256, "udpos"),
    "panx": (32, 10, 256, "panx"), "xquad": (16, 2, 384, "squad_v1"), "mlqa": (16, 2, 384, "squad_v1"),
    "tydiqa": (16, 2, 384, "tydiqa"),
}


@pytest.mark.parametrize("name", sorted(JIANT))
def test_target_defaults_are_jiants_xtreme_configuration(name):
    task = get_task(name)
    batch, epochs, length, selection = JIANT[name]
    d = task.defaults
    assert (d.batch_size, d.epochs, d.max_seq_length, task.dev_task) == (batch, epochs, length, selection)
    assert (d.learning_rate, d.warmup_ratio, d.weight_decay) == (1e-5, 0.1, 0.01)
    assert (d.eval_every, d.patience, d.dev_subset) == (1000, 30, 500)


def test_retrieval_and_xcopa_defaults():
    assert get_task("bucc").defaults.max_seq_length == get_task("tatoeba").defaults.max_seq_length == 512
    # google-research/xtreme@838c13b scripts/train_xcopa.sh: SIQA then COPA, 5 epochs each, lr 3e-5,
    # batch 2 x 16, max length 128; HF Trainer defaults otherwise (no warm-up, no decay, last checkpoint)
    xcopa = get_task("xcopa")
    assert xcopa.train_tasks == ("siqa", "copa") and xcopa.dev_task == "copa"
    d = xcopa.defaults
    assert (d.batch_size, d.epochs, d.learning_rate, d.max_seq_length, d.warmup_ratio, d.weight_decay,
            d.eval_every) == (32, 5, 3e-5, 128, 0.0, 0.0, None)


def test_a_phase_takes_the_task_defaults_unless_the_sweep_sets_them():
    from xlt.config import parse_sweep
    from xlt.trial.expand import expand

    cfg = parse_sweep({"name": "p", "target": {"tasks": ["xnli", "xquad"], "eval_every": 0, "micro_batch_size": 4}}, "p.yaml")
    plan = expand(cfg, {"intermediate_task": "none", "seed": 0}, "t", "/tmp/r")
    xnli, xquad = plan.targets
    assert (xnli.batch_size, xnli.epochs, xnli.learning_rate, xquad.batch_size) == (32, 2, 1e-5, 16)
    assert xnli.eval_every is None and xnli.micro_batch_size == 4 and xnli.dev_subset == 500
    from xlt.config import ConfigError

    with pytest.raises(ConfigError, match="target.batch_size: 4 is the global batch and cannot be split over "
                                          "resources.workers_per_trial=8 workers"):
        parse_sweep({"name": "p", "target": {"tasks": ["xnli"], "batch_size": 4},
                     "resources": {"workers_per_trial": 8}}, "p.yaml")



def test_a_token_budget_reaches_the_phase_and_its_cache_key_and_a_tiny_one_is_refused():
    from xlt.config import ConfigError, parse_sweep
    from xlt.trial.expand import expand

    plans = [expand(parse_sweep({"name": "p", "target": {"tasks": ["xnli"], **extra}}, "p.yaml"),
                    {"intermediate_task": "none", "seed": 0}, "t", "/tmp/r") for extra in ({}, {"batch_tokens": 4096})]
    assert [p.targets[0].batch_tokens for p in plans] == [None, 4096]
    assert plans[0].target_key(plans[0].targets[0]) != plans[1].target_key(plans[1].targets[0])
    assert "batch_tokens" not in repr(plans[0].targets[0])  # config hashes of sweeps without it are unchanged
    with pytest.raises(ConfigError, match="target.batch_tokens"):
        parse_sweep({"name": "p", "target": {"tasks": ["xnli"], "batch_tokens": 16}}, "p.yaml")


def test_a_phase_cap_applies_to_the_phase_it_names(tmp_path):
    """`intermediate.max_train_examples` caps the intermediate phase only (the arms of a
    comparison at equal size), `data.max_train_examples` every phase; the lower wins."""
    from xlt.config import parse_sweep
    from xlt.cost_estimate import load_cost_model, train_examples
    from xlt.models.backbone import load_encoder
    from xlt.trial.data import TrialData
    from xlt.trial.expand import expand

    raw = {"name": "p", "model": {"name": "tiny-xlmr"}, "data": {"source": "local"},
           "intermediate": {"tasks": "mnli", "learning_rate": 1e-3, "max_train_examples": 50},
           "target": {"tasks": ["xnli"], "learning_rate": 1e-3}}
    cfg = parse_sweep(raw, "p.yaml")
    plan = expand(cfg, {"intermediate_task": "mnli", "seed": 0}, "t", str(tmp_path / "r"))
    assert plan.intermediate.max_train_examples == 50 and plan.targets[0].max_train_examples is None
    uncapped = expand(parse_sweep({**raw, "intermediate": {"tasks": "mnli", "learning_rate": 1e-3}}, "p.yaml"),
                      {"intermediate_task": "mnli", "seed": 0}, "t", str(tmp_path / "r"))
    assert plan.intermediate_key != uncapped.intermediate_key  # a capped phase is another checkpoint
    assert "max_train_examples" not in repr(uncapped.intermediate)  # config hashes without it are unchanged
    _, tokenizer = load_encoder("tiny-xlmr")
    data = TrialData(plan, tokenizer)
    mnli, xnli = get_task("mnli"), get_task("xnli")
    capped = data.encoded(mnli, mnli, "train", phase_cap=plan.intermediate.max_train_examples)[0]
    whole = data.encoded(xnli, mnli, "train", phase_cap=plan.targets[0].max_train_examples)[0]
    assert len(capped) == 50 and len(whole) > 50  # the target trains on all of MNLI's fixture
    assert data.train_cap(50) == 50
    assert TrialData(dataclasses.replace(plan, max_train_examples=20), tokenizer).train_cap(50) == 20
    cost = load_cost_model()
    assert train_examples(cfg, "mnli", cost, 50) == 50 and train_examples(cfg, "mnli", cost) == len(whole)


def test_a_global_batch_splits_evenly_over_ranks_and_micro_batches():
    batch = list(range(32))
    shares = [step_share(batch, r, 4) for r in range(4)]
    assert [sum(map(len, s)) for s in shares] == [8, 8, 8, 8]
    assert sorted(i for s in shares for m in s for i in m) == batch
    assert step_share(batch, 1, 4, micro_batch=3) == [[8, 9, 10], [11, 12], [13, 14, 15]]
    # a last batch smaller than the ranks: topped up from its start, every rank takes a step
    assert [step_share([5, 6, 7], r, 4) for r in range(4)] == [[[5]], [[6]], [[7]], [[5]]]


class _Toy(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(4, 3)

    def forward(self, batch, task=None):
        return self.linear(batch["x"])


class _ToyFormat:
    def collate(self, features, indices, pad_id):
        return {"x": features.fields["x"][indices], "labels": features.fields["y"][indices]}

    def loss(self, logits, batch):
        return nn.functional.cross_entropy(logits, batch["labels"])


def _toy_run(micro_batch):
    from xlt.formats import Features
    from xlt.trial.train import train_phase

    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(20, 4, generator=g), torch.randint(0, 3, (20,), generator=g)
    features = Features([[0]] * 20, list(range(20)), {"x": x, "y": y}, 20)
    model = _Toy()
    out = train_phase(model, _ToyFormat(), features, epochs=2, lr=0.1, batch_size=8, micro_batch=micro_batch,
                      warmup_ratio=0.1, weight_decay=0.0, seed=0, pad_id=0, rt=LocalRuntime())
    return out, model.linear.weight.detach().clone()


def test_gradient_accumulation_equals_the_whole_batch():
    whole, w_whole = _toy_run(None)
    accumulated, w_acc = _toy_run(3)  # shares of 8 (and the last 4) in micro-batches of <= 3
    assert whole["steps"] == accumulated["steps"] == 2 * math.ceil(20 / 8)  # epochs x ceil(N / batch), as jiant
    assert torch.allclose(w_whole, w_acc, atol=1e-6)
    assert accumulated["train_loss"] == pytest.approx(whole["train_loss"], rel=1e-5)


def test_the_schedule_is_transformers_linear_warmup():
    from xlt.trial.train import _schedule

    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = _schedule(opt, total=10, warmup=2)
    rates = []
    for _ in range(10):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    # get_linear_schedule_with_warmup: 0 at step 0, peak at the end of warm-up, linear to 0
    assert rates == pytest.approx([0.0, 0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125])


def test_qa_windows_start_every_doc_stride_tokens_as_jiants():
    # 600 context tokens, 384 - 64 (question) - 4 (XLM-R's pair specials) = 316 a window
    assert _doc_spans(600, 316, 128) == [(0, 316), (128, 316), (256, 316), (384, 216)]
    assert _doc_spans(100, 316, 128) == [(0, 100)]
    spans = _doc_spans(600, 316, 128)
    # token 200: 72 tokens of left context in window 1, 116 of right context in window 0 -> window 0
    assert [_is_max_context(spans, k, 200) for k in range(4)] == [True, False, False, False]
    assert [_is_max_context(spans, k, 300) for k in range(4)] == [False, True, False, False]


def test_qa_encoding_steps_windows_by_the_doc_stride(tokenizer):
    from xlt.formats import FORMATS

    task = get_task("squad_v1")
    context = " ".join(f"word{i}" for i in range(400))
    record = {"id": "q", "question": "Which word?", "context": context,
              "answers": {"text": ["word350"], "answer_start": [context.index("word350")]}}
    features = FORMATS["span_extraction"].encode(task, [record], tokenizer, max_length=256)
    firsts = [next(o for o in offs if o is not None)[0] for offs in features.fields["offsets"]]
    ctx_tokens = tokenizer(context, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    token_of = {start: i for i, (start, _) in enumerate(ctx_tokens)}
    starts = [token_of[f] for f in firsts]
    assert starts[0] == 0 and all(b - a == 128 for a, b in zip(starts, starts[1:]))
    assert len(starts) > 2 and all(len(ids) <= 256 for ids in features.input_ids)


def test_tydiqa_english_dev_is_held_out_of_its_training_data():
    from xlt.data.loading import load_records

    task = get_task("tydiqa")
    train, dev, test = (load_records(task, "en", split, "local").records for split in ("train", "validation", "test"))
    ids = lambda rows: {r["id"] for r in rows}  # noqa: E731
    assert dev and not ids(train) & ids(dev) and not ids(dev) & ids(test)
    assert 0.05 < len(dev) / (len(train) + len(dev)) < 0.2  # about 10%
    assert ids(load_records(task, "en", "validation", "local").records) == ids(dev)  # the same rows every time


def test_gradients_are_clipped_to_norm_1_once_per_optimizer_step(monkeypatch):
    """jiant's max_grad_norm 1.0, applied once per optimizer step (after every micro-batch's
    gradient has accumulated), never per micro-batch."""
    calls = []
    real = torch.nn.utils.clip_grad_norm_

    def recording(parameters, max_norm, *args, **kw):
        calls.append(max_norm)
        return real(parameters, max_norm, *args, **kw)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", recording)
    out, _ = _toy_run(3)  # micro-batches of <= 3 in each step of 8
    assert calls == [1.0] * out["steps"]
