"""`xlt sweep plan`: the phase runs a sweep implies, what the phase cache saves, and GPU-hours.

Each trial is expanded by xlt.trial.expand, as the sweep's own trials are, and its phase runs are
keyed by the cache's own content keys: what the plan counts as reused is what the cache reuses
(tests/test_sweep_e2e.py holds a real grid sweep to its plan). Grids are enumerated exactly.
Sampled spaces are simulated for the trial budget with uniform random draws (seeded), the
baseline first where the sweep asks for it: TPE concentrates on good regions and so repeats keys
more, which makes the figure for the cache a lower bound on its savings.
"""

import math
import random
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import yaml

from xlt.config import SweepConfig
from xlt.cost_model import (HOST_FLOOR, CostModelError, ExampleCost, checkpoint_seconds, example_cost, gpu_share,
                            hub_test_examples, tokens_per_feature, windows_per_example)
from xlt.mixtures import Mixture, mean_batch, mixture_steps
from xlt.models.registry import head_of
from xlt.trial.expand import baseline_point, expand, grid_points, replicate_id, replicate_seeds, sample_point
from xlt.revisions import Revisions
from xlt.trial.plan import PhasePlan
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
    runs: list[PhaseRun]            # every phase run, one per trial (and replicate) that needs it
    gpu_hours: dict[str, float]     # per distinct key
    replicates: int = 1             # runs per trial, one per seed
    overhead_hours: float = 0.0     # every run's start-up (worker group, model load) on each worker: never cached
    sources: dict[str, str] = field(default_factory=dict)  # "model|task" -> how its examples were priced
    windows_uncounted: tuple[str, ...] = ()
    """Trained QA tasks without a measured windows-an-example figure (`windows_per_example`): counted as one each."""
    started_runs: int = 0
    """Runs started, each paying `overhead_hours`' start-up on every worker: a trial's replicates each."""

    def count(self, kind: str, cached: bool) -> int:
        runs = [r for r in self.runs if r.kind == kind]
        return len({r.key for r in runs}) if cached else len(runs)

    def hours(self, kind: str | None, cached: bool) -> float:
        runs = [r for r in self.runs if kind is None or r.kind == kind]
        keys = {r.key for r in runs} if cached else [r.key for r in runs]
        return math.fsum(self.gpu_hours[k] for k in keys)  # exact, so a set's order (hash seed) cannot move a bit


