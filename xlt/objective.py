"""The sweep objective: one number per trial from its per-language scores.

An objective is a statistic over a set of languages, taken per target task and then averaged
over the target tasks (so tasks with many languages do not outweigh the others):
  mean             the mean over the languages
  worst            the lowest language (robustness)
  mean_minus_std   the mean minus k population standard deviations (spread-penalised)
over the languages `zero_shot` (all but the training language), `all`, a resource group of the
shipped language table (`high`, `mid`, `low`: its non-English languages), or an explicit list.

Nothing is selected on test data unless the sweep asks by name: an objective reads **dev**
scores by default. A task covers the languages the objective selects among its test languages;
each of them contributes its own dev score where the task has a dev set in it (XNLI, PAWS-X,
UDPOS, PAN-X, MLQA, BUCC, XCOPA, ...), and where none of them has one (XQuAD, TyDiQA-GoldP) the
task's English dev score (the model-selection score) stands in. `split: test` reads the
zero-shot test scores instead; reports then say so first.
A sweep may name several objectives: Optuna then searches their Pareto front.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean, pstdev, stdev
from typing import Literal

from xlt.languages import LANGUAGES

STATISTICS = ("mean", "worst", "mean_minus_std")
GROUPS = ("zero_shot", "all", "high", "mid", "low")
LEGACY = {"zero_shot_mean": ("mean", "zero_shot"), "all_languages_mean": ("mean", "all"),
          "worst_language": ("worst", "zero_shot")}
Split = Literal["dev", "test"]


@dataclass(frozen=True)
class TargetScores:
    """One target task's scores in one trial (primary metric, fractions)."""

    test: Mapping[str, float]
    """Language -> zero-shot test score."""
    dev: Mapping[str, float] = field(default_factory=dict)
    """Language -> score on that language's dev set (the languages that have one)."""
    english_dev: float | None = None
    """The training language's dev score, which selects the checkpoint (None: no fine-tuning)."""

    def to_json(self) -> dict:
        return {"test": dict(self.test), "dev": dict(self.dev), "english_dev": self.english_dev}

    @classmethod
    def from_json(cls, data: Mapping) -> "TargetScores":
        return cls(dict(data["test"]), dict(data.get("dev") or {}), data.get("english_dev"))


@dataclass(frozen=True)
class Objective:
    statistic: str = "mean"
    languages: str | tuple[str, ...] = "zero_shot"
    """A group name (GROUPS) or explicit ISO codes."""
    k: float = 1.0
    """mean_minus_std: how many standard deviations."""
    mode: str = "max"
    split: Split = "dev"
    """dev (default): dev scores select; test: zero-shot test scores (only when a sweep asks)."""
    label: str | None = None
    """The name of a sweep's own language group (`languages` then holds its codes)."""
    allow_partial: bool = False
    """Target tasks with none of the languages may be left out (else validation refuses them)."""

    @classmethod
    def named(cls, name: str, mode: str = "max", split: Split = "dev") -> "Objective":
        """The named objectives: zero_shot_mean, all_languages_mean, worst_language."""
        statistic, languages = LEGACY[name]
        return cls(statistic, languages, mode=mode, split=split)

    @property
    def name(self) -> str:
        langs = self.label or (self.languages if isinstance(self.languages, str) else ",".join(self.languages))
        stat = f"mean-{self.k:g}std" if self.statistic == "mean_minus_std" else self.statistic
        return f"{stat}[{langs}]" + ("@test" if self.split == "test" else "")

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

    def values(self, scores: "TargetScores | Mapping[str, float]", train_language: str = "en") -> list[float]:
        """The values this objective takes from one task (empty: the task has none of its languages).
        A plain {language: value} mapping is used as it is, whatever the split."""
        if not isinstance(scores, TargetScores):
            return [v for lang, v in scores.items() if self.selects(lang, train_language)]
        covered = [lang for lang in scores.test if self.selects(lang, train_language)]
        if self.split == "test" or not covered:
            return [scores.test[lang] for lang in covered]
        dev = [scores.dev[lang] for lang in covered if lang in scores.dev]
        if dev:
            return dev
        return [scores.english_dev] if scores.english_dev is not None else []

    def coverage(self, tasks, languages: Sequence[str] | None = None) -> dict[str, list[str]]:
        """Task name -> the languages of it this objective reads, for TaskSpecs evaluated on
        `languages` (None: all of theirs); an empty list: the task is left out."""
        return {t.name: [l for l in t.languages if (not languages or l in languages) and self.selects(l, t.train_language)]
                for t in tasks}

    def covers(self, scores: Mapping[str, "TargetScores | Mapping[str, float]"], train_language: str = "en") -> list[str]:
        """The tasks that contribute to this objective."""
        return [t for t, s in scores.items() if self.values(s, train_language)]

    def __call__(self, scores: Mapping[str, "TargetScores | Mapping[str, float]"], train_language: str = "en") -> float:
        """`scores[task]` -> the objective. Tasks without a selected language are left out (a
        group may have no language in a task); ValueError when none is left."""
        if not scores:
            raise ValueError("no zero-shot scores to compute an objective from")
        per_task = [self.per_task(v) for s in scores.values() if (v := self.values(s, train_language))]
        if not per_task:
            raise ValueError(f"objective {self.name}: no target task has languages to average "
                             f"(tasks {sorted(scores)})")
        return fmean(per_task)


