"""Seconds per example of training and evaluation, per (model, task) on a GPU type: what
`xlt sweep plan` prices phases with (and the surrogate backend simulates GPU-hours with).

From FLOPs, where the backbone's shape is known: training costs 6·N·T FLOPs an example and
evaluation 2·N·T (N the backbone's matrix-multiply parameters, 12·layers·hidden², T the tokens of
an example: its sequences x their mean length, capped at the phase's max length), run at an
efficiency (model FLOP utilisation, `mfu`) of the GPU type's bf16 dense peak, and never faster than
the host launches a step's work (`host_step_s_per_layer` x layers a step, over the examples a GPU
takes a step, where those are known). Measured, where
`xlt sweep plan --calibrate` timed the (model, task) on the machine that will run the sweep: its
seconds per example replace the FLOP figure. Otherwise the flat `throughput` examples/s.
"""

from dataclasses import dataclass

from xlt.models.memory import SHAPES
from xlt.tasks import get_task


class CostModelError(ValueError):
    """A cost file that cannot price a sweep; the message names the key to add."""


@dataclass(frozen=True)
class ExampleCost:
    train_s: float
    """Seconds to train on one feature, per GPU: an example (all its sequences), or one window of a QA
    example whose context outruns the max length (xlt.trial.train counts an epoch in features, and
    --calibrate times a feature)."""
    eval_s: float
    """Seconds to evaluate one example (all its windows), per GPU."""
    source: str


def shape_of(model: str, cost: dict) -> dict | None:
    """{total, layers, hidden} of a backbone: the cost file's `parameters`, else xlt.models.memory's
    published shapes; None when neither knows it."""
    if model in cost.get("parameters", {}):
        return cost["parameters"][model]
    for shape in SHAPES:
        if shape.name.split(" (")[0] == model:
            return {"total": shape.params, "layers": shape.layers, "hidden": shape.hidden}
    return None


def tokens_per_example(cost: dict, task: str, max_length: int) -> float:
    """Tokens one example feeds the model: its sequences (choices, windows) x their mean length,
    the length capped at `max_length` (measured by --calibrate, else the cost file's per-format fill)."""
    spec = get_task(task)
    measured = cost.get("tokens", {}).get(task)
    if measured is not None:
        return float(measured)
    sequences = cost.get("sequences", {}).get(task, 1)
    fill = cost["fill"].get(spec.format, cost["fill"]["default"])
    return sequences * fill * max_length


def hub_test_examples(cost: dict, task: str) -> int:
    """Test examples of `task` a language on the hub: the cost file's `eval_examples`, else its default."""
    sizes = cost["eval_examples"]
    return int(sizes.get(task, sizes["default"]))


def windows_per_example(cost: dict, task: str) -> float:
    """Features the loop trains on per training example of `task`: a QA context longer than the
    max length yields several windows (doc stride 128, xlt.formats.span), each trained on as an
    example of its own (xlt.trial.train counts a task's epoch in them, as jiant does). Measured by
    `--calibrate` on the sweep's own data and tokenizer; 1 where nothing measured it (the plan
    says so: `Plan.windows_uncounted`)."""
    return float(cost.get("windows", {}).get(task, 1.0))


def tokens_per_feature(cost: dict, task: str, max_length: int) -> float:
    """Tokens of one feature the loop trains on: a measured example's tokens over the windows it
    yields (--calibrate counts both on the same features); the cost file's fill prices one window."""
    if cost.get("tokens", {}).get(task) is None:
        return tokens_per_example(cost, task, max_length)
    return tokens_per_example(cost, task, max_length) / windows_per_example(cost, task)


# How a training price set by the host's floor begins its source line (format_plan's note looks for it).
HOST_FLOOR = "the host's"


def gpu_share(batch: float, workers: int, micro_batch: int | None) -> float:
    """Examples one GPU runs forward and backward at once: its share of a global batch over the
    trial's workers, at most a micro-batch (xlt.data.batching.step_share splits batches so)."""
    share = batch / workers
    return min(share, micro_batch) if micro_batch else share


def example_cost(cost: dict, model: str, task: str, max_length: int, gpu: str, text_head: bool = False,
                 step_examples: float | None = None) -> ExampleCost:
    """What one example of `task` costs on `model` (see the module). A FLOP price leaves out what a
    text head adds (its LM projection onto the vocabulary, an encoder-decoder's decoder, generation
    in evaluation), and with `text_head` its source says so. With `step_examples` (the examples one
    GPU takes a training step), training is held to the host's floor a step, and the source says so
    where the floor, not the FLOPs, sets the price."""
    measured = cost.get("measured", {}).get(f"{model}|{task}")
    if measured is not None:
        return ExampleCost(measured["train_s"], measured["eval_s"], f"measured on {cost.get('device', 'this machine')}")
    shape = shape_of(model, cost)
    if shape is None:
        examples_s = cost["throughput"].get(model, cost["throughput"]["default"])
        return ExampleCost(1 / examples_s, 1 / (examples_s * cost["eval_speedup"]),
                           f"flat {examples_s:g} examples/s (no shape for {model}: add it under parameters)")
    if gpu not in cost["gpus"]:
        raise CostModelError(f"cost model: no bf16 peak for GPU type {gpu!r} (known: {', '.join(cost['gpus'])}); "
                             f"add gpus: {{{gpu}: TFLOPS}} to a --cost-model file, with its source")
    peak = cost["gpus"][gpu] * 1e12
    per_token = 12 * shape["layers"] * shape["hidden"] ** 2
    flops, feature_flops = (per_token * tokens(cost, task, max_length) for tokens in (tokens_per_example, tokens_per_feature))
    low = (" WITHOUT the text head's LM projection, decoder and generation, so LOW (xlt/cost_model.yaml)"
           if text_head else "")
    train_s, how = 6 * feature_flops / (peak * cost["mfu"]["train"]), f"FLOPs at {cost['mfu']['train']:.0%} of {gpu}'s bf16 peak"
    step_s = cost.get("host_step_s_per_layer", 0.0) * shape["layers"]
    if step_examples and step_s / step_examples > train_s:
        train_s = step_s / step_examples
        how = (f"{HOST_FLOOR} {1000 * step_s:.0f} ms a training step ({step_examples:.3g} "
               f"example{'' if step_examples == 1 else 's'} a step a GPU; "
               f"host_step_s_per_layer), above FLOPs at {cost['mfu']['train']:.0%} of {gpu}'s bf16 peak")
    return ExampleCost(train_s, 2 * flops / (peak * cost["mfu"]["eval"]), how + low)


def checkpoint_seconds(cost: dict, model: str, reads: int = 0, writes: int = 0) -> float:
    """Writing and reading an fp32 checkpoint of `model` (the phase cache's entries)."""
    shape = shape_of(model, cost)
    size = 4 * (shape["total"] if shape else 0)
    return writes * size / cost["storage"]["write_bytes_s"] + reads * size / cost["storage"]["read_bytes_s"]
