"""The surrogate backend of a trial's units (xlt.trial.units): the same units, rows, phase cache
and reports as a real trial, with each phase's training and evaluation answered by the response
model.

It runs in the Tune trial driver itself (no Ray Train worker group: nothing to train). Each
target unit reports `curve_points` points of its learning curve, with `progress` (the fraction of
the trial's target fine-tuning done), so ASHA can stop a trial inside a unit. The simulated
GPU-hours follow `xlt sweep plan`'s cost model (a cache hit costs none) and are reported as
`gpu_hours`.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from xlt.config import SweepConfig
from xlt.cost_estimate import eval_hours, load_cost_model, phase_length, target_training, train_hours, with_model
from xlt.cost_model import hub_test_examples
from xlt.objective import TargetScores
from xlt.results.rows import ResultRow
from xlt.trial.runtime import DriverRuntime
from xlt.surrogate.model import Intermediate, ResponseModel
from xlt.tasks import get_task
from xlt.trial.units import Curve, TrialState, run_units
from xlt.trial.plan import PhasePlan, TrialPlan


def run_surrogate_trial(plan: TrialPlan, cfg: SweepConfig, report: Callable[[dict], None]) -> float:
    """Run every unit of `plan` on the response model (rows written, phase cache used, learning
    curve reported through `report`); returns the objective."""
    state = TrialState()
    return run_units(plan, DriverRuntime(report), SurrogateBackend(plan, cfg, state), state)


@dataclass(frozen=True)
class TargetOutcome:
    scores: dict[str, float]
    """Language -> primary metric (zero-shot test)."""
    english_dev: float | None
    """The English dev score (fine-tuned targets)."""
    dev: dict[str, float]
    """Language -> primary metric on the target languages' dev sets."""
    steps: int
    gpu_hours: float
    """Of the whole phase (fine-tuning and zero-shot evaluation)."""


class SurrogatePhases:
    """What each phase of one trial would give, from the response model and the cost model: pure
    (no I/O), shared by the surrogate trials and benchmarks/search_efficiency.py."""

    def __init__(self, plan: TrialPlan, cfg: SweepConfig, response: ResponseModel | None = None,
                 cost: dict | None = None):
        self.plan = plan
        self.response = response or ResponseModel.load(plan.surrogate_response)
        self.cost = cost or load_cost_model()
        # the surrogate models the sweep on its real data: sizes and costs from the hub figures
        self.hub = with_model(cfg, plan.model).model_copy(update={"data": cfg.data.model_copy(update={"source": "hub"})})

    def _identity(self, *parts) -> str:
        p = self.plan
        inter = p.intermediate
        return "|".join(map(str, (p.model, p.intermediate_name, inter and inter.learning_rate, p.intermediate_steps,
                                  inter and inter.epochs, p.max_train_examples, *parts)))

    def intermediate(self) -> tuple[Intermediate, int, float]:
        """(what phase 2 did, its optimizer steps, its GPU-hours)."""
        p, phase = self.plan, self.plan.intermediate
        tasks, mixture = tuple(p.intermediate_mixture.tasks), p.intermediate_mixture
        length = phase_length(self.hub, tasks, self.cost, phase, mixture=mixture, steps=p.intermediate_steps,
                              max_length=p.max_seq_length)
        inter = Intermediate(length.shares, phase.learning_rate, length.examples)
        return inter, int(length.steps + 1e-9), train_hours(self.hub, self.cost, phase, length, p.max_seq_length)

    def intermediate_dev(self, task: str, inter: Intermediate) -> float:
        p = self.plan
        return self.response.intermediate_dev(task, inter.learning_rate, inter.examples, p.model, p.seed,
                                              self._identity())

    def target(self, phase: PhasePlan, inter: Intermediate | None, fraction: float = 1.0) -> TargetOutcome:
        """Phase 3 of `phase.task` after `fraction` of its fine-tuning, and zero-shot evaluation."""
        p, task = self.plan, get_task(phase.task)
        languages = [l for l in task.languages if not p.target_languages or l in p.target_languages]
        lr = phase.learning_rate if task.trains else None
        identity = self._identity(task.name, lr)
        scores = self.response.zero_shot(task.name, languages, inter, lr, p.model, p.seed, identity, fraction)
        # dev scores at every curve point too: schedulers and the objective read dev, never test
        dev_languages = [l for l in languages if l != task.train_language] if "validation" in task.splits else []
        asked = ([task.train_language] if task.trains else []) + dev_languages
        dev = self.response.dev(task.name, asked, inter, lr, p.model, p.seed, identity, fraction) if asked else {}
        english = dev.pop(task.train_language, None) if task.trains else None
        steps, hours = target_training(self.hub, task.name, self.cost, phase, p.max_seq_length)
        hours += eval_hours(self.hub, task.name, self.cost)
        return TargetOutcome(scores, english, dev, int(steps + 1e-9), hours)

    def curve_points(self, target: str) -> int:
        """Reports inside one target unit: `curve_points` over the whole trial (a unit boundary
        is a point too), none inside a retrieval target (nothing is fine-tuned)."""
        if not get_task(target).trains:
            return 1
        return max(1, math.ceil(self.response.cfg.curve_points / len(self.plan.targets)))

    def metrics(self, target: str, value: float) -> dict[str, float]:
        """The metrics a row set carries for a primary value (QA: F1 and exact match)."""
        return self.response.metrics(target, value) or {get_task(target).primary_metric: value}

    def eval_examples(self, task: str) -> int:
        return hub_test_examples(self.cost, task)


