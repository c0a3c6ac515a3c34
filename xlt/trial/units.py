"""A trial's units over a backend: phase 2 (intermediate training, or none), then for each target
task phase 3 (English fine-tuning from phase 2's weights) and zero-shot evaluation.

The unit runner holds what every backend shares: the phase cache (claim, reuse, store), the rows
each unit writes, the running objective the searcher and schedulers see, the reports, and the
checkpoint a restarted trial resumes from (the units done and where phase 2's weights come back
from). A `Backend` trains and evaluates: `xlt.trial.torch_backend` (the model, on a Runtime) and
`xlt.surrogate.backend` (the response model). A unit that the cache holds is never given to the
backend: its rows are reissued and its weights adopted.
"""

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

from xlt.cache.store import PhaseCache, unshared
from xlt.cache.claim import claim
from xlt.objective import TargetScores, objective_metrics, scores_from_rows
from xlt.results.rows import ResultRow, write_rows
from xlt.trial.runtime import Runtime
from xlt.trial.plan import PhasePlan, TrialPlan

Curve = Callable[[float, TargetScores, dict], None]
"""A point of a target unit's learning curve: (fraction of the unit done, its scores so far, extra
metrics such as simulated GPU-hours). The runner reports it with the running objective."""


@dataclass
class TrialState:
    """What survives a restart: units finished and the zero-shot scores they produced, and where
    the post-intermediate weights (every target's starting point) come back from."""

    completed: list[str] = field(default_factory=list)
    scores: dict[str, dict] = field(default_factory=dict)
    """Task -> its TargetScores as JSON."""
    step: int = 0
    """Optimizer steps of the trial so far (cached units included): every row is stamped with it."""
    notices: list[str] = field(default_factory=list)
    """Cache entries found damaged and rebuilt: reported to the sweep's own output."""
    encoder_source: str = "checkpoint"
    """Where a resumed trial gets the post-intermediate weights: `checkpoint` (its weights are in
    the checkpoint), `model` (no intermediate phase: the pretrained model, loaded as at the start)
    or `cache:<key>@<sha256 of its weights>` (the phase cache's intermediate entry). Only `checkpoint` writes weights: a
    checkpoint never copies what the cache or the model already hold (2.2 GB a unit for XLM-R large)."""

    def save(self, directory: Path, weights: dict | None) -> None:
        if self.encoder_source == "checkpoint" and weights is not None:
            from safetensors.torch import save_file

            save_file(unshared(weights), str(directory / "encoder.safetensors"))
        (directory / "state.json").write_text(json.dumps(self.__dict__))

    @classmethod
    def load(cls, directory: Path) -> tuple["TrialState", dict | None]:
        state = cls(**json.loads((directory / "state.json").read_text()))
        if state.encoder_source != "checkpoint":
            return state, None
        from safetensors.torch import load_file

        return state, load_file(str(directory / "encoder.safetensors"))


class Backend(Protocol):
    """What trains and evaluates a trial's units. Rows are stamped with `state.step`, which the
    backend advances by the optimizer steps it takes."""

    def intermediate(self) -> list[ResultRow]:
        """Phase 2 on the plan's mixture: train, then score each task's dev set."""

    def adopt_intermediate(self, weights: dict | None) -> None:
        """Continue from phase 2 as the cache holds it (its weights, where the backend has any)."""

    def weights(self) -> dict | None:
        """The post-intermediate weights (to cache and to checkpoint), or None."""

    def freeze_base(self) -> None:
        """Phase 2 is over: what the weights are now is every target's starting point."""

    def target(self, phase: PhasePlan, curve: Curve) -> list[ResultRow]:
        """Phase 3 of `phase.task` from the base weights, and its evaluation (English dev, then
        zero-shot dev and test on every target language)."""

    def unit_metrics(self) -> dict[str, float]:
        """What the report of the unit just finished carries besides its rows (training loss;
        simulated GPU-hours)."""

    def notices(self) -> list[str]:
        """Damaged cached files the backend rebuilt since the last call (taken, not copied)."""


def run_units(plan: TrialPlan, rt: Runtime, backend: Backend, state: TrialState) -> float:
    """Run (or resume, from `state`) every unit of the trial; returns the objective."""
    runner = _UnitRunner(plan, rt, backend, state)
    if plan.intermediate and "intermediate" not in state.completed:
        # a resumed trial whose intermediate entry was lost trains it again first: its rows are stamped
        # as the first time, and the steps of the targets done after it already count it
        later, state.step = state.step, 0
        runner.intermediate()
        state.step = max(state.step, later)
    backend.freeze_base()
    for target in plan.targets:
        if f"target-{target.task}" not in state.completed:
            runner.target(target)
    values = objective_metrics(plan.objectives, {t: TargetScores.from_json(s) for t, s in state.scores.items()})
    rt.report({**values, "progress": 1.0, "unit": "done", "step": state.step, **backend.unit_metrics(),
               **({"notices": "\n".join(state.notices)} if state.notices else {})})
    return values["objective"]