def load_cost_model(path: str | Path | None = None) -> dict:
    """xlt's cost model, with the keys of the YAML file at `path` (e.g. a --calibrate file) over it."""
    model = _shipped_cost()
    if path:
        try:
            override = yaml.safe_load(Path(path).read_text())
        except yaml.YAMLError as err:
            raise CostModelError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
        if override is not None and not isinstance(override, dict):
            raise CostModelError(f"{path}: expected a mapping of cost-model keys, got {type(override).__name__}")
        for key, value in (override or {}).items():
            _check_numbers(path, key, model.get(key), value)
            model[key] = {**model.get(key, {}), **value} if isinstance(value, dict) else value
        windows = model.get("windows", {})
        if not isinstance(windows, dict):
            raise CostModelError(f"{path}: windows: expected a mapping of task -> windows an example, got {windows!r}")
        for task, ratio in windows.items():
            if not _is_number(ratio) or ratio < 1:
                raise CostModelError(f"{path}: windows.{task}: expected the windows a training example yields "
                                     f"(a number >= 1), got {ratio!r}")
        for task, n in model.get("dev_examples", {}).items():
            if not _is_number(n) or n < 0:
                raise CostModelError(f"{path}: dev_examples.{task}: expected the examples of the task's dev set "
                                     f"in a language (a number >= 0), got {n!r}")
    return model


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_numbers(path, key: str, shipped, value) -> None:
    """An override's value where the shipped cost model has a number (or a mapping of numbers, such
    as `gpus`) must be one: a wrong type fails here, naming the file and key, not as a traceback
    in the arithmetic."""
    if _is_number(shipped) and not _is_number(value):
        raise CostModelError(f"{path}: {key}: expected a number, got {value!r}")
    if isinstance(shipped, dict) and shipped:
        if not isinstance(value, dict):
            raise CostModelError(f"{path}: {key}: expected a mapping like the shipped cost model's, got {value!r}")
        numbers = all(_is_number(v) for v in shipped.values())
        for k, v in value.items():
            _check_numbers(path, f"{key}.{k}", shipped.get(k, 0.0 if numbers else None), v)


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
    runs, hours, sources, uncounted = [], {}, {}, set()
    replicates = [(i, {**params, "seed": seed}, replicate_id(f"plan_{i:05d}", seed, cfg.search.replicates))
                  for i, params in enumerate(points) for seed in replicate_seeds(cfg, params)]
    for i, params, run_id in replicates:
        trial = expand(cfg, params, run_id, "", revisions=revisions)
        cfg_t = with_model(cfg, trial.model)  # costs follow the trial's backbone
        inter = trial.intermediate
        single = inter is not None and len(trial.intermediate_mixture.tasks) == 1
        priced = [*([(trial.intermediate_mixture.tasks[0], inter)] if single else []),
                  *((name, phase if get_task(phase.task).trains else None)
                    for phase in trial.targets for name in stages(phase.task))]
        sources.update({f"{trial.model}|{t}": _cost(cfg_t, t, cost, trial.max_seq_length, p).source for t, p in priced})
        trained = [*(trial.intermediate_mixture.tasks if inter is not None else ()),
                   *(name for phase in trial.targets if get_task(phase.task).trains for name in stages(phase.task))]
        uncounted.update(t for t in trained if get_task(t).format == "span_extraction" and t not in cost.get("windows", {}))
        if inter is not None:
            tasks = tuple(trial.intermediate_mixture.tasks)
            runs.append(PhaseRun("intermediate", trial.intermediate_key, tasks, inter.epochs))
            length = phase_length(cfg_t, tasks, cost, inter, mixture=trial.intermediate_mixture,
                                  steps=trial.intermediate_steps, max_length=trial.max_seq_length)
            hours[trial.intermediate_key] = (
                train_hours(cfg_t, cost, inter, length, trial.max_seq_length)
                + sum(dev_hours(cfg_t, t, cost, trial.max_seq_length) for t in tasks)
                + checkpoint_seconds(cost, trial.model, writes=1) / 3600)
        for phase in trial.targets:
            key = trial.target_key(phase)
            runs.append(PhaseRun("target", key, (phase.task,), phase.epochs))
            hours[key] = (target_training(cfg_t, phase.task, cost, phase, trial.max_seq_length)[1]
                          # robustness: each perturbation predicts the test sets again (at most: only changed examples)
                          + eval_hours(cfg_t, phase.task, cost, trial.max_seq_length,
                                       test_passes=1 + len(trial.perturbations) * (phase.task in trial.robustness_tasks))
                          + checkpoint_seconds(cost, trial.model, reads=1 if inter else 0) / 3600)
    # a run's start-up holds its workers' GPUs (the worker group starts, then each worker loads the model)
    overhead = len(replicates) * cost["trial_overhead_s"] * cfg.resources.workers_per_trial / 3600
    return Plan(len(points), cfg.search.algorithm == "grid", runs, hours, cfg.search.replicates, overhead, sources,
                tuple(sorted(uncounted)), started_runs=len(replicates))


def with_model(cfg: SweepConfig, name: str) -> SweepConfig:
    """`cfg` with one backbone (a sweep may search over several)."""
    return cfg.model_copy(update={"model": cfg.model.model_copy(update={"name": name})})


def train_examples(cfg: SweepConfig, name: str, cost: dict, cap: int | None = None) -> int:
    """Training examples of a task: the hub size from the cost model, or the shipped fixture's rows,
    each training language's capped by data.max_train_examples and a phase's own `cap`, as the loop
    loads them (a masked-LM task trains on several languages; the cost file's size of one is its
    total over the base task's languages, so `mlm@de,ur` counts two languages' share). A task
    trained on another's data counts its last stage's (XNLI: MNLI's; XCOPA: COPA's, its SIQA stage
    is `target_training`'s own)."""
    task = get_task(name)
    if not task.trains:
        return 0
    if task.train_from:
        return train_examples(cfg, task.dev_task, cost, cap)
    caps = [c for c in (cfg.data.max_train_examples, cap) if c]
    limit = min(caps) if caps else None
    if cfg.data.source == "local":
        per_language = [_fixture_rows(task.fixture_path(lang, "train")) for lang in task.training_languages]
    else:
        sizes, base = cost["train_examples"], get_task(name.split("@")[0])
        if name in sizes:
            total, over = sizes[name], task.training_languages
        else:  # a task@lang variant: its share of its task's size
            total, over = sizes.get(base.name, 0), base.training_languages
        per_language = [total / len(over)] * len(task.training_languages)
    if task.dev_from_train:  # a dev set held out of the training rows (TyDiQA): the loop trains on the rest
        per_language = [n * (1 - task.dev_from_train) for n in per_language]
    return round(sum(min(n, limit) if limit else n for n in per_language))


