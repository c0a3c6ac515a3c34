"""The training loop (one task or a mixture) and evaluation: plain torch, over a `Runtime`
(xlt.trial.runtime) that says where it runs; Ray Train's side is xlt.sweep.worker. The hot loop keeps the loss on the
device (no per-step host sync), pads each batch only to its own longest sequence, and uses
bf16 autocast on GPU and fused AdamW (GPU and CPU), with attention kernels that need no per-shape set-up,
and on CPU dropout masks from 16 random bits an element (xlt.trial.cpu_dropout).
"""

import functools
import math
from contextlib import nullcontext
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel

from xlt.data.batching import length_grouped_batches, shard, step_share, token_budget_batches
from xlt.formats import Features, Format
from xlt.trial.cpu_dropout import cpu_dropout
from xlt.trial.runtime import Runtime


# The attention kernels xlt trains and evaluates with: PyTorch's own order without cuDNN's. cuDNN's
# attention builds an execution plan for every new (batch, length) shape, and xlt pads each batch to
# its own longest, so a run meets a new shape every few steps. Measured on an H200, torch 2.11, XLM-R
# large, 121 shapes (32 x 8..128) one forward and backward each: 28.3 s the first time with cuDNN's
# kernel (168 ms a new shape) against 8.4 s without it (7 ms); warm, 8.0 s against 7.5 s. That cost
# made xlt's loop 0.34x the bare loop in the first GPU check (BENCHMARKS.md, "GPU check").
ATTENTION = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]


def with_attention_kernels(fn: Callable) -> Callable:
    """`fn` run with scaled-dot-product attention choosing among `ATTENTION` only."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with sdpa_kernel(ATTENTION):
            return fn(*args, **kwargs)
    return wrapped


def _autocast(device: torch.device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def _dropout(device: torch.device, compiled: bool):
    """On CPU, dropout masks from 16 random bits an element (xlt.trial.cpu_dropout: torch's masks took
    10% of a CPU epoch); CUDA, and a compiled model's graph, keep torch's own dropout."""
    return cpu_dropout() if device.type == "cpu" and not compiled else nullcontext()


def _optimizer(model: nn.Module, lr: float, weight_decay: float, device: torch.device, kind: str = "adamw"):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "LayerNorm" in name or "layer_norm" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if kind == "adafactor":  # mT5's optimizer, at the phase's learning rate and schedule (no relative steps)
        from transformers.optimization import Adafactor

        return Adafactor(groups, lr=lr, scale_parameter=False, relative_step=False, warmup_init=False)
    # fused AdamW on CPU too: one kernel over all parameters, ~18x faster than foreach on CPU here
    # (11M parameters: 5 ms against 94 ms a step), which is ~12% of a mid-size model's step
    return torch.optim.AdamW(groups, lr=lr, fused=device.type in ("cuda", "cpu"))


def _schedule(opt, total: int, warmup: int, position: Callable[[], int] | None = None):
    """Linear warm-up from 0, then linear decay to 0: transformers' `get_linear_schedule_with_warmup`,
    which the reference protocol (jiant) uses, step for step. With `position`, the schedule runs
    on what it returns (examples seen, for token-budget batches) instead of the step count."""
    factor = lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))  # noqa: E731
    return torch.optim.lr_scheduler.LambdaLR(opt, factor if position is None else (lambda _step: factor(position())))


def train_phase(model: nn.Module, fmt: Format, features: Features, *, epochs: float, **kw) -> dict:
    """Train `model` (encoder + head) on one task's `features`: `train_loop` with a mixture of one."""
    return train_loop(model, {"task": fmt}, {"task": features}, {"task": 1.0}, epochs=epochs, **kw)


