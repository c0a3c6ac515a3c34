"""Backbone families: every task format trains and evaluates on a tiny encoder-decoder (mT5)
and a tiny decoder-only (Llama-family) model, loaded through `from_pretrained` like hub models."""

import dataclasses
import math

import pytest
import torch

from xlt.data.loading import DataError
from xlt.models.backbone import backbone_of, load_encoder, pool
from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.torch_backend import run_trial
from xlt.results.rows import read_results
from xlt.trial.runtime import LocalRuntime

FORMATS = {"hellaswag": "multiple_choice", "xnli": "classification", "xquad": "span_extraction",
           "panx": "tagging", "tatoeba": "retrieval"}


def test_pooling_finds_the_last_real_token_with_left_or_right_padding():
    hidden = torch.arange(2 * 4 * 1, dtype=torch.float).view(2, 4, 1)
    right = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    assert pool(hidden, right, "last").flatten().tolist() == [1.0, 7.0]
    assert pool(hidden, left, "last").flatten().tolist() == [3.0, 7.0]
    assert pool(hidden, right, "mean").flatten().tolist() == [0.5, 5.5]
    assert pool(hidden, right, "first").flatten().tolist() == [0.0, 4.0]


@pytest.mark.parametrize("model,family,pooling", [("tiny-xlmr", "encoder", "first"),
                                                  ("tiny-mt5", "encoder-decoder", "mean"),
                                                  ("tiny-decoder", "decoder", "last")])
def test_each_tiny_family_loads_as_its_family(model, family, pooling):
    encoder, tokenizer = load_encoder(model)
    backbone = backbone_of(encoder)
    assert (backbone.family, backbone.pooling) == (family, pooling)
    out = encoder(input_ids=torch.tensor([[5, 6, 7]]), attention_mask=torch.ones(1, 3, dtype=torch.long))
    assert out.last_hidden_state.shape == (1, 3, encoder.config.hidden_size)
    assert tokenizer.pad_token_id is not None
    if family == "encoder-decoder":
        assert not any("decoder" in name for name, _ in encoder.named_parameters())  # the encoder alone


@pytest.mark.parametrize("model", ["tiny-mt5", "tiny-decoder"])
def test_every_format_trains_and_evaluates_on_the_family(model, tmp_path):
    rt = LocalRuntime()
    plan = TrialPlan(sweep="t", trial_id="t1", model=model, max_seq_length=64, source="local",
                     intermediate=PhasePlan("hellaswag", 1e-3, 1, 8),
                     targets=tuple(PhasePlan(t, 3e-3, 1, 8) for t in ("xnli", "xquad", "panx", "tatoeba")),
                     seed=0, objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                     max_train_examples=16, target_languages=("de", "es", "sw"))
    value = run_trial(plan, rt)
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert 0 <= value <= 1
    evaluated = {r["target_task"] for r in rows if r["phase"] in ("intermediate", "zero_shot")}
    assert evaluated == set(FORMATS)  # one task of each format
    assert all(0 <= r["value"] <= 1 for r in rows)
    trained = [r for r in rt.reports if r.get("unit", "").startswith(("intermediate", "target-")) and r["unit"] != "target-tatoeba"]
    assert trained and all(math.isfinite(r["train_loss"]) for r in trained)


def test_masked_lm_on_a_decoder_is_refused_with_the_reason(tmp_path):
    plan = TrialPlan(sweep="t", trial_id="t1", model="tiny-decoder", max_seq_length=64, source="local",
                     intermediate=PhasePlan("mlm", 1e-3, 1, 8), targets=(PhasePlan("xnli", 3e-3, 1, 8),), seed=0,
                     objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                     max_train_examples=8)
    with pytest.raises(DataError, match="needs an encoder with a masked-LM head; tiny-decoder is a decoder model"):
        run_trial(plan, LocalRuntime())


def test_lora_freezes_the_backbone_and_trains_adapters(tmp_path):
    from xlt.config import load_sweep
    from xlt.models.backbone import with_lora

    from conftest import REPO

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["model.name=tiny-decoder", "model.lora={r: 4, alpha: 8}"])
    assert cfg.model.lora.r == 4 and cfg.model.lora.dropout == 0.05
    encoder, _ = load_encoder("tiny-decoder")
    wrapped = with_lora(encoder, cfg.model.lora.model_dump())
    trainable = [n for n, p in wrapped.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert backbone_of(wrapped).family == "decoder"
    plan = TrialPlan(sweep="t", trial_id="t1", model="tiny-decoder", max_seq_length=64, source="local", intermediate=None,
                     targets=(PhasePlan("xnli", 3e-3, 1, 8),), seed=0, objective="zero_shot_mean",
                     results_dir=str(tmp_path / "results"), config_hash="h", max_train_examples=16,
                     target_languages=("de",), lora=cfg.model.lora.model_dump())
    assert 0 <= run_trial(plan, LocalRuntime()) <= 1


def test_loglik_choice_head_is_the_mean_log_probability_of_the_choice_tokens():
    from xlt.formats.multiple_choice import LoglikChoiceHead

    torch.manual_seed(0)
    lm_head = torch.nn.Linear(4, 6, bias=False)
    hidden = torch.randn(1, 4, 4)
    ids = torch.tensor([[0, 3, 5, 2]])
    answer = torch.tensor([[0, 0, 1, 1]])  # the choice is tokens 2 and 3
    logp = torch.log_softmax(lm_head(hidden), -1)[0]
    expected = (logp[1, 5] + logp[2, 2]) / 2  # position t-1 predicts token t
    got = LoglikChoiceHead(lm_head)(hidden, torch.ones(1, 4), ids, answer)
    assert torch.allclose(got, expected.unsqueeze(0))


def test_multiple_choice_by_log_likelihood_on_a_decoder(tmp_path):
    rt = LocalRuntime()
    plan = TrialPlan(sweep="t", trial_id="t1", model="tiny-decoder", max_seq_length=64, source="local",
                     intermediate=PhasePlan("hellaswag", 1e-3, 1, 8), targets=(PhasePlan("xcopa", 3e-3, 1, 8),),
                     seed=0, objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                     max_train_examples=16, choice_scoring="loglik")
    assert 0 <= run_trial(plan, rt) <= 1
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert {r["target_task"] for r in rows if r["phase"] == "zero_shot"} == {"xcopa"}
    assert all(math.isfinite(r["train_loss"]) for r in rt.reports if r["unit"] in ("intermediate", "target-xcopa"))
    encoder_plan = dataclasses.replace(plan, model="tiny-xlmr", results_dir=str(tmp_path / "r2"))
    with pytest.raises(DataError, match="choice_scoring loglik needs a decoder-only model's LM head"):
        run_trial(encoder_plan, LocalRuntime())
