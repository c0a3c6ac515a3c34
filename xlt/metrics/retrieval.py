"""Retrieval metrics: BUCC F1 over sets of sentence-id pairs; LAReQA's mAP@k and Mewsli-X's
"mAP@20" (a reciprocal rank), each as its official code computes it."""

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


def average_precision_at_k(relevant: set[str], ranked: Sequence[str], k: int | None = 20) -> float:
    """AP@k of one ranking, as XTREME-R's utils_lareqa.average_precision_at_k
    (google-research/xtreme@838c13b, third_party/utils_lareqa.py:348-359): at each of the top k
    positions holding a relevant item not seen higher up, precision@i is added (a repeated item
    is credited once), and the sum is divided by min(k, number of relevant items)."""
    if not relevant:
        raise ValueError("average precision of a query with no relevant item")
    top = list(ranked)[:k] if k is not None else list(ranked)
    hits, total, seen = 0, 0.0, set()
    for i, item in enumerate(top, 1):
        if item in relevant and item not in seen:
            hits += 1
            total += hits / i
        seen.add(item)
    return total / (min(len(relevant), k) if k is not None else len(relevant))


def mean_average_precision_at_k(gold: Mapping[str, set[str]], ranked: Mapping[str, Sequence[str]], k: int = 20) -> float:
    """Mean over queries of AP@k (LAReQA's mAP@20); a query without predictions scores 0."""
    if not gold:
        raise ValueError("mAP of zero queries")
    return sum(average_precision_at_k(relevant, ranked.get(query, ()), k) for query, relevant in gold.items()) / len(gold)


def mewslix_map_at_k(gold: Mapping[str, Sequence[str]], ranked: Mapping[str, Sequence[str]], k: int = 20) -> float:
    """Mewsli-X's "mAP@20" as XTREME-R's evaluate.py computes it (utils_mewslix.evaluate,
    third_party/utils_mewslix.py:623-695 at google-research/xtreme@838c13b): the mean
    reciprocal rank, within the top k, of each query's first gold entity (stripped; predictions
    are compared as they are), over every gold query (a missing one scores 0); 0 without queries."""
    if not gold:
        return 0.0
    total = 0.0
    for query, entities in gold.items():
        target = entities[0].strip()
        for rank, item in enumerate(list(ranked.get(query, ()))[:k], 1):
            if item == target:
                total += 1 / rank
                break
    return total / len(gold)