@with_attention_kernels
def train_loop(model: nn.Module, fmts: dict[str, Format], features: dict[str, Features],
               probabilities: dict[str, float], *, lr: float, batch_size: int, warmup_ratio: float,
               weight_decay: float, seed: int, pad_id: int, rt: Runtime, steps: int | None = None,
               epochs: float = 1.0, micro_batch: int | None = None, max_grad_norm: float = 1.0,
               epoch_sizes: dict[str, int] | None = None, batch_tokens: int | None = None,
               dev_score: Callable[[], float] | None = None, eval_every: int | None = None,
               patience: int | None = None, compile: bool = False, optimizer: str = "adamw") -> dict:
    """Train `model` on one task or a mixture: each optimizer step draws a task from
    `probabilities` (seeded: the same on every rank) and takes that task's next length-grouped
    batch of `batch_size` examples, the global batch, split over the ranks and, where a rank's
    share exceeds `micro_batch`, accumulated over micro-batches. A `MultiTaskModel` is called with
    the task's name; a single task's `TaskModel` ignores it.

    Length: `steps`, else `epochs` over the batches of all tasks (one task: epochs x
    ceil(examples / batch_size), as jiant counts); `epoch_sizes` counts a task's epoch as that
    many examples instead (a mixture's examples cap). Warm-up is `warmup_ratio` of the steps, then
    linear decay; gradients are clipped to `max_grad_norm` once per optimizer step. `optimizer`:
    fused AdamW, or Adafactor (transformers') at the same learning rate and schedule.

    With `batch_tokens`, batches hold up to that many padded tokens instead of `batch_size`
    examples (xlt.data.batching.token_budget_batches). The run then lasts, and its learning-rate
    schedule runs over, examples seen: the examples the `batch_size` run would see (one task: epochs
    x its examples), so the two stay comparable (same data, epochs and schedule shape; steps
    differ). A mixture's step draws its task with the probabilities over the task's examples a budget
    batch (its epoch's budget batches over its examples), so each task keeps its share of the
    examples seen. `eval_every` still counts steps.

    With `dev_score` and `eval_every`: score dev every `eval_every` steps and at the end, keep
    the best weights (restored at the end) and stop after `patience` evaluations without
    improvement. Every rank scores the same gathered predictions, so all take the same decisions.

    Returns {'steps', 'examples', 'train_loss', 'task_losses', 'task_steps'} and, with selection,
    {'best_dev', 'best_step'}.
    """
    from xlt.mixtures import TaskSampler, mean_batch, mixture_steps, normalised

    device = rt.device
    model.to(device).train()
    names = list(features)
    # dynamic shapes: batches are padded to their own longest, so lengths vary step to step
    ddp = rt.wrap(torch.compile(model, dynamic=True) if compile else model, find_unused_parameters=len(names) > 1)
    accumulate = getattr(ddp, "no_sync", None)

    def batches(name: str, epoch: int) -> list[list[int]]:
        order_seed = seed * 1000 + epoch + 100_003 * names.index(name)
        if batch_tokens:
            return token_budget_batches(features[name].lengths, batch_tokens, order_seed)
        return length_grouped_batches(features[name].lengths, batch_size, order_seed)

    def cycle(name: str):
        epoch = 0
        while True:
            yield from batches(name, epoch)
            epoch += 1

    sizes = epoch_sizes or {n: len(features[n]) for n in names}  # features: QA windows count, as in jiant
    total = steps or mixture_steps({n: math.ceil(sizes[n] / batch_size) for n in names}, epochs)
    opt = _optimizer(model, lr, weight_decay, device, optimizer)
    seen = 0  # examples consumed (global batches, before DDP's top-up)
    draw = probabilities  # each step's task: by the mixture's probabilities, which weigh examples
    if batch_tokens:
        # the run and its schedule last the examples the batch_size run sees (its last batch of an
        # epoch partial), and a step's task is drawn so that each task keeps its share of them: a
        # budget batch of short examples holds more of them, so it is drawn less often
        shares = normalised(probabilities)
        total = round(total * sum(shares[n] * mean_batch(len(features[n]), batch_size) for n in names))
        draw = {n: shares[n] * max(1, len(batches(n, 0))) / max(1, len(features[n])) for n in names}
    sched = _schedule(opt, total, int(warmup_ratio * total), position=(lambda: seen) if batch_tokens else None)

    def done() -> bool:
        return (seen if batch_tokens else step) >= total
    iterators = {n: cycle(n) for n in names}
    sums = {n: torch.zeros((), device=device) for n in names}
    counts = dict.fromkeys(names, 0)
    sampler = TaskSampler({n: draw[n] for n in names}, seed)
    best = {"score": float("-inf"), "step": 0, "state": None, "bad": 0}

    def checkpoint_if_best(step: int) -> bool:
        """Score dev; keep the weights if best. True when patience has run out."""
        score = dev_score()
        model.train()
        if score > best["score"]:
            best.update(score=score, step=step, bad=0,
                        state={k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()})
        else:
            best["bad"] += 1
        return bool(patience) and best["bad"] >= patience

    step, stopped = 0, False
    while not done() and not stopped:
        name = next(sampler)
        batch_indices = next(iterators[name])
        micro = step_share(batch_indices, rt.rank, rt.world_size, micro_batch)
        share = sum(map(len, micro))
        for i, indices in enumerate(micro):
            batch = {k: v.to(device, non_blocking=True) for k, v in fmts[name].collate(features[name], indices, pad_id).items()}
            # gradients all-reduce once a step: every micro-batch but the last skips DDP's sync
            with accumulate() if accumulate is not None and i < len(micro) - 1 else nullcontext():
                with _autocast(device), _dropout(device, compile):
                    logits = ddp(batch, name)
                loss = fmts[name].loss(logits, batch) * (len(indices) / share)
                loss.backward()
            sums[name] += loss.detach()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        opt.step()
        seen += len(batch_indices)
        sched.step()
        opt.zero_grad(set_to_none=True)
        counts[name] += 1
        step += 1
        if dev_score and eval_every and step % eval_every == 0 and not done():
            stopped = checkpoint_if_best(step)
    out = {"steps": step, "examples": seen, "train_loss": sum(float(v) for v in sums.values()) / step,
           "task_losses": {n: float(sums[n]) / counts[n] for n in names if counts[n]}, "task_steps": counts}
    if dev_score and eval_every:
        if not stopped:
            checkpoint_if_best(step)
        model.load_state_dict(best["state"])
        out.update(best_dev=best["score"], best_step=best["step"])
    return out


@with_attention_kernels
@torch.inference_mode()
def predict(model: nn.Module, fmt: Format, features: Features, *, batch_size: int, pad_id: int,
            rt: Runtime) -> list[Any]:
    """The format's decoded output for every feature, in order, gathered from every rank."""
    model.to(rt.device).eval()
    mine = shard(length_grouped_batches(features.lengths, batch_size, None), rt.rank, rt.world_size, pad=False)
    pairs: list[tuple[int, Any]] = []
    for indices in mine:
        batch = {k: v.to(rt.device) for k, v in fmt.collate(features, indices, pad_id).items()}
        pairs.extend(zip(indices, fmt.predict(model, batch, _autocast(rt.device))))
    merged = dict(p for part in rt.all_gather(pairs) for p in part)
    return [merged[i] for i in range(len(features))]
