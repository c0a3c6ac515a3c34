"""Warm starts on the surrogate (`search.warm_start`): the trials a second, related sweep needs to
come within 0.5 points of its optimum, from scratch and told an earlier sweep's trials first.

  earlier sweep  sweeps/mixture-search.yaml over the 9 XTREME targets (9 mixture weights and a
                 temperature), objective: the zero-shot mean, `--budget` trials of the sampler;
  related sweep  the same space, another question: the mean over low-resource languages
                 (`{statistic: mean, languages: low, allow_partial: true}`);
  cold           the related sweep's sampler from scratch;
  warm           the same sampler, its study first told every earlier trial scored by the related
                 sweep's objective (what xlt.sweep.warm_start does from the earlier sweep's rows).

With `--earlier single-task`, the earlier sweep is the one a STILTs study runs first: each of the
mixture's 9 tasks alone as the intermediate task (a single-task sweep, evaluated through its own
config), and the related sweep is the mixture search itself (its objective, mixture-gp):
  cold           mixture-gp from scratch (its design: the centroid, then each task alone);
  warm           mixture-gp told the single-task trials, translated as xlt.sweep.warm_start does
                 (each the mixture of its task alone, checked to train the same thing);
  grid           the equal-weight subsets in a random order (the half-grid reference);
  grid, warm     the same, less the subsets of one task (already run), its incumbent the best of them.

Only the related sweep's own trials are counted; a told trial can be its incumbent from the start
(its result exists: the earlier sweep paid for it). Regret is the true (noise-free) gap, in points
of the related objective, as in benchmarks/search_efficiency.py, whose evaluator this reuses.

  python -m benchmarks.warm_start --reps 10 --response shipped --response /tmp/resp/redrawn-1.yaml
  python -m benchmarks.warm_start --earlier single-task --budget 40 --reps 10 --response shipped --response R ...
  python -m benchmarks.warm_start --quick
"""

import argparse
import dataclasses
import logging
import statistics
from pathlib import Path

from benchmarks.common import emit
from benchmarks.search_efficiency import (REPO, TARGETS, WITHIN, Evaluator, Problem, Run, _mixture_gp, best_true,
                                          medians_within, optimum_of, problems, search)

RELATED = "{statistic: mean, languages: low, allow_partial: true}"


def _related(mixture: Problem) -> Problem:
    from xlt.config import load_sweep

    cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml", [f"target.tasks={TARGETS}", f"search.objective={RELATED}"])
    return Problem("related", cfg, mixture.grid, mixture.distributions, mixture.constants, mixture.budget)


def _sampler(name: str, seed: int, problem: Problem):
    import optuna

    if name == "mixture-gp":
        return _mixture_gp(problem, seed)
    return {"tpe": optuna.samplers.TPESampler, "gp": optuna.samplers.GPSampler}[name](seed=seed)


def _run(ev: Evaluator, problem: Problem, sampler: str, seed: int, told: list = ()) -> tuple[Run, list[dict]]:
    """`problem`'s search for its budget, its study first told `told` (params, scored here; or
    (params, observed, true) as measured elsewhere); the run and its params."""
    import optuna

    study = optuna.create_study(direction="maximize", sampler=_sampler(sampler, seed, problem))
    incumbent = None  # (observed, true)
    for point in told:
        params, observed, true = point if isinstance(point, tuple) else (point, None, None)
        if observed is None:
            observed = ev.curve({**params, "seed": seed})[0][-1][0]
            true = ev.true_value({**params, "seed": seed})
        study.add_trial(optuna.trial.create_trial(params=params, distributions=problem.distributions, value=observed))
        if incumbent is None or observed > incumbent[0]:
            incumbent = (observed, true)
    run, asked, paid, hours = Run(), [], set(), 0.0
    for _ in range(problem.budget):
        trial = study.ask(problem.distributions)
        params = dict(trial.params)
        asked.append(params)
        points, key, inter_hours = ev.curve({**params, "seed": seed})
        if key not in paid:
            paid.add(key)
            hours += inter_hours
        hours += points[-1][1]
        observed = points[-1][0]
        study.tell(trial, observed)
        if incumbent is None or observed > incumbent[0]:
            incumbent = (observed, ev.true_value({**params, "seed": seed}))
        run.incumbent.append(incumbent[1])
        run.hours.append(hours)
    return run, asked


def single_task_trials(mixture: Problem, response: str | None, seed: int) -> list[tuple[dict, float, float]]:
    """The single-task sweep a STILTs study runs first (each of the mixture's tasks alone, its own
    config and evaluator), each trial told as xlt.sweep.warm_start tells it to the mixture search:
    (the mixture point of its task alone, observed, true value)."""
    from xlt.config import load_sweep
    from xlt.sweep.space import define_by_run
    from xlt.sweep.warm_start import _as_point, _task_alone, differences

    cfg = mixture.cfg
    tasks = cfg.intermediate.mixture.tasks
    single_cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml",
                            [f"target.tasks={TARGETS}", "name=single-task", "intermediate.mixture=null",
                             "search.algorithm=optuna-tpe", f"intermediate.tasks={{choice: [{', '.join(tasks)}]}}"])
    single = Problem("single-task", single_cfg, [], {}, {"intermediate_learning_rate": 1e-5, "target_learning_rate": 1e-5}, 0)
    ev = Evaluator(single, response)
    space, out = define_by_run(cfg), []
    for task in tasks:
        as_run = {**single.constants, "intermediate_task": task, "seed": cfg.search.seed}  # as a sweep would run it
        trial, config = _as_point(space, _task_alone(cfg, as_run), 1)
        assert differences(cfg, config, single_cfg, as_run) == (), f"{task}: the single-task trial trains another thing"
        ran = {**as_run, "seed": seed}  # each repetition its own training noise, as every search here
        out.append(({k: v for k, v in trial.params.items() if k in mixture.distributions},
                    ev.curve(ran)[0][-1][0], ev.true_value(ran)))
    return out


