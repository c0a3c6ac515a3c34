"""`search.scheduler: screen` as a Ray Tune scheduler: xlt.sweep.screening's Screen, fed the
trials' reports.

A report below full progress is a rung (the running objective over the targets done, at
`progress`); the last report of a trial that ran every target is its final objective. A stopped
trial's prediction stays in `screen.stopped`, where the searcher (xlt.sweep.searcher.DistinctTrials)
reads the value to tell the sampler and the progress lines read what to print.

Tune keeps no scheduler state across `xlt sweep resume`: a resumed sweep's screen starts empty and
stops nothing at a rung until `min_trials` trials finish again.
"""

from ray.tune.schedulers import FIFOScheduler, TrialScheduler

from xlt.sweep.screening import CONFIDENCE, MIN_TRIALS, Screen


class ScreenScheduler(FIFOScheduler):
    """Runs trials in order, as FIFO does, and stops those the screen says cannot win."""

    def __init__(self, metric: str = "objective", mode: str = "max", min_trials: int = MIN_TRIALS,
                 confidence: float = CONFIDENCE):
        super().__init__()
        self._metric = metric  # Tune's schedulers keep their metric here (the `metric` property reads it)
        self.screen = Screen(mode, min_trials, confidence)

    def on_trial_result(self, tune_controller, trial, result: dict) -> str:
        value, progress = result.get(self.metric), result.get("progress")
        if value is None or progress is None or progress >= 1.0:
            return TrialScheduler.CONTINUE
        stop = self.screen.report(trial.trial_id, progress, value) is not None
        return TrialScheduler.STOP if stop else TrialScheduler.CONTINUE

    def on_trial_complete(self, tune_controller, trial, result: dict | None) -> None:
        result = result or {}
        if result.get(self.metric) is not None and result.get("progress", 1.0) >= 1.0:  # it ran every target
            self.screen.finish(trial.trial_id, result[self.metric])

    def debug_string(self) -> str:
        return f"xlt screen: {len(self.screen.final)} trials finished, {len(self.screen.stopped)} stopped"
