import random

import pytest
import torch
from torch import nn

from xlt.data.batching import length_grouped_batches, shard, token_budget_batches
from xlt.formats import FORMATS, Features
from xlt.trial.runtime import LocalRuntime


def test_length_grouped_batches_cover_every_index_once_and_group_lengths():
    rng = random.Random(0)
    lengths = [rng.randint(5, 120) for _ in range(1000)]
    batches = length_grouped_batches(lengths, 16, seed=1)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 15  # random batches of 16 would spread ~100
    assert batches != length_grouped_batches(lengths, 16, seed=2)


def test_shard_pads_to_equal_counts_for_ddp():
    batches = [[i] for i in range(5)]
    shards = [shard(batches, r, 2, pad=True) for r in range(2)]
    assert [len(s) for s in shards] == [3, 3]
    assert sorted(b[0] for s in shards for b in s) == [0, 0, 1, 2, 3, 4]
    assert sorted(b[0] for r in range(2) for b in shard(batches, r, 2, pad=False)) == [0, 1, 2, 3, 4]


def test_collate_pads_to_the_batch_longest():
    f = Features([[0, 5, 2], [0, 5, 6, 7, 2]], [0, 1], {"labels": [1, 2]}, 2)
    batch = FORMATS["classification"].collate(f, [0, 1], pad_id=1)
    assert batch["input_ids"].tolist() == [[0, 5, 2, 1, 1], [0, 5, 6, 7, 2]]
    assert batch["attention_mask"].sum().item() == 8 and batch["labels"].tolist() == [1, 2]


def test_token_budget_batches_cover_every_index_once_within_the_budget():
    rng = random.Random(0)
    lengths = [rng.randint(5, 120) for _ in range(1000)] + [1500]  # one example over the budget
    batches = token_budget_batches(lengths, 1024, seed=1)
    assert sorted(i for b in batches for i in b) == list(range(1001))
    padded = [len(b) * max(lengths[i] for i in b) for b in batches]
    assert [b for b, p in zip(batches, padded) if p > 1024] == [[1000]]  # alone, never cut
    assert sum(padded) / len(padded) > 0.85 * 1024  # batches are filled, not left half empty
    sizes = {len(b) for b in batches}
    assert min(sizes) <= 1024 // 120 + 1 and max(sizes) >= 1024 // 20  # short examples in large batches
    assert batches == token_budget_batches(lengths, 1024, seed=1) != token_budget_batches(lengths, 1024, seed=2)


class _MeanPool(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.out = nn.Embedding(50, 8), nn.Linear(8, 3)

    def forward(self, batch, task=None):
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.out((self.embed(batch["input_ids"]) * mask).sum(1) / mask.sum(1))


class _Recording:
    """The classification format, recording the shape of each batch it collates."""

    def __init__(self):
        self.fmt, self.shapes = FORMATS["classification"], []

    def collate(self, features, indices, pad_id):
        batch = self.fmt.collate(features, indices, pad_id)
        self.shapes.append(tuple(batch["input_ids"].shape))
        return batch

    def loss(self, logits, batch):
        return self.fmt.loss(logits, batch)


@pytest.mark.parametrize("batch_tokens", [None, 400])
def test_training_on_a_token_budget_sees_the_same_examples_on_the_same_schedule(batch_tokens, monkeypatch):
    """Token-budget batches: each batch within the budget; the run lasts the examples the
    batch_size run sees (epochs x the examples: each epoch's last batch of 16 holds 4), no more;
    the learning rate follows the linear warm-up and decay over examples seen, ending at 0."""
    import xlt.trial.train as train

    rng = random.Random(3)
    ids = [[0] + [rng.randint(3, 49) for _ in range(rng.randint(2, 60))] + [2] for _ in range(100)]
    features = Features(ids, list(range(100)), {"labels": [rng.randint(0, 2) for _ in ids]}, 100)
    rates, real_step = [], torch.optim.AdamW.step

    def step(opt, *args, **kw):
        rates.append(opt.param_groups[0]["lr"])
        return real_step(opt, *args, **kw)

    monkeypatch.setattr(torch.optim.AdamW, "step", step)
    fmt = _Recording()
    out = train.train_phase(_MeanPool(), fmt, features, epochs=2, lr=0.1, batch_size=16, warmup_ratio=0.1,
                            weight_decay=0.0, seed=0, pad_id=1, rt=LocalRuntime(), batch_tokens=batch_tokens)
    total = 2 * 100  # epochs x the examples: ceil(100 / 16) = 7 steps an epoch, the last of 4
    if batch_tokens is None:
        assert out["steps"] == 14 and out["examples"] == total and all(n <= 16 for n, _ in fmt.shapes)
        return
    assert all(n * width <= batch_tokens or n == 1 for n, width in fmt.shapes)
    assert len({n for n, _ in fmt.shapes}) > 3  # the batch size follows the lengths
    # an epoch's budget batches hold its 100 examples: the run ends with the second epoch, none seen a third time
    assert out["examples"] == total
    seen = 0
    for (n, _), rate in zip(fmt.shapes, rates):  # the rate a step trains at: the schedule at the examples before it
        warm = int(0.1 * total)
        assert rate == pytest.approx(0.1 * (seen / warm if seen < warm else max(0.0, (total - seen) / (total - warm))))
        seen += n


def test_a_mixture_on_a_token_budget_keeps_each_tasks_share_of_the_examples():
    """A budget batch of short examples holds more of them than one of long examples: the step's
    task is drawn so that each task keeps the mixture's share of the examples seen, as with
    batch_size (drawn per step by the shares, a 0.5 / 0.5 mixture of 10- and 80-token examples gave
    the short task 0.86 of them over these 30 seeds)."""
    from xlt.trial.train import train_loop

    rng = random.Random(5)

    def features(length: int) -> Features:
        ids = [[0] + [rng.randint(3, 49) for _ in range(length - 2)] + [2] for _ in range(200)]
        return Features(ids, list(range(200)), {"labels": [rng.randint(0, 2) for _ in ids]}, 200)

    data = {"short": features(10), "long": features(80)}
    shares = {}
    for batch_tokens in (None, 640):
        seen = []
        for seed in range(30):
            counted = {"short": _Recording(), "long": _Recording()}
            out = train_loop(_MeanPool(), counted, data, {"short": 0.5, "long": 0.5}, lr=1e-3, batch_size=16,
                             warmup_ratio=0.1, weight_decay=0.0, seed=seed, pad_id=1, rt=LocalRuntime(), epochs=3,
                             batch_tokens=batch_tokens)
            examples = {name: sum(n for n, _ in fmt.shapes) for name, fmt in counted.items()}
            assert sum(examples.values()) == out["examples"]
            seen.append(examples["short"] / out["examples"])
        shares[batch_tokens] = sum(seen) / len(seen)
    assert shares[None] == pytest.approx(0.5, abs=0.04) and shares[640] == pytest.approx(0.5, abs=0.04), shares
