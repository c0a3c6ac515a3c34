"""Single-sentence and sentence-pair classification (SST-2; MNLI, QQP, XNLI, PAWS-X).

Canonical record: {"text": str, "text_pair": str | None, "label": int}.
"""

import logging

import torch
import torch.nn.functional as F

from xlt.formats.base import Features, PooledHead, Format, inputs
from xlt.metrics import accuracy
from xlt.metrics.ranking import xglue_ndcg

log = logging.getLogger(__name__)


class Classification(Format):
    name = "classification"

    def validate(self, task, record):
        if not isinstance(record["label"], int) or not 0 <= record["label"] < task.num_labels:
            return (f"field 'label' is {record['label']!r}, expected an int in [0, {task.num_labels}) "
                    f"({', '.join(task.labels)})")
        return None

    def encode(self, task, records, tokenizer, max_length):
        texts = [r["text"] for r in records]
        pairs = [r["text_pair"] for r in records] if records and records[0].get("text_pair") is not None else None
        ids = tokenizer(texts, pairs, truncation="longest_first", max_length=max_length)["input_ids"]
        truncated = sum(len(x) == max_length for x in ids)
        if truncated:  # standard for classification; counted, never silent
            log.info("%s: %d of %d examples reached max_seq_length=%d and were truncated",
                     task.name, truncated, len(ids), max_length)
        return Features(ids, list(range(len(ids))), {"labels": [r["label"] for r in records]}, len(records))

    def collate(self, features, indices, pad_id):
        batch = inputs(features, indices, pad_id)
        batch["labels"] = torch.tensor([features.fields["labels"][i] for i in indices])
        return batch

    def gold(self, task, records):
        return "".join(f"{task.labels[r['label']]}\n" for r in records)

    def head(self, task, hidden_size, pooling="first"):
        return PooledHead(hidden_size, task.num_labels, pooling=pooling)

    def loss(self, logits, batch):
        return F.cross_entropy(logits.float(), batch["labels"])

    def decode(self, logits, batch):
        return logits.argmax(-1).tolist()

    def score(self, task, records, features, outputs, language):
        gold = [r["label"] for r in records]
        metrics = {"accuracy": accuracy(gold, outputs)}
        if task.metric == "binary_f1":  # CodeXGLUE clone detection: sklearn's binary P/R/F1 of label 1
            from sklearn.metrics import f1_score, precision_score, recall_score

            kw = dict(y_true=gold, y_pred=outputs, pos_label=1, average="binary", zero_division=0)
            metrics.update(precision=float(precision_score(**kw)), recall=float(recall_score(**kw)),
                           f1=float(f1_score(**kw)))
        return metrics, [task.labels[p] for p in outputs]


class Ranking(Classification):
    """Pointwise ranking (XGLUE WPR): each (query, page) pair is classified into a relevance
    grade; pages are ranked per query by the expected grade under the softmax and scored by
    XGLUE's nDCG (xlt.metrics.ranking). Canonical record: {"text", "text_pair", "label": grade,
    "group": query key}, in the source's row order (XGLUE's queries are consecutive runs)."""

    name = "ranking"

    def encode(self, task, records, tokenizer, max_length):
        features = super().encode(task, records, tokenizer, max_length)
        features.fields["groups"] = [r["group"] for r in records]
        return features

    def gold(self, task, records):
        return "".join(f"{r['label']}\n" for r in records)

    def decode(self, logits, batch):
        grades = torch.arange(logits.size(-1), device=logits.device, dtype=torch.float)
        return (logits.float().softmax(-1) @ grades).tolist()

    def score(self, task, records, features, outputs, language):
        value = xglue_ndcg([r["group"] for r in records], [r["label"] for r in records], outputs)
        return {"ndcg": value}, [f"{x:.6f}" for x in outputs]
