"""Every number of the report, computed from the Parquet rows alone (no Ray, no GPU).

A run is one (trial, target task). Per language its score is the task's metric in percent, QA
(EM + F1) / 2 as XTREME does. A run has three numbers:
  test       mean over its zero-shot test languages (English excluded): the transfer figure;
  all        mean over every test language, English included: XTREME's per-task score
             (`evaluate.py` averages a task over all its languages);
  dev        what selects: the mean of its zero-shot languages' dev scores where the task has
             dev sets in them, else its English dev score (the objective's dev rule,
             xlt.objective); never a test score.
Runs group by (intermediate configuration, target task, target hyper-parameters); their seeds
give mean, standard deviation and a 95% confidence interval (Student's t). For each
configuration and target, the hyper-parameters with the best mean dev score are reported.
Configurations are ranked by their mean dev score over the common target tasks (those with every
target first: a configuration a scheduler stopped early is listed after them, unscored). The XTREME
score of a configuration averages the `all` scores of the target tasks every configuration has
(XTREME's `all_task` when those are all nine), beside it the zero-shot-only mean. Deltas are
against the `none` baseline.

For the search's figures, each trial's objective is recomputed as the search saw it (the
sweep's first objective, else the default: mean zero-shot dev score), in percent; a trial whose
target tasks are a strict subset of another's was stopped early (ASHA) and is marked so.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean, stdev

from xlt.languages import LANGUAGES
from xlt.mixtures import diversity
from xlt.objective import Objective, scores_from_rows, t95
from xlt.tasks import NO_INTERMEDIATE, get_task

DEV_SELECTION = Objective("mean", "zero_shot", split="dev")
QA_METRICS = {"squad", "squad_v2", "mlqa"}
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
    score: Stat                          # zero-shot test mean (percent)
    languages: dict[str, float]          # test, mean over seeds, per language (percent), English included
    dev: float                           # mean dev score over seeds (percent): what selected this cell
    hyper: tuple
    trials: list[str]
    by_seed: dict[int, float]            # seed -> zero-shot test score
    all_by_seed: dict[int, float] = field(default_factory=dict)   # seed -> all-language score (XTREME's)
    languages_by_seed: dict[int, dict[str, float]] = field(default_factory=dict)  # seed -> language -> test

    @property
    def all_languages(self) -> Stat:
        return Stat.of(list(self.all_by_seed.values()))


@dataclass(frozen=True)
class TrialPoint:
    """One trial as the search saw it, for the search's figures."""
    trial: str
    objective: float                     # the search's objective (percent); NaN where it has no value
    complete: bool                       # False: stopped early (its targets a strict subset of another trial's)
    mixture: dict[str, float]            # intermediate task -> weight (empty for `none`)


@dataclass
class Report:
    configs: list[str]                                   # ranked by dev score (baseline included)
    tasks: list[str]
    cells: dict[tuple[str, str], Cell]
    xtreme: dict[str, Stat]                              # config -> XTREME score (all languages) over `common_tasks`
    common_tasks: list[str]
    baseline: str | None
    failed: list[dict] = field(default_factory=list)
    progress: list[tuple[str, float]] = field(default_factory=list)   # (trial, zero-shot test score) in start order
    mixtures: list[tuple[dict[str, float], float]] = field(default_factory=list)
    surrogate: bool = False
    objective_names: tuple[str, ...] = ()
    """A multi-objective sweep's objectives (from its sweep.json); empty otherwise."""
    pareto: list = field(default_factory=list)                       # ParetoPoint, front first
    diversity: dict[str, dict[str, float]] = field(default_factory=dict)  # config -> mixture diversity
    models: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """A backbone comparison: model -> task -> language -> mean zero-shot score over its configurations."""
    zero_shot: dict[str, Stat] = field(default_factory=dict)         # config -> zero-shot-only mean over common tasks
    dev: dict[str, float] = field(default_factory=dict)              # config -> mean dev score over common tasks
    test_objective: str | None = None
    """The sweep's objective when it read test scores (the sweep asked by name); None otherwise."""
    fixture: bool = False
    """Some rows come from the shipped fixtures (`data_source == "local"`): FIXTURE DATA."""
    trials: list[TrialPoint] = field(default_factory=list)
    """Every trial with zero-shot scores, in start order."""
    objective_name: str = DEV_SELECTION.name
    """The objective of `trials` (the sweep's first, else the default)."""
    study: dict | None = None
    """A research-question sweep's `study` (hypothesis, control, arms, groups), from its sweep.json."""
    comparisons: list = field(default_factory=list)
    """xlt.report.study.Comparison rows: what the report leads with."""
    text_models: list[str] = field(default_factory=list)
    """Models whose rows ran as themselves, text to text (`head = text`): the report says so."""
    robustness: list = field(default_factory=list)
    """xlt.report.robustness.RobustnessCell: scores on perturbed test data, where the rows have them."""
    robustness_comparisons: list = field(default_factory=list)
    """xlt.report.robustness.RobustnessComparison: a study's arms against its control on perturbed data."""
    robustness_declared: dict | None = None
    """The sweep's `robustness:` block (from its sweep.json): a report says when its rows lack what it asked."""

    def delta(self, config: str, task: str | None = None) -> float | None:
        if self.baseline is None or config == self.baseline:
            return None if self.baseline is None else 0.0
        if task is None:
            return self.xtreme[config].mean - self.xtreme[self.baseline].mean if config in self.xtreme else None
        a, b = self.cells.get((config, task)), self.cells.get((self.baseline, task))
        return a.score.mean - b.score.mean if a and b else None

    def best_per_task(self) -> dict[str, str]:
        """Per target task, the configuration with the best dev score (never chosen on test)."""
        return {t: max((c for c in self.configs if (c, t) in self.cells), key=lambda c: self.cells[(c, t)].dev)
                for t in self.tasks}

    @property
    def best(self) -> str | None:
        """The configuration with the best dev score, among those that trained an intermediate task."""
        return next((c for c in self.configs if c != self.baseline), self.configs[0] if self.configs else None)

    def resource_groups(self, config: str) -> dict[str, float]:
        """Mean score per resource class (high/mid/low) over every language of every task."""
        groups: dict[str, list[float]] = defaultdict(list)
        for task in self.tasks:
            cell = self.cells.get((config, task))
            for lang, value in (cell.languages.items() if cell else ()):
                if lang in LANGUAGES and lang != get_task(task).train_language:
                    groups[LANGUAGES[lang].resource].append(value)
        return {g: fmean(v) for g, v in groups.items()}


