"""Progress a person can follow: trials started and finished, the current best."""

import math
import time

from ray import tune


def describe(config: dict) -> str:
    """A trial's parameters in a line: intermediate, its rate, target, target rate, seed."""
    if "intermediate_task" not in config:
        return " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in config.items())
    inter = config["intermediate_task"]
    lr = config.get("intermediate_learning_rate")
    parts = [f"intermediate={inter}" + (f" (lr {lr:.2g})" if lr is not None and inter != "none" else "")]
    if "target_task" in config:
        parts.append(f"target={config['target_task']}")
    if "target_learning_rate" in config:
        parts.append(f"target lr={config['target_learning_rate']:.2g}")
    parts.append(f"seed={config['seed']}")
    if "model" in config:
        parts.insert(0, f"model={config['model']}")
    return " ".join(parts)


class SweepProgress(tune.Callback):
    def __init__(self, num_trials: int, mode: str, echo=print, screen=None):
        """`screen`: the scheduler's xlt.sweep.screening.Screen, whose stops are explained."""
        self.num_trials, self.mode, self.echo, self.screen = num_trials, mode, echo, screen
        self.started = self.finished = self.failed = 0
        self.best: tuple[float, str] | None = None
        self.t0 = time.monotonic()
        self.told: dict[str, int] = {}  # trial -> notices already echoed

    def _stamp(self) -> str:
        return f"[{time.monotonic() - self.t0:6.0f}s]"

    def on_trial_start(self, iteration, trials, trial, **info):
        self.started += 1
        self.echo(f"{self._stamp()} trial {trial.trial_id} started ({self.started}/{self.num_trials}): "
                  f"{describe(trial.config)}")

    def on_trial_result(self, iteration, trials, trial, result, **info):
        notices = [n for n in str(result.get("notices") or "").split("\n") if n]
        for notice in notices[self.told.get(trial.trial_id, 0):]:  # e.g. a damaged cache entry retrained
            self.echo(f"{self._stamp()} trial {trial.trial_id}: NOTE {notice}")
        self.told[trial.trial_id] = len(notices)
        unit = result.get("unit")
        if unit and unit != "done":
            self.echo(f"{self._stamp()} trial {trial.trial_id}: {unit} done (step {result.get('step')})")

    def on_trial_complete(self, iteration, trials, trial, **info):
        last = trial.last_result or {}
        value = last.get("objective")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        self.finished += 1
        screened = self.screen.stopped.get(trial.trial_id) if self.screen is not None else None
        if screened is not None and self.best is not None:
            self.echo(f"{self._stamp()} trial {trial.trial_id} screened out ({self.finished}/{self.num_trials}) at "
                      f"{last['progress']:.0%} of its targets: objective so far {value:.4f}; final predicted "
                      f"{screened.mean:.4f}, at {'most' if self.mode == 'max' else 'least'} {screened.bound:.4f} "
                      f"({100 * self.screen.confidence:g}%, from {screened.trials} finished trials), "
                      f"{'below' if self.mode == 'max' else 'above'} the best {self.best[0]:.4f}")
            return
        if last.get("progress", 1.0) < 1.0:  # stopped by the scheduler: a partial objective, not comparable
            self.echo(f"{self._stamp()} trial {trial.trial_id} stopped by the scheduler ({self.finished}/"
                      f"{self.num_trials}) at {last['progress']:.0%} of its targets: objective so far {value:.4f}")
            return
        better = self.best is None or (value > self.best[0] if self.mode == "max" else value < self.best[0])
        if better:
            self.best = (value, trial.trial_id)
        others = "".join(f", {k} {v:.4f}" for k, v in sorted(last.items()) if k.startswith("objective_"))
        self.echo(f"{self._stamp()} trial {trial.trial_id} finished ({self.finished}/{self.num_trials}): "
                  f"objective {value:.4f}{others}; best {self.best[0]:.4f} ({self.best[1]})")

    def on_trial_error(self, iteration, trials, trial, **info):
        self.failed += 1
        self.echo(f"{self._stamp()} trial {trial.trial_id} FAILED: see {trial.path}/error.txt")
