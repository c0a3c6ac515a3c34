"""The Pareto front of a multi-objective sweep (e.g. mean and worst language), from Parquet."""

from dataclasses import dataclass

import pyarrow as pa

from xlt.objective import Objective
from xlt.tables import trial_scores


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


def pareto_points(table: pa.Table, objectives: tuple[Objective, ...]) -> list[ParetoPoint]:
    """Every complete trial with its objective values, marked when no other trial dominates it;
    the front first, by the first objective."""
    modes = tuple(o.mode for o in objectives)
    trials = [(s.trial_id, s.intermediate, tuple(o(s.scores) for o in objectives)) for s in trial_scores(table)]
    points = [ParetoPoint(t, i, v, not any(dominates(w, v, modes) for _, _, w in trials)) for t, i, v in trials]
    sign = 1 if modes[0] == "max" else -1
    return sorted(points, key=lambda p: (not p.on_front, -sign * p.values[0], p.trial_id))
