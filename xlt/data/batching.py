"""Length-grouped batches, split over DDP ranks and micro-batches (formats pad each batch to
its longest).

Padding is most of the cost on realistic length spreads (RAY-NOTES: 29 -> 63 ex/s on CPU),
so batches group examples of similar length and pad only to their own longest.

Token-budget batches (`batch_tokens`, as fairseq's `--max-tokens`) fill each batch up to a
budget of padded tokens instead of a count of examples: short examples travel in large batches,
long ones in small, so every step does about the same work.

Training batches are global: one optimizer step consumes one batch of `batch_size` examples
whatever the number of workers (the reference protocol's batch, jiant's 32 or 16). Each rank
takes an equal contiguous share of it and, when its share is larger than `micro_batch`, runs it
as several micro-batches whose gradients accumulate.
"""

import math
import random

def _sorted_windows(lengths: list[int], rng: random.Random, window: int) -> list[list[int]]:
    """Every index, shuffled, then cut into windows of `window` indices, each sorted longest first."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    return [sorted(order[start:start + window], key=lengths.__getitem__, reverse=True)
            for start in range(0, len(order), window)]


def length_grouped_batches(
    lengths: list[int], batch_size: int, seed: int | None, group_factor: int = 50
) -> list[list[int]]:
    """Indices in batches of similar length.

    With a seed: shuffle, sort within windows of `group_factor` batches, then shuffle the
    batches, so every epoch differs but each batch stays tight. Without: sorted by length
    (evaluation; order does not matter there).
    """
    if seed is None:
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng = random.Random(seed)
    grouped = [i for window in _sorted_windows(lengths, rng, batch_size * group_factor) for i in window]
    batches = [grouped[i:i + batch_size] for i in range(0, len(grouped), batch_size)]
    rng.shuffle(batches)
    return batches


def token_budget_batches(lengths: list[int], max_tokens: int, seed: int, group_factor: int = 50) -> list[list[int]]:
    """Indices in batches of at most `max_tokens` padded tokens (examples x the batch's longest).

    Shuffle, sort within windows of about `group_factor` batches (descending), cut each window
    greedily at the budget, then shuffle the batches. An example longer than the budget forms a
    batch of its own (padding is never truncated away)."""
    rng = random.Random(seed)
    mean = max(1.0, sum(lengths) / max(1, len(lengths)))
    batches: list[list[int]] = []
    for window in _sorted_windows(lengths, rng, max(1, int(group_factor * max_tokens / mean))):
        batch: list[int] = []
        for i in window:
            if batch and (len(batch) + 1) * lengths[batch[0]] > max_tokens:  # batch[0] is its longest
                batches.append(batch)
                batch = []
            batch.append(i)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def shard(batches: list[list[int]], rank: int, world_size: int, pad: bool) -> list[list[int]]:
    """This rank's batches. With `pad`, every rank gets the same count (DDP needs equal steps):
    the list is topped up from its start, as torch's DistributedSampler does."""
    if world_size == 1:
        return batches
    if pad and len(batches) % world_size:
        batches = batches + batches[: world_size - len(batches) % world_size]
    return batches[rank::world_size]


def step_share(batch: list[int], rank: int, world_size: int, micro_batch: int | None = None) -> list[list[int]]:
    """This rank's share of one global batch, as micro-batches. A batch that does not split
    evenly over the ranks is topped up from its own start (DistributedSampler's rule: every rank
    takes a step, on shares of one size); each share is cut into ceil(share / micro_batch)
    micro-batches of near-equal size."""
    if world_size > 1 and len(batch) % world_size:
        batch = (batch * math.ceil(world_size / len(batch) + 1))[: len(batch) + world_size - len(batch) % world_size]
    size = len(batch) // world_size
    share = batch[rank * size:(rank + 1) * size]
    parts = 1 if not micro_batch else math.ceil(len(share) / micro_batch)
    bounds = [round(i * len(share) / parts) for i in range(parts + 1)]
    return [share[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
