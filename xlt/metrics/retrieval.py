"""Retrieval metrics: BUCC F1 over sets of sentence-id pairs, mAP@k (Mewsli-X, LAReQA)."""

from collections.abc import Iterable, Mapping, Sequence


def bucc_prf(labels: Iterable[str], predictions: Iterable[str]) -> dict[str, float]:
    """Lines `src_id<TAB>trg_id` compared as sets of pairs; all 0 when nothing is correct
    (an empty prediction set included), as XTREME's `bucc_f1`."""
    gold = {tuple(line.split("\t")) for line in labels}
    pred = {tuple(line.split("\t")) for line in predictions}
    correct = len(gold & pred)
    if not correct:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision, recall = correct / len(pred), correct / len(gold)
    return {"f1": 2 * precision * recall / (precision + recall), "precision": precision, "recall": recall}


def mean_average_precision_at_k(gold: Mapping[str, set[str]], ranked: Mapping[str, Sequence[str]], k: int = 20) -> float:
    """Mean over queries of AP@k: sum of precision@i at each relevant hit within the top k,
    divided by min(k, number of relevant items). A query without predictions scores 0."""
    if not gold:
        raise ValueError("mAP of zero queries")
    total = 0.0
    for query, relevant in gold.items():
        hits, precision_sum = 0, 0.0
        for i, item in enumerate(list(ranked.get(query, ()))[:k], 1):
            if item in relevant:
                hits += 1
                precision_sum += hits / i
        total += precision_sum / min(k, len(relevant)) if relevant else 0.0
    return total / len(gold)
