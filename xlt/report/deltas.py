"""What the report's figures show, as numbers: delta matrices with confidence intervals, the top
configurations with the rest summarised, per-language deltas by language group. No matplotlib.

A delta is a configuration's zero-shot test score minus a reference's (percentage points). The
reference is the `none` baseline; a sweep without one (or with nothing else) is compared with
its median configuration instead, per cell, and says so: absolute scores are never drawn as
gains. Against the baseline each delta has Welch's 95% confidence interval over the two sides'
seeds (NaN when either side has one seed); against the median, none. Configurations are taken
in the report's order (ranked by dev score), the baseline left out.
"""

import math
from dataclasses import dataclass, field
from statistics import fmean, median, stdev

import numpy as np

from xlt.languages import LANGUAGES
from xlt.report.scores import Report, t95
from xlt.tasks import get_task

RESOURCE_ORDER = ("high", "mid", "low")
MEDIAN = "the median configuration"
SCALE_FLOOR = 5.0     # percentage points: the colour scale's half-range is never smaller (small Δ stay pale)
SCALE_CAP = 20.0      # nor larger: beyond it colours saturate


@dataclass
class Matrix:
    """Rows (configurations) x columns of one heatmap; the last `summarised` rows each stand for
    several configurations."""
    values: np.ndarray                   # deltas in points; NaN: no cell
    ci: np.ndarray                       # half-width of each delta's 95% CI; NaN: none
    rows: list[str]
    cols: list[str]
    reference: str                       # "none", or MEDIAN
    reference_values: list[float] = field(default_factory=list)   # per column, the reference's score (percent)
    summarised: int = 0                  # trailing summary rows (the configurations beyond the top N)
    groups: list[str] = field(default_factory=list)   # per column: its resource class, when columns are languages

    def crosses_zero(self) -> np.ndarray:
        """Cells whose 95% CI includes 0 (only deltas with an interval)."""
        return np.isfinite(self.ci) & (np.abs(self.values) <= self.ci)


def welch_ci(a: list[float], b: list[float]) -> float:
    """Half-width of the 95% CI of mean(a) - mean(b), Welch's t; NaN when a side has under two values."""
    if len(a) < 2 or len(b) < 2:
        return math.nan
    va, vb = stdev(a) ** 2 / len(a), stdev(b) ** 2 / len(b)
    if va + vb == 0:
        return 0.0
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return t95(max(1, int(df))) * math.sqrt(va + vb)


def compared(report: Report) -> tuple[list[str], str | None]:
    """The configurations a figure compares, best dev score first, and the baseline: all but
    `none` against `none`; all against their median without a baseline or with nothing but it."""
    others = [c for c in report.configs if c != report.baseline]
    return (others, report.baseline) if others and report.baseline else (list(report.configs), None)


def _median(values) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return median(finite) if finite else math.nan


def _split_top(configs: list[str], top: int) -> tuple[list[str], list[str]]:
    return (configs[:top], configs[top:]) if len(configs) > top else (configs, [])


def _matrix(rows: dict[str, tuple[list[float], list[float]]], ranked: list[str], top: int, cols: list[str],
            reference: str, reference_values: list[float], groups: list[str] | None = None) -> Matrix:
    """The top `top` of `rows` (config -> (deltas, CIs)) in `ranked` order, then the median row of the others."""
    configs = [c for c in ranked if c in rows]
    shown, others = _split_top(configs, top)
    values = [rows[c][0] for c in shown]
    ci = [rows[c][1] for c in shown]
    labels = [f"#{ranked.index(c) + 1} {c}" for c in shown]
    if others:
        values.append([_median(rows[c][0][j] for c in others) for j in range(len(cols))])
        ci.append([math.nan] * len(cols))
        labels.append(f"median of the other {len(others)}")
    shape = (len(values), len(cols))
    return Matrix(np.array(values, dtype=float).reshape(shape), np.array(ci, dtype=float).reshape(shape), labels,
                  cols, reference, reference_values, int(bool(others)), groups or [])


