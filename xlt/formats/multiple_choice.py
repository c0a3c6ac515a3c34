"""Multiple choice (HellaSwag, CosmosQA, CommonsenseQA, XCOPA): each (context, choice) pair is
encoded and scored by a first-token head; the softmax runs over the choices.

Canonical record: {"context": str, "choices": list[str], "label": int}.
"""

import torch
import torch.nn.functional as F
from torch import nn

from xlt.formats.base import Features, PooledHead, Format, pad
from xlt.metrics import accuracy


class ChoiceHead(nn.Module):
    def __init__(self, hidden_size: int, pooling: str = "first"):
        super().__init__()
        self.scorer = PooledHead(hidden_size, 1, pooling=pooling)

    def forward(self, hidden, attention_mask):
        return self.scorer(hidden, attention_mask).squeeze(-1)


class MultipleChoice(Format):
    name = "multiple_choice"

    def validate(self, task, record):
        if not record["choices"] or not all(isinstance(c, str) for c in record["choices"]):
            return "field 'choices' must be a non-empty list of strings"
        if not isinstance(record["label"], int) or not 0 <= record["label"] < len(record["choices"]):
            return f"field 'label' is {record['label']!r}, expected an index into {len(record['choices'])} choices"
        return None

    def encode(self, task, records, tokenizer, max_length):
        ids = []
        for r in records:
            enc = tokenizer([r["context"]] * len(r["choices"]), r["choices"], truncation="only_first",
                            max_length=max_length)
            ids.append(enc["input_ids"])
        return Features(ids, list(range(len(ids))), {"labels": [r["label"] for r in records]}, len(records))

    def collate(self, features, indices, pad_id):
        groups = [features.input_ids[i] for i in indices]
        n_choices, width = max(map(len, groups)), max(len(s) for g in groups for s in g)
        # a missing choice repeats the first (masked out of the softmax by choice_mask)
        flat = [s for g in groups for s in g + [g[0]] * (n_choices - len(g))]
        ids = pad(flat, pad_id, width).view(len(groups), n_choices, width)
        valid = torch.tensor([[j < len(g) for j in range(n_choices)] for g in groups])
        return {"input_ids": ids, "attention_mask": (ids != pad_id).long(), "choice_mask": valid,
                "labels": torch.tensor([features.fields["labels"][i] for i in indices])}

    def gold(self, task, records):
        return "".join(f"{r['label']}\n" for r in records)

    def head(self, task, hidden_size, pooling="first"):
        return ChoiceHead(hidden_size, pooling)

    def _masked(self, logits, batch):
        return logits.float().masked_fill(~batch["choice_mask"], float("-inf"))

    def loss(self, logits, batch):
        return F.cross_entropy(self._masked(logits, batch), batch["labels"])

    def decode(self, logits, batch):
        return self._masked(logits, batch).argmax(-1).tolist()

    def score(self, task, records, features, outputs, language):
        return {"accuracy": accuracy([r["label"] for r in records], outputs)}, [str(p) for p in outputs]
