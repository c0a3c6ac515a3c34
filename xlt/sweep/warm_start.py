"""Warm starts (`search.warm_start`): the finished trials of earlier sweeps on the same storage,
told to this sweep's Optuna study before it proposes anything.

An earlier trial counts when it is a point of this sweep's space: its parameters (Tune's
`params.json` in the sweep's `tune/` folder, its id from the `result.json` beside it) are drawn
again through this sweep's define-by-run space with every value fixed, every value this sweep
fixes (not searched) must be the one the trial ran with, and every searched value must lie in this
sweep's range (an earlier sweep may have searched a wider one). A trial of one intermediate task is, to a
sweep that searches a mixture of tasks including it, the mixture of that task alone (its weight 1,
every other 0: a vertex of the simplex), so single-task sweeps, which a STILTs study runs first,
warm-start a mixture search. The settings neither sweep searches must agree too: the trial's plan under the
earlier sweep's config (its `sweep.json`) and under this one must train and measure the same thing
(model, phases and their settings, data caps, heads, backend...), or the trial is not told and the
line printed names what differed. Its objective is recomputed from its result rows with *this*
sweep's objectives (the searcher's view: dev scores unless the objective says test), so a related
sweep with another objective learns from what the earlier one measured: what it may differ in is
the objective, where results go and what runs them (workers' CPUs, GPU kind, library versions,
revisions), the evaluated languages and robustness scores, and targets the earlier trial trained
beside this sweep's. The objective reads only this sweep's targets and target languages, as its
own trials would be scored, and a run that lacks a score it reads there (a trial stopped by a
scheduler or failed before its last target, one evaluated on fewer languages) leaves the trial
unscored, not told. Replicates (`<trial>-s<seed>`) count once, at the mean of their objectives.
"""

import json
import warnings
from dataclasses import dataclass, fields
from statistics import fmean

import optuna
import pyarrow.fs as pafs

from xlt.config import SweepConfig, is_domain
from xlt.mixtures import Mixture
from xlt.objective import TargetScores, scores_from_rows
from xlt.results.rows import read_results
from xlt.results.storage import filesystem
from xlt.sweep.space import define_by_run
from xlt.tasks import get_task
from xlt.trial.expand import MIXTURE_SEARCH, expand
from xlt.trial.plan import TrialPlan

_TRIAL_DIR = "_trial_driver_"  # Tune's folder of one trial of xlt's trainable


@dataclass(frozen=True)
class Told:
    sweeps: tuple[str, ...]
    told: int          # trials the study was told
    outside: int       # finished trials that are not points of this sweep's space
    unscored: int      # trials without rows this sweep's objective can read
    other_settings: int = 0  # points of this space whose trial ran with other settings
    differed: tuple[str, ...] = ()  # the plan fields in which they differed

    def line(self) -> str:
        return (f"warm start: told the searcher {self.told} finished trial(s) of {', '.join(self.sweeps) or 'no sweep'}"
                + (f"; {self.outside} outside this sweep's space" if self.outside else "")
                + (f"; {self.other_settings} ran with other settings ({', '.join(self.differed)}), not told"
                   if self.other_settings else "")
                + (f"; {self.unscored} without scores its objective reads" if self.unscored else ""))


# What may differ between an earlier trial and this sweep's trial at the same point (module docstring)
_NOT_COMPARED = frozenset({"sweep", "trial_id", "results_dir", "config_hash", "objective", "cache_dir",
                           "predictions_dir", "labels_dir", "cpus_per_worker", "gpus", "compile", "model_revision",
                           "data_revisions", "libraries", "target_languages", "robustness_tasks", "perturbations",
                           "perturbation_seed", "targets"})


def differences(cfg: SweepConfig, params: dict, earlier_cfg: SweepConfig, earlier_params: dict) -> tuple[str, ...]:
    """The plan fields in which the trial `earlier_params` of `earlier_cfg` ran other than this
    sweep's trial at `params` would ("targets": a target of this sweep it did not train, or trained
    with other settings); empty when the two train and measure the same thing."""
    mine, theirs = (expand(c, p, "warm-start", "-") for c, p in ((cfg, params), (earlier_cfg, earlier_params)))
    differ = [f.name for f in fields(TrialPlan)
              if f.name not in _NOT_COMPARED and _measured(getattr(mine, f.name)) != _measured(getattr(theirs, f.name))]
    if not set(mine.targets) <= set(theirs.targets):
        differ.append("targets")
    return tuple(differ)


