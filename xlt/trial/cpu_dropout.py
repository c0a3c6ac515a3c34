"""Dropout for training on CPU, its masks drawn from 16 random bits an element.

torch's CPU dropout (`aten::bernoulli_` for the mask) took 10% of a token-budget epoch of the
6-layer benchmark model on this project's 2-core machine: 11 ms for one 4,096 x 384 activation
(BENCHMARKS.md, "Token-budget batches"). `cpu_dropout()` draws a full-range int64 fill instead,
reads it as four int16 lanes, and drops an element where its lane falls below a threshold: 2 ms
for that activation. What changes is the resolution of the drop probability, p rounded to a
multiple of 1/65,536 (0.1 -> 0.100006); kept elements are scaled by 1 / (1 - that), so the
expectation is kept exactly. The masks differ from torch's for the same seed.

The context intercepts `torch.nn.functional.dropout` (what `nn.Dropout` and Hugging Face's eager
attention call) and scaled-dot-product attention with `dropout_p > 0` (which otherwise takes
torch's math kernel and its dropout), for CPU tensors only: CUDA keeps torch's fused Philox
dropout, and evaluation has no dropout. Attention here computes what torch's math kernel does:
softmax(q k^T x scale + mask), then dropout, then x v. Calls it cannot express (causal masks,
grouped-query attention, in-place dropout) go to torch unchanged.
"""

import math
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

RESOLUTION = 1 << 16


def keep_mask(shape: torch.Size, p: float, device: torch.device | str = "cpu") -> tuple[torch.Tensor, float]:
    """(a boolean tensor of `shape`, True where an element is kept; the drop probability it draws
    with: `p` rounded to a multiple of 1/65,536)."""
    drops = round(p * RESOLUTION)
    if drops >= RESOLUTION:  # the threshold would not fit an int16 lane (it wrapped round: all kept)
        return torch.zeros(shape, dtype=torch.bool, device=device), 1.0
    n = math.prod(shape)
    lanes = torch.empty((n + 3) // 4, dtype=torch.int64, device=device).random_(-2 ** 63, None)  # every bit random
    return lanes.view(torch.int16)[:n].view(shape) >= drops - RESOLUTION // 2, drops / RESOLUTION


def dropout(x: torch.Tensor, p: float) -> torch.Tensor:
    """`x` with each element dropped with probability ~`p` and the rest scaled to keep the mean."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")  # as torch's
    if p == 0:
        return x
    keep, drawn = keep_mask(x.shape, p, x.device)
    if drawn == 1:
        return x * 0
    return x * keep.to(x.dtype).mul_(1 / (1 - drawn))  # in place on the fresh mask: one pass fewer


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, attn_mask: torch.Tensor | None, p: float,
              scale: float | None) -> torch.Tensor:
    """softmax(q k^T x scale + mask) with dropout, times v: torch's math kernel, with this dropout."""
    scores = torch.matmul(q, k.transpose(-2, -1)) * (scale if scale is not None else q.size(-1) ** -0.5)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:  # True: attend; a fully masked row then averages, as Hugging Face's masks do
            scores = scores.masked_fill(~attn_mask, torch.finfo(scores.dtype).min)
        else:
            scores = scores + attn_mask
    return torch.matmul(dropout(torch.softmax(scores, dim=-1), p), v)


class _CpuDropout(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.dropout:
            x, p, training, inplace = _bind(args, kwargs, ("input", "p", "training", "inplace"), (None, 0.5, True, False))
            if training and not inplace and x.device.type == "cpu":
                return dropout(x, p)
        elif func is F.scaled_dot_product_attention:
            q, k, v, mask, p, causal, scale, gqa = _bind(
                args, kwargs, ("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa"),
                (None, None, None, None, 0.0, False, None, False))
            if p > 0 and q.device.type == "cpu" and not causal and not gqa and q.shape[:-2] == k.shape[:-2]:
                return attention(q, k, v, mask, p, scale)
        return func(*args, **kwargs)


def _bind(args: tuple, kwargs: dict, names: tuple[str, ...], defaults: tuple) -> list:
    """The call's arguments by position or name, in `names`' order, defaults filled in."""
    return [args[i] if i < len(args) else kwargs.get(name, default) for i, (name, default) in enumerate(zip(names, defaults))]


@contextmanager
def cpu_dropout():
    """Within: CPU dropout (and attention's) draws its masks as the module says; other calls run as ever."""
    with _CpuDropout():
        yield
