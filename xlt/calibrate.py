"""`xlt sweep plan FILE --calibrate`: time training and evaluation steps of each (model, task) a
sweep runs, on this machine, and write a cost file whose measured figures the planner uses.

For each pair: the task's training examples from the sweep's data source, encoded at the phase's
max length with the sweep's own tokenizer; `train_loop` for 1 step, then for 1 + `steps` steps, at
the batch one GPU of the trial takes a step (`gpu_batch`; a token-budget phase's budget over the
trial's workers, `gpu_tokens`), the difference over the examples the extra steps took giving seconds
per example (set-up excluded); `predict`
over the same features giving evaluation seconds per example; the tokens an example feeds the
model, and the features (QA windows) it yields. Retrieval tasks (no training) time
`Retrieval.embed` of their sentences. A target trained in stages (XCOPA: SIQA, then COPA) is timed
on its last stage's set, and each earlier stage on its own set in the target's format, max length
and batch, written under the stage's task (`model|siqa`), which is what the plan prices that stage
by (xlt.cost_estimate.stages). A pair that cannot be timed here (its data or model unreachable) is
listed with the reason and keeps its FLOP figure.
"""

import platform
import time
from dataclasses import dataclass

import torch
import yaml

from xlt.config import SweepConfig
from xlt.config.sections import PhaseConfig
from xlt.cost_estimate import stages
from xlt.cost_model import gpu_share
from xlt.data.errors import DataError
from xlt.data.loading import load_records
from xlt.formats import FORMATS
from xlt.formats.base import HeadSource
from xlt.models.backbone import load_encoder
from xlt.models.task_model import TaskModel
from xlt.tasks import get_task
from xlt.trial.runtime import LocalRuntime
from xlt.trial.train import predict, train_loop


@dataclass(frozen=True)
class Timing:
    model: str
    task: str
    train_s: float
    eval_s: float
    tokens: float
    examples: int
    step: str = ""
    """What a timed training step took: `8 examples`, or a token budget's `4,096 tokens`."""
    windows: float = 1.0
    """Features an example yields (a QA context longer than the max length: several windows)."""


def device_name() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU {platform.processor() or platform.machine()} ({torch.get_num_threads()} threads)"


def sweep_pairs(cfg: SweepConfig) -> list[tuple[str, str]]:
    """Every (model, task) the sweep trains or evaluates: intermediate tasks and targets."""
    return [(m, t) for m in cfg.model.names for t in sorted(set(cfg.task_names()))]


def _phase_section(cfg: SweepConfig, task) -> PhaseConfig:
    """The settings of the phase that trains `task`: a target's, else an intermediate task's."""
    return cfg.target if task.name in cfg.target.names else cfg.intermediate


def phase_batch(cfg: SweepConfig, task) -> int:
    """The global batch of the phase that trains `task`: the sweep's, else the task's default."""
    return _phase_section(cfg, task).batch_size or task.defaults.batch_size


def gpu_batch(cfg: SweepConfig, task) -> int:
    """Examples one GPU takes a training step in the phase that trains `task`: the sweep's batch for
    that phase, else the task's default, split over the trial's workers, at most a micro-batch.
    Timed at that batch, an example's seconds are the GPU-seconds the plan needs, a host-bound small
    batch included."""
    share = gpu_share(phase_batch(cfg, task), cfg.resources.workers_per_trial, _phase_section(cfg, task).micro_batch_size)
    return max(1, int(share))