def earlier_sweeps(cfg: SweepConfig) -> list[str]:
    """The sweeps `search.warm_start` names (`all`: every sweep on the storage but this one that
    has run trials; one started without any yet has nothing to tell)."""
    wanted = cfg.search.warm_start
    if wanted is None:
        return []
    fs, base = filesystem(cfg.storage)
    if wanted != "all":
        return [name for name in wanted if name != cfg.name]
    found = fs.get_file_info(pafs.FileSelector(base, allow_not_found=True))
    return sorted(info.base_name for info in found if info.type == pafs.FileType.Directory
                  and info.base_name != cfg.name
                  and fs.get_file_info(f"{info.path}/sweep.json").type == pafs.FileType.File
                  and fs.get_file_info(f"{info.path}/tune").type == pafs.FileType.Directory)


Runs = list[dict[str, TargetScores]]
"""A trial's runs (one per replicate), each its target tasks' scores (xlt.objective.scores_from_rows)."""


def finished_points(cfg: SweepConfig, sweep: str) -> tuple[list[tuple[dict, Runs]], int]:
    """(params, runs' scores) of every trial of `sweep` that reported, and how many have no result
    rows. FileNotFoundError when `sweep` has no saved trials on this storage."""
    fs, base = filesystem(cfg.storage)
    root = f"{base.rstrip('/')}/{sweep}"
    if fs.get_file_info(f"{root}/tune").type != pafs.FileType.Directory:
        raise FileNotFoundError(f"search.warm_start: no sweep {sweep!r} with trials under {cfg.storage} "
                                f"(expected {root}/tune)")
    params = {}
    for info in fs.get_file_info(pafs.FileSelector(f"{root}/tune")):
        if info.type != pafs.FileType.Directory or not info.base_name.startswith(_TRIAL_DIR):
            continue
        try:  # the trial's id: in every result it reported (its folder name varies with the searcher)
            with fs.open_input_stream(f"{info.path}/result.json") as f:
                first = f.read().split(b"\n", 1)[0]
            with fs.open_input_stream(f"{info.path}/params.json") as f:
                params[json.loads(first)["trial_id"]] = json.loads(f.read())
        except (FileNotFoundError, ValueError, KeyError):  # a trial that never reported: not finished
            continue
    rows_by_trial: dict[str, list[dict]] = {}
    for row in read_results(f"{root}/results", skip_bad=True).to_pylist():
        rows_by_trial.setdefault(row["trial_id"].split("-s")[0], []).append(row)
    points, unscored = [], 0
    for trial, p in sorted(params.items()):
        by_run: dict[str, list[dict]] = {}
        for r in rows_by_trial.get(trial, []):
            if r["phase"] != "failed":
                by_run.setdefault(r["trial_id"], []).append(r)
        if by_run:
            points.append((p, [scores_from_rows(run_rows) for run_rows in by_run.values()]))
        else:
            unscored += 1
    return points, unscored


def objective_values(cfg: SweepConfig, plan: TrialPlan, runs: Runs) -> list[float] | None:
    """This sweep's objectives of an earlier trial, as this sweep's trial at the same point (`plan`)
    would score: over this sweep's targets and target languages only, each averaged over the runs
    that hold every score the objective reads there; None when no run does (a trial stopped or
    failed before its last target, or one evaluated on fewer languages)."""
    specs = [get_task(t.task) for t in plan.targets]
    languages = plan.target_languages
    values = []
    for objective in cfg.objectives():
        reads = objective.coverage(specs, languages)
        per_run = []
        for scores in runs:
            if any(langs and not set(langs) <= set(scores[t].test if t in scores else ()) for t, langs in reads.items()):
                continue
            mine = {t: _within(scores[t], languages) for t in reads if t in scores}
            try:
                per_run.append(objective(mine))
            except (ValueError, KeyError):
                continue
        if not per_run:
            return None
        values.append(fmean(per_run))
    return values


