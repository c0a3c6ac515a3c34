"""Training throughput: xlt's phase loop inside Ray Train (1 worker, xlt's trainer as a sweep's
trials fit it; Ray's TorchTrainer until 2026-12-05) against, in the same run,
on the same model, data (log-normal lengths, mean 41, max 128), batch size, epochs and seed:
  (a) a bare PyTorch loop with dynamic padding and length-grouped batches,
  (b) HF Trainer with its defaults (dynamic padding, random batches),
  (c) HF Trainer with train_sampling_strategy="group_by_length".

  python -m benchmarks.train_throughput --size mid --examples 2048      # the figures in BENCHMARKS.md
  python -m benchmarks.train_throughput --quick                         # CI: tiny, seconds
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import emit, model_config, synthetic

BATCH = 32
VOCAB = 1283  # the tiny tokenizer's size: the same embedding table for every runner


def _xlt_model(size: str):
    from transformers import XLMRobertaModel

    from xlt.formats.base import PooledHead
    from xlt.models.task_model import TaskModel

    torch.manual_seed(0)
    config = model_config(size, VOCAB)
    return TaskModel(XLMRobertaModel(config, add_pooling_layer=False), PooledHead(config.hidden_size, 3))


def _xlt_worker(config: dict) -> None:
    """Runs on the Ray Train worker: xlt's own train_phase on the benchmark data."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.train import train_phase
    from xlt.sweep.worker import RayRuntime

    rt = RayRuntime(num_threads=config["threads"])
    ids, labels = synthetic(config["examples"], VOCAB)
    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    model = _xlt_model(config["size"])
    start = time.perf_counter()
    train_phase(model, FORMATS["classification"], features, lr=5e-5, epochs=config["epochs"], batch_size=BATCH,
                warmup_ratio=0.1, weight_decay=0.01, seed=0, pad_id=1, rt=rt)
    Path(config["out"]).write_text(json.dumps({"seconds": time.perf_counter() - start, "entered": config["t0_wall"],
                                               "started": time.time()}))


def xlt_in_ray_train(size: str, examples: int, epochs: float, threads: int, lean: bool = False) -> dict:
    """xlt's loop on one Ray Train worker; `lean`: in xlt's trainer (xlt.sweep.trainer), as a
    sweep's trials fit, instead of Ray's TorchTrainer."""
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from xlt.sweep.local_ray import loopback_torch_config
    from xlt.sweep.trainer import lean_torch_trainer

    out = Path(tempfile.mkdtemp()) / "xlt.json"
    t0 = time.time()
    trainer_class = lean_torch_trainer() if lean else TorchTrainer
    # as the embedded Ray's trials fit (xlt.sweep.run): xlt's trainer with its torch config
    kwargs = {"torch_config": loopback_torch_config()} if lean else {}
    trainer = trainer_class(_xlt_worker, train_loop_config={"size": size, "examples": examples, "epochs": epochs,
                                                            "threads": threads, "out": str(out), "t0_wall": t0},
                            **kwargs,
                            scaling_config=ray.train.ScalingConfig(num_workers=1, resources_per_worker={"CPU": threads}),
                            run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="bench"))
    trainer.fit()
    fit_wall = time.time() - t0
    info = json.loads(out.read_text())
    return {"seconds": info["seconds"], "fit_wall": fit_wall, "ended": info["started"]}  # "started": written at the end


