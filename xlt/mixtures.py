"""Intermediate-task mixtures: which task each training step draws its batch from.

One formula covers every strategy: p_i ∝ w_i · n_i^(1/T), with n_i the task's training-set size,
counted as at most `examples_cap` when one is set (jiant's TemperatureMultiTaskSampler: a task
larger than the cap samples as if it had the cap's size; its epochs are counted over capped sizes).
  proportional: w = 1, T = 1        (p ∝ n)
  temperature:  w = 1, T given      (p ∝ n^(1/T); T -> inf approaches uniform)
  uniform:      w = 1, n ignored    (p = 1/k)
  weights:      w given, n ignored  (p ∝ w)
A searched mixture may set both weights and a temperature. Tasks whose normalised weight falls
below `min_weight` are dropped from the mixture (so a search can switch tasks off).
"""

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Sampling = Literal["proportional", "temperature", "uniform", "weights"]


@dataclass(frozen=True)
class Mixture:
    """Tasks and how to sample them. `weights` are normalised; empty means all equal."""

    tasks: tuple[str, ...]
    sampling: Sampling = "proportional"
    weights: Mapping[str, float] = field(default_factory=dict)
    temperature: float = 1.0
    examples_cap: int | None = None
    """A task's size counts as at most this (proportional and temperature sampling)."""

    def __post_init__(self):
        if not self.tasks:
            raise ValueError("a mixture needs at least one task")
        if self.temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("mixture weights must be >= 0")
        if self.weights and not any(self.weights.values()):
            raise ValueError("mixture weights are all zero")

    @property
    def canonical(self) -> str:
        """What results record: sorted tasks with rounded weights, and the strategy."""
        if len(self.tasks) == 1:
            return self.tasks[0]
        w = normalised(self.weights or {t: 1.0 for t in self.tasks})
        body = "+".join(f"{t}:{w[t]:.3f}" for t in sorted(self.tasks))
        suffix = {"proportional": "@proportional", "uniform": "@uniform", "weights": "",
                  "temperature": f"@T={self.temperature:g}"}[self.sampling]
        return body + suffix + (f"@cap={self.examples_cap}" if self.examples_cap else "")

    def probabilities(self, sizes: Mapping[str, int]) -> dict[str, float]:
        """Sampling probability of each task given its training-set size."""
        raw = {}
        for t in self.tasks:
            w = self.weights.get(t, 1.0) if self.weights else 1.0
            if self.sampling == "uniform":
                raw[t] = 1.0
            elif self.sampling == "weights":
                raw[t] = w
            else:
                temperature = self.temperature if self.sampling == "temperature" else 1.0
                raw[t] = w * self.capped(sizes[t]) ** (1.0 / temperature)
        return normalised(raw)

    def capped(self, size: int) -> int:
        return min(size, self.examples_cap) if self.examples_cap else size


def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights sum to zero")
    return {k: v / total for k, v in weights.items()}


def from_search(tasks: list[str], raw_weights: Mapping[str, float], temperature: float | None,
                min_weight: float = 0.05, examples_cap: int | None = None) -> Mixture:
    """A mixture from searched per-task weights in [0, 1]: normalised, tasks at 0 or under
    `min_weight` dropped (at least the heaviest stays), then renormalised."""
    w = normalised({t: max(0.0, raw_weights[t]) for t in tasks}) if any(raw_weights[t] > 0 for t in tasks) \
        else {t: 1 / len(tasks) for t in tasks}
    kept = {t: v for t, v in w.items() if v > 0 and v >= min_weight} or {max(w, key=w.get): 1.0}
    kept = normalised(kept)
    sampling: Sampling = "temperature" if temperature is not None else "weights"
    return Mixture(tuple(sorted(kept)), sampling, kept, temperature or 1.0, examples_cap)


class TaskSampler:
    """Draws the task of each step; seeded, so every DDP rank draws the same sequence."""

    def __init__(self, probabilities: Mapping[str, float], seed: int):
        self.tasks = list(probabilities)
        self.cum = []
        acc = 0.0
        for t in self.tasks:
            acc += probabilities[t]
            self.cum.append(acc)
        self.rng = random.Random(seed)

    def __next__(self) -> str:
        x = self.rng.random() * self.cum[-1]
        for t, c in zip(self.tasks, self.cum):
            if x < c:
                return t
        return self.tasks[-1]

    def __iter__(self):
        return self


def mixture_steps(batches_per_task: Mapping[str, int], epochs: float) -> int:
    """Training length of `epochs` over the mixture: epochs x the batches of all its tasks."""
    return max(1, math.ceil(epochs * sum(batches_per_task.values())))


def mean_batch(examples: int, batch_size: int) -> float:
    """Examples a batch of `batch_size` holds on average over an epoch of `examples`, its last batch
    partial (xlt.data.batching.length_grouped_batches): what a step of that task trains on."""
    return examples / max(1, math.ceil(examples / batch_size)) if examples else float(batch_size)


def diversity(weights: Mapping[str, float]) -> dict[str, float]:
    """How diverse a mixture is: the formats its tasks cover, the number of tasks, and the
    entropy (nats) of its normalised weights (0 for one task, log n for n equal tasks)."""
    from xlt.tasks import get_task

    if not weights:
        return {"tasks": 0, "formats": 0, "entropy": 0.0}
    p = normalised(weights)
    return {"tasks": len(p), "formats": len({get_task(t).format for t in p}),
            "entropy": -sum(w * math.log(w) for w in p.values() if w > 0)}
