"""Sentence retrieval (BUCC, Tatoeba; no training data), as XTREME's code computes it
(google-research/xtreme@838c13b, third_party/utils_retrieve.py and evaluate_retrieval.py).

Sentences are embedded by mean-pooling (padding excluded, special tokens included) one encoder
layer, `hidden_states[layer]` with 0 the embeddings: by default layer min(L, L // 2 + 2) of an
L-layer encoder, which is jiant's and XTREME's 14 for XLM-R large (24 layers) and XTREME's 8 for
mBERT (12); `target.retrieval_layer` overrides it. Embeddings are L2-normalised, so inner
products are cosines.

Evaluation by kind of task: bitext retrieval (Tatoeba, BUCC) in `xlt.formats.bitext`, pool
retrieval (LAReQA, Mewsli-X) in `xlt.formats.pool`.

Canonical record: Tatoeba {"source": str, "target": str, "source_id": str, "target_id": str}
(source non-English, target English, parallel); BUCC reads corpora (xlt.data.bucc.Bitext); pool
tasks a Mewsli-X mention {"query", "query_context", "query_id", "relevant"} or a LAReQA question
{"query", "query_id", "passage", "answer_start", "sentence_breaks"} (pooled into queries later).
"""

from typing import Protocol

import torch

from xlt.data.batching import length_grouped_batches, shard
from xlt.formats.base import Features, Format, Scored, inputs
from xlt.formats.bitext import bitext_gold, evaluate_bitext
from xlt.formats.pool import evaluate_pool
from xlt.models.backbone import backbone_of, pool


def default_retrieval_layer(num_layers: int) -> int:
    """`hidden_states` index (0 = embeddings) retrieval pools on an encoder of `num_layers` layers:
    L // 2 + 2, at most L. 24 -> 14 (jiant's default; XTREME's Tatoeba layer for XLM-R large,
    its `--specific_layer 13` of the 24 layers), 12 -> 8 (XTREME's mBERT `--specific_layer 7`)."""
    return max(1, min(num_layers, num_layers // 2 + 2))


class RetrievalData(Protocol):
    """What retrieval evaluation reads and writes, from the trial (xlt.trial.data, its predictions folder)."""

    def records(self, task, language: str, split: str) -> list[dict]: ...
    def bitext(self, task, language: str, split: str): ...
    def pool(self, task, split: str): ...
    def write_predictions(self, task, language: str, predictions: str, gold: str, suffix: str | None = None) -> None: ...


class Retrieval(Format):
    name = "retrieval"

    def evaluate(self, task, encoder, tokenizer, data: RetrievalData, dev_languages: list[str],
                 test_languages: list[str], *, layer: int | None, pooling: str | None, max_length: int,
                 batch_size: int, rt) -> list[Scored]:
        """The phase-2 encoder evaluated directly (no training data): bitext retrieval (Tatoeba,
        BUCC: xlt.formats.bitext) or pool retrieval (LAReQA, Mewsli-X: xlt.formats.pool).
        `layer`/`pooling` override the task's and the backbone's defaults (the sweep's target.retrieval_*)."""
        layer = layer if layer is not None else task.retrieval_layer
        settings = dict(layer=layer if layer is not None else default_retrieval_layer(encoder.config.num_hidden_layers),
                        pooling=pooling or self.pooling(task, encoder), max_length=max_length,
                        batch_size=batch_size, rt=rt)

        def embed(texts: list[str], contexts: list[str] | None = None) -> torch.Tensor:
            return self.embed(encoder, tokenizer, texts, contexts=contexts, **settings)

        evaluate = evaluate_pool if task.candidate_pool else evaluate_bitext
        return evaluate(task, embed, data, dev_languages, test_languages)

    def pooling(self, task, encoder) -> str:
        """The task's pooling on encoders; the family's default elsewhere (a decoder's first token
        sees nothing of the sentence)."""
        backbone = backbone_of(encoder)
        return task.retrieval_pooling if backbone.family == "encoder" else backbone.retrieval_pooling

    def validate(self, task, record):
        if task.candidate_pool == "answer_sentences":
            if not record["query"]:
                return "field 'query' must be a non-empty question"
            if not 0 <= record["answer_start"] < len(record["passage"]):
                return f"field 'answer_start': {record['answer_start']} lies outside the passage"
            return None
        if task.candidate_pool == "entities":
            if record["span_in_context"] != record["query"]:
                return (f"field 'mention_span': text {record['query']!r} is not the article's text at its offsets "
                        f"({record['span_in_context']!r})")
            return None
        if not record["source"] or not record["target"]:
            return "fields 'source' and 'target' must be non-empty sentences"
        return None

    def gold(self, task, records):
        """Gold lines: BUCC's gold pairs (`records` are then the pair lines), Tatoeba's row of each
        English line's translation (pool tasks: pool_files)."""
        return bitext_gold(task, records)

    @torch.inference_mode()
    def embed(self, encoder, tokenizer, sentences: list[str], *, layer: int, pooling: str,
              max_length: int, batch_size: int, rt, contexts: list[str] | None = None) -> torch.Tensor:
        """L2-normalised embeddings [n, hidden], gathered from every rank; with `contexts`, each
        sentence is encoded with its context as the second segment, which is cut first."""
        if contexts is None:
            ids = tokenizer(sentences, truncation=True, max_length=max_length)["input_ids"]
        else:
            ids = tokenizer(sentences, contexts, truncation="longest_first", max_length=max_length)["input_ids"]
        features = Features(ids, list(range(len(ids))), {}, len(ids))
        encoder.to(rt.device).eval()
        n_layers = encoder.config.num_hidden_layers
        if not 0 <= layer <= n_layers:
            raise ValueError(f"retrieval layer {layer}: the encoder has hidden_states[0..{n_layers}] "
                             f"(0 the embeddings, {n_layers} the last layer)")
        mine = shard(length_grouped_batches(features.lengths, batch_size, None), rt.rank, rt.world_size, pad=False)
        parts = []
        for indices in mine:
            batch = {k: v.to(rt.device) for k, v in inputs(features, indices, tokenizer.pad_token_id).items()}
            hidden = encoder(**batch, output_hidden_states=True).hidden_states[layer].float()
            pooled = pool(hidden, batch["attention_mask"], pooling)
            parts.append((indices, torch.nn.functional.normalize(pooled, dim=-1).cpu()))
        gathered = [p for part in rt.all_gather(parts) for p in part]
        out = torch.zeros(len(sentences), encoder.config.hidden_size)
        for indices, vectors in gathered:
            out[indices] = vectors
        return out


