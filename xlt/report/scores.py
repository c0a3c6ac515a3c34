"""Every number of the report, computed from the Parquet rows alone (no Ray, no GPU).

A run is one (trial, target task). Its score is the task's metric averaged over its zero-shot
languages, in percent; QA tasks use (EM + F1) / 2 per language, as XTREME does. Runs group by
(intermediate configuration, target task, target hyper-parameters); their seeds give mean,
standard deviation and a 95% confidence interval (Student's t). For each configuration and
target, the hyper-parameters with the best mean English dev score are reported (dev, never
test, selects). The XTREME score of a configuration averages the target tasks every
configuration has. Deltas are against the `none` baseline.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean, stdev

from xlt.languages import LANGUAGES
from xlt.mixtures import diversity
from xlt.tasks import NO_INTERMEDIATE, get_task

QA_METRICS = {"squad", "squad_v2", "mlqa"}
# two-sided 95% Student's t quantiles by degrees of freedom (df > 30: normal)
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042}


def t95(df: int) -> float:
    if df > 30:
        return 1.96
    return _T95[max(k for k in _T95 if k <= df)]


@dataclass
class Stat:
    mean: float
    std: float
    ci95: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> "Stat":
        n = len(values)
        sd = stdev(values) if n > 1 else 0.0
        return cls(fmean(values), sd, t95(n - 1) * sd / math.sqrt(n) if n > 1 else 0.0, n)


@dataclass
class Cell:
    """One (configuration, target task): the selected hyper-parameters over their seeds."""
    score: Stat
    languages: dict[str, float]          # mean over seeds, per language (percent)
    dev: float
    hyper: tuple
    trials: list[str]
    by_seed: dict[int, float]            # seed -> score


@dataclass
class Report:
    configs: list[str]                                   # ranked by XTREME score (baseline included)
    tasks: list[str]
    cells: dict[tuple[str, str], Cell]
    xtreme: dict[str, Stat]                              # config -> XTREME score over `common_tasks`
    common_tasks: list[str]
    baseline: str | None
    failed: list[dict] = field(default_factory=list)
    progress: list[tuple[str, float]] = field(default_factory=list)   # (trial, objective) in start order
    mixtures: list[tuple[dict[str, float], float]] = field(default_factory=list)
    surrogate: bool = False
    objective_names: tuple[str, ...] = ()
    """A multi-objective sweep's objectives (from its sweep.json); empty otherwise."""
    pareto: list = field(default_factory=list)                       # ParetoPoint, front first
    diversity: dict[str, dict[str, float]] = field(default_factory=dict)  # config -> mixture diversity
    models: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """A backbone comparison: model -> task -> language -> mean zero-shot score over its configurations."""

    def delta(self, config: str, task: str | None = None) -> float | None:
        if self.baseline is None or config == self.baseline:
            return None if self.baseline is None else 0.0
        if task is None:
            return self.xtreme[config].mean - self.xtreme[self.baseline].mean if config in self.xtreme else None
        a, b = self.cells.get((config, task)), self.cells.get((self.baseline, task))
        return a.score.mean - b.score.mean if a and b else None

    def best_per_task(self) -> dict[str, str]:
        return {t: max((c for c in self.configs if (c, t) in self.cells), key=lambda c: self.cells[(c, t)].score.mean)
                for t in self.tasks}

    def resource_groups(self, config: str) -> dict[str, float]:
        """Mean score per resource class (high/mid/low) over every language of every task."""
        groups: dict[str, list[float]] = defaultdict(list)
        for task in self.tasks:
            cell = self.cells.get((config, task))
            for lang, value in (cell.languages.items() if cell else ()):
                if lang in LANGUAGES and lang != get_task(task).train_language:
                    groups[LANGUAGES[lang].resource].append(value)
        return {g: fmean(v) for g, v in groups.items()}


def language_score(task: str, metrics: dict[str, float]) -> float | None:
    spec = get_task(task)
    if spec.metric in QA_METRICS:
        return 100 * (metrics["exact_match"] + metrics["f1"]) / 2 if {"exact_match", "f1"} <= set(metrics) else None
    value = metrics.get(spec.primary_metric)
    return None if value is None else 100 * value


