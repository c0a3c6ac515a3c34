"""Span extraction QA (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP).

Contexts longer than the model's limit are split into windows as jiant's (and the SQuAD
scripts') squad-style features do: the question is cut to `max_query_length` (64) tokens, each
window holds as many context tokens as the sequence leaves, and window k starts at context token
k * doc_stride (128), until a window reaches the context's end. An answer is trained on in every
window that contains it whole, and windows without it point at <s> (the no-answer position). At
evaluation a span may start only at a token whose window is its "max context" one (the window
where it has the most context on its shorter side), and the best span over an example's windows
is mapped back to characters of the original context.

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

    def __init__(self, doc_stride: int = 128, max_query_length: int = 64):
        self.doc_stride, self.max_query_length = doc_stride, max_query_length

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
        # a short sequence (tests, tiny models) cuts questions to half of it, so windows keep context
        max_query = min(self.max_query_length, max_length // 2)
        questions = tokenizer([r["question"] for r in records], add_special_tokens=False, truncation=True,
                              max_length=max_query)["input_ids"]
        contexts = tokenizer([r["context"] for r in records], add_special_tokens=False, return_offsets_mapping=True)
        prefix_ids, middle_ids, suffix_ids = _pair_template(tokenizer)
        budget_base = max_length - len(prefix_ids) - len(middle_ids) - len(suffix_ids)
        input_ids, example_index, starts, ends, offsets, max_context = [], [], [], [], [], []
        for ex, (question, record) in enumerate(zip(questions, records)):
            doc, doc_offsets = contexts["input_ids"][ex], contexts["offset_mapping"][ex]
            budget = max(1, budget_base - len(question))
            prefix = len(prefix_ids) + len(question) + len(middle_ids)  # where the context starts
            spans = _doc_spans(len(doc), budget, self.doc_stride)
            answers = record["answers"]
            for k, (first, length) in enumerate(spans):
                window = doc[first:first + length]
                input_ids.append(prefix_ids + question + middle_ids + window + suffix_ids)
                example_index.append(ex)
                offs: list = [None] * len(input_ids[-1])
                best: list[int] = []
                for i in range(length):
                    offs[prefix + i] = list(doc_offsets[first + i])
                    if _is_max_context(spans, k, first + i):
                        best.append(prefix + i)
                offsets.append(offs)
                max_context.append(best)
                start, end = 0, 0  # <s>: no answer in this window
                if answers["text"]:
                    a_start = answers["answer_start"][0]
                    a_end = a_start + len(answers["text"][0])
                    inside = list(range(prefix, prefix + length))
                    if inside and offs[inside[0]][0] <= a_start and offs[inside[-1]][1] >= a_end:
                        start = next(i for i in inside if offs[i][1] > a_start)
                        end = next(i for i in reversed(inside) if offs[i][0] < a_end)
                starts.append(start)
                ends.append(end)
        if len(input_ids) > len(records):
            log.info("%s: %d examples became %d windows (doc stride %d)", task.name, len(records), len(input_ids),
                     self.doc_stride)
        return Features(input_ids, example_index,
                        {"start": starts, "end": ends, "offsets": offsets, "max_context": max_context}, len(records))

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
            best_context = set(features.fields["max_context"][f])
            for score, i, j in spans:
                if offs[i] is None or offs[j] is None or i not in best_context:
                    continue  # in the question or special tokens, or a start better seen in another window
                if score > best[ex][0]:
                    best[ex] = (score, records[ex]["context"][offs[i][0]:offs[j][1]])
                break
        predictions = {}
        for ex, r in enumerate(records):
            answerable = best[ex][0] > float("-inf")
            no_answer = task.allows_no_answer and (not answerable or null[ex] > best[ex][0])
            predictions[r["id"]] = "" if no_answer else best[ex][1]
        return score_answers(task, records, predictions, language), predictions


def score_answers(task, records: list[dict], predictions: dict[str, str], language: str) -> dict[str, float]:
    """EM and F1 of answer texts by id ("" for no answer), by the task's official script."""
    dataset = [{"paragraphs": [{"qas": [{"id": r["id"], "answers": [{"text": t} for t in r["answers"]["text"]]}
                                         for r in records]}]}]
    if task.metric == "mlqa":
        return mlqa_em_f1(dataset, predictions, language)
    if task.allows_no_answer:
        return squad_v2_em_f1(dataset, predictions)
    return squad_em_f1(dataset, predictions)


def _pair_template(tokenizer) -> tuple[list[int], list[int], list[int]]:
    """The special tokens a tokenizer puts before, between and after a pair of segments (XLM-R:
    <s> | </s></s> | </s>), read off the encoding of a probe pair."""
    first, second = (tokenizer(text, add_special_tokens=False)["input_ids"] for text in ("hello", "world"))
    pair = tokenizer("hello", "world")["input_ids"]
    a = next(i for i in range(len(pair)) if pair[i:i + len(first)] == first)
    b = next(i for i in range(a + len(first), len(pair)) if pair[i:i + len(second)] == second)
    return pair[:a], pair[a + len(first):b], pair[b + len(second):]


def _doc_spans(n_tokens: int, budget: int, doc_stride: int) -> list[tuple[int, int]]:
    """(first token, length) of each window: starts every `doc_stride` tokens, each as long as
    the budget allows, until one reaches the end (jiant's squad_style windows)."""
    spans, first = [], 0
    while True:
        length = min(budget, n_tokens - first)
        spans.append((first, length))
        if first + length >= n_tokens:
            return spans
        first += min(length, doc_stride)


def _is_max_context(spans: list[tuple[int, int]], index: int, position: int) -> bool:
    """Whether window `index` gives context token `position` its most context: the largest
    min(tokens left, tokens right) + 0.01 x window length, first window on ties (the SQuAD
    scripts' rule for a token seen in several windows)."""
    best, best_index = None, None
    for k, (first, length) in enumerate(spans):
        last = first + length - 1
        if not first <= position <= last:
            continue
        score = min(position - first, last - position) + 0.01 * length
        if best is None or score > best:
            best, best_index = score, k
    return best_index == index