def gpu_tokens(cfg: SweepConfig, task) -> int | None:
    """A token-budget phase's (`batch_tokens`) padded tokens one GPU takes a step: the global
    budget over the trial's workers, as each rank takes its share of a batch (None: the phase
    batches by `batch_size`). The plan prices the same step (xlt.cost_estimate.step_examples)."""
    budget = _phase_section(cfg, task).batch_tokens
    return max(1, budget // cfg.resources.workers_per_trial) if budget else None


def time_pair(cfg: SweepConfig, model: str, task_name: str, encoder, tokenizer, steps: int, limit: int,
              stage: str | None = None) -> Timing:
    """Timing of `task_name` as its phase trains it, on its (last) training set, or on the `stage`
    that a target trained in stages trains on first (XCOPA's SIQA: the target's format, max length and
    batch on that set, as xlt.trial.torch_backend runs it)."""
    task = get_task(task_name)
    fmt = FORMATS[task.format]
    max_length = cfg.model.max_seq_length or task.defaults.max_seq_length
    rt = LocalRuntime()
    data_task = get_task(stage or task.train_tasks[-1]) if task.trains else task
    split = "train" if task.trains else "test"
    language = data_task.train_language if task.trains else next(l for l in task.languages if l != "en")
    records = load_records(data_task, language, split, cfg.data.source, max_examples=limit).records
    if not records:
        raise DataError(f"no {split} records in {language}")
    if not task.trains:  # retrieval: embedding its sentences is all it costs
        texts = [r.get("source") or r.get("query") or "" for r in records]
        t0 = time.perf_counter()
        fmt.embed(encoder, tokenizer, texts, layer=1, pooling="mean", max_length=max_length, batch_size=64, rt=rt)
        seconds = (time.perf_counter() - t0) / len(texts)
        ids = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
        return Timing(model, task_name, 0.0, seconds, sum(map(len, ids)) / len(ids), len(records))
    features = fmt.encode(task, records, tokenizer, max_length)
    batch, budget = gpu_batch(cfg, task), gpu_tokens(cfg, task)
    head = fmt.build_head(task, encoder, HeadSource(model, cfg.model.trust_remote_code, cfg.model.choice_scoring))
    net = TaskModel(encoder, head)
    if budget:  # a token budget's run lasts examples: about a budget's worth a step, so n steps are n batches
        batch = max(1, round(budget * len(features.lengths) / sum(features.lengths)))
    # a token budget's batches vary in examples: the rank's budget, split into its micro-batches
    kw = dict(lr=1e-5, batch_size=batch, warmup_ratio=0.0, weight_decay=0.0, seed=0, pad_id=tokenizer.pad_token_id, rt=rt,
              batch_tokens=budget, micro_batch=_phase_section(cfg, task).micro_batch_size if budget else None)

    def run(n: int) -> tuple[float, int]:
        """Seconds and examples of `n` steps (a token budget's run lasts `n` x `batch` examples)."""
        t0 = time.perf_counter()
        out = train_loop(net, {task.name: fmt}, {task.name: features}, {task.name: 1.0}, steps=n, **kw)
        return time.perf_counter() - t0, out["examples"]

    run(1)  # first touch: allocations, kernels

    def extra() -> float:
        """Seconds an example of the steps a longer run adds (set-up cancels out)."""
        (long_s, long_n), (short_s, short_n) = run(1 + steps), run(1)
        return max(long_s - short_s, 0.0) / max(1, long_n - short_n)

    train_s = min(extra() for _ in range(2))  # the least of two: a busy machine only ever adds time
    t0 = time.perf_counter()
    # evaluation batches as the trial's: twice the phase's global batch, whole on each rank
    predict(net, fmt, features, batch_size=2 * phase_batch(cfg, task), pad_id=tokenizer.pad_token_id, rt=rt)
    eval_s = (time.perf_counter() - t0) / features.num_examples
    tokens = sum(sum(map(len, ids)) if ids and isinstance(ids[0], list) else len(ids)
                 for ids in features.input_ids) / features.num_examples
    step = f"{budget:,} tokens" if budget else f"{batch} example{'' if batch == 1 else 's'}"
    return Timing(model, stage or task_name, train_s, eval_s, tokens, features.num_examples, step,
                  len(features) / max(1, features.num_examples))


def calibrate(cfg: SweepConfig, steps: int = 4, limit: int = 256, echo=print) -> dict:
    """The cost file's measured part for `cfg`'s (model, task) pairs on this machine, timed as a
    sweep worker runs: on CPU with the sweep's `cpus_per_worker` threads."""
    if not torch.cuda.is_available():
        torch.set_num_threads(max(1, int(cfg.resources.cpus_per_worker)))
    measured, tokens, windows, skipped = {}, {}, {}, {}
    for model in cfg.model.names:
        t0 = time.perf_counter()
        encoder, tokenizer = load_encoder(model, cfg.model.trust_remote_code)
        load_s = time.perf_counter() - t0
        pairs = [(task, None) for m, task in sweep_pairs(cfg) if m == model]
        timed = {task for task, _ in pairs}
        # a target trained in stages: its earlier stages too, which the plan prices as their own tasks,
        # unless the sweep times that task in a phase of its own
        pairs += [(task, stage) for task, _ in pairs for stage in stages(task)[:-1] if stage not in timed]
        for task, stage in pairs:
            name = stage or task
            try:
                t = time_pair(cfg, model, task, encoder, tokenizer, steps, limit, stage=stage)
            except (DataError, OSError, ValueError) as err:
                skipped[f"{model}|{name}"] = str(err).splitlines()[0][:200]
                echo(f"  {model} | {name}: not timed ({skipped[f'{model}|{name}']})")
                continue
            measured[f"{model}|{name}"] = {"train_s": t.train_s, "eval_s": t.eval_s}
            tokens[name] = round(t.tokens, 1)
            if get_task(name).format == "span_extraction":  # the plan counts a QA phase's steps in windows
                windows[name] = round(t.windows, 3)          # (xlt.cost_model.windows_per_example), 1 included
            per = f"{t.tokens:.0f} tokens" + (f" in {t.windows:.2f} windows" if t.windows > 1 else "")
            how = f" (as {task}'s first stage)" if stage else ""
            echo(f"  {model} | {name}{how}: train {t.train_s * 1e3:.2f} ms a feature, evaluate {t.eval_s * 1e3:.2f} ms "
                 f"an example; {per} an example ({t.examples} examples{f'; {t.step} a step a GPU' if t.step else ''})")
        echo(f"  {model}: loaded in {load_s:.1f} s")
    return {"device": device_name(), "measured": measured, "tokens": tokens,
            **({"windows": windows} if windows else {}), **({"not_measured": skipped} if skipped else {})}


def write_cost_file(path: str, calibration: dict, cfg: SweepConfig) -> None:
    header = (f"# Measured by `xlt sweep plan {cfg.name} --calibrate` on {calibration['device']}, "
              f"{time.strftime('%Y-%m-%d %H:%M')}.\n# Use it: xlt sweep plan FILE --cost-model {path}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + yaml.safe_dump(calibration, sort_keys=True))