def _grid(ev: Evaluator, problem: Problem, seed: int, told: list = ()) -> Run:
    """The grid in a random order, less the points `told` holds, its incumbent starting at theirs."""
    skip = [p for p, _, _ in told]
    grid = [p for p in problem.grid if not any(all(abs(p[k] - q[k]) < 1e-9 for k in p if k.startswith("mixture_weight"))
                                               for q in skip)]
    incumbent = max(((o, t) for _, o, t in told), default=None)
    return search(ev, dataclasses.replace(problem, grid=grid), "grid", seed, incumbent)


def _single_task_rows(args, reps: int) -> list[dict]:
    rows = []
    for response in args.response or ["shipped"]:
        name = "shipped" if response == "shipped" else Path(response).stem
        path = None if response == "shipped" else response
        mixture = next(p for p in problems(args.quick) if p.name == "mixture")
        mixture.budget = 12 if args.quick else args.budget
        ev = Evaluator(mixture, path)
        estimate = best_true(ev, mixture, args.quick)
        runs = {"grid, random order": [], "grid, random order, told the single-task trials": [],
                "mixture-gp, cold": [], "mixture-gp, told the single-task trials": []}
        for seed in range(reps):
            told = single_task_trials(mixture, path, seed)
            runs["grid, random order"].append(_grid(ev, mixture, seed))
            runs["grid, random order, told the single-task trials"].append(_grid(ev, mixture, seed, told))
            runs["mixture-gp, cold"].append(_run(ev, mixture, "mixture-gp", seed)[0])
            runs["mixture-gp, told the single-task trials"].append(_run(ev, mixture, "mixture-gp", seed, told)[0])
        optimum = optimum_of(estimate, [r for rs in runs.values() for r in rs])
        medians = {label: medians_within(rs, optimum, reps) for label, rs in runs.items()}
        for label, rs in runs.items():
            med_t, med_h = medians[label]
            grid_t, grid_h = medians["grid, random order, told the single-task trials" if "told" in label
                                     else "grid, random order"]
            rows.append({"response": name, "earlier": "single-task sweep (9 trials)", "start": label,
                         "trials run": len(rs[0].incumbent),
                         f"reached {WITHIN} (of {reps})": sum(r.first_within(WITHIN, optimum)[0] is not None for r in rs),
                         "median trials": med_t, "median GPU-h": round(med_h, 1) if med_h is not None else None,
                         "trials / grid's": round(med_t / grid_t, 3) if med_t and grid_t else None,
                         "GPU-h / grid's": round(med_h / grid_h, 3) if med_h and grid_h else None,
                         "final regret": round(statistics.median(r.regret(optimum)[-1] for r in rs), 3)})
        print(f"{name}: mixture optimum {100 * optimum:.2f} points")
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--sampler", choices=["tpe", "gp"], default="tpe")
    parser.add_argument("--response", action="append", help="a response-model YAML ('shipped': xlt's own); repeatable")
    parser.add_argument("--earlier", choices=["mixture", "single-task"], default="mixture",
                        help="the earlier sweep: the mixture search (another objective), or the single-task sweep")
    parser.add_argument("--budget", type=int, default=40, help="--earlier single-task: mixture-gp's trials")
    parser.add_argument("--quick", action="store_true", help="2 repetitions, small budgets (CI)")
    args = parser.parse_args(argv)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("xlt").setLevel(logging.WARNING)
    reps = 2 if args.quick else args.reps
    if args.earlier == "single-task":
        return emit("warm_start", _single_task_rows(args, reps),
                    {"reps": reps, "within_points": WITHIN, "quick": args.quick, "earlier": "single-task",
                     "budget": args.budget})
    rows = []
    for response in args.response or ["shipped"]:
        name = "shipped" if response == "shipped" else Path(response).stem
        earlier = next(p for p in problems(args.quick) if p.name == "mixture")
        related = _related(earlier)
        path = None if response == "shipped" else response
        ev_earlier, ev_related = Evaluator(earlier, path), Evaluator(related, path)
        estimate = best_true(ev_related, related, args.quick)
        cold, warm = [], []
        for seed in range(reps):
            _, told = _run(ev_earlier, earlier, args.sampler, seed)  # only its trials are used
            cold.append(_run(ev_related, related, args.sampler, 1000 + seed)[0])
            warm.append(_run(ev_related, related, args.sampler, 1000 + seed, told)[0])
        optimum = optimum_of(estimate, cold + warm)
        for label, runs in (("cold", cold), ("warm (told the earlier sweep's trials)", warm)):
            med_t, med_h = medians_within(runs, optimum, reps)
            rows.append({"response": name, "sampler": args.sampler, "start": label, "trials run": earlier.budget,
                         f"reached {WITHIN} (of {reps})": sum(r.first_within(WITHIN, optimum)[0] is not None for r in runs),
                         "median trials": med_t,
                         "median GPU-h": round(med_h, 1) if med_h is not None else None,
                         "final regret": round(statistics.median(r.regret(optimum)[-1] for r in runs), 3)})
        print(f"{name}: related optimum {100 * optimum:.2f} points (mean over low-resource languages)")
    return emit("warm_start", rows, {"reps": reps, "within_points": WITHIN, "quick": args.quick,
                                     "earlier_objective": "zero_shot_mean", "related_objective": RELATED})


if __name__ == "__main__":
    main()
