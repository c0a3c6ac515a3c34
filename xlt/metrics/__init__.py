"""Metrics exactly as the benchmarks' official scripts compute them.

Each function takes gold labels first and predictions second, like XTREME's `evaluate.py`.
Values are fractions in [0, 1] here; `xlt.submission.scoring` reports percent, as XTREME does.
"""

from collections.abc import Sequence

from xlt.metrics.generation import codexglue_smoothed_bleu, xglue_bleu
from xlt.metrics.qa import mlqa_em_f1, squad_em_f1
from xlt.metrics.retrieval import bucc_prf, mean_average_precision_at_k
from xlt.metrics.tagging import seqeval_prf


def accuracy(labels: Sequence, predictions: Sequence) -> float:
    """Fraction of exact matches (XNLI, PAWS-X, Tatoeba, XCOPA). Raises on a length mismatch."""
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    if not labels:
        raise ValueError("accuracy of zero examples")
    return sum(p == g for p, g in zip(predictions, labels)) / len(labels)


__all__ = ["accuracy", "bucc_prf", "codexglue_smoothed_bleu", "mean_average_precision_at_k", "mlqa_em_f1",
           "seqeval_prf", "squad_em_f1", "xglue_bleu"]
