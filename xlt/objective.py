"""The sweep objective: one number per trial from its zero-shot per-language scores.

An objective is a statistic over a set of languages, taken per target task and then averaged
over the target tasks (so tasks with many languages do not outweigh the others):
  mean             the mean over the languages
  worst            the lowest language (robustness)
  mean_minus_std   the mean minus k population standard deviations (spread-penalised)
over the languages `zero_shot` (all but the training language), `all`, a resource group of the
shipped language table (`high`, `mid`, `low`: its non-English languages), or an explicit list.
A sweep may name several objectives: Optuna then searches their Pareto front.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

from xlt.languages import LANGUAGES

STATISTICS = ("mean", "worst", "mean_minus_std")
GROUPS = ("zero_shot", "all", "high", "mid", "low")
LEGACY = {"zero_shot_mean": ("mean", "zero_shot"), "all_languages_mean": ("mean", "all"),
          "worst_language": ("worst", "zero_shot")}


@dataclass(frozen=True)
class Objective:
    statistic: str = "mean"
    languages: str | tuple[str, ...] = "zero_shot"
    """A group name (GROUPS) or explicit ISO codes."""
    k: float = 1.0
    """mean_minus_std: how many standard deviations."""
    mode: str = "max"

    @classmethod
    def named(cls, name: str, mode: str = "max") -> "Objective":
        """The named objectives of earlier sweep files: zero_shot_mean, all_languages_mean, worst_language."""
        statistic, languages = LEGACY[name]
        return cls(statistic, languages, mode=mode)

    @property
    def name(self) -> str:
        langs = self.languages if isinstance(self.languages, str) else ",".join(self.languages)
        stat = f"mean-{self.k:g}std" if self.statistic == "mean_minus_std" else self.statistic
        return f"{stat}[{langs}]"

    def selects(self, language: str, train_language: str) -> bool:
        if not isinstance(self.languages, str):
            return language in self.languages
        if self.languages == "all":
            return True
        if language == train_language:
            return False
        if self.languages == "zero_shot":
            return True
        return language in LANGUAGES and LANGUAGES[language].resource == self.languages

    def per_task(self, values: Sequence[float]) -> float:
        if self.statistic == "mean":
            return fmean(values)
        if self.statistic == "worst":
            return min(values)
        return fmean(values) - self.k * pstdev(values)

    def __call__(self, scores: Mapping[str, Mapping[str, float]], train_language: str = "en") -> float:
        """`scores[task][language]` -> the objective. Tasks without a selected language are left
        out (a group may have no language in a task); ValueError when none is left."""
        if not scores:
            raise ValueError("no zero-shot scores to compute an objective from")
        per_task = []
        for by_lang in scores.values():
            values = [v for lang, v in by_lang.items() if self.selects(lang, train_language)]
            if values:
                per_task.append(self.per_task(values))
        if not per_task:
            raise ValueError(f"objective {self.name}: no target task has languages to average "
                             f"(tasks {sorted(scores)})")
        return fmean(per_task)


def objective(spec: "str | Objective", scores: Mapping[str, Mapping[str, float]], train_language: str = "en") -> float:
    """The value of one objective (a legacy name or an Objective) on `scores`."""
    return (Objective.named(spec) if isinstance(spec, str) else spec)(scores, train_language)


def objective_metrics(objectives: Sequence[Objective], scores: Mapping[str, Mapping[str, float]],
                      partial: bool = False) -> dict[str, float]:
    """What a trial reports: `objective` (the first, what single-objective searchers and
    schedulers read), then `objective_2`, ... for the others. `partial`: the targets done so far,
    where an objective over a language group may have nothing yet (NaN, not an error)."""
    out = {}
    for i, o in enumerate(objectives):
        try:
            out[metric_name(i)] = o(scores)
        except ValueError:
            if not partial:
                raise
            out[metric_name(i)] = float("nan")
    return out


def metric_name(index: int) -> str:
    return "objective" if index == 0 else f"objective_{index + 1}"