def task_matrix(report: Report, top: int) -> Matrix:
    """Configuration x target task (plus `mean` over the common tasks when there are several):
    zero-shot test deltas; the top `top` configurations, then the median of the others."""
    configs, base = compared(report)
    with_mean = len(report.common_tasks) > 1
    cols = [*report.tasks, "mean"] if with_mean else list(report.tasks)
    score = {(c, t): report.cells[(c, t)].score.mean for c in configs for t in report.tasks if (c, t) in report.cells}
    seeds = {(c, t): list(report.cells[(c, t)].by_seed.values()) for c, t in score}
    if with_mean:
        for c in [*configs, base] if base else configs:
            if c in report.zero_shot:
                score[(c, "mean")], seeds[(c, "mean")] = report.zero_shot[c].mean, _zero_shot_by_seed(report, c)
    if base:
        ref = [report.cells[(base, t)].score.mean if (base, t) in report.cells else math.nan for t in report.tasks]
        ref += [report.zero_shot[base].mean] if with_mean else []
        ref_seeds = [list(report.cells[(base, t)].by_seed.values()) if (base, t) in report.cells else []
                     for t in report.tasks] + ([_zero_shot_by_seed(report, base)] if with_mean else [])
    else:
        ref = [_median(score.get((c, t)) for c in configs) for t in cols]
        ref_seeds = [[] for _ in cols]
    rows = {c: ([score[(c, t)] - r if (c, t) in score else math.nan for t, r in zip(cols, ref)],
                [welch_ci(seeds[(c, t)], s) if (c, t) in score and base else math.nan
                 for t, s in zip(cols, ref_seeds)]) for c in configs}
    return _matrix(rows, configs, top, cols, base or MEDIAN, ref)


def _zero_shot_by_seed(report: Report, config: str) -> list[float]:
    """Per seed, the zero-shot mean over the common tasks (what `report.zero_shot` averages)."""
    cells = [report.cells[(config, t)] for t in report.common_tasks]
    seeds = set.intersection(*(set(c.by_seed) for c in cells)) if cells else set()
    return [fmean(c.by_seed[s] for c in cells) for s in sorted(seeds)]


def language_order(languages: set[str]) -> list[str]:
    """Languages by resource class (high, mid, low, then unknown), then code."""
    rank = {r: i for i, r in enumerate(RESOURCE_ORDER)}
    return sorted(languages, key=lambda l: (rank.get(LANGUAGES[l].resource, 3) if l in LANGUAGES else 3, l))


def language_deltas(report: Report, task: str) -> dict[str, dict[str, tuple[float, float]]]:
    """config -> language -> (delta, CI half-width) of one target task, every test language
    (English included), against the baseline or the median configuration."""
    configs, base = compared(report)
    cells = {c: report.cells[(c, task)] for c in configs if (c, task) in report.cells}
    ref = report.cells.get((base, task)) if base else None
    if base and ref is None:
        return {}
    langs = {l for cell in cells.values() for l in cell.languages}
    if ref:
        reference = dict(ref.languages)
    else:
        reference = {l: _median(cell.languages.get(l) for cell in cells.values()) for l in langs}
    out = {}
    for c, cell in cells.items():
        out[c] = {}
        for l, v in cell.languages.items():
            if l not in reference:
                continue
            mine = [s[l] for s in cell.languages_by_seed.values() if l in s]
            theirs = [s[l] for s in ref.languages_by_seed.values() if l in s] if ref else []
            out[c][l] = (v - reference[l], welch_ci(mine, theirs) if ref else math.nan)
    return out


def language_matrices(report: Report, task: str, top: int) -> tuple[Matrix | None, Matrix | None]:
    """Configuration x language of one target task: the zero-shot languages (by resource class),
    and apart from them the training language; None where there is no such column."""
    ranked, base = compared(report)
    deltas = language_deltas(report, task)
    train = get_task(task).train_language
    langs = {l for by_lang in deltas.values() for l in by_lang}
    out: list[Matrix | None] = []
    for columns in (language_order(langs - {train}), [train] if train in langs else []):
        if not columns:
            out.append(None)
            continue
        rows = {c: ([by_lang.get(l, (math.nan, math.nan))[0] for l in columns],
                    [by_lang.get(l, (math.nan, math.nan))[1] for l in columns]) for c, by_lang in deltas.items()}
        groups = [LANGUAGES[l].resource if l in LANGUAGES else "other" for l in columns]
        out.append(_matrix(rows, ranked, top, columns, base or MEDIAN, [], groups))
    return out[0], out[1]


def group_gains(report: Report, config: str, key: str) -> dict[str, list[tuple[str, float]]]:
    """Per group of `key` ("resource" or "family"), the (task:language, delta) of every
    zero-shot language of every target task for `config`."""
    out: dict[str, list[tuple[str, float]]] = {}
    for task in report.tasks:
        train = get_task(task).train_language
        for lang, (delta, _) in language_deltas(report, task).get(config, {}).items():
            if lang != train and lang in LANGUAGES and math.isfinite(delta):
                out.setdefault(getattr(LANGUAGES[lang], key), []).append((f"{task}:{lang}", delta))
    return out
