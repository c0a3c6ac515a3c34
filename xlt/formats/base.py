"""What every format provides, and the features it produces.

A format turns canonical records (see each format's docstring) into `Features`, pads them into
batches, owns the head and the loss, decodes logits into per-feature predictions (plain Python,
gathered across DDP ranks), and scores per-example predictions with the official metric.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from xlt.models.backbone import backbone_of, pool

IGNORE = -100  # label of positions that carry no loss


@dataclass
class Features:
    """Unpadded model inputs, one entry per feature. A long example may yield several features
    (windows); `example_index` maps each back to its example."""

    input_ids: list                     # list[int] per feature; list[list[int]] for multiple choice
    example_index: list[int]
    fields: dict[str, list] = field(default_factory=dict)  # per-feature targets and decoding info
    num_examples: int = 0

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def lengths(self) -> list[int]:
        return [max(map(len, ids)) if ids and isinstance(ids[0], list) else len(ids) for ids in self.input_ids]


@dataclass(frozen=True)
class Scored:
    """One language's metrics on one split, from `n` examples (queries, gold pairs)."""

    language: str
    split: str
    metrics: dict[str, float]
    n: int


Embedder = Callable[..., torch.Tensor]
"""`embed(texts, contexts=None)`: L2-normalised sentence embeddings (Retrieval.embed, settings bound)."""


def one_per_line(items) -> str:
    """The XTREME submission layout: one item a line."""
    return "".join(f"{x}\n" for x in items)


def pad(seqs: list[list[int]], value: int, width: int | None = None) -> torch.Tensor:
    width = width or max(map(len, seqs))
    out = torch.full((len(seqs), width), value, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out


def inputs(features: Features, indices: list[int], pad_id: int) -> dict[str, torch.Tensor]:
    """Padded input_ids and attention_mask for flat (one sequence a feature) formats."""
    ids = pad([features.input_ids[i] for i in indices], pad_id)
    return {"input_ids": ids, "attention_mask": (ids != pad_id).long()}


@dataclass(frozen=True)
class HeadSource:
    """What a head may need beyond the format and the encoder: the model it comes from (a registry
    name or hub id; masked-LM and log-likelihood heads load its LM head) and how choices are scored."""

    model: str
    trust_remote_code: bool = False
    choice_scoring: str = "head"


class Format:
    name: str

    def validate(self, task, record: dict) -> str | None:
        """A problem with one canonical record (a message naming the field), or None."""
        return None

    def encode(self, task, records: list[dict], tokenizer, max_length: int) -> Features:
        raise NotImplementedError

    def collate(self, features: Features, indices: list[int], pad_id: int) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def head(self, task, hidden_size: int, pooling: str = "first") -> nn.Module:
        """The task head; `pooling` (the backbone's: first, mean or last) where states are pooled."""
        raise NotImplementedError

    def build_head(self, task, encoder: nn.Module, source: HeadSource) -> nn.Module:
        """The head a trial trains on `encoder`: the format's own, on the backbone's pooled states.
        Formats whose head comes from the model's LM head override this."""
        return self.head(task, encoder.config.hidden_size, pooling=backbone_of(encoder).pooling)

    def loss(self, logits: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError

    def decode(self, logits: Any, batch: dict[str, torch.Tensor]) -> list[Any]:
        """Per-feature predictions as plain Python objects."""
        raise NotImplementedError

    def predict(self, model: nn.Module, batch: dict[str, torch.Tensor], autocast) -> list[Any]:
        """Per-feature predictions of `model` on one collated batch: its forward pass under
        `autocast`, then `decode` in fp32. The text-to-text path generates or scores candidates instead."""
        with autocast:
            logits = model(batch)
        return self.decode(logits.float(), batch)

    def score(self, task, records: list[dict], features: Features, outputs: list[Any],
              language: str) -> tuple[dict[str, float], list[Any]]:
        """Metrics (fractions) and one prediction per example (for the submission files)."""
        raise NotImplementedError

    suffix = "tsv"

    def submission(self, predictions: list[Any]) -> str:
        """Predictions as a file of the XTREME submission layout: one a line."""
        return one_per_line(predictions)

    def gold(self, task, records: list[dict]) -> str:
        """Gold labels in the same layout, so `xlt score` can score the predictions."""
        raise NotImplementedError


class PooledHead(nn.Module):
    """XLM-R's classification head on a pooled state: pool -> dense -> tanh -> dropout -> outputs.
    Pooling by backbone family: the first token (encoders), the mean (encoder-decoders' encoders),
    the last real token (decoders)."""

    def __init__(self, hidden_size: int, num_outputs: int, dropout: float = 0.1, pooling: str = "first"):
        super().__init__()
        self.pooling = pooling
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.out_proj = nn.Linear(hidden_size, num_outputs)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.dropout(pool(hidden, attention_mask, self.pooling))
        x = self.dropout(torch.tanh(self.dense(x)))
        return self.out_proj(x)