def _fixture_rows(path: Path) -> int:
    """Examples in a shipped fixture file (JSON lines; none when it does not exist)."""
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def _cost(cfg: SweepConfig, task: str, cost: dict, max_length: int | None, phase: PhasePlan | None = None) -> ExampleCost:
    """What an example of `task` costs; with the `phase` that trains it, held to the host's floor a step."""
    model = cfg.model.names[0]
    max_length = max_length or get_task(task).defaults.max_seq_length
    return example_cost(cost, model, task, max_length, cost["gpu"], text_head=head_of(cfg.model.head, model) == "text",
                        step_examples=step_examples(cfg, task, cost, max_length, phase) if phase else None)


def batch_examples(task: str, cost: dict, max_length: int | None, phase: PhasePlan) -> float:
    """Features (examples; a QA example's windows each) of `task` in one global batch of `phase`: its
    batch_size, or a token budget over a feature's tokens (at `max_length`, else the task's default
    length)."""
    if not phase.batch_tokens:
        return phase.batch_size
    return phase.batch_tokens / tokens_per_feature(cost, task, max_length or get_task(task).defaults.max_seq_length)


def step_examples(cfg: SweepConfig, task: str, cost: dict, max_length: int, phase: PhasePlan) -> float:
    """Examples one GPU runs forward and backward at once in `phase`: its share of the global batch (a
    token budget's: the budget over an example's tokens), at most a micro-batch."""
    return gpu_share(batch_examples(task, cost, max_length, phase), cfg.resources.workers_per_trial,
                     phase.micro_batch_size)


def _ddp(cfg: SweepConfig, cost: dict) -> float:
    """GPU time of a phase over several workers, relative to one (their synchronisation)."""
    return 1.0 if cfg.resources.workers_per_trial == 1 else 1 / cost["ddp_efficiency"]


@dataclass(frozen=True)
class PhaseLength:
    """How long a training phase runs, counted as xlt.trial.train counts it."""

    examples: float
    """Examples drawn over the run: its steps of `batch_size`, each task's epoch ending in a partial
    batch (one task: epochs x its examples); a token budget's run lasts as many."""
    shares: dict[str, float]
    """Each task's share of them: the mixture's sampling probabilities (one task: 1)."""
    steps: float
    """Optimizer steps: those of `batch_size`, or a token budget's: the examples x the sum over tasks
    of the task's share over its examples a budget batch."""


def phase_length(cfg: SweepConfig, tasks: tuple[str, ...], cost: dict, phase: PhasePlan, *,
                 mixture: Mixture | None = None, steps: int | None = None, max_length: int | None = None) -> PhaseLength:
    """The length of `phase` training on `tasks` (drawn by `mixture`; by default in proportion to
    their sizes), as xlt.trial.train runs it: `steps` of the global batch, else epochs over each
    task's batches of its (capped) features, a QA example's windows each a feature
    (`windows_per_example`); each step draws one task by the mixture's probabilities, which weigh
    the tasks' examples (xlt.trial.torch_backend)."""
    mixture = mixture or Mixture(tasks)
    sizes = {t: train_examples(cfg, t, cost, phase.max_train_examples) for t in tasks}
    if not any(sizes.values()):
        return PhaseLength(0, {t: 0.0 for t in tasks}, 0.0)
    shares = mixture.probabilities(sizes)
    features = {t: round(n * windows_per_example(cost, t)) for t, n in sizes.items()}
    steps = steps or mixture_steps({t: math.ceil(mixture.capped(n) / phase.batch_size) for t, n in features.items()},
                                   phase.epochs)
    # a step's batch of a task: batch_size, its epoch's last batch partial
    examples = steps * math.fsum(w * mean_batch(features[t], phase.batch_size) for t, w in shares.items())
    if not phase.batch_tokens:
        return PhaseLength(examples, shares, steps)
    # a token budget's run: the same examples, each task's share kept, its steps drawn in proportion to
    # the share over the task's examples a budget batch (xlt.trial.train.train_loop)
    return PhaseLength(examples, shares, examples * math.fsum(w / batch_examples(t, cost, max_length, phase)
                                                              for t, w in shares.items()))


