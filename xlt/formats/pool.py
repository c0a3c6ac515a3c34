"""Pool retrieval (XTREME-R's LAReQA and Mewsli-X): each query ranks one pool of candidates shared
by every language (xlt/data/pools.py) by cosine similarity; mAP@20 against its relevant candidates.
Queries and candidates with a context (a mention's article, an answer sentence's passage) are
encoded as a segment pair, the context second and cut first.
"""

import json
import logging

import torch

from xlt.formats.base import Embedder, Scored
from xlt.metrics import mean_average_precision_at_k
from xlt.metrics.retrieval import mewslix_map_at_k

log = logging.getLogger(__name__)

POOL_K = 20  # XTREME-R scores pool retrieval by mAP@20


def evaluate_pool(task, embed: Embedder, data, dev_languages: list[str], test_languages: list[str]) -> list[Scored]:
    """Each split's pool embedded once; each language's queries rank it (test predictions written)."""
    def vectors(records, text: str, context: str):
        contexts = [r[context] for r in records]
        return embed([r[text] for r in records],
                     contexts=None if all(c is None for c in contexts) else [c or "" for c in contexts])

    out = []
    for split, languages in (("validation", dev_languages), ("test", test_languages)):
        if not languages:
            continue
        pool = data.pool(task, split)
        candidates = vectors(pool.candidates, "candidate", "candidate_context")
        log.info("%s %s: %d candidates in the pool", task.name, split, len(pool.candidates))
        for lang in languages:
            queries = pool.queries[lang]
            ranked = rank_pool(vectors(queries, "query", "query_context"), candidates, pool.candidate_ids)
            if split == "test":
                predictions, gold, suffix = pool_files(task, queries, ranked)
                data.write_predictions(task, lang, predictions, gold, suffix=suffix)
            out.append(Scored(lang, split, pool_score(task, queries, ranked), len(queries)))
    return out


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
