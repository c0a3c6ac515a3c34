"""Span extraction QA (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP).

Contexts longer than the model's limit are split into overlapping windows (`stride` tokens of
overlap); an answer is trained on in every window that contains it whole, and windows without
it point at <s> (the no-answer position). At evaluation the best span over all of an example's
windows is mapped back to characters of the original context.

Canonical record: {"id": str, "question": str, "context": str,
                   "answers": {"text": list[str], "answer_start": list[int]}}.
"""

import json
import logging

import torch
import torch.nn.functional as F
from torch import nn

from xlt.formats.base import Features, Format, inputs
from xlt.metrics.qa import mlqa_em_f1, squad_em_f1, squad_v2_em_f1

log = logging.getLogger(__name__)

MAX_ANSWER_TOKENS = 30
N_BEST = 20


class SpanHead(nn.Module):
    def __init__(self, hidden_size: int):
        super().__init__()
        self.qa_outputs = nn.Linear(hidden_size, 2)

    def forward(self, hidden, attention_mask):
        logits = self.qa_outputs(hidden).float()
        logits = logits.masked_fill(attention_mask.unsqueeze(-1) == 0, -1e4)
        return logits  # [batch, seq, 2]: start, end


class SpanExtraction(Format):
    name = "span_extraction"

    def __init__(self, stride: int = 128):
        self.stride = stride

    def validate(self, task, record):
        answers, context = record["answers"], record["context"]
        if len(answers["text"]) != len(answers["answer_start"]):
            return "field 'answers': 'text' and 'answer_start' differ in length"
        if not answers["text"] and not task.allows_no_answer:
            return "field 'answers' is empty, but this task has no unanswerable questions"
        for text, start in zip(answers["text"], answers["answer_start"]):
            if not isinstance(start, int) or start < 0 or start + len(text) > len(context):
                return f"field 'answers': answer {text!r} at {start} lies outside the context ({len(context)} chars)"
            if context[start:start + len(text)] != text:
                return (f"field 'answers': context[{start}:{start + len(text)}] is "
                        f"{context[start:start + len(text)]!r}, not the answer {text!r}")
        return None

    def encode(self, task, records, tokenizer, max_length):
        # Questions are cut to max_query_length tokens (64, as the SQuAD/XTREME scripts, or half the
        # sequence when it is short) so every window keeps more context than the stride: the
        # tokenizer refuses a stride that does not fit.
        max_query = min(64, max_length // 2)
        questions = [_cut(tokenizer, r["question"], max_query) for r in records]
        stride = max(1, min(self.stride, max_length // 4, max_length - max_query - 5))
        enc = tokenizer(questions, [r["context"] for r in records],
                        truncation="only_second", max_length=max_length, stride=stride,
                        return_overflowing_tokens=True, return_offsets_mapping=True)
        starts, ends, offsets = [], [], []
        for f, ex in enumerate(enc["overflow_to_sample_mapping"]):
            seq_ids = enc.sequence_ids(f)
            offs = [o if s == 1 else None for o, s in zip(enc["offset_mapping"][f], seq_ids)]
            offsets.append(offs)
            start, end = 0, 0  # <s>: no answer in this window
            answers = records[ex]["answers"]
            if answers["text"]:
                a_start = answers["answer_start"][0]
                a_end = a_start + len(answers["text"][0])
                inside = [i for i, o in enumerate(offs) if o is not None]
                if inside and offs[inside[0]][0] <= a_start and offs[inside[-1]][1] >= a_end:
                    start = next(i for i in inside if offs[i][1] > a_start)
                    end = next(i for i in reversed(inside) if offs[i][0] < a_end)
            starts.append(start)
            ends.append(end)
        n_windows = len(enc["input_ids"])
        if n_windows > len(records):
            log.info("%s: %d examples became %d windows (stride %d)", task.name, len(records), n_windows, stride)
        return Features(enc["input_ids"], list(enc["overflow_to_sample_mapping"]),
                        {"start": starts, "end": ends, "offsets": offsets}, len(records))

    def collate(self, features, indices, pad_id):
        batch = inputs(features, indices, pad_id)
        batch["start"] = torch.tensor([features.fields["start"][i] for i in indices])
        batch["end"] = torch.tensor([features.fields["end"][i] for i in indices])
        batch["feature_index"] = torch.tensor(indices)
        return batch

    suffix = "json"

    def submission(self, predictions):
        return json.dumps(predictions, ensure_ascii=False)

    def gold(self, task, records):
        qas = [{"id": r["id"], "question": r["question"],
                "answers": [{"text": t, "answer_start": s} for t, s in zip(r["answers"]["text"], r["answers"]["answer_start"])]}
               for r in records]
        paragraphs = [{"context": c, "qas": [q for q, r in zip(qas, records) if r["context"] == c]}
                      for c in dict.fromkeys(r["context"] for r in records)]
        return json.dumps({"version": "1.1", "data": [{"title": task.name, "paragraphs": paragraphs}]}, ensure_ascii=False)

    def head(self, task, hidden_size, pooling="first"):  # token-level: no pooling
        return SpanHead(hidden_size)

    def loss(self, logits, batch):
        return (F.cross_entropy(logits[..., 0], batch["start"]) + F.cross_entropy(logits[..., 1], batch["end"])) / 2

    def decode(self, logits, batch):
        """Per window: (null score, [(score, start token, end token), ...] best first)."""
        out = []
        for row in range(logits.shape[0]):
            s, e = logits[row, :, 0], logits[row, :, 1]
            null = float(s[0] + e[0])
            top_s = torch.topk(s, min(N_BEST, s.numel())).indices.tolist()
            top_e = torch.topk(e, min(N_BEST, e.numel())).indices.tolist()
            spans = [(float(s[i] + e[j]), i, j) for i in top_s for j in top_e
                     if 0 < i <= j < i + MAX_ANSWER_TOKENS]
            out.append((null, sorted(spans, reverse=True)[:N_BEST]))
        return out

    def score(self, task, records, features, outputs, language):
        best: list[tuple[float, str]] = [(float("-inf"), "")] * len(records)
        null: list[float] = [float("inf")] * len(records)
        for f, (null_score, spans) in enumerate(outputs):
            ex = features.example_index[f]
            offs = features.fields["offsets"][f]
            null[ex] = min(null[ex], null_score)
            for score, i, j in spans:
                if offs[i] is None or offs[j] is None:
                    continue  # in the question or special tokens
                if score > best[ex][0]:
                    best[ex] = (score, records[ex]["context"][offs[i][0]:offs[j][1]])
                break
        predictions = {}
        for ex, r in enumerate(records):
            answerable = best[ex][0] > float("-inf")
            no_answer = task.allows_no_answer and (not answerable or null[ex] > best[ex][0])
            predictions[r["id"]] = "" if no_answer else best[ex][1]
        dataset = [{"paragraphs": [{"qas": [{"id": r["id"], "answers": [{"text": t} for t in r["answers"]["text"]]}
                                             for r in records]}]}]
        if task.metric == "mlqa":
            scores = mlqa_em_f1(dataset, predictions, language)
        elif task.allows_no_answer:
            scores = squad_v2_em_f1(dataset, predictions)
        else:
            scores = squad_em_f1(dataset, predictions)
        return scores, predictions


def _cut(tokenizer, question: str, max_tokens: int) -> str:
    """The question, cut to its first `max_tokens` tokens (left as it is when shorter)."""
    ids = tokenizer(question, add_special_tokens=False)["input_ids"]
    return question if len(ids) <= max_tokens else tokenizer.decode(ids[:max_tokens])

