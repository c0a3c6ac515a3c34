"""Every trainable format cast as text in -> text out (`model.head: text`; xlt.models.text_model).

Each record becomes a prompt (the task's name, then its fields, labelled) and a target text:

  classification    `<task> sentence1: <text> sentence2: <text_pair>` -> the label's word
                    (`TaskSpec.label_words`: the declared verbaliser); predicted by scoring every
                    label word (constrained: the prediction is always a label)
  ranking           as classification, the grades' words; the prediction is the expected grade
                    under the softmax over the grades' scores (XGLUE's nDCG ranks by it)
  multiple_choice   `<task> context: <context> choices: (1) <a> (2) <b> ...` -> the right choice's
                    text; predicted by scoring each choice
  span_extraction   `<task> question: <question> context: <context>` -> the first gold answer's
                    text ("" where there is none: SQuAD v2); generated, scored by the task's own
                    EM/F1 script. The prompt is cut at max_seq_length (no windows: an answer
                    beyond the cut cannot be generated; how many were cut is logged)
  tagging           `<task> tokens: <w1> <w2> ...` -> the tags' names, one a word, space-separated;
                    generated, then read back one tag a word (a missing or unknown tag counts as
                    the task's first label, `O` or `ADJ`; extra tags are dropped)
  generation        `<task>: <source>` -> the target text; generated, scored by the benchmark's metric

Targets end with the end-of-sequence token, so generation stops where the answer does.
"""

import logging

import torch

from xlt.formats.base import Features, Format, pad
from xlt.formats.span import score_answers
from xlt.models.text_model import IGNORE
from xlt.tasks.spec import TEXT_FORMATS

log = logging.getLogger(__name__)

CLOSED = ("classification", "ranking", "multiple_choice")
"""Formats whose prediction is chosen among candidates, never free text."""


class TextToText(Format):
    """`base`'s task as text: `base` validates and (closed sets, tagging, generation) scores."""

    def __init__(self, base: Format, tokenizer, family: str, max_target_tokens: int = 64):
        if base.name not in TEXT_FORMATS:
            raise ValueError(f"the {base.name} format has no text-to-text form (model.head: text covers "
                             f"{', '.join(TEXT_FORMATS)})")
        self.base, self.tokenizer, self.family = base, tokenizer, family
        self.name = f"text:{base.name}"
        self.suffix = base.suffix
        self.max_target_tokens = max_target_tokens

    def validate(self, task, record):
        return self.base.validate(task, record)

    # --- records as text ---------------------------------------------------------------------
    def verbalize(self, task, r: dict) -> tuple[str, str, list[str] | None]:
        """(prompt, target, candidates or None) of one record."""
        kind = self.base.name
        if kind in ("classification", "ranking"):
            prompt = f"{task.name} sentence1: {r['text']}" + (f" sentence2: {r['text_pair']}" if r.get("text_pair") else "")
            return prompt, task.label_words[r["label"]], list(task.label_words)
        if kind == "multiple_choice":
            listed = " ".join(f"({i + 1}) {c}" for i, c in enumerate(r["choices"]))
            return f"{task.name} context: {r['context']} choices: {listed}", r["choices"][r["label"]], list(r["choices"])
        if kind == "span_extraction":
            answers = r["answers"]["text"]
            return f"{task.name} question: {r['question']} context: {r['context']}", answers[0] if answers else "", None
        if kind == "tagging":
            return f"{task.name} tokens: {' '.join(r['tokens'])}", " ".join(task.labels[t] for t in r["tags"]), None
        return f"{task.name}: {r['source']}", r["target"], None

    def _target(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"] if text else []
        return ids[: self.max_target_tokens - 1] + [self.tokenizer.eos_token_id]

    def encode(self, task, records, tokenizer, max_length):
        prompts, targets, candidates = zip(*(self.verbalize(task, r) for r in records)) if records else ((), (), ())
        ids = tokenizer(list(prompts), truncation=True, max_length=max_length)["input_ids"] if records else []
        cut = sum(len(x) == max_length for x in ids)
        if cut:
            log.info("%s (text): %d of %d prompts reached max_seq_length=%d and were cut", task.name, cut, len(ids), max_length)
        fields = {"target_ids": [self._target(t) for t in targets], "word_start": [0] * len(ids)}
        if self.base.name in CLOSED:
            fields["candidates"] = [[self._target(c) for c in cands] for cands in candidates]
        return Features(ids, list(range(len(ids))), fields, len(records))

    # --- batches -----------------------------------------------------------------------------
    def collate(self, features, indices, pad_id):
        """Prompts padded (left for decoders, so answers follow them), targets and candidates
        padded with -100; attention masks from the lengths (a pad token may be a real token)."""
        prompts = [features.input_ids[i] for i in indices]
        width = max(map(len, prompts))
        ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, p in enumerate(prompts):
            cols = slice(width - len(p), width) if self.family == "decoder" else slice(0, len(p))
            ids[row, cols] = torch.tensor(p)
            mask[row, cols] = 1
        batch = {"input_ids": ids, "attention_mask": mask,
                 "target_ids": pad([features.fields["target_ids"][i] for i in indices], IGNORE)}
        if "candidates" in features.fields:
            cands = [features.fields["candidates"][i] for i in indices]
            most = max(map(len, cands))
            longest = max(len(c) for row in cands for c in row)
            grid = torch.full((len(cands), most, longest), IGNORE, dtype=torch.long)
            for row, options in enumerate(cands):
                for k, c in enumerate(options):
                    grid[row, k, : len(c)] = torch.tensor(c)
            batch["candidates"] = grid
        return batch

    def loss(self, output, batch):
        return output  # TextModel returns the mean token loss of the batch

    # --- prediction and scoring ----------------------------------------------------------------
    def predict(self, model, batch, autocast):
        with autocast:
            if "candidates" in batch:
                scores = model.candidate_scores(batch, batch["candidates"])
            else:
                generated = model.generate(batch)
        if "candidates" not in batch:
            return [self.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in generated]
        scores = scores.float().masked_fill(batch["candidates"][:, :, 0].eq(IGNORE), float("-inf"))
        if self.base.name == "ranking":  # the expected grade
            grades = torch.arange(scores.size(1), device=scores.device, dtype=torch.float)
            return (scores.softmax(-1) @ grades).tolist()
        return scores.argmax(-1).tolist()

    def score(self, task, records, features, outputs, language):
        kind = self.base.name
        if kind == "span_extraction":
            predictions = {r["id"]: text for r, text in zip(records, outputs)}
            return score_answers(task, records, predictions, language), predictions
        if kind == "tagging":
            index = {label: i for i, label in enumerate(task.labels)}
            tags = [[index.get(t, 0) for t in text.split()][: len(r["tokens"])] for r, text in zip(records, outputs)]
            tags = [t + [0] * (len(r["tokens"]) - len(t)) for r, t in zip(records, tags)]
            return self.base.score(task, records, features, tags, language)
        return self.base.score(task, records, features, outputs, language)

    def submission(self, predictions):
        return self.base.submission(predictions)

    def gold(self, task, records):
        return self.base.gold(task, records)