def _within(scores: TargetScores, languages: tuple[str, ...] | None) -> TargetScores:
    """A target's scores on `languages` only (None: all of them); the English dev score kept."""
    if languages is None:
        return scores
    return TargetScores({l: v for l, v in scores.test.items() if l in languages},
                        {l: v for l, v in scores.dev.items() if l in languages}, scores.english_dev)


def _measured(value):
    """A plan field as far as it decides what trains: one task's mixture trains on that task alone,
    whatever its sampling, weights or temperature (its examples cap still counts its epochs)."""
    if isinstance(value, Mixture) and len(value.tasks) == 1:
        return value.tasks, value.examples_cap
    return value


def read_earlier(cfg: SweepConfig) -> list[tuple[str, SweepConfig, list[tuple[dict, list[float]]], int]]:
    """(sweep, its config, its finished points, its unscored count) for each sweep
    `search.warm_start` names, read before Ray starts: a name without trials raises
    FileNotFoundError naming it; a damaged sweep.json, SweepError naming the file."""
    from xlt.results.sweep_dir import load_saved_sweep

    out = []
    for sweep in earlier_sweeps(cfg):
        points, unscored = finished_points(cfg, sweep)
        out.append((sweep, load_saved_sweep(f"{cfg.storage.rstrip('/')}/{sweep}")[0], points, unscored))
    return out


def tell(study: optuna.Study, cfg: SweepConfig, earlier) -> Told:
    """Tell `study` the points of `earlier` (read_earlier) that lie in this sweep's space and ran
    with this sweep's settings."""
    space, n_objectives = define_by_run(cfg), len(cfg.objectives())
    told = outside = unscored = other = 0
    differed: list[str] = []
    for _, earlier_cfg, points, missing in earlier:
        unscored += missing
        for params, runs in points:
            point = _as_point(space, params, n_objectives)
            if point is None and (alone := _task_alone(cfg, params)) is not None:
                point = _as_point(space, alone, n_objectives)
            if point is None:
                outside += 1
                continue
            trial, config = point
            if diff := differences(cfg, config, earlier_cfg, params):
                other += 1
                differed += [d for d in diff if d not in differed]
                continue
            values = objective_values(cfg, expand(cfg, config, "warm-start", "-"), runs)
            if values is None:
                unscored += 1
                continue
            try:
                frozen = optuna.trial.create_trial(params=trial.params, distributions=trial.distributions, values=values)
            except ValueError:  # a value outside this sweep's range (an earlier sweep searched a wider one)
                outside += 1
                continue
            study.add_trial(frozen)
            told += 1
    return Told(tuple(sweep for sweep, *_ in earlier), told, outside, unscored, other, tuple(differed))


def _task_alone(cfg: SweepConfig, params: dict) -> dict | None:
    """A single-task trial's parameters as the mixture of that task alone in this sweep's searched
    mixture (at the top of a searched temperature's range: one task's proportion is 1 at any), or
    None when this sweep searches no mixture weights or the task is not one of its tasks."""
    search, task = cfg.intermediate.mixture, params.get("intermediate_task")
    if search is None or search.weights is None or task not in search.tasks:
        return None
    alone = {**params, "intermediate_task": MIXTURE_SEARCH, **{f"mixture_weight_{t}": float(t == task) for t in search.tasks}}
    t = search.temperature
    if t is not None:  # a range's values() are its ends; a choice's, its values
        alone["mixture_temperature"] = max(t.values()) if is_domain(t) else t
    return alone


def _as_point(space, params: dict, n_objectives: int):
    """`params` drawn through this sweep's space with every value fixed: (the frozen trial, the
    config this sweep would give it), or None when a value is not one of the space's (another
    task, rate or fixed setting)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PartialFixedSampler is "experimental"; values outside: detected below
        scratch = optuna.create_study(directions=["maximize"] * n_objectives, sampler=optuna.samplers.PartialFixedSampler(
            params, optuna.samplers.RandomSampler(seed=0)))
        trial = scratch.ask()
        try:
            fixed = space(trial)
        except ValueError:
            return None
    drawn_ok = all(k in params and params[k] == v for k, v in trial.params.items())
    fixed_ok = all(params.get(k, v) == v for k, v in fixed.items())
    return (trial, {**trial.params, **fixed}) if drawn_ok and fixed_ok else None
