"""Token tagging (UDPOS, PAN-X, CCG supertagging): one label per word, predicted on its first
sub-word. A sentence longer than the model's limit is split at word boundaries into windows
that each fit, and the windows' predictions are re-joined before scoring: nothing is dropped.

Canonical record: {"tokens": list[str], "tags": list[int]}.
"""

import logging

import torch
import torch.nn.functional as F
from torch import nn

from xlt.formats.base import IGNORE, Features, Format, inputs, pad
from xlt.metrics import accuracy, seqeval_prf

log = logging.getLogger(__name__)


class TokenHead(nn.Module):
    def __init__(self, hidden_size: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out_proj = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden, attention_mask):
        return self.out_proj(self.dropout(hidden))


def word_windows(piece_counts: list[int], budget: int) -> list[tuple[int, int]]:
    """Split words into consecutive [start, end) windows of at most `budget` sub-words each.
    A single word longer than the budget gets a window of its own (its pieces are cut)."""
    windows, start, used = [], 0, 0
    for i, n in enumerate(piece_counts):
        n = max(n, 1)
        if used and used + n > budget:
            windows.append((start, i))
            start, used = i, 0
        used += n
    windows.append((start, len(piece_counts)))
    return windows


class Tagging(Format):
    name = "tagging"

    def validate(self, task, record):
        tokens, tags = record["tokens"], record["tags"]
        if len(tokens) != len(tags):
            return f"fields 'tokens' and 'tags' differ in length ({len(tokens)} vs {len(tags)})"
        bad = next((t for t in tags if not isinstance(t, int) or not 0 <= t < task.num_labels), None)
        if bad is not None:
            return f"field 'tags' holds {bad!r}, expected ints in [0, {task.num_labels})"
        return None

    def encode(self, task, records, tokenizer, max_length):
        budget = max_length - 2  # <s> ... </s>
        enc = tokenizer([r["tokens"] for r in records], is_split_into_words=True, add_special_tokens=False)
        ids, example_index, labels, firsts, word_starts, cut = [], [], [], [], [], 0
        for ex, r in enumerate(records):
            pieces: list[list[int]] = [[] for _ in r["tokens"]]
            for piece, word in zip(enc["input_ids"][ex], enc.word_ids(ex)):
                if word is not None:
                    pieces[word].append(piece)
            for start, end in word_windows([len(p) for p in pieces], budget):
                seq, lab, first = [tokenizer.bos_token_id], [IGNORE], []
                for w in range(start, end):
                    word_pieces = (pieces[w] or [tokenizer.unk_token_id])[: budget]
                    cut += len(pieces[w]) > budget
                    first.append(len(seq))
                    seq += word_pieces
                    lab += [r["tags"][w]] + [IGNORE] * (len(word_pieces) - 1)
                ids.append(seq + [tokenizer.eos_token_id])
                labels.append(lab + [IGNORE])
                firsts.append(first)
                word_starts.append(start)
                example_index.append(ex)
        if len(ids) > len(records):
            log.info("%s: %d sentences longer than %d sub-words split into %d windows",
                     task.name, len({e for e in example_index if example_index.count(e) > 1}), budget, len(ids))
        if cut:
            log.info("%s: %d words longer than %d sub-words had their pieces cut", task.name, cut, budget)
        return Features(ids, example_index, {"labels": labels, "first": firsts, "word_start": word_starts},
                        len(records))

    def collate(self, features, indices, pad_id):
        batch = inputs(features, indices, pad_id)
        batch["labels"] = pad([features.fields["labels"][i] for i in indices], IGNORE, batch["input_ids"].shape[1])
        batch["feature_index"] = torch.tensor(indices)
        return batch

    def submission(self, predictions):
        return "\n".join("".join(f"{t}\n" for t in sentence) for sentence in predictions)

    def gold(self, task, records):
        return self.submission([[task.labels[t] for t in r["tags"]] for r in records])

    def head(self, task, hidden_size, pooling="first"):  # token-level: no pooling
        return TokenHead(hidden_size, task.num_labels)

    def loss(self, logits, batch):
        return F.cross_entropy(logits.float().flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE)

    def decode(self, logits, batch):
        """Per feature: the predicted tag id of each word's first sub-word, in order."""
        best = logits.argmax(-1)
        keep = batch["labels"] != IGNORE
        return [best[row][keep[row]].tolist() for row in range(best.shape[0])]

    def score(self, task, records, features, outputs, language):
        per_example = join_windows(features, outputs)
        gold = [[task.labels[t] for t in r["tags"]] for r in records]
        pred = [[task.labels[t] for t in tags] for tags in per_example]
        if task.metric == "token_accuracy":  # CCG supertagging: per-token accuracy
            return {"accuracy": accuracy([t for s in gold for t in s], [t for s in pred for t in s])}, pred
        return seqeval_prf(gold, pred), pred


def join_windows(features: Features, outputs: list[list[int]]) -> list[list[int]]:
    """Concatenate each example's window predictions in word order."""
    parts: list[list[tuple[int, list[int]]]] = [[] for _ in range(features.num_examples)]
    for f, tags in enumerate(outputs):
        parts[features.example_index[f]].append((features.fields["word_start"][f], tags))
    return [[t for _, tags in sorted(p) for t in tags] for p in parts]
