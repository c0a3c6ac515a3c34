"""Shared pieces of the benchmarks: models, synthetic data with a realistic length spread, output."""

import json
import math
import os
import platform
import random
import time
from pathlib import Path

import torch

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "gpu": gpu,
            "python": platform.python_version(), "torch": torch.__version__}


def lengths(n: int, seed: int = 0, mean: float = 41.0, sigma: float = 0.6, max_len: int = 128) -> list[int]:
    """Log-normal lengths with the given mean, clipped to [8, max_len] (a realistic spread)."""
    rng = random.Random(seed)
    mu = math.log(mean) - sigma ** 2 / 2
    return [min(max_len, max(8, int(rng.lognormvariate(mu, sigma)))) for _ in range(n)]


def synthetic(n: int, vocab: int, seed: int = 0, max_len: int = 128, mean: float = 41.0,
              sigma: float = 0.6) -> tuple[list[list[int]], list[int]]:
    """Token ids (with <s> ... </s>) and 3-way labels; lengths as `lengths`."""
    rng = random.Random(seed + 1)
    ids = [[0] + [rng.randrange(3, vocab) for _ in range(L - 2)] + [2]
           for L in lengths(n, seed, mean=mean, sigma=sigma, max_len=max_len)]
    return ids, [rng.randrange(3) for _ in ids]


def model_config(size: str, vocab: int):
    from transformers import XLMRobertaConfig

    dims = {"tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128),
            "mid": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, intermediate_size=1536),
            "base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
            "large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)}[size]
    return XLMRobertaConfig(vocab_size=vocab, max_position_embeddings=514, num_labels=3, pad_token_id=1,
                            bos_token_id=0, eos_token_id=2, **dims)


def emit(name: str, rows: list[dict], extra: dict, out: Path | None = None, show: bool = True) -> dict:
    """Print a table (unless `show` is false: the caller printed its own) and one JSON line;
    append the line to `out`, default benchmarks/results/<name>.jsonl."""
    if show:
        table(rows)
    record = {"benchmark": name, "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **extra, "rows": rows}
    line = json.dumps(record)
    print(line)
    path = out or RESULTS / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(line + "\n")
    return record


def table(rows: list[dict], cols: list[str] | None = None) -> None:
    """Print `rows` as aligned columns (`cols`, default: the first row's keys)."""
    cols = cols or list(rows[0])
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(w) for c, w in zip(cols, widths)))


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:.2f}" if isinstance(v, float) else str(v)