def train_hours(cfg: SweepConfig, cost: dict, phase: PhasePlan, length: PhaseLength,
                max_length: int | None = None, selection: str | None = "english_dev") -> float:
    """GPU-hours of `phase` training for its `length` (xlt.cost_estimate.phase_length: each example
    priced by its task, in the mixture's proportions), its steps no faster than the host launches
    them (xlt.cost_model). A one-task run selects on dev data (`selection_examples`) every
    `eval_every` steps and at the end (xlt.trial.train), unless it is a target's earlier stage
    (`selection` None); a mixture keeps its last weights (xlt.trial.torch_backend) and selects never."""
    seconds = length.examples * math.fsum(w * _cost(cfg, t, cost, max_length, phase).train_s
                                          for t, w in length.shares.items())
    if selection and len(length.shares) == 1 and phase.eval_every and length.steps:
        evals = math.ceil(length.steps / phase.eval_every - 1e-9)
        (task,) = length.shares
        seconds += evals * selection_examples(cfg, task, cost, phase, selection) * _cost(cfg, task, cost, max_length).eval_s
    return seconds * _ddp(cfg, cost) / 3600


def stages(task: str) -> tuple[str, ...]:
    """The runs a target's fine-tuning makes, in turn, each named by the task that prices it: the
    target itself on (its last) training set, after any earlier training task on its own (XCOPA:
    siqa, then xcopa on COPA's data). --calibrate times the target on its last stage's data."""
    return (*get_task(task).train_tasks[:-1], task)


def target_training(cfg: SweepConfig, task: str, cost: dict, phase: PhasePlan,
                    max_length: int | None = None) -> tuple[float, float]:
    """(optimizer steps, GPU-hours) of a target's fine-tuning as xlt.trial.torch_backend runs it:
    each stage its own `phase.epochs` over its own set (`stages`), selection on dev (the sweep's
    `target.selection`) in the last only,
    every stage at the target's max length (the loop encodes an earlier stage's data as the target's)."""
    names, max_length = stages(task), max_length or get_task(task).defaults.max_seq_length
    lengths = [phase_length(cfg, (name,), cost, phase, max_length=max_length) for name in names]
    return (math.fsum(length.steps for length in lengths),
            math.fsum(train_hours(cfg, cost, phase, length, max_length,
                                  selection=cfg.target.selection if name == task else None)
                      for name, length in zip(names, lengths)))


def dev_examples(cfg: SweepConfig, task: str, cost: dict, language: str | None = None) -> int:
    """Dev examples of a task in `language` (default: its training language, English): the fixture's
    (a split held out of training: that fraction of the training rows), or on the hub the cost file's
    `dev_examples`, else the held-out fraction of its training rows, else its `eval_examples` (the
    test sets' size standing for the dev sets')."""
    spec = get_task(task)
    language = language or spec.train_language
    if cfg.data.source == "local":
        if spec.dev_from_train:
            return round(spec.dev_from_train * _fixture_rows(spec.fixture_path(language, "train")))
        return _fixture_rows(spec.fixture_path(language, "validation"))
    sizes = cost.get("dev_examples", {})
    if task in sizes:
        return sizes[task]
    if spec.dev_from_train:  # held out of the training rows by the loader, in every source
        return round(spec.dev_from_train * cost["train_examples"].get(task, 0))
    return hub_test_examples(cost, task)


def selection_examples(cfg: SweepConfig, task: str, cost: dict, phase: PhasePlan, selection: str) -> int:
    """Examples one dev selection of `phase` training `task` scores (xlt.trial.torch_backend._dev_scorer),
    each set capped at the phase's dev_subset: `english_dev`, the English dev set of the task it trains
    on (XNLI: MNLI's); `target_dev` (a target's `selection`), the dev set of each target language but
    English, the sweep's `target.languages` only where it names them."""
    spec, cap = get_task(task), phase.dev_subset or math.inf
    if selection == "english_dev":
        return min(cap, dev_examples(cfg, spec.dev_task, cost))
    return sum(min(cap, dev_examples(cfg, task, cost, lang))
               for lang in _split_languages(cfg, spec, "validation") if lang != spec.train_language)


