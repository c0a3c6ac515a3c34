"""Entity-level precision/recall/F1 of tag sequences: the `seqeval` library itself (1.2.2, pinned:
the chunking of bare POS tags changed between releases), as XTREME's evaluate.py uses it for
PAN-X and, on bare UPOS tags, UDPOS, and XGLUE's xglue_evaluate.py for NER (F1) and POS
(precision). Default mode, micro average; a denominator of 0 gives 0.
"""

import warnings
from collections.abc import Sequence


def seqeval_prf(labels: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall, F1 over entity chunks, as seqeval computes them."""
    # imported here: seqeval pulls in scikit-learn, SciPy and pandas (1.4-2.3 s), which every trial
    # worker would pay at start-up, tagging task or not
    from seqeval.metrics import f1_score, precision_score, recall_score

    if len(labels) != len(predictions):
        raise ValueError(f"{len(predictions)} predicted sentences for {len(labels)} gold sentences")
    for i, (g, p) in enumerate(zip(labels, predictions)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(p)} predicted tags for {len(g)} gold tags")
    gold, pred = [list(s) for s in labels], [list(s) for s in predictions]
    with warnings.catch_warnings():  # "no predicted/true samples": seqeval then reports 0, as documented
        warnings.simplefilter("ignore")
        return {"f1": float(f1_score(gold, pred)), "precision": float(precision_score(gold, pred)),
                "recall": float(recall_score(gold, pred))}
