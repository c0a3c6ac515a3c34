"""The robustness section of a report: each configuration's target scores on perturbed test data
(result rows of phase `robustness`, xlt.perturb), and for a study each arm against the control.

Per (configuration, target, perturbation), over the trials the report selected for that cell (its
dev-chosen hyper-parameters), per seed the mean over the zero-shot languages (English excluded)
where the perturbation changed some examples, in percent:
  clean        accuracy on the changed examples as they were;
  perturbed    accuracy on them perturbed;
  drop         clean minus perturbed (points): what the perturbation cost;
  consistency  the share of changed examples whose prediction stayed the same;
each a mean over seeds with a 95% confidence interval. `changed` is the share of test examples
the perturbation changed (mean over the zero-shot languages and seeds). Study rows difference
the arm's and the control's per-seed figures on the same seed (paired), as the question table does.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from xlt.report.cells import cell, diff, number, stat
from xlt.report.scores import Report, Stat
from xlt.tasks import get_task

FIGURES = ("clean", "perturbed", "drop", "consistency")


@dataclass
class RobustnessCell:
    config: str
    task: str
    kind: str
    changed: float                                   # percent of the test examples the perturbation changed
    stats: dict[str, Stat]                           # FIGURES -> over seeds (percent, points for drop)
    by_seed: dict[int, dict[str, float]] = field(default_factory=dict)          # seed -> figure -> value
    languages: dict[str, dict[str, float]] = field(default_factory=dict)        # language -> figure -> mean over seeds


@dataclass(frozen=True)
class RobustnessComparison:
    arm: str
    task: str
    kind: str
    perturbed: Stat | None       # arm minus control, accuracy on perturbed examples (points)
    consistency: Stat | None     # arm minus control, consistency (points)


def robustness_cells(rows: list[dict], cells: dict) -> list[RobustnessCell]:
    """The cells of every (configuration, target) the report selected that has robustness rows."""
    trial_cell = {(trial, task): config for (config, task), cell in cells.items() for trial in cell.trials}
    # (config, task, kind) -> seed -> language -> metric -> value
    found: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for r in rows:
        if r["phase"] != "robustness" or (r["trial_id"], r["target_task"]) not in trial_cell:
            continue
        config = trial_cell[(r["trial_id"], r["target_task"])]
        kind, metric = r["metric"].split("/", 1)
        found[(config, r["target_task"], kind)][r["seed"]][r["language"]][metric] = 100 * r["value"]
    out = []
    for (config, task, kind), seeds in sorted(found.items()):
        english = get_task(task).train_language
        by_seed, changed, per_language = {}, [], defaultdict(lambda: defaultdict(list))
        for seed, languages in seeds.items():
            zero = {l: m for l, m in languages.items() if l != english}
            changed += [m["changed"] for m in zero.values() if "changed" in m]
            scored = {l: _figures(m) for l, m in languages.items() if "accuracy" in m}
            for l, figures in scored.items():
                for name, value in figures.items():
                    per_language[l][name].append(value)
            zero_scored = [f for l, f in scored.items() if l != english]
            if zero_scored:
                by_seed[seed] = {name: fmean(f[name] for f in zero_scored) for name in FIGURES}
        if not by_seed:
            continue
        stats = {name: Stat.of([v[name] for v in by_seed.values()]) for name in FIGURES}
        languages = {l: {name: fmean(v) for name, v in figures.items()} for l, figures in sorted(per_language.items())}
        out.append(RobustnessCell(config, task, kind, fmean(changed) if changed else 0.0, stats, by_seed, languages))
    return out


def _figures(metrics: dict[str, float]) -> dict[str, float]:
    return {"clean": metrics["clean_accuracy"], "perturbed": metrics["accuracy"],
            "drop": metrics["clean_accuracy"] - metrics["accuracy"], "consistency": metrics["consistency"]}


def compare_robustness(cells: list[RobustnessCell], arms: list[tuple[str, str]]) -> list[RobustnessComparison]:
    """Each (shown arm, recorded arm label, control label) against its control, paired over seeds."""
    index = {(c.config, c.task, c.kind): c for c in cells}
    out = []
    for shown, arm, control in arms:
        for (config, task, kind), a in sorted(index.items()):
            if config != arm or (control, task, kind) not in index:
                continue
            c = index[(control, task, kind)]
            seeds = sorted(set(a.by_seed) & set(c.by_seed))
            diff = lambda name: Stat.of([a.by_seed[s][name] - c.by_seed[s][name] for s in seeds]) if seeds else None  # noqa: E731
            out.append(RobustnessComparison(shown, task, kind, diff("perturbed"), diff("consistency")))
    return out


def study_lines(report: Report) -> list[str]:
    """The study's answer on perturbed data: each arm minus the control (Markdown)."""
    if not report.robustness_comparisons:
        return []
    out = ["### Robustness: each arm minus the control on perturbed test data", "",
           "Zero-shot languages, the changed examples only; points, paired over seeds (95% CI). Higher is more "
           "robust: accuracy on the perturbed examples, and consistency with the unperturbed predictions.", "",
           "| arm | target | perturbation | Δ perturbed accuracy | Δ consistency |", "|---|---|---|---|---|"]
    out += [f"| {cell(c.arm)} | {c.task} | {c.kind} | {diff(c.perturbed)} | {diff(c.consistency)} |"
            for c in report.robustness_comparisons]
    return out + [""]


