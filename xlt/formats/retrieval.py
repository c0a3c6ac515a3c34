"""Sentence retrieval (BUCC, Tatoeba; no training data), as XTREME's code computes it
(google-research/xtreme@838c13b, third_party/utils_retrieve.py and evaluate_retrieval.py).

Sentences are embedded by mean-pooling (padding excluded, special tokens included) one encoder
layer, `hidden_states[layer]` with 0 the embeddings: by default layer min(L, L // 2 + 2) of an
L-layer encoder, which is jiant's and XTREME's 14 for XLM-R large (24 layers) and XTREME's 8 for
mBERT (12); `target.retrieval_layer` overrides it. Embeddings are L2-normalised, so inner
products are cosines.

Tatoeba: the non-English sentences are indexed and each English sentence queries them (XTREME's
`similarity_search(x=non-English, y=English)`); the prediction of English line j is the row of
its nearest non-English sentence; accuracy against the row of its translation.

BUCC (XTREME's `mine_bitext`, ratio margin, k = 4, retrieval "max"): each side's k nearest
neighbours in the other give each sentence the mean cosine of its neighbourhood; a pair's score
is its cosine over the mean of the two neighbourhood means; each source keeps its best-scoring
forward neighbour and each target its best backward neighbour; the two lists are merged, sorted
by score and taken greedily one-to-one (pairs scoring <= 0 are not written). Mining runs over
each side's distinct texts, and a sentence whose text occurs more than once on its side is then
dropped, as XTREME's `read_sent2id` does (jiant keeps every id of such a text instead). The
threshold is tuned on the dev split's gold by `bucc_optimize`: midway between the best-F1
candidate's score and the next one's; test pairs scoring >= it are predicted.

Pool retrieval (XTREME-R's LAReQA and Mewsli-X): each query ranks one pool of candidates shared
by every language (xlt/data/pools.py) by cosine similarity; mAP@20 against its relevant candidates.
Queries and candidates with a context (a mention's article, an answer sentence's passage) are
encoded as a segment pair, the context second and cut first.

Canonical record: Tatoeba {"source": str, "target": str, "source_id": str, "target_id": str}
(source non-English, target English, parallel); BUCC reads corpora (xlt.data.bucc.Bitext); pool
tasks a Mewsli-X mention {"query", "query_context", "query_id", "relevant"} or a LAReQA question
{"query", "query_id", "passage", "answer_start", "sentence_breaks"} (pooled into queries later).
"""

import json
from collections import Counter

import torch

from xlt.models.backbone import pool

from xlt.data.batching import length_grouped_batches, shard
from xlt.formats.base import Format, inputs, Features
from xlt.metrics import accuracy, bucc_prf, mean_average_precision_at_k
from xlt.metrics.retrieval import mewslix_map_at_k

POOL_K = 20  # XTREME-R scores pool retrieval by mAP@20
MARGIN_K = 4  # XTREME's mine_bitext neighbourhood


