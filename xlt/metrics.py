"""Metrics, as the benchmarks' official scripts compute them."""

from collections.abc import Sequence


def accuracy(predictions: Sequence[int], labels: Sequence[int]) -> float:
    """Fraction of exact matches (XNLI, PAWS-X). Raises on length mismatch or no examples."""
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    if not labels:
        raise ValueError("accuracy of zero examples")
    return sum(p == g for p, g in zip(predictions, labels)) / len(labels)


METRICS = {"accuracy": accuracy}
