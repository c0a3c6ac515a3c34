"""Sentence retrieval (BUCC, Tatoeba; no training data): sentences are embedded by pooling the
hidden states of one encoder layer (mean over tokens, or the first token) and compared by
cosine similarity. Published setups disagree on the layer (layer 14 mean-pooled in the paper's
tool, 7 or 13 in XTREME's scripts), so both are task settings.

Tatoeba: each source sentence retrieves its nearest target; accuracy. BUCC: pairs are mined by
the ratio margin of XTREME's (LASER's) mining, and kept above a threshold chosen to maximise F1
on the dev split of the same language, as XTREME does.

Pool retrieval (XTREME-R's LAReQA and Mewsli-X): each query ranks one pool of candidates shared
by every language (xlt/data/pools.py) by cosine similarity; mAP@20 against its relevant candidates.
Queries and candidates with a context (a mention's article, an answer sentence's passage) are
encoded as a segment pair, the context second and cut first.

Canonical record: {"source": str, "target": str, "source_id": str, "target_id": str}; for pool
tasks a Mewsli-X mention {"query", "query_context", "query_id", "relevant"} or a LAReQA question
{"query", "query_id", "passage", "answer_start", "sentence_breaks"} (pooled into queries later).
"""

import json

import torch

from xlt.models.backbone import pool

from xlt.data.batching import length_grouped_batches, shard
from xlt.formats.base import Format, inputs, Features
from xlt.metrics import accuracy, bucc_prf, mean_average_precision_at_k

POOL_K = 20  # XTREME-R scores pool retrieval by mAP@20


class Retrieval(Format):
    name = "retrieval"

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
        if task.candidate_pool:  # pooled query records
            return "".join(json.dumps({"id": r["query_id"], "relevant": r["relevant"]}, ensure_ascii=False) + "\n"
                           for r in records)
        if task.metric == "bucc":
            return "".join(f"{r['source_id']}\t{r['target_id']}\n" for r in records)
        return "".join(f"{i}\n" for i in range(len(records)))

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
        layer = min(layer, n_layers)  # hidden_states[0] is the embeddings, [n_layers] the last
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


def margin_scores(src: torch.Tensor, trg: torch.Tensor, k: int = 4) -> torch.Tensor:
    """Ratio margin: cos(x, y) / (mean cos of x's k nearest targets / 2 + mean cos of y's k
    nearest sources / 2), for normalised embeddings."""
    sim = src @ trg.T
    k_src, k_trg = min(k, sim.shape[1]), min(k, sim.shape[0])
    src_nn = sim.topk(k_src, dim=1).values.mean(1)
    trg_nn = sim.topk(k_trg, dim=0).values.mean(0)
    return sim / (src_nn.unsqueeze(1) / 2 + trg_nn.unsqueeze(0) / 2)


def mine_pairs(records: list[dict], src: torch.Tensor, trg: torch.Tensor) -> list[tuple[float, str]]:
    """Each source's best target by margin: (score, 'src_id<TAB>trg_id'), best first."""
    scores = margin_scores(src, trg)
    best = scores.max(dim=1)
    ids = [(r["source_id"], r["target_id"]) for r in records]
    return sorted(((float(best.values[i]), f"{ids[i][0]}\t{ids[int(best.indices[i])][1]}")
                   for i in range(len(records))), reverse=True)


def best_threshold(candidates: list[tuple[float, str]], gold: list[str]) -> float:
    """The score threshold maximising BUCC F1 over the candidates (XTREME's dev-set choice)."""
    best_f1, threshold, kept = -1.0, float("inf"), []
    for score, pair in candidates:
        kept.append(pair)
        f1 = bucc_prf(gold, kept)["f1"]
        if f1 > best_f1:
            best_f1, threshold = f1, score
    return threshold


def bucc_score(records, src, trg, threshold: float) -> tuple[dict[str, float], list[str]]:
    predicted = [pair for score, pair in mine_pairs(records, src, trg) if score >= threshold]
    gold = [f"{r['source_id']}\t{r['target_id']}" for r in records]
    return {**bucc_prf(gold, predicted), "threshold": threshold}, predicted


def tatoeba_score(records, src, trg) -> tuple[dict[str, float], list[str]]:
    nearest = (src @ trg.T).argmax(dim=1).tolist()
    return {"accuracy": accuracy(list(range(len(records))), nearest)}, [str(i) for i in nearest]


def rank_pool(queries: torch.Tensor, candidates: torch.Tensor, candidate_ids: list[str], k: int = POOL_K,
              block: int = 4096) -> list[list[str]]:
    """Each query's k most similar candidates, best first; queries go in blocks, so a pool of a
    million candidates never needs a full similarity matrix."""
    k = min(k, len(candidate_ids))
    ranked = []
    for start in range(0, len(queries), block):
        top = (queries[start:start + block] @ candidates.T).topk(k, dim=1).indices.tolist()
        ranked += [[candidate_ids[j] for j in row] for row in top]
    return ranked


def pool_score(queries: list[dict], ranked: list[list[str]], k: int = POOL_K) -> tuple[dict[str, float], list[str]]:
    """mAP@k of the rankings, and the prediction lines `{"id": query, "ranking": [...]}`."""
    gold = {q["query_id"]: set(q["relevant"]) for q in queries}
    by_query = {q["query_id"]: r for q, r in zip(queries, ranked)}
    lines = [json.dumps({"id": q["query_id"], "ranking": r}, ensure_ascii=False) for q, r in zip(queries, ranked)]
    return {f"map@{k}": mean_average_precision_at_k(gold, by_query, k)}, lines
