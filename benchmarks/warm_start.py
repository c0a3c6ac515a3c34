"""Warm starts on the surrogate (`search.warm_start`): the trials a second, related sweep needs to
come within 0.5 points of its optimum, from scratch and told an earlier sweep's trials first.

  earlier sweep  sweeps/mixture-search.yaml over the 9 XTREME targets (9 mixture weights and a
                 temperature), objective: the zero-shot mean, `--budget` trials of the sampler;
  related sweep  the same space, another question: the mean over low-resource languages
                 (`{statistic: mean, languages: low, allow_partial: true}`);
  cold           the related sweep's sampler from scratch;
  warm           the same sampler, its study first told every earlier trial scored by the related
                 sweep's objective (what xlt.sweep.warm_start does from the earlier sweep's rows).

Only the related sweep's own trials are counted; a told trial can be its incumbent from the start
(its result exists: the earlier sweep paid for it). Regret is the true (noise-free) gap, in points
of the related objective, as in benchmarks/search_efficiency.py, whose evaluator this reuses.

  python -m benchmarks.warm_start --reps 10 --response shipped --response /tmp/resp/redrawn-1.yaml
  python -m benchmarks.warm_start --quick
"""

import argparse
import logging
import statistics
from pathlib import Path

from benchmarks.common import emit
from benchmarks.search_efficiency import (REPO, TARGETS, WITHIN, Evaluator, Problem, Run, best_true, medians_within,
                                          optimum_of, problems)

RELATED = "{statistic: mean, languages: low, allow_partial: true}"


def _related(mixture: Problem) -> Problem:
    from xlt.config import load_sweep

    cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml", [f"target.tasks={TARGETS}", f"search.objective={RELATED}"])
    return Problem("related", cfg, mixture.grid, mixture.distributions, mixture.constants, mixture.budget)


def _sampler(name: str, seed: int):
    import optuna

    return {"tpe": optuna.samplers.TPESampler, "gp": optuna.samplers.GPSampler}[name](seed=seed)


def _run(ev: Evaluator, problem: Problem, sampler: str, seed: int, told: list[dict] = ()) -> tuple[Run, list[dict]]:
    """`problem`'s search for its budget, its study first told `told` (params, scored here); the run and its params."""
    import optuna

    study = optuna.create_study(direction="maximize", sampler=_sampler(sampler, seed))
    incumbent = None  # (observed, true)
    for params in told:
        observed = ev.curve({**params, "seed": seed})[0][-1][0]
        study.add_trial(optuna.trial.create_trial(params=params, distributions=problem.distributions, value=observed))
        if incumbent is None or observed > incumbent[0]:
            incumbent = (observed, ev.true_value({**params, "seed": seed}))
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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--sampler", choices=["tpe", "gp"], default="tpe")
    parser.add_argument("--response", action="append", help="a response-model YAML ('shipped': xlt's own); repeatable")
    parser.add_argument("--quick", action="store_true", help="2 repetitions, small budgets (CI)")
    args = parser.parse_args(argv)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("xlt").setLevel(logging.WARNING)
    reps = 2 if args.quick else args.reps
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
