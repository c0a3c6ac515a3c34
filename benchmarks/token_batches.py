"""Token-budget batches (`batch_tokens`) against fixed-size length-grouped batches and HF Trainer's
`group_by_length`, in the same run, on the same model, data (log-normal lengths, mean 41, max 128),
examples, epochs and seed; all in process (Ray's share of the machine is train_throughput's
subject). Every runner sees the same examples: a token-budget run lasts the examples the batch-32
run sees, on the same warm-up/decay shape over examples.

  python -m benchmarks.token_batches --size mid --examples 2048        # the figures in BENCHMARKS.md
  python -m benchmarks.token_batches --quick                           # CI: tiny, seconds

Each runner runs `--repeats` times, interleaved; its fastest run counts (the others were slowed
by something else on the machine, not by the runner).
"""

import time

import torch

from benchmarks.common import emit, synthetic
from benchmarks.train_throughput import BATCH, VOCAB, _xlt_model, hf_trainer, training_parser


class _Counting:
    """A format that counts the padded tokens of the batches it collates."""

    def __init__(self, fmt):
        self.fmt, self.padded, self.batches = fmt, 0, 0

    def collate(self, features, indices, pad_id):
        batch = self.fmt.collate(features, indices, pad_id)
        self.padded += batch["input_ids"].numel()
        self.batches += 1
        return batch

    def loss(self, logits, batch):
        return self.fmt.loss(logits, batch)


def xlt_loop(size: str, examples: int, epochs: float, batch_tokens: int | None, torch_dropout: bool = False) -> dict:
    """xlt's loop; with `torch_dropout`, with torch's own CPU dropout instead of xlt.trial.cpu_dropout's
    (the ablation: the loop's `_dropout` hook replaced for this run only)."""
    from contextlib import nullcontext
    from unittest import mock

    from xlt.formats import FORMATS, Features
    from xlt.trial import train
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.train import train_phase

    if torch_dropout:
        with mock.patch.object(train, "_dropout", lambda device, compiled: nullcontext()):
            return xlt_loop(size, examples, epochs, batch_tokens)

    ids, labels = synthetic(examples, VOCAB)
    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    fmt = _Counting(FORMATS["classification"])
    model = _xlt_model(size)
    start = time.perf_counter()
    out = train_phase(model, fmt, features, lr=5e-5, epochs=epochs, batch_size=BATCH, warmup_ratio=0.1,
                      weight_decay=0.01, seed=0, pad_id=1, rt=LocalRuntime(), batch_tokens=batch_tokens)
    return {"seconds": time.perf_counter() - start, "steps": out["steps"], "examples": out["examples"],
            "padded": fmt.padded, "loss": out["train_loss"]}


def main(argv=None) -> dict:
    parser = training_parser(__doc__)
    parser.add_argument("--budgets", default="1312,2048,4096",
                        help="token budgets to run (1312 = 32 x the mean length, 4096 = 32 x the longest)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny model, 128 examples, one repeat (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.examples, args.repeats = "tiny", 128, 1
    torch.set_num_threads(args.threads)
    ids, _ = synthetic(args.examples, VOCAB)
    real = sum(len(x) for x in ids) * args.epochs
    budgets = [int(b) for b in args.budgets.split(",") if b]
    runners = {f"xlt, batch {BATCH} (length-grouped)": lambda: xlt_loop(args.size, args.examples, args.epochs, None)}
    for budget in budgets:
        runners[f"xlt, batch_tokens={budget}"] = (
            lambda b=budget: xlt_loop(args.size, args.examples, args.epochs, b))
    if budgets:
        runners[f"xlt, batch_tokens={budgets[-1]}, torch's dropout"] = (
            lambda: xlt_loop(args.size, args.examples, args.epochs, budgets[-1], torch_dropout=True))
    runners["HF Trainer group_by_length"] = lambda: {
        "seconds": hf_trainer(args.size, args.examples, args.epochs, True), "steps": None,
        "examples": args.examples * args.epochs, "padded": None, "loss": None}
    best: dict[str, dict] = {}
    for _ in range(args.repeats):
        for name, run in runners.items():
            result = run()
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    reference = best["HF Trainer group_by_length"]
    ref_rate = reference["examples"] / reference["seconds"]
    rows = [{"runner": name, "examples/s": r["examples"] / r["seconds"], "tokens/s": real / r["seconds"],
             "steps": r["steps"], "padded/real tokens": r["padded"] / real if r["padded"] else None,
             "train loss": r["loss"], "÷ group_by_length": (r["examples"] / r["seconds"]) / ref_rate}
            for name, r in best.items()]
    return emit("token_batches", rows, {"size": args.size, "examples": args.examples, "epochs": args.epochs,
                                        "batch": BATCH, "threads": args.threads, "repeats": args.repeats,
                                        "budgets": budgets})


if __name__ == "__main__":
    main()
