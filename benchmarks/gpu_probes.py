"""What `benchmarks.gpu_check` measures beside the loops, each explaining a figure of the loop table:
  - first-shape costs: one forward and backward per (batch, length) shape, cold then warm, with
    PyTorch's default attention kernels and with xlt's (`xlt.trial.train.ATTENTION`, no cuDNN);
  - a step's anatomy: xlt's loop on warm shapes, its wall time against the process's CPU time, and
    on CUDA the kernels launched and the GPU time they take (torch.profiler): is the step bound by the
    host launching work or by the GPU doing it;
  - MFU against tokens per step: xlt's loop with token budgets far above the task defaults' batches.
Each returns rows for a table; every figure is a number or a null with its reason (`why_null`)."""

import math
import time

import torch

from benchmarks.common import synthetic
from benchmarks.gpu_loops import GIB, LR, free, mfu_percent, on_device, runtime, sync, xlt_model


def _built(config, device: torch.device):
    return on_device(lambda: xlt_model(config), device)


def _forward_backward(model, config, shapes: list[tuple[int, int]], device: torch.device) -> float:
    """Seconds for one forward and backward (bf16 autocast on CUDA) per shape, random tokens."""
    from xlt.formats import FORMATS

    fmt = FORMATS["classification"]
    model.train()
    sync(device)
    start = time.perf_counter()
    for rows, length in shapes:
        ids = torch.randint(3, config.vocab_size, (rows, length), device=device)
        batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                 "labels": torch.zeros(rows, dtype=torch.long, device=device)}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(batch)
        fmt.loss(logits, batch).backward()
        model.zero_grad(set_to_none=True)
    sync(device)
    return time.perf_counter() - start


def shape_costs(config, device: torch.device, rows: int, lengths: range) -> list[dict]:
    """Two passes (cold, then warm) over `rows` x each of `lengths` with xlt's attention kernels, then
    two with PyTorch's defaults (cuDNN's first where CUDA has it). `rows` is a batch no loop runs, and
    odd rows over odd lengths make every rows x length odd, so no linear layer's flattened shape is one
    a loop's even batch met: xlt's first pass pays every first-shape cost (cuBLAS's choices included);
    the defaults' first pass then pays only what their attention kernel adds. (Rows of 24 over even
    lengths matched a loop's flattened shape in 28 of 61.)"""
    from contextlib import nullcontext

    from torch.nn.attention import sdpa_kernel

    from xlt.trial.train import ATTENTION

    shapes = [(rows, length) for length in lengths]
    cudnn = device.type == "cuda" and torch.backends.cuda.cudnn_sdp_enabled()
    model = _built(config, device)
    out = []
    for name, context in (("xlt's (no cuDNN)", lambda: sdpa_kernel(ATTENTION)),
                          ("PyTorch's default" + (" (cuDNN first)" if cudnn else ""), nullcontext)):
        with context():
            cold = _forward_backward(model, config, shapes, device)
            warm = _forward_backward(model, config, shapes, device)
        row = {"attention": name, "shapes": len(shapes), "batch": rows, "cold s": cold, "warm s": warm,
               "ms a new shape": 1000 * (cold - warm) / len(shapes) if cold > warm else None}
        if cold <= warm:
            row["why_null"] = {"ms a new shape": "within noise: the cold pass was no slower than the warm one"}
        out.append(row)
    del model
    free(device)
    return out


def step_anatomy(config, device: torch.device, batch: int, spread: dict, steps: int) -> dict:
    """xlt's `train_phase` over `steps` batches whose shapes are all warm (the same epoch run before):
    wall and process CPU seconds a step; on CUDA, kernels launched a step and their GPU seconds
    (torch.profiler, in a third run of the same epoch)."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    from xlt.formats import FORMATS, Features
    from xlt.trial.train import train_phase

    ids, labels = synthetic(steps * batch, config.vocab_size, seed=3, **spread)
    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    model = _built(config, device)

    def epoch(model):
        train_phase(model, FORMATS["classification"], features, epochs=1, lr=LR, batch_size=batch, warmup_ratio=0.1,
                    weight_decay=0.01, seed=0, pad_id=1, rt=runtime(device))
        sync(device)

    epoch(model)  # every shape of this epoch, warm
    wall, cpu = time.perf_counter(), time.process_time()
    epoch(model)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    row = {"seq": spread["max_len"], "batch": batch, "steps": steps, "ms a step": 1000 * wall / steps,
           "host CPU ms a step": 1000 * cpu / steps, "kernels a step": None, "GPU busy ms a step": None}
    if device.type == "cuda":
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            epoch(model)
        events = prof.key_averages()
        launches = sum(e.count for e in events if e.key in ("cudaLaunchKernel", "cuLaunchKernel", "cudaLaunchKernelExC"))
        row["kernels a step"] = launches / steps
        # the kernels' own events: an op's self device time counts its kernels a second time
        kernels = sum(e.self_device_time_total for e in events if e.device_type == DeviceType.CUDA)
        row["GPU busy ms a step"] = kernels / 1000 / steps  # µs -> ms
    else:
        row["why_null"] = dict.fromkeys(("kernels a step", "GPU busy ms a step"), "CPU run: no CUDA kernels")
    del model
    free(device)
    return row


def budget_sweep(config, device: torch.device, runs: list[tuple[dict, int]], steps: int, params: dict,
                 peak: float | None, peak_note: str, fits) -> list[dict]:
    """xlt's loop with token budgets: for each (length spread, budget), about `steps` steps' worth of
    examples, one epoch to warm every shape, then one timed. `fits(max_len, budget)` is None or why
    the budget is skipped (xlt.models.memory's estimate over the device's memory)."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.train import train_phase

    rows = []
    for spread, budget in runs:
        row = {"seq": spread["max_len"], "batch_tokens": budget, "steps": None, "examples/s": None, "tokens/s": None,
               "MFU %": None, "peak GiB": None}
        skip = fits(spread["max_len"], budget)
        if skip:
            rows.append({**row, "why_null": dict.fromkeys(("steps", "examples/s", "tokens/s", "MFU %", "peak GiB"), skip)})
            continue
        n = 32 * math.ceil(steps * budget / spread["mean"] / 32)  # whole batch_size batches: the run is one epoch
        ids, labels = synthetic(n, config.vocab_size, seed=0, **spread)
        features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
        tokens = sum(map(len, ids))
        model = _built(config, device)
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        kw = dict(epochs=1, lr=LR, batch_size=32, warmup_ratio=0.1, weight_decay=0.01, seed=0, pad_id=1,
                  rt=runtime(device), batch_tokens=budget)
        train_phase(model, FORMATS["classification"], features, **kw)
        sync(device)
        start = time.perf_counter()
        out = train_phase(model, FORMATS["classification"], features, **kw)
        sync(device)
        seconds = time.perf_counter() - start
        row.update({"steps": out["steps"], "examples/s": len(ids) / seconds, "tokens/s": tokens / seconds})
        why = {}
        if peak is None:
            why["MFU %"] = peak_note
        else:
            row["MFU %"] = mfu_percent(params["matmul"], tokens, seconds, peak)
        if device.type == "cuda":
            row["peak GiB"] = torch.cuda.max_memory_allocated(device) / GIB
        else:
            why["peak GiB"] = "CPU run: no CUDA allocator statistics"
        rows.append({**row, "why_null": why} if why else row)
        del model
        free(device)
    return rows
