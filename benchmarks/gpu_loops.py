"""The loops `benchmarks.gpu_check` times, on any device: xlt's `train_phase`, a bare PyTorch loop and
HF Trainer (group_by_length), bf16 autocast on GPU and fp32 on CPU; timing with peak GPU memory;
evaluation through `xlt.trial.train.predict`."""

import gc
import shutil
import tempfile
import time

import torch

GIB = 1024 ** 3
LR = 2e-5  # XTREME's XLM-R large fine-tuning rate; irrelevant to speed, kept realistic


# --- the three training loops ------------------------------------------------------------------

def xlt_model(config):
    from transformers import XLMRobertaModel

    from xlt.formats.base import PooledHead
    from xlt.models.task_model import TaskModel

    return TaskModel(XLMRobertaModel(config, add_pooling_layer=False), PooledHead(config.hidden_size, 3))


def hf_model(config):
    from transformers import XLMRobertaForSequenceClassification

    return XLMRobertaForSequenceClassification(config)


def runtime(device: torch.device):
    from xlt.trial.runtime import LocalRuntime

    rt = LocalRuntime()
    rt.device = device
    return rt


def xlt_epoch(model, ids, labels, batch: int, device: torch.device, token_budget: bool = False,
              compile: bool = False) -> None:
    """xlt's own loop: `train_phase` in one process (LocalRuntime), bf16 autocast on GPU, fused AdamW.
    With `token_budget`: token-budget batches (`batch_tokens`) of `batch` x the longest example, so
    its largest batches hold what a `batch` batch of the longest would. With `compile`: as a sweep's
    `model.compile: true` runs it (`torch.compile(model, dynamic=True)`; the warm-up epoch compiles)."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.train import train_phase

    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    train_phase(model, FORMATS["classification"], features, epochs=1, lr=LR, batch_size=batch, warmup_ratio=0.1,
                weight_decay=0.01, seed=0, pad_id=1, rt=runtime(device),
                batch_tokens=batch * max(map(len, ids)) if token_budget else None, compile=compile)


def bare_epoch(model, ids, labels, batch: int, device: torch.device) -> None:
    """The reference: a plain loop written here, independently of xlt. Batches from length-sorted
    windows of 50 batches (HF's group_by_length grouping), padded to their own longest; bf16 autocast
    on GPU; fused AdamW; linear warm-up/decay; clipping; no host sync in the loop."""
    import random

    model.to(device).train()
    rng = random.Random(0)
    order = list(range(len(ids)))
    rng.shuffle(order)
    window = 50 * batch
    order = [i for w in range(0, len(order), window) for i in sorted(order[w:w + window], key=lambda i: -len(ids[i]))]
    batches = [order[i:i + batch] for i in range(0, len(order), batch)]
    rng.shuffle(batches)
    steps = len(batches)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01, fused=True)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, (steps - s) / steps))
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    for b in batches:
        x = torch.ones(len(b), max(len(ids[i]) for i in b), dtype=torch.long)
        for r, i in enumerate(b):
            x[r, : len(ids[i])] = torch.tensor(ids[i])
        x = x.to(device, non_blocking=True)
        y = torch.tensor([labels[i] for i in b]).to(device, non_blocking=True)
        with autocast:
            loss = model(input_ids=x, attention_mask=(x != 1).long(), labels=y).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)


def hf_epoch(model, ids, labels, batch: int, device: torch.device, tokenizer=None) -> None:
    """HF Trainer, bf16 on GPU, group_by_length; no checkpoints or logging."""
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback

    grouping = _hf_grouping()
    args = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="gpu-check-hf-"), per_device_train_batch_size=batch,
                             num_train_epochs=1, learning_rate=LR, weight_decay=0.01, warmup_steps=0.1,
                             max_grad_norm=1.0, report_to=[], save_strategy="no", logging_strategy="no",
                             use_cpu=device.type == "cpu", bf16=device.type == "cuda", disable_tqdm=True, seed=0,
                             **grouping)
    if device.type == "cuda":
        _ = args.device
        args._n_gpu = 1  # not nn.DataParallel over every visible GPU: one GPU, as the other loops
    data = [{"input_ids": x, "attention_mask": [1] * len(x), "labels": y} for x, y in zip(ids, labels)]
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=DataCollatorWithPadding(tokenizer))
    trainer.remove_callback(PrinterCallback)  # its end-of-training dict would break up the tables
    trainer.train()
    shutil.rmtree(args.output_dir, ignore_errors=True)


def _hf_grouping() -> dict:
    """group_by_length as this transformers spells it (5.x: train_sampling_strategy; 4.x: group_by_length)."""
    from dataclasses import fields

    from transformers import TrainingArguments

    names = {f.name for f in fields(TrainingArguments)}
    if "train_sampling_strategy" in names:
        return {"train_sampling_strategy": "group_by_length"}
    if "group_by_length" in names:
        return {"group_by_length": True}
    raise RuntimeError("this transformers' TrainingArguments has neither train_sampling_strategy nor group_by_length")


# --- measuring ---------------------------------------------------------------------------------

def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def free(device: torch.device) -> None:
    """Release the last loop's model and optimizer before the next loop's peak is measured (GPU only:
    on CPU nothing is measured, and a full collection costs ~1 s a call there)."""
    if device.type == "cuda":
        gc.collect()
        torch.cuda.empty_cache()


def on_device(build, device: torch.device):
    """`build()` with its weights initialised on `device` (on a GPU: seconds instead of a minute on the
    host), from seed 0, so every loop starts from the same weights."""
    with torch.device(device):
        torch.manual_seed(0)
        return build()


def mfu_percent(params: float, tokens: int, seconds: float, peak_tflops: float) -> float:
    """Model FLOP utilisation, %: 6 x `params` x `tokens` training FLOPs over `seconds`, against the
    GPU's bf16 dense peak."""
    return 100 * 6 * params * tokens / seconds / (peak_tflops * 1e12)


def measure(epoch, build, warm_data, data, batch: int, device: torch.device) -> tuple[float, float, dict, object]:
    """Seconds of one timed epoch over `data` after a warm-up epoch over `warm_data` on the same model,
    and of the warm-up epoch; peak memory (GiB) over both; the model."""
    model = on_device(build, device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    epoch(model, *warm_data, batch, device)
    sync(device)
    warm_s = time.perf_counter() - start
    if device.type == "cuda":  # the warm-up's optimizer state (HF's Trainer holds it in cycles) must not count
        gc.collect()
    start = time.perf_counter()
    epoch(model, *data, batch, device)
    sync(device)
    seconds = time.perf_counter() - start
    memory = ({"allocated": torch.cuda.max_memory_allocated(device) / GIB,
               "reserved": torch.cuda.max_memory_reserved(device) / GIB} if device.type == "cuda" else {})
    return seconds, warm_s, memory, model


def eval_throughput(model, ids, batch: int, device: torch.device) -> float:
    """Seconds for `xlt.trial.train.predict` over `ids` (after a warm-up pass over the first batches)."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.train import predict

    features = Features(ids, list(range(len(ids))), {"labels": [0] * len(ids)}, len(ids))
    first = ids[: 4 * batch]
    warm = Features(first, list(range(len(first))), {"labels": [0] * len(first)}, len(first))
    predict(model, FORMATS["classification"], warm, batch_size=batch, pad_id=1, rt=runtime(device))
    sync(device)
    start = time.perf_counter()
    predict(model, FORMATS["classification"], features, batch_size=batch, pad_id=1, rt=runtime(device))
    sync(device)
    return time.perf_counter() - start
