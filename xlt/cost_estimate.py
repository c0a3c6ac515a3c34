"""`xlt sweep plan`: the phase runs a sweep implies, what the phase cache saves, and GPU-hours.

Each trial is expanded by xlt.trial.expand, as the sweep's own trials are, and its phase runs are
keyed by the cache's own content keys: what the plan counts as reused is what the cache reuses
(tests/test_sweep_e2e.py holds a real grid sweep to its plan). Grids are enumerated exactly.
Sampled spaces are simulated for the trial budget with uniform random draws (seeded), the
baseline first where the sweep asks for it: TPE concentrates on good regions and so repeats keys
more, which makes the figure for the cache a lower bound on its savings.
"""

import random
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from xlt.config import SweepConfig
from xlt.trial.expand import baseline_point, expand, grid_points, sample_point
from xlt.revisions import Revisions
from xlt.tasks import get_task


@dataclass(frozen=True)
class PhaseRun:
    kind: str        # intermediate | target
    key: str         # the phase cache's content key
    tasks: tuple[str, ...]
    epochs: float


@dataclass(frozen=True)
class Plan:
    trials: int
    exact: bool
    runs: list[PhaseRun]            # every phase run, one per trial that needs it
    gpu_hours: dict[str, float]     # per distinct key

    def count(self, kind: str, cached: bool) -> int:
        runs = [r for r in self.runs if r.kind == kind]
        return len({r.key for r in runs}) if cached else len(runs)

    def hours(self, kind: str | None, cached: bool) -> float:
        runs = [r for r in self.runs if kind is None or r.kind == kind]
        keys = {r.key for r in runs} if cached else [r.key for r in runs]
        return sum(self.gpu_hours[k] for k in keys)


def load_cost_model(path: str | Path | None = None) -> dict:
    model = yaml.safe_load(files("xlt").joinpath("cost_model.yaml").read_text())
    if path:
        override = yaml.safe_load(Path(path).read_text())
        for key, value in (override or {}).items():
            model[key] = {**model.get(key, {}), **value} if isinstance(value, dict) else value
    return model


def plan_sweep(cfg: SweepConfig, cost: dict, seed: int = 0, revisions: Revisions | None = None) -> Plan:
    """Every phase run the sweep's trials perform, keyed by the phase cache's own keys: each
    trial is expanded by xlt.trial.expand exactly as Tune's trainable expands it (`revisions`, the
    sweep's resolved ones, make the keys the very keys a real sweep writes)."""
    if cfg.search.algorithm == "grid":
        points = grid_points(cfg)
    else:
        rng = random.Random(seed)
        baseline = baseline_point(cfg)
        points = [{**sample_point(cfg, rng), **baseline} if i == 0 and baseline else sample_point(cfg, rng)
                  for i in range(cfg.search.num_trials)]
    runs, hours = [], {}
    for i, params in enumerate(points):
        trial = expand(cfg, params, f"plan_{i:05d}", "", revisions=revisions)
        cfg_t = with_model(cfg, trial.model)  # costs follow the trial's backbone
        if trial.intermediate is not None:
            tasks, epochs = tuple(trial.intermediate_mixture.tasks), trial.intermediate.epochs
            runs.append(PhaseRun("intermediate", trial.intermediate_key, tasks, epochs))
            if trial.intermediate_steps:  # a length in steps: steps x the global batch, whatever the tasks' sizes
                hours[trial.intermediate_key] = trial.intermediate_steps * trial.intermediate.batch_size \
                    / throughput(cfg_t, cost) / 3600
            else:
                hours[trial.intermediate_key] = train_hours(cfg_t, tasks, epochs, cost)
        for phase in trial.targets:
            key = trial.target_key(phase)
            runs.append(PhaseRun("target", key, (phase.task,), phase.epochs))
            hours[key] = train_hours(cfg_t, (phase.task,), phase.epochs, cost) + eval_hours(cfg_t, phase.task, cost)
    return Plan(len(points), cfg.search.algorithm == "grid", runs, hours)


def with_model(cfg: SweepConfig, name: str) -> SweepConfig:
    """`cfg` with one backbone (a sweep may search over several)."""
    return cfg.model_copy(update={"model": cfg.model.model_copy(update={"name": name})})


