import random

from xlt.data.batching import length_grouped_batches, shard
from xlt.formats import FORMATS, Features


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
