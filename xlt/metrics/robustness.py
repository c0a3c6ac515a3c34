"""Scores of a classifier on perturbed examples (xlt.perturb), beside the same examples unperturbed.

Only the examples a perturbation changed are scored, so the two accuracies are over the same
examples and their difference is the perturbation's effect alone:
  accuracy        on the perturbed examples;
  clean_accuracy  on the same examples as they were (the zero-shot test predictions);
  consistency     the share of those examples whose prediction the perturbation left unchanged
                  (label-free: a wrong but stable prediction is consistent);
  changed         the share of the test set the perturbation changed.
Values are fractions in [0, 1], as every metric here.
"""

from collections.abc import Sequence

from xlt.metrics import accuracy

METRICS = ("accuracy", "clean_accuracy", "consistency", "changed")


def perturbation_scores(labels: Sequence, clean: Sequence, perturbed: Sequence, total: int) -> dict[str, float]:
    """`labels`, `clean` and `perturbed` predictions of the changed examples; `total`: the test set's size."""
    if not len(labels) == len(clean) == len(perturbed):
        raise ValueError(f"{len(labels)} labels, {len(clean)} clean and {len(perturbed)} perturbed predictions")
    if total < len(labels) or total == 0:
        raise ValueError(f"{len(labels)} changed examples of a test set of {total}")
    if not labels:
        return {"changed": 0.0}
    return {"accuracy": accuracy(labels, perturbed), "clean_accuracy": accuracy(labels, clean),
            "consistency": accuracy(clean, perturbed), "changed": len(labels) / total}