def dev_hours(cfg: SweepConfig, task: str, cost: dict, max_length: int | None = None) -> float:
    """GPU-hours of scoring an intermediate task's dev data once, as phase 2 ends
    (xlt.trial.torch_backend._dev_languages): its English dev set, or a masked LM's dev set in each
    language it trains on."""
    spec = get_task(task)
    if spec.format == "masked_lm":
        from xlt.data.loading import available_languages

        n = sum(dev_examples(cfg, task, cost, lang) for lang in available_languages(spec, "validation", cfg.data.source)
                if lang in spec.training_languages)
    else:
        n = dev_examples(cfg, task, cost)
    return n * _cost(cfg, task, cost, max_length).eval_s * _ddp(cfg, cost) / 3600


def _split_languages(cfg: SweepConfig, spec, split: str) -> list[str]:
    """The languages a target evaluates `split` in (xlt.trial.torch_backend._target_languages):
    those with the split in the data source, the sweep's `target.languages` only where it names them."""
    if split not in spec.splits:
        return []
    from xlt.data.loading import available_languages

    return [lang for lang in available_languages(spec, split, cfg.data.source)
            if not cfg.target.languages or lang in cfg.target.languages]


def evaluation_examples(cfg: SweepConfig, task: str, cost: dict) -> tuple[int, int]:
    """(dev, test) examples a target scores after fine-tuning (xlt.trial.torch_backend.target): the
    English dev set of the task it trained on, whole (XNLI: MNLI's), and each target language's dev set
    but English; each target language's test set. On the fixtures, their rows; on the hub, the cost
    file's `dev_examples` and `eval_examples` a language. A bitext retrieval task (BUCC, Tatoeba)
    embeds both sides of its pairs (xlt.formats.bitext), so each pair counts two sentences."""
    spec = get_task(task)
    dev = dev_examples(cfg, spec.dev_task, cost) if spec.trains else 0
    dev += sum(dev_examples(cfg, task, cost, lang)
               for lang in _split_languages(cfg, spec, "validation") if lang != spec.train_language)
    test = sum(_fixture_rows(spec.fixture_path(lang, "test")) if cfg.data.source == "local"
               else hub_test_examples(cost, task)
               for lang in _split_languages(cfg, spec, "test"))
    sides = 2 if spec.format == "retrieval" and spec.candidate_pool is None else 1
    return sides * dev, sides * test


def eval_hours(cfg: SweepConfig, task: str, cost: dict, max_length: int | None = None, test_passes: int = 1) -> float:
    """GPU-hours of a target's evaluation (`evaluation_examples`; its test sets `test_passes` times:
    robustness predicts them again under each perturbation), and a pool's candidates."""
    dev, test = evaluation_examples(cfg, task, cost)
    n = dev + test_passes * test + (cost.get("pool_examples", {}).get(task, 0) if cfg.data.source == "hub" else 0)
    return n * _cost(cfg, task, cost, max_length).eval_s * _ddp(cfg, cost) / 3600


FLOOR_NOTE = (f"note: {HOST_FLOOR} floor priced some pairs: each of their GPUs takes few examples a step and mostly "
              "waits on the host. Fewer GPUs a trial (resources.workers_per_trial) run the same steps for fewer "
              "GPU-hours; token budgets (batch_tokens) take fewer, fuller steps")


WINDOWS_NOTE = ("note: QA training examples counted as one window each ({tasks}); the loop trains every window of a "
                "context longer than the max length (doc stride 128), so these phases train longer where contexts "
                "are long. --calibrate counts the windows on the sweep's data")