def default_retrieval_layer(num_layers: int) -> int:
    """`hidden_states` index (0 = embeddings) retrieval pools on an encoder of `num_layers` layers:
    L // 2 + 2, at most L. 24 -> 14 (jiant's default; XTREME's Tatoeba layer for XLM-R large,
    its `--specific_layer 13` of the 24 layers), 12 -> 8 (XTREME's mBERT `--specific_layer 7`)."""
    return max(1, min(num_layers, num_layers // 2 + 2))


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
        """Gold lines: BUCC's gold pairs (`records` are then the pair lines), Tatoeba's row of each
        English line's translation (pool tasks: pool_files)."""
        if task.metric == "bucc":
            return "".join(f"{pair}\n" for pair in records)
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


def _unit(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.normalize(x.float(), dim=-1)


def tatoeba_search(source: torch.Tensor, english: torch.Tensor) -> list[int]:
    """For each English row, the row of its most similar non-English sentence (XTREME indexes the
    non-English side and queries with English)."""
    return (_unit(english) @ _unit(source).T).argmax(dim=1).tolist()


def tatoeba_score(records, source: torch.Tensor, english: torch.Tensor) -> tuple[dict[str, float], list[str]]:
    """Accuracy of the English queries (English line j's translation is non-English row j), and
    the prediction lines: one row index per English line."""
    nearest = tatoeba_search(source, english)
    return {"accuracy": accuracy(list(range(len(records))), nearest)}, [str(i) for i in nearest]


def mine_bitext(source: torch.Tensor, target: torch.Tensor, k: int = MARGIN_K) -> list[tuple[float, int, int]]:
    """XTREME's `mine_bitext` (ratio margin, retrieval "max"): (score, source row, target row),
    best first, one-to-one, scores > 0."""
    x, y = _unit(source), _unit(target)
    sim = x @ y.T
    fwd_sim, fwd_idx = sim.topk(min(k, sim.shape[1]), dim=1)         # each source's nearest targets
    bwd_sim, bwd_idx = sim.T.topk(min(k, sim.shape[0]), dim=1)       # each target's nearest sources
    x2y, y2x = fwd_sim.mean(1), bwd_sim.mean(1)
    fwd = fwd_sim / ((x2y.unsqueeze(1) + y2x[fwd_idx]) / 2)
    bwd = bwd_sim / ((y2x.unsqueeze(1) + x2y[bwd_idx]) / 2)
    fwd_best, bwd_best = fwd.argmax(1), bwd.argmax(1)
    merged = [(float(fwd[i, fwd_best[i]]), i, int(fwd_idx[i, fwd_best[i]])) for i in range(len(x))]
    merged += [(float(bwd[j, bwd_best[j]]), int(bwd_idx[j, bwd_best[j]]), j) for j in range(len(y))]
    merged.sort(key=lambda c: -c[0])
    seen_src, seen_trg, out = set(), set(), []
    for score, i, j in merged:
        if i in seen_src or j in seen_trg:
            continue
        seen_src.add(i)
        seen_trg.add(j)
        if score > 0:
            out.append((score, i, j))
    return out


def distinct(texts: list[str]) -> tuple[list[str], list[int]]:
    """The distinct texts (first-seen order) and, per distinct text, its one row, or -1 when the
    text occurs more than once (XTREME then drops its pairs)."""
    counts = Counter(texts)
    unique = list(dict.fromkeys(texts))
    row = {t: i for i, t in enumerate(texts)}
    return unique, [row[t] if counts[t] == 1 else -1 for t in unique]


def bucc_candidates(bitext, source: torch.Tensor, target: torch.Tensor) -> list[tuple[float, str]]:
    """Mined candidates of one language's corpora, (score, 'src_id<TAB>trg_id'), best first.
    `source`/`target` embed the distinct texts of each side (xlt.formats.retrieval.distinct)."""
    _, src_rows = distinct(bitext.source)
    _, trg_rows = distinct(bitext.target)
    out = []
    for score, i, j in mine_bitext(source, target):
        if src_rows[i] >= 0 and trg_rows[j] >= 0:
            out.append((score, f"{bitext.source_ids[src_rows[i]]}\t{bitext.target_ids[trg_rows[j]]}"))
    return out


def bucc_threshold(candidates: list[tuple[float, str]], gold: list[str]) -> float:
    """XTREME's `bucc_optimize`: walking the candidates best first, the threshold midway between
    the first candidate reaching the best F1 and the next one; 0 when none is correct. Where the
    best F1 is reached at the last candidate (XTREME raises IndexError) it is that candidate's score."""
    items = sorted(candidates, key=lambda c: -c[0])
    gold_set = set(gold)
    best, threshold, correct = 0.0, 0.0, 0
    for i, (score, pair) in enumerate(items):
        correct += pair in gold_set
        if not correct:
            continue
        precision, recall = correct / (i + 1), correct / len(gold_set)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best:
            best = f1
            threshold = (score + items[i + 1][0]) / 2 if i + 1 < len(items) else score
    return threshold


def bucc_extract(candidates: list[tuple[float, str]], threshold: float) -> list[str]:
    """The pairs scoring >= the threshold, in candidate order (XTREME's `bucc_extract`)."""
    return [pair for score, pair in candidates if score >= threshold]


def bucc_score(candidates: list[tuple[float, str]], gold: list[str], threshold: float) -> tuple[dict[str, float], list[str]]:
    predicted = bucc_extract(candidates, threshold)
    return bucc_prf(gold, predicted), predicted


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


def pool_score(task, queries: list[dict], ranked: list[list[str]], k: int = POOL_K) -> dict[str, float]:
    """The official pool metric of each query's ranking: Mewsli-X's reciprocal rank of its entity
    (utils_mewslix.evaluate), LAReQA's AP@k over its answer sentences (utils_lareqa); both are
    named map@20, as XTREME-R names them."""
    by_query = {q["query_id"]: r for q, r in zip(queries, ranked)}
    if task.candidate_pool == "entities":
        value = mewslix_map_at_k({q["query_id"]: q["relevant"] for q in queries}, by_query, k)
    else:
        value = mean_average_precision_at_k({q["query_id"]: set(q["relevant"]) for q in queries}, by_query, k)
    return {f"map@{k}": value}


def pool_files(task, queries: list[dict], ranked: list[list[str]]) -> tuple[str, str, str]:
    """(predictions, gold, suffix) of one language. Mewsli-X: XTREME-R's `test-L.json` objects
    {example id: [entity, ...]} that `xlt score --benchmark xtreme-r` reads; LAReQA (which
    XTREME-R's evaluate.py does not score): JSON lines {"id", "ranking"} and {"id", "relevant"}."""
    if task.candidate_pool == "entities":
        return (json.dumps({q["query_id"]: r for q, r in zip(queries, ranked)}, ensure_ascii=False),
                json.dumps({q["query_id"]: q["relevant"] for q in queries}, ensure_ascii=False), "json")
    return ("".join(json.dumps({"id": q["query_id"], "ranking": r}, ensure_ascii=False) + "\n" for q, r in zip(queries, ranked)),
            "".join(json.dumps({"id": q["query_id"], "relevant": q["relevant"]}, ensure_ascii=False) + "\n" for q in queries),
            "jsonl")
