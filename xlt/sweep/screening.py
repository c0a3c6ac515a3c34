"""Screening: stop a trial when what its first targets say cannot lead to a better sweep.

A mixture trial's objective is the mean over its targets, and each target is a unit of its own, so
the first targets are a cheap signal of the rest. ASHA reads that signal as if it were the
objective: it keeps the top third at each rung, and when the first targets do not rank trials as
the whole set does (XNLI and PAWS-X do not predict what the retrieval targets add), it stops the
trials that would win (BENCHMARKS.md, "Search efficiency on the surrogate").

A screen learns what the signal is worth instead. At a rung (the fraction of a trial's targets
done), it regresses the final objective of every finished trial on that trial's objective at the
rung (ordinary least squares), and stops a running trial only when the upper end of the one-sided
prediction interval for its final objective (Student's t at `confidence`) is below the best final
objective so far. When the rung predicts the end well, trials that cannot win stop early; when it
does not, the interval is wide and nothing stops. Until `min_trials` trials have finished and
reported at a rung, nothing stops there.

A stopped trial is told to the searcher at its predicted final objective (xlt.sweep.searcher).
The screen is only as cheap as the targets before its rungs: list the cheap targets first (the
retrieval targets, which train nothing, then the small fine-tuning sets).

Measured on the surrogate (BENCHMARKS.md, "Screening on the first targets"): 40 screened mixture-gp
trials cost 0.60-0.73 of the GPU-hours of 40 unscreened ones, on six response models. It is not free:
at 97.5% and at 99.5% alike, some repetitions never came within 0.5 points of the optimum, and the
final regret rose on three of the six models. The default is the more cautious 99.5%.

Pure bookkeeping and arithmetic, no Ray: `xlt.sweep.run` wraps it as a Tune scheduler, and
benchmarks.search_efficiency runs it in process.
"""

import math
from dataclasses import dataclass, field

MIN_TRIALS = 5
CONFIDENCE = 0.995


def rung(progress: float) -> float:
    """A report's rung: its progress, rounded so that equal fractions of targets compare equal."""
    return round(float(progress), 6)


@dataclass(frozen=True)
class Prediction:
    mean: float
    """The final objective the regression predicts."""
    bound: float
    """The end of its one-sided prediction interval towards the better objective."""
    trials: int
    """Finished trials the regression was fitted on."""


@dataclass
class Screen:
    mode: str = "max"
    min_trials: int = MIN_TRIALS
    confidence: float = CONFIDENCE
    partial: dict[str, dict[float, float]] = field(default_factory=dict)
    """Trial -> rung -> its objective there."""
    final: dict[str, float] = field(default_factory=dict)
    """Trial -> its final objective (finished trials only)."""
    stopped: dict[str, Prediction] = field(default_factory=dict)
    """Trials the screen stopped, and what it predicted for them."""

    def __post_init__(self):
        if self.mode not in ("max", "min"):
            raise ValueError(f"mode: expected max or min, got {self.mode!r}")
        if self.min_trials < 3:
            raise ValueError(f"min_trials: a regression with an interval needs at least 3 trials, got {self.min_trials}")
        if not 0.5 < self.confidence < 1:
            raise ValueError(f"confidence: expected a probability in (0.5, 1), got {self.confidence}")

    def report(self, trial: str, progress: float, value: float) -> Prediction | None:
        """A running trial's objective at `progress` (< 1): its prediction if the screen stops it
        (recorded in `stopped`), else None."""
        if not math.isfinite(value):  # an objective over no finished target yet
            return None
        at = rung(progress)
        self.partial.setdefault(trial, {})[at] = float(value)
        prediction = self.predict(at, float(value))
        if prediction is None or not self.final:
            return None
        best = max(self.final.values()) if self.mode == "max" else min(self.final.values())
        if (prediction.bound < best) if self.mode == "max" else (prediction.bound > best):
            self.stopped[trial] = prediction
            return prediction
        return None

    def finish(self, trial: str, value: float) -> None:
        """A trial that ran every target, with its final objective."""
        if math.isfinite(value):
            self.final[trial] = float(value)

    def predict(self, at: float, value: float) -> Prediction | None:
        """The final objective of a trial that had `value` at rung `at`, from the finished trials
        that reported there (None until `min_trials` have)."""
        pairs = [(p[at], self.final[t]) for t, p in self.partial.items() if t in self.final and at in p]
        n = len(pairs)
        if n < self.min_trials:
            return None
        xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
        x_mean, y_mean = sum(xs) / n, sum(ys) / n
        sxx = sum((x - x_mean) ** 2 for x in xs)
        slope = sum((x - x_mean) * (y - y_mean) for x, y in pairs) / sxx if sxx > 0 else 0.0
        mean = y_mean + slope * (value - x_mean)
        residual = sum((y - y_mean - slope * (x - x_mean)) ** 2 for x, y in pairs)
        s = math.sqrt(residual / (n - 2))
        leverage = 1 + 1 / n + ((value - x_mean) ** 2 / sxx if sxx > 0 else 0.0)
        from scipy.stats import t

        half = t.ppf(self.confidence, n - 2) * s * math.sqrt(leverage)
        return Prediction(mean, mean + half if self.mode == "max" else mean - half, n)