class SurrogateBackend:
    """Answers a trial's units from the response model (xlt.trial.units.Backend). Each target unit
    reports `curve_points` points of its learning curve first, so ASHA can stop a trial inside a
    unit; the simulated GPU-hours follow the cost model (a cache hit costs none)."""

    def __init__(self, plan: TrialPlan, cfg: SweepConfig, state: TrialState):
        self.plan, self.state = plan, state
        self.phases = SurrogatePhases(plan, cfg)
        self.gpu_hours = 0.0
        # what phase 2 did, its steps and GPU-hours: a pure function of the plan, read by every target
        self._phase2 = self.phases.intermediate() if plan.intermediate else None
        self._inter = self._phase2[0] if self._phase2 else None
        self._said = False

    def intermediate(self) -> list[ResultRow]:
        p = self.plan
        _, steps, hours = self._phase2
        self.state.step += steps
        self.gpu_hours += hours
        rows = []
        for name in p.intermediate_mixture.tasks:
            task = get_task(name)
            rows.append(p.row("intermediate", name, task.train_language, "validation", task.primary_metric,
                              self.phases.intermediate_dev(name, self._inter), self.phases.eval_examples(name),
                              p.intermediate.learning_rate, self.state.step))
        return rows

    def adopt_intermediate(self, weights: dict | None) -> None:
        """Nothing to load: what phase 2 did is a pure function of the plan."""

    def weights(self) -> None:
        return None

    def freeze_base(self) -> None:
        """Nothing to keep: every target reads phase 2 from the plan."""

    def target(self, phase: PhasePlan, curve: Curve) -> list[ResultRow]:
        p, task = self.plan, get_task(phase.task)
        points = self.phases.curve_points(task.name)
        for k in range(1, points):  # the learning curve, for schedulers; a stop ends the trial here
            partial = self.phases.target(phase, self._inter, k / points)
            curve(k / points, TargetScores(partial.scores, partial.dev, partial.english_dev),
                  {"gpu_hours": self.gpu_hours + k / points * partial.gpu_hours})
        out = self.phases.target(phase, self._inter)
        self.state.step += out.steps
        self.gpu_hours += out.gpu_hours
        row = lambda *a: p.row(*a, phase.learning_rate, self.state.step)  # noqa: E731
        n = self.phases.eval_examples(task.name)
        rows = [row("target", task.name, task.train_language, "validation", m, x, self.phases.eval_examples(task.dev_task))
                for m, x in (self.phases.metrics(task.name, out.english_dev) if out.english_dev is not None else {}).items()]
        return rows + [row("zero_shot", task.name, l, split, m, x, n)
                       for split, by_lang in (("validation", out.dev), ("test", out.scores))
                       for l, v in by_lang.items() for m, x in self.phases.metrics(task.name, v).items()]

    def unit_metrics(self) -> dict[str, float]:
        return {"gpu_hours": self.gpu_hours}

    def notices(self) -> list[str]:
        """Once a trial: what the sweep asked that the response model cannot answer."""
        if not self.plan.robustness_tasks or self._said:
            return []
        self._said = True
        return [f"robustness: the surrogate backend does not model perturbations; no robustness rows for "
                f"{', '.join(self.plan.robustness_tasks)} (run the sweep on ray-train for them)"]
