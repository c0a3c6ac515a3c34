"""One trial on the surrogate backend: the same units, rows, phase cache and reports as a real
trial (`xlt.pipeline`), with each phase's training and evaluation replaced by the response model.

It runs in the Tune trial driver itself (no Ray Train worker group: nothing to train). Each
target unit reports `curve_points` points of its learning curve, with `progress` (the fraction of
the trial's target fine-tuning done), so ASHA can stop a trial inside a unit. The simulated
GPU-hours follow `xlt sweep plan`'s cost model (a cache hit costs none) and are reported as
`gpu_hours`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from xlt.cache import PhaseCache
from xlt.config import SweepConfig
from xlt.objective import objective
from xlt.plan import eval_hours, load_cost_model, throughput, train_examples, train_hours
from xlt.results import ResultRow, write_rows
from xlt.surrogate.model import Intermediate, ResponseModel
from xlt.tasks import get_task
from xlt.trial_plan import PhasePlan, TrialPlan

log = logging.getLogger(__name__)


@dataclass
class _Progress:
    step: int = 0
    gpu_hours: float = 0.0


def run_surrogate_trial(plan: TrialPlan, cfg: SweepConfig, report: Callable[[dict], None]) -> float:
    """Run every unit of `plan` on the response model, write its rows, report its curve; returns
    the objective."""
    trial = _SurrogateTrial(plan, cfg)
    inter = trial.intermediate() if plan.intermediate else None
    scores: dict[str, dict[str, float]] = {}
    for i, phase in enumerate(plan.targets):
        trial.target(phase, inter, scores, lambda fraction, partial, hours: report({
            "objective": objective(plan.objective, {**scores, phase.task: partial}),
            "progress": (i + fraction) / len(plan.targets), "gpu_hours": hours,
            "unit": f"target-{phase.task}" if fraction == 1 else None, "step": trial.progress.step}))
    return objective(plan.objective, scores)


class _SurrogateTrial:
    def __init__(self, plan: TrialPlan, cfg: SweepConfig):
        self.plan = plan
        self.response = ResponseModel.load(plan.surrogate_response)
        self.cost = load_cost_model()
        # the surrogate models the sweep on its real data: sizes and costs from the hub figures
        self.hub = cfg.model_copy(update={"data": cfg.data.model_copy(update={"source": "hub"})})
        self.cache = PhaseCache(plan.cache_dir) if plan.cache_dir else None
        self.progress = _Progress()
        self.world = plan.world_size

    def _identity(self, *parts) -> str:
        p = self.plan
        inter = p.intermediate
        return "|".join(map(str, (p.model, p.intermediate_name, inter and inter.learning_rate, p.intermediate_steps,
                                  inter and inter.epochs, p.max_train_examples, *parts)))

    # --- phase 2 --------------------------------------------------------------------------
    def _intermediate_examples(self) -> tuple[float, dict[str, int]]:
        p, phase = self.plan, self.plan.intermediate
        sizes = {t: max(1, train_examples(self.hub, t, self.cost)) for t in p.intermediate_mixture.tasks}
        if p.intermediate_steps:
            return p.intermediate_steps * phase.batch_size * self.world, sizes
        return phase.epochs * sum(sizes.values()), sizes

    def intermediate(self) -> Intermediate:
        p, phase = self.plan, self.plan.intermediate
        examples, sizes = self._intermediate_examples()
        inter = Intermediate(p.intermediate_mixture.probabilities(sizes), phase.learning_rate, examples)
        steps = int(examples // (phase.batch_size * self.world))
        key = p.intermediate_key
        hit = self.cache.load("intermediate", key) if self.cache else None
        if hit is not None:
            self.progress.step += hit[0]["steps"]
            rows = p.reissue(hit[0]["rows"], self.progress.step)
        else:
            self.progress.step += steps
            self.progress.gpu_hours += examples / throughput(self.hub, self.cost) / 3600
            rows = []
            for name in p.intermediate_mixture.tasks:
                task = get_task(name)
                value = self.response.intermediate_dev(name, phase.learning_rate, examples, p.model, p.seed,
                                                       self._identity())
                rows.append(p.row("intermediate", name, task.train_language, "validation", task.primary_metric,
                                  value, self._eval_examples(name), phase.learning_rate, self.progress.step))
            self._store("intermediate", key, rows, steps)
        write_rows(p.results_dir, p.trial_id, "intermediate", rows)
        return inter

    # --- phase 3 and zero-shot ------------------------------------------------------------
    def target(self, phase: PhasePlan, inter: Intermediate | None, scores: dict[str, dict[str, float]],
               report: Callable[[float, dict[str, float], float], None]) -> None:
        p, task = self.plan, get_task(phase.task)
        key = p.target_key(phase)
        hit = self.cache.load("target", key) if self.cache else None
        if hit is not None:
            meta = hit[0]
            self.progress.step += meta["steps"]
            scores[task.name] = meta["scores"]
            report(1.0, scores[task.name], self.progress.gpu_hours)
            write_rows(p.results_dir, p.trial_id, f"target-{task.name}", p.reissue(meta["rows"], self.progress.step))
            return
        languages = [l for l in task.languages if not p.target_languages or l in p.target_languages]
        lr = phase.learning_rate if task.trains else None
        examples = train_examples(self.hub, task.name, self.cost) * phase.epochs
        steps = int(examples // (phase.batch_size * self.world))
        hours = train_hours(self.hub, (task.name,), phase.epochs, self.cost) + eval_hours(self.hub, task.name, self.cost)
        identity = self._identity(task.name, lr)
        points = self.response.cfg.curve_points if task.trains else 1
        for k in range(1, points):  # the learning curve, for schedulers; a stop ends the trial here
            partial = self.response.zero_shot(task.name, languages, inter, lr, p.model, p.seed, identity, k / points)
            report(k / points, partial, self.progress.gpu_hours + k / points * hours)
        self.progress.step += steps
        self.progress.gpu_hours += hours
        final = self.response.zero_shot(task.name, languages, inter, lr, p.model, p.seed, identity)
        scores[task.name] = final
        metric = task.primary_metric
        rows = [p.row("zero_shot", task.name, l, "test", m, x, self._eval_examples(task.name), phase.learning_rate,
                      self.progress.step)
                for l, v in final.items() for m, x in (self.response.metrics(task.name, v) or {metric: v}).items()]
        if task.trains:
            dev = self.response.english_dev(task.name, inter, lr, p.model, p.seed, identity)
            rows[:0] = [p.row("target", task.dev_task, task.train_language, "validation", m, x,
                              self._eval_examples(task.dev_task), phase.learning_rate, self.progress.step)
                        for m, x in (self.response.metrics(task.name, dev) or {metric: dev}).items()]
        self._store("target", key, rows, steps, scores=final)
        write_rows(p.results_dir, p.trial_id, f"target-{task.name}", rows)
        report(1.0, final, self.progress.gpu_hours)  # after the rows: a scheduler's stop here loses nothing

    def _eval_examples(self, task: str) -> int:
        examples = self.cost["eval_examples"]
        return int(examples.get(task, examples["default"]))

    def _store(self, kind: str, key: str, rows: list[ResultRow], steps: int, scores=None) -> None:
        if self.cache is not None:
            self.cache.save_phase(kind, key, rows, steps, scores)