def throughput(cfg: SweepConfig, cost: dict) -> float:
    name = cfg.model.names[0]
    return cost["throughput"].get(name, cost["throughput"]["default"])


def train_examples(cfg: SweepConfig, name: str, cost: dict) -> int:
    """Training examples of a task: the hub size from the cost model, or the shipped fixture's rows."""
    task = get_task(name)
    if not task.trains:
        return 0
    if task.train_from:  # trained on other tasks' data (XCOPA: SIQA, then COPA)
        return sum(train_examples(cfg, t, cost) for t in task.train_tasks)
    data_task = task
    if cfg.data.source == "local":
        n = 0
        for lang in data_task.training_languages:
            path = data_task.fixture_path(lang, "train")
            n += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) if path.is_file() else 0
    else:
        sizes = cost["train_examples"]
        n = sizes.get(name, sizes.get(name.split("@")[0], 0))  # a task@lang variant: its task's size
    return min(n, cfg.data.max_train_examples or n)


def train_hours(cfg: SweepConfig, tasks: tuple[str, ...], epochs: float, cost: dict) -> float:
    examples = sum(train_examples(cfg, t, cost) for t in tasks)
    return examples * epochs / throughput(cfg, cost) / 3600


def eval_hours(cfg: SweepConfig, task: str, cost: dict) -> float:
    if cfg.data.source == "local":
        from xlt.data.loading import available_languages

        spec = get_task(task)
        split = "test" if "test" in spec.splits else "validation"
        n = sum(sum(1 for _ in spec.fixture_path(lang, split).open(encoding="utf-8"))
                for lang in available_languages(spec, split, "local"))
    else:
        n = cost["eval_examples"].get(task, cost["eval_examples"]["default"]) * len(get_task(task).languages)
        n += cost.get("pool_examples", {}).get(task, 0)
    return n / (throughput(cfg, cost) * cost["eval_speedup"]) / 3600


def format_plan(cfg: SweepConfig, plan: Plan, cost: dict) -> str:
    how = "every combination (grid)" if plan.exact else f"{plan.trials} sampled trials (simulated, uniform draws)"
    lines = [f"sweep {cfg.name}: {plan.trials} trials, {how}; model {', '.join(cfg.model.names)}", "",
             f"{'phase runs':<14}{'no cache':>10}{'cache':>10}{'saved':>10}"]
    for kind in ("intermediate", "target"):
        a, b = plan.count(kind, False), plan.count(kind, True)
        lines.append(f"{kind:<14}{a:>10}{b:>10}{a - b:>10}")
    a = sum(plan.count(k, False) for k in ("intermediate", "target"))
    b = sum(plan.count(k, True) for k in ("intermediate", "target"))
    lines.append(f"{'total':<14}{a:>10}{b:>10}{a - b:>10}   ratio {a / max(b, 1):.2f}x")
    h0, h1 = plan.hours(None, False), plan.hours(None, True)
    lines += ["", f"{'GPU-hours':<14}{h0:>10.1f}{h1:>10.1f}{h0 - h1:>10.1f}   ratio {h0 / max(h1, 1e-9):.2f}x",
              f"(cost model: {throughput(cfg, cost):g} training examples/s per GPU for {cfg.model.names[0]}; "
              "see xlt/cost_model.yaml, override with --cost-model FILE)"]
    return "\n".join(lines)


def plan_json(plan: Plan) -> dict:
    out = {"trials": plan.trials, "exact": plan.exact}
    for kind in ("intermediate", "target"):
        out[kind] = {"runs": plan.count(kind, False), "runs_with_cache": plan.count(kind, True),
                     "gpu_hours": plan.hours(kind, False), "gpu_hours_with_cache": plan.hours(kind, True)}
    total, cached = (sum(plan.count(k, c) for k in ("intermediate", "target")) for c in (False, True))
    out["phase_run_ratio"] = total / max(cached, 1)
    out["gpu_hour_ratio"] = plan.hours(None, False) / max(plan.hours(None, True), 1e-9)
    return out
