"""`xlt sweep plan`: the phase runs a sweep implies, what the phase cache saves, and GPU-hours.

Grids are enumerated exactly. Sampled spaces are simulated for the trial budget with uniform
random draws (seeded): TPE concentrates on good regions and so repeats keys more, which makes the
figure for the cache a lower bound on its savings.
"""

import itertools
import random
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from xlt.config import Choice, LogUniform, SweepConfig, Uniform
from xlt.tasks import NO_INTERMEDIATE, get_task


@dataclass(frozen=True)
class PhaseRun:
    kind: str        # intermediate | target
    key: tuple       # what determines its result (the cache key's content)
    tasks: tuple[str, ...]
    epochs: float


@dataclass(frozen=True)
class Plan:
    trials: int
    exact: bool
    runs: list[PhaseRun]            # every phase run, one per trial that needs it
    gpu_hours: dict[tuple, float]   # per distinct key

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


def _values(param, rng: random.Random | None) -> list:
    """All values of a parameter (grid), or one draw (rng)."""
    if isinstance(param, Choice):
        return [rng.choice(param.choice)] if rng else list(param.choice)
    if isinstance(param, LogUniform):
        lo, hi = param.loguniform
        return [lo * (hi / lo) ** rng.random()] if rng else [lo, hi]
    if isinstance(param, Uniform):
        lo, hi = param.uniform
        return [lo + (hi - lo) * rng.random()] if rng else [lo, hi]
    return [param]


def plan_sweep(cfg: SweepConfig, cost: dict, seed: int = 0) -> Plan:
    inter, tgt = cfg.intermediate, cfg.target
    params = {"task": inter.tasks, "inter_lr": inter.learning_rate, "target_lr": tgt.learning_rate,
              "seed": cfg.search.seed, "target": tgt.tasks if isinstance(tgt.tasks, Choice) else None,
              "model": cfg.model.name}
    if inter.mixture is not None:
        params["task"] = "<searched mixture>"
    if cfg.search.algorithm == "grid":
        names = list(params)
        trials = [dict(zip(names, combo)) for combo in itertools.product(*(_values(params[n], None) for n in names))]
    else:
        rng = random.Random(seed)
        trials = [{n: _values(p, rng)[0] for n, p in params.items()} for _ in range(cfg.search.num_trials)]
        if inter.mixture is not None:  # searched weights are continuous: every trial its own mixture
            for i, t in enumerate(trials):
                t["task"] = f"<searched mixture {i}>"

    runs, hours = [], {}
    for t in trials:
        cfg_t = with_model(cfg, t["model"])  # costs follow the trial's backbone
        inter_key = None
        if t["task"] != NO_INTERMEDIATE:
            mixture = cfg.mixtures.get(t["task"])
            tasks = tuple(mixture.tasks) if mixture else tuple(inter.mixture.tasks) if inter.mixture else (t["task"],)
            epochs = inter.epochs if inter.epochs is not None else get_task(tasks[0]).defaults.epochs
            inter_key = ("intermediate", t["model"], t["task"], t["inter_lr"], t["seed"], epochs)
            runs.append(PhaseRun("intermediate", inter_key, tasks, epochs))
            if inter.steps:  # a length in steps: steps x the global batch, whatever the tasks' sizes
                batch = inter.batch_size or get_task(tasks[0]).defaults.batch_size
                examples = inter.steps * batch  # the global batch
                hours[inter_key] = examples / throughput(cfg_t, cost) / 3600
            else:
                hours[inter_key] = train_hours(cfg_t, tasks, epochs, cost)
        targets = [t["target"]] if t["target"] else list(tgt.tasks)
        for name in targets:
            epochs = tgt.epochs if tgt.epochs is not None else get_task(name).defaults.epochs
            key = ("target", t["model"], inter_key, name, t["target_lr"], t["seed"], epochs)
            runs.append(PhaseRun("target", key, (name,), epochs))
            hours[key] = train_hours(cfg_t, (name,), epochs, cost) + eval_hours(cfg_t, name, cost)
    return Plan(len(trials), cfg.search.algorithm == "grid", runs, hours)


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