def model_label(row: dict) -> str:
    """A row's model as the report names it: with `(text)` where the model ran as itself."""
    return f"{row['model']} (text)" if row.get("head") == "text" else row["model"]


def language_score(task: str, metrics: dict[str, float]) -> float | None:
    """One language's score in percent: QA (EM + F1) / 2, else the task's primary metric."""
    spec = get_task(task)
    if spec.metric in QA_METRICS:
        return 100 * (metrics["exact_match"] + metrics["f1"]) / 2 if {"exact_match", "f1"} <= set(metrics) else None
    value = metrics.get(spec.primary_metric)
    return None if value is None else 100 * value


@dataclass(frozen=True)
class Run:
    """One (trial, target task) as the report reads it."""
    trial: str
    task: str
    test: float                          # zero-shot test mean (percent)
    all: float                           # all test languages, English included (percent)
    languages: dict[str, float]          # test, per language (percent)
    dev: float                           # selection score (percent); NaN without dev data
    row: dict                            # a zero-shot row: the run's configuration columns


def runs_from_rows(rows: list[dict]) -> list[Run]:
    """Every (trial, target task) with zero-shot test scores, in the report's units."""
    by_trial: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["phase"] != "failed":
            by_trial[r["trial_id"]].append(r)
    runs = []
    for trial, trial_rows in by_trial.items():
        metrics: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        info: dict[str, dict] = {}
        for r in trial_rows:
            if r["phase"] == "zero_shot" and r["split"] == "test":
                metrics[r["target_task"]][r["language"]][r["metric"]] = r["value"]
                info[r["target_task"]] = r
        scores = scores_from_rows(trial_rows)
        for task, by_lang in metrics.items():
            langs = {l: s for l, m in by_lang.items() if (s := language_score(task, m)) is not None}
            train_language = get_task(task).train_language
            zero = [s for l, s in langs.items() if l != train_language] or list(langs.values())
            if not zero:
                continue
            dev = DEV_SELECTION.values(scores[task], train_language) if task in scores else []
            runs.append(Run(trial, task, fmean(zero), fmean(langs.values()), langs,
                            100 * fmean(dev) if dev else float("nan"), info[task]))
    return runs


def trial_points(rows: list[dict], starts: dict[str, object], objective: Objective) -> list[TrialPoint]:
    """Every trial with zero-shot rows, in start order, with `objective` in percent."""
    by_trial: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["phase"] != "failed":
            by_trial[r["trial_id"]].append(r)
    scores = {t: s for t, rs in by_trial.items() if (s := scores_from_rows(rs))}
    points = []
    for t in sorted(scores, key=lambda t: (starts[t], t)):
        try:
            value = 100 * objective(scores[t])
        except ValueError:  # none of the objective's languages in this trial
            value = float("nan")
        stopped = any(set(scores[t]) < set(other) for other in scores.values())
        mixture = next((dict(r["mixture"] or {}) for r in by_trial[t] if r["phase"] == "zero_shot"), {})
        points.append(TrialPoint(t, value, not stopped, mixture))
    return points


