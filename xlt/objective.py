"""The sweep objective: one number per trial from its zero-shot per-language scores."""

from collections.abc import Mapping
from statistics import fmean


def objective(name: str, scores: Mapping[str, Mapping[str, float]], train_language: str = "en") -> float:
    """`scores[task][language]` -> the objective.

    zero_shot_mean: mean over target tasks of the mean over languages other than the training
    language (the zero-shot transfer). all_languages_mean: the same including it.
    Raises ValueError when a task has no language to average.
    """
    if not scores:
        raise ValueError("no zero-shot scores to compute an objective from")
    per_task = []
    for task, by_lang in scores.items():
        langs = [l for l in by_lang if name == "all_languages_mean" or l != train_language]
        if not langs:
            raise ValueError(f"objective {name!r}: task {task!r} has no languages to average")
        per_task.append(fmean(by_lang[l] for l in langs))
    return fmean(per_task)
