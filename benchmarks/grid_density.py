"""How dense the mixture grid's good points are on a response model, and where mixture-gp's design
points stand: what bounds any search against the grid visited in a random order.

For each response model (`--response`, as in benchmarks.search_efficiency): the true optimum
(search_efficiency.best_true), the grid's points (every equal-weight subset of the 9 tasks) whose
true value is within 0.5 XTREME points of it, their share overall and by subset size, the trials
a random order of the grid needs to meet one, noise-free (the median, exact for drawing without
replacement), and half of that: what the search target asks of a sampler. Then the regret of
each point of mixture-gp's simplex design (the centroid, then each task alone,
xlt.sweep.mixture_gp), which is all a cold model-based search knows before its model has data.

No search runs here; every figure is a count over the response model's noise-free values.

  python -m benchmarks.grid_density --response shipped --response /tmp/resp/redrawn-1.yaml ...
"""

import argparse
import math
from pathlib import Path

from benchmarks.common import emit
from benchmarks.search_efficiency import WITHIN, Evaluator, _mixture_gp, best_true, problems


def median_first_hit(size: int, hits: int) -> int | None:
    """The median trial at which a random order of `size` points first meets one of `hits`: the
    least n with P(none of the first n) = C(size - hits, n) / C(size, n) <= 1/2."""
    if hits == 0:
        return None
    for n in range(1, size + 1):  # in integers: a product of fractions lands just above 1/2 where it is 1/2
        if 2 * math.comb(size - hits, n) <= math.comb(size, n):
            return n
    return size


def density(response: str, quick: bool) -> dict:
    problem = next(p for p in problems(quick) if p.name == "mixture")
    ev = Evaluator(problem, None if response == "shipped" else response)
    optimum = best_true(ev, problem, quick)
    tasks = problem.cfg.intermediate.mixture.tasks
    regret = [100 * (optimum - ev.true_value(p)) for p in problem.grid]
    within = [r <= WITHIN for r in regret]
    by_size: dict[int, list[bool]] = {}
    for point, good in zip(problem.grid, within):
        by_size.setdefault(sum(point[f"mixture_weight_{t}"] > 0 for t in tasks), []).append(good)
    design = _mixture_gp(problem, seed=0).design()
    design_regret = [100 * (optimum - ev.true_value(p)) for p in design]
    # the vertices, in a seeded order: each is its task at weight 1, every other at 0
    alone = {max(tasks, key=lambda t: p[f"mixture_weight_{t}"]): r for p, r in zip(design[1:], design_regret[1:])}
    median = median_first_hit(len(within), sum(within))
    return {"response": Path(response).stem, "grid": len(within), "within": sum(within),
            "share": round(sum(within) / len(within), 4),
            "share by tasks in the subset": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_size.items())},
            "grid median trials (noise-free)": median, "half of it": median / 2 if median else None,
            "design: centroid's regret": round(design_regret[0], 2),
            "design: each task alone, regret": {t: round(alone[t], 2) for t in tasks},
            "design points within": sum(r <= WITHIN for r in design_regret),
            "mean regret of the grid": round(math.fsum(regret) / len(regret), 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--response", action="append",
                        help="a response-model YAML ('shipped': xlt's own); repeat for several (default: shipped)")
    parser.add_argument("--quick", action="store_true", help="the first 60 grid points, a short optimum search (CI)")
    args = parser.parse_args(argv)
    rows = [density(r, args.quick) for r in args.response or ["shipped"]]
    return emit("grid_density", rows, {"within_points": WITHIN, "quick": args.quick})


if __name__ == "__main__":
    main()