def encoder_source(plan: TrialPlan, cache: PhaseCache | None) -> str:
    """Where a resume finds the post-intermediate weights (TrialState.encoder_source): the cache
    entry named with its weights' digest, so a resume can tell an entry trained again since."""
    if plan.intermediate is None:
        return "model"
    if cache is not None and (digest := cache.weights_digest("intermediate", plan.intermediate_key)):
        return f"cache:{plan.intermediate_key}@{digest}"
    return "checkpoint"


class _UnitRunner:
    def __init__(self, plan: TrialPlan, rt: Runtime, backend: Backend, state: TrialState):
        self.plan, self.rt, self.backend, self.state = plan, rt, backend, state
        self.cache = PhaseCache(plan.cache_dir) if plan.cache_dir else None

    def intermediate(self) -> None:
        with claim(self.cache, "intermediate", self.plan.intermediate_key, self.rt, self.plan.trial_id) as slot:
            if slot.hit is None:
                step0 = self.state.step
                rows = self.backend.intermediate()
                slot.store(rows, self.state.step - step0, weights=self.backend.weights())
        if slot.hit is not None:
            meta, weights = slot.hit
            self.backend.adopt_intermediate(weights)
            self.state.step += meta["steps"]
            rows = self.plan.reissue(meta["rows"], self.state.step)
        self._finish("intermediate", rows)

    def target(self, phase: PhasePlan) -> None:
        key = self.plan.target_key(phase)
        with claim(self.cache, "target", key, self.rt, self.plan.trial_id) as slot:
            if slot.hit is None:
                step0 = self.state.step
                rows = [replace(r, target_key=key) for r in self.backend.target(phase, self._curve(phase))]
                self.state.scores[phase.task] = scores_from_rows([asdict(r) for r in rows])[phase.task].to_json()
                slot.store(rows, self.state.step - step0, scores=self.state.scores[phase.task])
        if slot.hit is not None:
            meta, _ = slot.hit
            self.state.step += meta["steps"]
            self.state.scores[phase.task] = meta["scores"]
            rows = self.plan.reissue(meta["rows"], self.state.step)
        self._finish(f"target-{phase.task}", rows, self._objective())

    def _objective(self, partial: tuple[str, TargetScores] | None = None) -> dict[str, float]:
        """The objective over the targets done so far (and a unit's partial scores): what the
        searcher and schedulers see."""
        scores = {t: TargetScores.from_json(s) for t, s in self.state.scores.items()}
        if partial is not None:
            scores[partial[0]] = partial[1]
        return objective_metrics(self.plan.objectives, scores, partial=True)

    def _targets_done(self) -> int:
        return sum(u.startswith("target-") for u in self.state.completed)

    def _curve(self, phase: PhasePlan) -> Curve:
        def point(fraction: float, scores: TargetScores, metrics: dict) -> None:
            self.rt.report({**self._objective((phase.task, scores)),
                            "progress": (self._targets_done() + fraction) / len(self.plan.targets),
                            "step": self.state.step, **metrics, **self._notices()})
        return point

    def _notices(self) -> dict[str, str]:
        """Every notice of the trial so far, new ones (cache entries found damaged) taken in."""
        if self.cache is not None:
            self.state.notices += self.cache.notices
            self.cache.notices.clear()
        self.state.notices += self.backend.notices()
        return {"notices": "\n".join(self.state.notices)} if self.state.notices else {}

    def _finish(self, unit: str, rows: list[ResultRow], running_objective: dict[str, float] | None = None) -> None:
        """Write the unit's rows (rank 0), mark it done, and report a checkpoint to resume from."""
        self.state.completed.append(unit)
        metrics = {"unit": unit, "step": self.state.step, **self.backend.unit_metrics(), **self._notices(),
                   **{f"{r.phase}/{r.target_task}/{r.language}/{r.metric}": r.value for r in rows}}
        if running_objective is not None:  # a target unit: what the searcher and schedulers see
            metrics.update(running_objective)
            metrics["progress"] = self._targets_done() / len(self.plan.targets)
        if self.rt.rank == 0:
            write_rows(self.plan.results_dir, self.plan.trial_id, unit, rows)
        if self.rt.rank != 0 or not self.rt.keeps_checkpoints:  # rank 0 reports the checkpoint
            self.rt.report(metrics)
            return
        self.state.encoder_source = encoder_source(self.plan, self.cache)
        with tempfile.TemporaryDirectory(prefix="xlt-ckpt-") as tmp:
            self.state.save(Path(tmp), self.backend.weights())
            self.rt.report(metrics, Path(tmp))