def markdown_lines(report: Report) -> list[str]:
    """The section on perturbed test data (Markdown); a note where the sweep asked for it and no
    row has it (the surrogate backend does not model perturbations)."""
    declared = report.robustness_declared
    if not report.robustness:
        if declared is None:
            return []
        why = (" The surrogate backend does not model perturbations: run the sweep on ray-train for them."
               if report.surrogate else " No trial has finished a target it names yet.")
        return ["## Robustness under perturbations", "",
                f"The sweep asked for {', '.join(declared['tasks'])} under perturbations; no result row has them.{why}", ""]
    out = ["## Robustness under perturbations", "",
           "Each target's test sets perturbed one way at a time (xlt.perturb, docs/robustness.md; seeded, the same "
           "for every trial), scored on the examples the perturbation changed: accuracy on them as they were "
           "(clean) and perturbed, the drop between the two (points), and consistency (the share whose prediction "
           "stayed the same). Zero-shot languages (English excluded), percent, mean ± 95% CI over seeds, for the "
           "hyper-parameters the dev score chose; `changed`: the share of test examples the perturbation changed.", "",
           "| intermediate | target | perturbation | changed | clean | perturbed | drop | consistency |",
           "|---|---|---|---|---|---|---|---|"]
    for c in _in_report_order(report):
        out.append(f"| {cell(c.config)} | {c.task} | {c.kind} | {number(c.changed)} | " +
                   " | ".join(stat(c.stats[name]) for name in FIGURES) + " |")
    return out + [""]


def _in_report_order(report: Report) -> list[RobustnessCell]:
    """The cells by target and kind, configurations in the report's ranking order."""
    order = {c: i for i, c in enumerate(report.configs)}
    return sorted(report.robustness, key=lambda c: (c.task, c.kind, order.get(c.config, len(order))))


def as_json(report: Report) -> dict:
    as_stat = lambda s: None if s is None else {"mean": s.mean, "std": s.std, "ci95": s.ci95, "n": s.n}  # noqa: E731
    return {"declared": report.robustness_declared,
            "cells": [{"intermediate": c.config, "target": c.task, "perturbation": c.kind, "changed": c.changed,
                       **{name: as_stat(c.stats[name]) for name in FIGURES}, "languages": c.languages}
                      for c in report.robustness],
            "comparisons": [{"arm": c.arm, "target": c.task, "perturbation": c.kind, "perturbed": as_stat(c.perturbed),
                             "consistency": as_stat(c.consistency)} for c in report.robustness_comparisons]}


def terminal_tables(report: Report) -> list:
    """The robustness figures as rich Tables: a study's arms against its control, then every cell."""
    from rich.table import Table

    tables = []
    if report.robustness_comparisons:
        table = Table(title="robustness: arm minus control on perturbed test data (points, paired over seeds, 95% CI)")
        for col in ("arm", "target", "perturbation", "Δ perturbed accuracy", "Δ consistency"):
            table.add_column(col)
        for c in report.robustness_comparisons:
            table.add_row(c.arm, c.task, c.kind, diff(c.perturbed), diff(c.consistency))
        tables.append(table)
    if report.robustness:
        table = Table(title="robustness: zero-shot test accuracy on perturbed examples (percent; drop in points)")
        for col in ("intermediate", "target", "perturbation", "changed", *FIGURES):
            table.add_column(col, justify="left" if col in ("intermediate", "target", "perturbation") else "right")
        for c in _in_report_order(report):
            table.add_row(c.config, c.task, c.kind, number(c.changed), *(stat(c.stats[name]) for name in FIGURES))
        tables.append(table)
    return tables