def build(rows: list[dict], test_objective: str | None = None, objective: Objective | None = None) -> Report:
    """The report of result rows; `objective` (default: mean zero-shot dev) scores the trials of
    the search's figures and nothing else."""
    failed, starts = [], {}
    for r in rows:
        starts[r["trial_id"]] = min(starts.get(r["trial_id"], r["finished_at"]), r["finished_at"])
        if r["phase"] == "failed":
            failed.append({k: r[k] for k in ("trial_id", "intermediate", "target_task", "error")})
    runs = runs_from_rows(rows)
    several_models = len({model_label(run.row) for run in runs}) > 1  # a backbone comparison: configs per model

    def config_of(r: dict) -> str:
        return f"{model_label(r)} | {r['intermediate']}" if several_models else r["intermediate"]

    model_of = {config_of(run.row): model_label(run.row) for run in runs}
    groups: dict[tuple, list[Run]] = defaultdict(list)       # (config, task, hyper) -> runs over seeds
    for run in runs:
        r = run.row
        groups[(config_of(r), run.task, (r["learning_rate"], r["intermediate_learning_rate"], r["model_selection"]))].append(run)

    cells: dict[tuple[str, str], Cell] = {}
    for (config, task, hyper), members in groups.items():
        devs = [m.dev for m in members if not math.isnan(m.dev)]
        dev_mean = fmean(devs) if devs else float("-inf")
        current = cells.get((config, task))
        if current is not None and current.dev >= dev_mean:
            continue
        languages = {l: fmean(m.languages[l] for m in members if l in m.languages)
                     for l in sorted({l for m in members for l in m.languages})}
        cells[(config, task)] = Cell(Stat.of([m.test for m in members]), languages, dev_mean, hyper,
                                     [m.trial for m in members], {m.row["seed"]: m.test for m in members},
                                     {m.row["seed"]: m.all for m in members},
                                     {m.row["seed"]: m.languages for m in members})

    configs = sorted({c for c, _ in cells})
    tasks = sorted({t for _, t in cells})
    # configurations with every target are scored on all of them; one a scheduler stopped early
    # (fewer targets) is not comparable, and is listed after them, unscored. When none has every
    # target, all are scored on the targets they share.
    complete = [c for c in configs if all((c, t) in cells for t in tasks)]
    scored = complete or configs
    common = tasks if complete else [t for t in tasks if all((c, t) in cells for c in configs)]
    xtreme, zero_shot, dev = {}, {}, {}
    for c in scored:
        if not common:
            continue
        # one score per seed that every common task has
        seeds = sorted(set.intersection(*(set(cells[(c, t)].by_seed) for t in common)))
        xtreme[c] = Stat.of([fmean(cells[(c, t)].all_by_seed[sd] for t in common) for sd in seeds]
                            or [fmean(cells[(c, t)].all_languages.mean for t in common)])
        zero_shot[c] = Stat.of([fmean(cells[(c, t)].by_seed[sd] for t in common) for sd in seeds]
                               or [fmean(cells[(c, t)].score.mean for t in common)])
        dev[c] = fmean(cells[(c, t)].dev for t in common)
    baseline = NO_INTERMEDIATE if NO_INTERMEDIATE in configs else None
    by_model: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    if several_models:
        for (config, task), cell in cells.items():
            for lang, value in cell.languages.items():
                by_model[model_of[config]][task][lang].append(value)
    partial_dev = {c: fmean(cells[(c, t)].dev for t in tasks if (c, t) in cells) for c in configs}
    # by dev (what selects, never test): the scored configurations, then the incomplete ones
    configs.sort(key=lambda c: (c not in dev, -dev.get(c, partial_dev[c]), c))

    per_trial: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        per_trial[run.trial].append(run.test)
    progress = sorted(((t, fmean(v)) for t, v in per_trial.items()), key=lambda x: starts[x[0]])
    mixtures = [(dict(run.row["mixture"]), fmean(per_trial[run.trial])) for run in runs
                if run.row["mixture"] and len(dict(run.row["mixture"])) > 1]
    surrogate = any(r.get("backend") == "surrogate" for r in rows)
    mixture_of = {config_of(run.row): dict(run.row["mixture"] or {}) for run in runs}
    diversities = {config: diversity(weights) for config, weights in mixture_of.items()}
    models = {m: {t: {l: fmean(v) for l, v in langs.items()} for t, langs in tasks_.items()}
              for m, tasks_ in by_model.items()}
    objective = objective or DEV_SELECTION
    return Report(configs, tasks, cells, xtreme, common, baseline, failed, progress, mixtures, surrogate,
                  diversity=diversities, models=models, zero_shot=zero_shot, dev=dev, test_objective=test_objective,
                  fixture=any(r.get("data_source") == "local" for r in rows),
                  text_models=sorted({r["model"] for r in rows if r.get("head") == "text"}),
                  trials=trial_points(rows, starts, objective), objective_name=objective.name)
