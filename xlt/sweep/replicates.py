"""What Tune sees of a trial that runs its configuration with several seeds (`search.replicates`).

The replicates run one after the other inside the trial. Each reports as a trial of its own would;
`ReplicateView` turns those reports into the trial's: `progress` over all replicates, and each
objective combined with the finished replicates' (the mean while running, so ASHA compares like
with like; the sweep's `replicate_statistic` at the trial's last report, which the searcher reads).
"""

from dataclasses import dataclass

from xlt.objective import combine_replicates


@dataclass(frozen=True)
class ReplicateView:
    index: int
    count: int
    seed: int
    previous: tuple[dict[str, float], ...]
    """The finished replicates' final objective metrics, in seed order."""
    statistic: str
    modes: tuple[tuple[str, str], ...]
    """(objective metric name, max|min) of every objective."""

    def __call__(self, metrics: dict) -> dict:
        out = dict(metrics)
        final = metrics.get("unit") == "done" and self.index == self.count - 1
        for name, mode in self.modes:
            if name in metrics:
                values = [p[name] for p in self.previous] + [metrics[name]]
                out[name] = combine_replicates(values, self.statistic if final else "mean", mode)
                out[f"{name}/seed"] = metrics[name]  # this replicate's own
        if "progress" in metrics:
            out["progress"] = (self.index + metrics["progress"]) / self.count
        unit = metrics.get("unit")
        if unit and not final:  # progress lines: "trial T: target-xnli (seed 1) done", "seed 1 done"
            out["unit"] = f"seed {self.seed}" if unit == "done" else f"{unit} (seed {self.seed})"
        out.update(replicate=self.index, seed=self.seed, replicates_done=len(self.previous) + (unit == "done"))
        return out

    def objectives(self, metrics: dict) -> dict[str, float]:
        """A replicate's own final objectives, from its last report."""
        return {name: metrics[name] for name, _ in self.modes if name in metrics}
