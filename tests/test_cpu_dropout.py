"""xlt.trial.cpu_dropout: CPU dropout from 16 random bits an element, inside the training loop only."""

import math
from contextlib import nullcontext

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from xlt.trial.cpu_dropout import attention, cpu_dropout, dropout, keep_mask


def test_masks_drop_at_the_rounded_probability_and_keep_the_mean():
    torch.manual_seed(0)
    keep, drawn = keep_mask(torch.Size([1000, 1000]), 0.1)
    assert drawn == 6554 / 65536  # 0.1 to the nearest 1/65,536
    n = keep.numel()
    assert abs((1 - keep.float().mean().item()) - drawn) < 4 * math.sqrt(drawn * (1 - drawn) / n)
    # every lane of the int64 fill is random (torch's default fill leaves the top bit 0: one lane in
    # four would then drop nothing)
    lanes = (~keep).view(-1)[: n // 4 * 4].view(-1, 4).float().mean(0)
    assert all(abs(rate - drawn) < 0.003 for rate in lanes.tolist())
    x = torch.ones(1000, 1000)
    y = dropout(x, 0.1)
    assert torch.unique(y).tolist() == [0.0, pytest.approx(1 / (1 - drawn))]
    assert y.mean().item() == pytest.approx(1.0, abs=0.003)
    assert torch.equal(dropout(x, 0.0), x) and torch.equal(dropout(x, 1.0), torch.zeros_like(x))
    everything, drawn = keep_mask(torch.Size([3, 5]), 1.0)
    assert drawn == 1.0 and not everything.any()  # p = 1 keeps nothing (its int16 threshold wrapped round: all kept)
    with pytest.raises(ValueError, match="between 0 and 1"):
        dropout(x, 1.5)


def test_the_context_takes_cpu_dropout_in_training_and_nothing_else():
    x = torch.randn(64, 48)
    layer = nn.Dropout(0.1)
    torch.manual_seed(1)
    with cpu_dropout():
        ours = layer.train()(x)
        assert torch.equal(layer.eval()(x), x)  # evaluation: identity, as ever
        assert torch.equal(F.dropout(x, 0.1, training=False), x)
    torch.manual_seed(1)
    assert torch.equal(ours, dropout(x, 0.1))  # the same draw as the module's own function
    torch.manual_seed(1)
    assert not torch.equal(layer.train()(x), ours)  # outside the context, torch's own draw


def test_attention_is_torchs_math_with_this_dropout_and_trains():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 4, 7, 8, requires_grad=True) for _ in range(3))
    additive = torch.zeros(2, 1, 7, 7)
    additive[1, :, :, 5:] = torch.finfo(torch.float32).min  # the second sequence's last two tokens are padding
    for mask in (None, additive, additive == 0):
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert torch.allclose(attention(q, k, v, mask, 0.0, None), expected, atol=1e-6)
    torch.manual_seed(3)
    with cpu_dropout():
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=additive, dropout_p=0.1, scale=0.5)
    torch.manual_seed(3)
    probs = torch.softmax(q @ k.transpose(-2, -1) * 0.5 + additive, dim=-1)
    assert torch.allclose(out, dropout(probs, 0.1) @ v, atol=1e-6)
    out.sum().backward()
    assert all(t.grad is not None and torch.isfinite(t.grad).all() for t in (q, k, v))
    with cpu_dropout():  # what it cannot express goes to torch: a causal mask
        causal = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=0.0)
    assert torch.allclose(causal, F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_an_xlmr_forward_in_training_takes_no_torch_dropout():
    """Hugging Face's XLM-R (SDPA attention) trains through the context: hidden and attention dropout
    both draw from int64 fills, none from torch's bernoulli_."""
    from torch.profiler import profile

    from transformers import XLMRobertaConfig, XLMRobertaModel

    model = XLMRobertaModel(XLMRobertaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                             intermediate_size=64), add_pooling_layer=False).train()
    ids = torch.randint(3, 100, (4, 12))
    mask = torch.ones_like(ids)
    mask[0, 8:] = 0
    with profile() as prof, cpu_dropout():
        model(input_ids=ids, attention_mask=mask).last_hidden_state.sum().backward()
    ops = {e.key: e.count for e in prof.key_averages()}
    assert "aten::bernoulli_" not in ops and "aten::native_dropout" not in ops
    assert ops["aten::random_"] == 1 + 2 * 3  # the embeddings', then each layer's attention and two hidden


def test_the_training_loop_drops_out_through_it_on_cpu_only(monkeypatch):
    """train_loop trains a CPU model inside the context, and leaves a compiled graph, and CUDA, torch's dropout."""
    import xlt.trial.cpu_dropout as cpu
    from xlt.formats import FORMATS, Features
    from xlt.formats.base import PooledHead
    from xlt.models.task_model import TaskModel
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.train import _dropout, train_phase

    from transformers import XLMRobertaConfig, XLMRobertaModel

    calls = []
    real = cpu.dropout
    monkeypatch.setattr(cpu, "dropout", lambda x, p: calls.append(p) or real(x, p))
    config = XLMRobertaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
                              intermediate_size=64)
    model = TaskModel(XLMRobertaModel(config, add_pooling_layer=False), PooledHead(32, 3))
    ids = [[0] + [5 + i % 90] * (3 + i % 7) + [2] for i in range(16)]
    features = Features(ids, list(range(16)), {"labels": [i % 3 for i in range(16)]}, 16)
    train_phase(model, FORMATS["classification"], features, lr=1e-3, epochs=1, batch_size=8, warmup_ratio=0.0,
                weight_decay=0.0, seed=0, pad_id=1, rt=LocalRuntime())
    assert calls and set(calls) == {0.1}  # XLM-R's hidden and attention dropout, 2 steps
    assert isinstance(_dropout(torch.device("cpu"), compiled=True), nullcontext)
    assert isinstance(_dropout(torch.device("cuda"), compiled=False), nullcontext)
    assert not isinstance(_dropout(torch.device("cpu"), compiled=False), nullcontext)
