"""Ranking: nDCG@k over queries, as XGLUE scores web page ranking (WPR)."""

import math
from collections import defaultdict
from collections.abc import Sequence


def dcg(relevances: Sequence[int], k: int) -> float:
    return sum((2 ** rel - 1) / math.log2(i + 2) for i, rel in enumerate(relevances[:k]))


def ndcg_at_k(groups: Sequence[str], relevance: Sequence[int], scores: Sequence[float], k: int = 10) -> float:
    """Mean over queries (`groups`) of DCG@k of the items ranked by `scores` (ties keep input
    order) over the ideal DCG@k; queries with no relevant item are left out."""
    by_query: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for group, rel, score in zip(groups, relevance, scores, strict=True):
        by_query[group].append((score, rel))
    values = []
    for items in by_query.values():
        ideal = dcg(sorted((rel for _, rel in items), reverse=True), k)
        if ideal == 0:
            continue
        ranked = [rel for _, rel in sorted(items, key=lambda x: -x[0])]
        values.append(dcg(ranked, k) / ideal)
    return sum(values) / len(values) if values else 0.0
