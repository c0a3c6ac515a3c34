"""Ranking: nDCG as XGLUE scores web page ranking (WPR), by scikit-learn's `ndcg_score`.

XGLUE's xglue_evaluate.py (microsoft/XGLUE@e417c4c, lines 72-87 and 182-188): a query is a run of
consecutive rows with the same query (a query text that comes back later is a new query); each
query with two or more documents scores `sklearn.metrics.ndcg_score` over its whole list (linear
gains, tied scores averaged; a query whose grades are all 0 scores 0), and the score is their mean.
"""

from collections.abc import Sequence

import numpy as np


def xglue_ndcg(groups: Sequence[str], relevance: Sequence[float], scores: Sequence[float]) -> float:
    """Mean nDCG over the queries (consecutive runs of `groups`); NaN when no query has two documents."""
    from sklearn.metrics import ndcg_score  # here: scikit-learn costs every trial worker ~1.5 s to import

    runs: list[tuple[list[float], list[float]]] = []
    previous = object()
    for group, rel, score in zip(groups, relevance, scores, strict=True):
        if group != previous:
            runs.append(([], []))
            previous = group
        runs[-1][0].append(float(rel))
        runs[-1][1].append(float(score))
    values = [ndcg_score(np.asarray([rel]), np.asarray([score])) for rel, score in runs if len(rel) > 1]
    return float(np.array(values).mean()) if values else float("nan")