def build(rows: list[dict]) -> Report:
    zero: dict[tuple, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    dev: dict[tuple, float] = {}
    info: dict[tuple, dict] = {}
    failed, starts = [], {}
    for r in rows:
        starts[r["trial_id"]] = min(starts.get(r["trial_id"], r["finished_at"]), r["finished_at"])
        if r["phase"] == "failed":
            failed.append({k: r[k] for k in ("trial_id", "intermediate", "target_task", "error")})
            continue
        key = (r["trial_id"], r["target_task"])
        if r["phase"] == "zero_shot":
            zero[key][r["language"]][r["metric"]] = r["value"]
            info[key] = r
        elif r["phase"] == "target":
            dev_task = r["target_task"]
            metric = get_task(dev_task).primary_metric
            if r["metric"] == metric and r["language"] == get_task(dev_task).train_language:
                dev[(r["trial_id"], dev_task)] = 100 * r["value"]

    several_models = len({r["model"] for r in info.values()}) > 1  # a backbone comparison: configs per model

    def config_of(r: dict) -> str:
        return f"{r['model']} | {r['intermediate']}" if several_models else r["intermediate"]

    model_of = {config_of(r): r["model"] for r in info.values()}
    # (config, task, hyper) -> runs: (trial, score, per-language scores, dev score, seed)
    groups: dict[tuple, list[tuple[str, float, dict[str, float], float, int]]] = defaultdict(list)
    for (trial, task), by_lang in zero.items():
        langs = {l: s for l, m in by_lang.items() if (s := language_score(task, m)) is not None}
        langs_zero = [s for l, s in langs.items() if l != get_task(task).train_language] or list(langs.values())
        if not langs_zero:
            continue
        r = info[(trial, task)]
        hyper = (r["learning_rate"], r["intermediate_learning_rate"], r["model_selection"])
        dev_task = get_task(task).dev_task
        groups[(config_of(r), task, hyper)].append(
            (trial, fmean(langs_zero), langs, dev.get((trial, dev_task), dev.get((trial, task), float("nan"))), r["seed"]))

    cells: dict[tuple[str, str], Cell] = {}
    for (config, task, hyper), runs in groups.items():
        devs = [r[3] for r in runs if not math.isnan(r[3])]
        dev_mean = fmean(devs) if devs else float("-inf")
        current = cells.get((config, task))
        if current is not None and current.dev >= dev_mean:
            continue
        languages = {l: fmean(r[2][l] for r in runs if l in r[2]) for l in sorted({l for r in runs for l in r[2]})}
        cells[(config, task)] = Cell(Stat.of([r[1] for r in runs]), languages, dev_mean, hyper, [r[0] for r in runs],
                                     {r[4]: r[1] for r in runs})

    configs = sorted({c for c, _ in cells})
    tasks = sorted({t for _, t in cells})
    common = [t for t in tasks if all((c, t) in cells for c in configs)]
    xtreme = {}
    for c in configs:
        if common:  # one XTREME score per seed that every common task has
            seeds = set.intersection(*(set(cells[(c, t)].by_seed) for t in common))
            per_seed = [fmean(cells[(c, t)].by_seed[sd] for t in common) for sd in sorted(seeds)]
            xtreme[c] = Stat.of(per_seed or [fmean(cells[(c, t)].score.mean for t in common)])
    baseline = NO_INTERMEDIATE if NO_INTERMEDIATE in configs else None
    by_model: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    if several_models:
        for (config, task), cell in cells.items():
            for lang, value in cell.languages.items():
                by_model[model_of[config]][task][lang].append(value)
    configs.sort(key=lambda c: -xtreme[c].mean if c in xtreme else math.inf)

    objectives = defaultdict(list)
    for (config, task, hyper), runs in groups.items():
        for trial, score, *_ in runs:
            objectives[trial].append(score)
    progress = sorted(((t, fmean(v)) for t, v in objectives.items()), key=lambda x: starts[x[0]])
    mixtures = []
    for (trial, task), r in info.items():
        if r["mixture"] and len(dict(r["mixture"])) > 1 and trial in objectives:
            mixtures.append((dict(r["mixture"]), fmean(objectives[trial])))
    surrogate = any(r.get("backend") == "surrogate" for r in rows)
    mixture_of = {config_of(r): dict(r["mixture"] or {}) for r in info.values()}
    diversities = {config: diversity(weights) for config, weights in mixture_of.items()}
    models = {m: {t: {l: fmean(v) for l, v in langs.items()} for t, langs in tasks_.items()}
              for m, tasks_ in by_model.items()}
    return Report(configs, tasks, cells, xtreme, common, baseline, failed, progress, mixtures, surrogate,
                  diversity=diversities, models=models)

