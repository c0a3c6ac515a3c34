"""The Pareto front of a multi-objective sweep (e.g. mean and worst language), from Parquet."""

from collections import defaultdict
from dataclasses import dataclass

from xlt.objective import Objective, scores_from_rows


@dataclass(frozen=True)
class ParetoPoint:
    trial_id: str
    intermediate: str
    values: tuple[float, ...]
    on_front: bool


def dominates(a: tuple[float, ...], b: tuple[float, ...], modes: tuple[str, ...]) -> bool:
    """`a` is at least as good as `b` on every objective and better on one."""
    better = [x > y if m == "max" else x < y for x, y, m in zip(a, b, modes)]
    as_good = [x >= y if m == "max" else x <= y for x, y, m in zip(a, b, modes)]
    return all(as_good) and any(better)


def pareto_points(rows: list[dict], objectives: tuple[Objective, ...]) -> list[ParetoPoint]:
    """Every complete trial with its objective values (as the search saw them: dev unless an
    objective asks for test), marked when no other trial dominates it; the front first."""
    by_trial: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["phase"] != "failed":
            by_trial[r["trial_id"]].append(r)
    scores = {t: scores_from_rows(rs) for t, rs in by_trial.items()}
    # a trial whose targets are a strict subset of another's (stopped early) is not comparable
    complete = {t: s for t, s in scores.items() if s and not any(set(s) < set(o) for o in scores.values())}
    modes = tuple(o.mode for o in objectives)
    inter = {t: by_trial[t][0]["intermediate"] for t in complete}
    trials = []
    for t, s in sorted(complete.items()):
        try:
            trials.append((t, inter[t], tuple(o(s) for o in objectives)))
        except ValueError:  # an objective with nothing to average in this trial
            continue
    points = [ParetoPoint(t, i, v, not any(dominates(w, v, modes) for _, _, w in trials)) for t, i, v in trials]
    sign = 1 if modes[0] == "max" else -1
    return sorted(points, key=lambda p: (not p.on_front, -sign * p.values[0], p.trial_id))