def coverage_lines(objectives: Sequence[Objective], tasks, languages: Sequence[str] | None = None) -> list[str]:
    """One line per objective: the target tasks and languages it reads, and the tasks it leaves
    out (none of their evaluated languages in it). `tasks` are TaskSpecs; `languages` the sweep's
    `target.languages` (None: every language of each task)."""
    lines = []
    for o in objectives:
        cover = o.coverage(tasks, languages)
        read = [f"{t} ({', '.join(ls)})" for t, ls in cover.items() if ls]
        left = [t for t, ls in cover.items() if not ls]
        lines.append(f"objective {o.name} reads {'; '.join(read) or 'nothing'}"
                     + (f"; leaves out {', '.join(left)} (allow_partial)" if left else ""))
    return lines


def objective(spec: "str | Objective", scores: Mapping[str, "TargetScores | Mapping[str, float]"],
              train_language: str = "en") -> float:
    """The value of one objective (a name or an Objective) on `scores`."""
    return (Objective.named(spec) if isinstance(spec, str) else spec)(scores, train_language)


def objective_metrics(objectives: Sequence[Objective], scores: Mapping[str, "TargetScores | Mapping[str, float]"],
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


# two-sided 95% Student's t quantiles by degrees of freedom (df > 30: normal)
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042}


def t95(df: int) -> float:
    """The two-sided 95% Student's t quantile at `df` degrees of freedom (tabled values, the
    nearest lower df between them; 1.96 above 30)."""
    if df > 30:
        return 1.96
    return _T95[max(k for k in _T95 if k <= df)]


def combine_replicates(values: Sequence[float], statistic: str = "mean", mode: str = "max") -> float:
    """One configuration's objective over its seeds: the mean, or (`lcb`) the end of the 95%
    confidence interval of the mean away from the optimum: mean - t * sd / sqrt(n) when
    maximising, + when minimising. NaN values (a replicate with nothing to score yet) are left out."""
    kept = [v for v in values if not math.isnan(v)]
    if not kept:
        return float("nan")
    mean = fmean(kept)
    if statistic == "mean" or len(kept) < 2:
        return mean
    half = t95(len(kept) - 1) * stdev(kept) / math.sqrt(len(kept))
    return mean - half if mode == "max" else mean + half


def metric_name(index: int) -> str:
    return "objective" if index == 0 else f"objective_{index + 1}"


def scores_from_rows(rows: Iterable[Mapping]) -> dict[str, TargetScores]:
    """Per target task, the scores its result rows hold (one trial's rows: zero-shot test and dev
    rows, and the English dev row of phase 3), on each task's primary metric."""
    from xlt.tasks import get_task

    test: dict[str, dict[str, float]] = {}
    dev: dict[str, dict[str, float]] = {}
    english: dict[str, float] = {}
    tasks: dict[str, object] = {}
    for r in rows:
        name = r["target_task"]
        if name not in tasks:
            tasks[name] = get_task(name)
        task = tasks[name]
        if r["metric"] != task.primary_metric:
            continue
        if r["phase"] == "zero_shot":
            (test if r["split"] == "test" else dev).setdefault(name, {})[r["language"]] = r["value"]
        elif r["phase"] == "target" and r["language"] == task.train_language:
            english[name] = r["value"]
    out = {}
    for name, by_lang in test.items():
        task = tasks[name]
        # the English dev row is written under the task whose dev data selected (XQuAD: squad_v1)
        own = english.get(name, english.get(task.dev_task))
        out[name] = TargetScores(by_lang, dev.get(name, {}), own)
    return out