def format_plan(cfg: SweepConfig, plan: Plan, cost: dict) -> str:
    how = "every combination (grid)" if plan.exact else f"{plan.trials} sampled trials (simulated, uniform draws)"
    each = f", each with {plan.replicates} seeds" if plan.replicates > 1 else ""
    lines = [f"sweep {cfg.name}: {plan.trials} trials{each}, {how}; model {', '.join(cfg.model.names)}", "",
             f"{'phase runs':<14}{'no cache':>10}{'cache':>10}{'saved':>10}"]
    for kind in ("intermediate", "target"):
        a, b = plan.count(kind, False), plan.count(kind, True)
        lines.append(f"{kind:<14}{a:>10}{b:>10}{a - b:>10}")
    a = sum(plan.count(k, False) for k in ("intermediate", "target"))
    b = sum(plan.count(k, True) for k in ("intermediate", "target"))
    lines.append(f"{'total':<14}{a:>10}{b:>10}{a - b:>10}   ratio {a / max(b, 1):.2f}x")
    h0, h1 = plan.hours(None, False), plan.hours(None, True)
    o = plan.overhead_hours
    fmt = (lambda h: f"{h:.1f}") if h0 >= 10 else (lambda h: f"{h:.3f}")
    where = f"{cost['gpu']}" + (f"; measured pairs: {cost['device']}" if cost.get("measured") else "")
    lines += ["", f"{'GPU-hours':<14}{'no cache':>10}{'cache':>10}{'saved':>10}   ({where})",
              f"{'phases':<14}{fmt(h0):>10}{fmt(h1):>10}{fmt(h0 - h1):>10}",
              f"{'run start-up':<14}{fmt(o):>10}{fmt(o):>10}{fmt(0):>10}",
              f"{'total':<14}{fmt(h0 + o):>10}{fmt(h1 + o):>10}{fmt(h0 - h1):>10}   ratio {(h0 + o) / max(h1 + o, 1e-9):.2f}x",
              _startup_line(cfg, plan, cost),
              *_priced_by(plan.sources),
              *([FLOOR_NOTE] if any(how.startswith(HOST_FLOOR) for how in plan.sources.values()) else []),
              *([WINDOWS_NOTE.format(tasks=", ".join(plan.windows_uncounted))] if plan.windows_uncounted else []),
              "(xlt/cost_model.yaml; --cost-model FILE overrides it, --calibrate measures this machine, --gpu TYPE)"]
    return "\n".join(lines)


def _startup_line(cfg: SweepConfig, plan: Plan, cost: dict) -> str:
    """Where the start-up row comes from: one figure a worker, xlt's assumption unless a cost file
    set it, and never measured by --calibrate (it times steps in one process, without Ray)."""
    seconds = cost["trial_overhead_s"]
    whose = ("xlt's ASSUMPTION for a GPU node loading XLM-R large; set yours in a --cost-model file"
             if seconds == _shipped_cost()["trial_overhead_s"] else "from your cost file")
    return (f"run start-up: {seconds:g} s on each of {cfg.resources.workers_per_trial} worker(s) of {plan.started_runs} "
            f"run(s) (trial_overhead_s, {whose}; --calibrate does not measure it)")


def _shipped_cost() -> dict:
    return yaml.safe_load(files("xlt").joinpath("cost_model.yaml").read_text())


def _priced_by(sources: dict[str, str]) -> list[str]:
    """One line per way of pricing: which (model, task) pairs it priced."""
    by: dict[str, list[str]] = {}
    for pair, how in sorted(sources.items()):
        by.setdefault(how, []).append(pair)
    return [f"priced by {how}: {', '.join(pairs) if len(pairs) <= 4 else f'{len(pairs)} (model, task) pairs'}"
            for how, pairs in by.items()]


def plan_json(plan: Plan) -> dict:
    out = {"trials": plan.trials, "replicates": plan.replicates, "exact": plan.exact}
    for kind in ("intermediate", "target"):
        out[kind] = {"runs": plan.count(kind, False), "runs_with_cache": plan.count(kind, True),
                     "gpu_hours": plan.hours(kind, False), "gpu_hours_with_cache": plan.hours(kind, True)}
    total, cached = (sum(plan.count(k, c) for k in ("intermediate", "target")) for c in (False, True))
    out["phase_run_ratio"] = total / max(cached, 1)
    out["gpu_hour_ratio"] = plan.hours(None, False) / max(plan.hours(None, True), 1e-9)
    out["startup_gpu_hours"] = plan.overhead_hours
    out["started_runs"] = plan.started_runs
    out["priced_by"] = plan.sources
    out["windows_uncounted"] = list(plan.windows_uncounted)
    return out