def xlt_in_process(size: str, examples: int, epochs: float) -> float:
    """xlt's same loop without Ray (LocalRuntime): separates the loop from Ray's share of the machine."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.train import train_phase

    ids, labels = synthetic(examples, VOCAB)
    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    model = _xlt_model(size)
    start = time.perf_counter()
    train_phase(model, FORMATS["classification"], features, lr=5e-5, epochs=epochs, batch_size=BATCH,
                warmup_ratio=0.1, weight_decay=0.01, seed=0, pad_id=1, rt=LocalRuntime())
    return time.perf_counter() - start


def bare_loop(size: str, examples: int, epochs: float) -> float:
    """(a): the strongest simple loop, written out here independently of xlt."""
    import random

    from transformers import XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    model = XLMRobertaForSequenceClassification(model_config(size, VOCAB)).train()
    ids, labels = synthetic(examples, VOCAB)
    steps = int(epochs * ((len(ids) + BATCH - 1) // BATCH))
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01, fused=True)  # as HF Trainer's default
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / max(1, steps // 10), (steps - s) / steps))
    rng = random.Random(0)
    start, step = time.perf_counter(), 0
    while step < steps:
        order = list(range(len(ids)))
        rng.shuffle(order)
        window = BATCH * 50
        order = [i for w in range(0, len(order), window)
                 for i in sorted(order[w:w + window], key=lambda i: len(ids[i]))]
        batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for b in batches:
            if step == steps:
                break
            width = max(len(ids[i]) for i in b)
            x = torch.ones(len(b), width, dtype=torch.long)
            for r, i in enumerate(b):
                x[r, : len(ids[i])] = torch.tensor(ids[i])
            loss = model(input_ids=x, attention_mask=(x != 1).long(), labels=torch.tensor([labels[i] for i in b])).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
    return time.perf_counter() - start


def hf_trainer(size: str, examples: int, epochs: float, group_by_length: bool) -> float:
    """(b) and (c): HF Trainer, defaults except what the comparison needs."""
    import datasets
    from transformers import (DataCollatorWithPadding, Trainer, TrainingArguments,
                              XLMRobertaForSequenceClassification, PreTrainedTokenizerFast)

    from xlt.models.registry import resolve_model

    torch.manual_seed(0)
    model = XLMRobertaForSequenceClassification(model_config(size, VOCAB))
    ids, labels = synthetic(examples, VOCAB)
    data = datasets.Dataset.from_dict({"input_ids": ids, "attention_mask": [[1] * len(x) for x in ids],
                                       "labels": labels, "length": [len(x) for x in ids]})
    tokenizer = PreTrainedTokenizerFast.from_pretrained(resolve_model("tiny-xlmr"))
    kwargs = {"train_sampling_strategy": "group_by_length", "length_column_name": "length"} if group_by_length else {}
    args = TrainingArguments(output_dir=tempfile.mkdtemp(), per_device_train_batch_size=BATCH, num_train_epochs=epochs,
                             learning_rate=5e-5, weight_decay=0.01, warmup_steps=0.1, max_grad_norm=1.0, report_to=[],
                             save_strategy="no", logging_strategy="no", use_cpu=not torch.cuda.is_available(),
                             disable_tqdm=True, seed=0, **kwargs)
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=DataCollatorWithPadding(tokenizer))
    start = time.perf_counter()
    trainer.train()
    return time.perf_counter() - start


def training_parser(description: str) -> argparse.ArgumentParser:
    """The options every training benchmark takes: model size, examples, epochs, threads."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", choices=["tiny", "mid", "base", "large"], default="mid")
    parser.add_argument("--examples", type=int, default=2048)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2)
    return parser


def main(argv=None) -> dict:
    parser = training_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny model, 128 examples (CI)")
    parser.add_argument("--skip-hf", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.examples = "tiny", 128
    import os

    import ray

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    torch.set_num_threads(args.threads)
    ids, _ = synthetic(args.examples, VOCAB)
    tokens = sum(len(x) for x in ids) * args.epochs
    n = args.examples * args.epochs
    started_ray = not ray.is_initialized()
    if started_ray:
        ray.init(num_cpus=args.threads, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        xlt = xlt_in_ray_train(args.size, args.examples, args.epochs, args.threads, lean=True)  # as a sweep's trials fit
    finally:
        if started_ray:
            ray.shutdown()
    runs = {"xlt (Ray Train, 1 worker)": xlt["seconds"],
            "xlt loop in-process (no Ray)": xlt_in_process(args.size, args.examples, args.epochs),
            "(a) bare loop, grouped": bare_loop(args.size, args.examples, args.epochs)}
    if not args.skip_hf:
        runs["(b) HF Trainer default"] = hf_trainer(args.size, args.examples, args.epochs, False)
        runs["(c) HF Trainer group_by_length"] = hf_trainer(args.size, args.examples, args.epochs, True)
    xlt_rate = n / xlt["seconds"]
    rows = [{"runner": name, "examples/s": n / s, "tokens/s": tokens / s, "xlt ratio": xlt_rate / (n / s)}
            for name, s in runs.items()]
    return emit("train_throughput", rows, {"size": args.size, "examples": args.examples, "epochs": args.epochs,
                                           "batch": BATCH, "threads": args.threads,
                                           "xlt_fit_wall_s": xlt["fit_wall"], "xlt_train_s": xlt["seconds"]})


if __name__ == "__main__":
    main()
