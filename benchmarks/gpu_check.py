"""GPU check, one command: XLM-R large (its published architecture, random weights, nothing fetched
from a hub) fine-tuned in bf16 on lengths spread like the real tasks', measured in one run:
  - training throughput and MFU at max lengths 128, 256 and 384: a bare PyTorch bf16 loop (autocast,
    fused AdamW), HF Trainer (bf16, group_by_length), xlt's loop (`train_phase`) and xlt's loop with
    token-budget batches (`batch_tokens`: the batch x the longest example), in that order (with
    --compile, then xlt's loop as `model.compile: true` runs it: torch.compile, dynamic shapes), each
    timed over one epoch of the same examples after a warm-up epoch over them, so that every shape
    is met before it is timed (first uses are measured apart); ratios are against the bare loop;
  - xlt's peak GPU memory against its estimate (xlt/models/memory.py, docs/backbones.md);
  - evaluation throughput (`xlt.trial.train.predict`);
  - XNLI zero-shot over its 15 languages end to end (`xlt.trial.torch_backend.run_trial` on the fixtures);
  - what explains those figures (benchmarks.gpu_probes): the cost of a shape's first use by attention
    kernels, a warm step's host CPU, kernel launches and GPU time, and MFU at token budgets of
    16,384 and 65,536 tokens a step;
  - a 2-worker DDP step through Ray Train (xlt's RayRuntime) where the machine has 2 GPUs.
Writes one JSON line (appended to --out, default benchmarks/results/gpu_check.jsonl) and tables; while
it runs, the sections finished so far in OUT's `<stem>.partial.json` (removed at the end), so a
run stopped by a time limit still returns what it measured.
Targets (MFU >= 45%, xlt >= 0.95x bare) are printed as pass/fail, never asserted.

  python -m benchmarks.gpu_check --out $OUT/gpu_check.jsonl   # one H200, ~8.5 min estimated (not timed)
  python -m benchmarks.gpu_check --compile --out $OUT/gpu_check.jsonl   # plus the compiled loop: a command of its own
  python -m benchmarks.gpu_check --smoke --compile             # CPU, tiny model, fp32, CI
"""

import argparse
import importlib
import json
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch

from benchmarks.common import RESULTS, emit, synthetic, table
from benchmarks.gpu_loops import (GIB, LR, bare_epoch, eval_throughput, free, hf_epoch, hf_model, measure, mfu_percent,
                                  on_device, runtime, sync, xlt_epoch, xlt_model)
from benchmarks.gpu_probes import budget_sweep, shape_costs, step_anatomy

MFU_TARGET, RATIO_TARGET = 0.45, 0.95
XLT, COMPILED = "xlt", "xlt compiled"  # the runners the targets are about

# xlm-roberta-large's config.json, as read (search corpus "docs") at
# huggingface.co/FacebookAI/xlm-roberta-large fine-tuned copies that keep it verbatim, e.g.
# huggingface.co/classla/xlm-r-parla/blame/46018688a2e5a41232cb140129d6bc6df2933d85/config.json, and at
# github.com/keras-team/keras-hub keras_nlp/models/xlm_roberta/xlm_roberta_presets.py
# (vocabulary 250002, 24 layers, 16 heads, hidden 1024, intermediate 4096; 559,889,410 parameters).
XLMR_LARGE = dict(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                  intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5,
                  hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                  pad_token_id=1, bos_token_id=0, eos_token_id=2)

# bf16 dense (no 2:4 sparsity) tensor-core peaks, TFLOP/s; datasheets headline the sparse figure, 2x these.
#   H100 SXM5 989.4: hmc-tech.com/gpu/nvidia-gb200-vs-nvidia-h100-sxm ("BF16 989.43 TFLOPS Tensor, 1.98 PFLOPS Sparse")
#   H200 SXM 989.4: itkb.uw.cz/2026/06/nvidia-h200-vs-b300-precisions-cores.html ("FP16 / BF16 (dense) ~989
#     TFLOPS"): the H100's GH100 die and clocks with more memory
#   A100 (SXM4 / PCIe, 40 / 80 GB) 312: NVIDIA's A100 datasheet as tabulated at glennklockwood.com/garden/processors/A100
#   L4 121: NVIDIA's "242 TFLOPS FP16 Tensor Core (with sparsity)" (grokipedia.com/page/NVIDIA_L4_vs_L40S), halved
# Not listed for want of a source read here: A10G (AWS's A10 variant, less tensor throughput than the A10),
# H100 PCIe / NVL, H200 NVL. An unlisted GPU gets MFU null with that reason; add it here with its source.
PEAK_BF16_TFLOPS = ((r"^(?!.*(NVL|PCIe)).*H100.*(HBM3|SXM)", "H100 SXM", 989.4),
                    (r"^(?!.*NVL).*H200", "H200 SXM", 989.4),
                    (r"A100", "A100", 312.0),
                    (r"\bL4\b", "L4", 121.0))


@dataclass(frozen=True)
class Setting:
    """One max length with the batch xlt's task defaults give it and a log-normal length spread
    (benchmarks.common.lengths; clipped to [8, max_len], the clipped mass standing for truncation)."""
    max_len: int
    batch: int
    mean: float
    sigma: float
    like: str


# The fixtures are templated sentences, not samples of the real data, and nothing is fetched, so the
# spreads are modelled, not measured; the means are estimates (words per text x ~1.2-1.3 SentencePiece
# pieces a word + special tokens), to be replaced by lengths measured on the tokenised data when at hand.
# 128: sentence pairs as in XNLI/XCOPA: a ~20-word premise and ~10-word hypothesis; mean 41, the spread every
#      CPU figure in BENCHMARKS.md uses.
# 256: longer pairs and tagged sentences, PAWS-X / PAN-X / UDPOS (xlt's CLASSIFY/TAG defaults: 256, batch 32):
#      two ~25-word Wikipedia sentences, mean 70.
# 384: extractive-QA windows, SQuAD/XQuAD/MLQA (xlt's QA defaults: 384, batch 16): a ~120-word paragraph and
#      a ~11-word question, mean 180; longer paragraphs are cut into 384-piece windows (the clipped mass).
SETTINGS = (Setting(128, 32, 41.0, 0.6, "XNLI/XCOPA pairs"),
            Setting(256, 32, 70.0, 0.5, "PAWS-X pairs, PAN-X/UDPOS sentences"),
            Setting(384, 16, 180.0, 0.5, "SQuAD/XQuAD/MLQA windows"))
SMOKE_BATCH = 8  # --smoke: the same lengths, smaller batches
# token budgets (padded tokens a step) of the MFU sweep, at max lengths 128 and 384: the task defaults'
# batches hold at most 32 x 128 = 4,096 and 16 x 384 = 6,144
BUDGETS = (16384, 65536)


def model_config(smoke: bool, vocab: int):
    """XLM-R large, or for --smoke the tiny XLM-R's shape (xlt.models.tiny) with the local tokenizer's vocabulary."""
    from transformers import XLMRobertaConfig

    from xlt.models.tiny import TINY_XLMR

    if smoke:
        return XLMRobertaConfig(**{**XLMR_LARGE, **TINY_XLMR, "vocab_size": vocab}, num_labels=3)
    return XLMRobertaConfig(**XLMR_LARGE, num_labels=3)


def param_counts(config) -> dict:
    """Parameters of xlt's model (encoder + pooled head); `matmul` leaves out the embedding tables,
    which are looked up, not multiplied: model FLOPs are 6 x matmul parameters a token (fwd + bwd)."""
    with torch.device("meta"):
        model = xlt_model(config)
    total = sum(p.numel() for p in model.parameters())
    tables = sum(p.numel() for n, p in model.named_parameters() if re.search(r"embeddings\.\w+_embeddings\.", n))
    return {"total": total, "embedding_tables": tables, "matmul": total - tables}


def peak_bf16(gpu: str | None) -> tuple[float | None, str]:
    """(bf16 dense TFLOP/s or None, its source or why none) for a device name (None: the CPU)."""
    if gpu is None:
        return None, "CPU run: no bf16 tensor-core peak to compare with"
    for pattern, label, tflops in PEAK_BF16_TFLOPS:
        if re.search(pattern, gpu):
            return tflops, f"{label}: {tflops} TFLOP/s bf16 dense (PEAK_BF16_TFLOPS, sources in its comment)"
    return None, f"no bf16 peak on record for {gpu!r}: add it to PEAK_BF16_TFLOPS with its source"


# --- end to end and DDP ------------------------------------------------------------------------

def xnli_zero_shot(config, device: torch.device, tokenizer_dir: Path, work: Path, lr: float) -> dict:
    """XNLI through xlt's own trial: the model saved as a model directory (random weights, the local
    tokenizer), `run_trial` with XNLI as the target on the fixtures: fine-tune on English, evaluate
    the 15 languages' test sets. Random weights and 240 training pairs: accuracies near chance; this
    checks the path and its time, not quality."""
    from transformers import XLMRobertaModel

    from xlt.models.tiny import _copy_tokenizer
    from xlt.trial.plan import PhasePlan, TrialPlan
    from xlt.trial.torch_backend import run_trial
    from xlt.results.rows import read_results

    model_dir = work / "xlmr-random"
    model_dir.mkdir()
    start = time.perf_counter()
    _copy_tokenizer(tokenizer_dir, model_dir)
    on_device(lambda: XLMRobertaModel(config, add_pooling_layer=False), device).save_pretrained(str(model_dir))
    saved = time.perf_counter() - start
    plan = TrialPlan(sweep="gpu-check", trial_id="xnli", model=str(model_dir), max_seq_length=128, source="local",
                     intermediate=None, targets=(PhasePlan("xnli", lr, 1, 32),), seed=0, objective="zero_shot_mean",
                     results_dir=str(work / "results"), config_hash="gpu-check")
    rt = runtime(device)
    start = time.perf_counter()
    run_trial(plan, rt)
    wall = time.perf_counter() - start
    for kept in rt.checkpoints:  # LocalRuntime keeps a copy of each reported checkpoint
        shutil.rmtree(kept, ignore_errors=True)
    rows = [r for r in read_results(str(work / "results")).to_pylist()
            if r["phase"] == "zero_shot" and r["split"] == "test" and r["metric"] == "accuracy"]
    accuracy = {r["language"]: r["value"] for r in rows}
    if len(accuracy) != 15:
        raise RuntimeError(f"XNLI zero-shot scored {sorted(accuracy)}: expected XNLI's 15 languages from the fixtures")
    examples = sum(r["n_examples"] for r in rows)
    return {"languages": len(accuracy), "test_examples": examples, "run_trial_s": wall, "model_dir_s": saved,
            "mean_accuracy": sum(accuracy.values()) / len(accuracy), "accuracy": accuracy,
            "how": "xlt.trial.torch_backend.run_trial, target xnli, source local (fixtures), LocalRuntime on this device; "
                   "run_trial_s covers loading, tokenising, 1 epoch on English, dev and 15 test sets, results, checkpoint"}


def _ddp_worker(config: dict) -> None:
    """On each Ray Train worker: xlt's train_phase under DDP (RayRuntime), warm-up then timed."""
    from xlt.formats import FORMATS, Features
    from xlt.trial.train import train_phase
    from xlt.sweep.worker import RayRuntime

    rt = RayRuntime(num_threads=1, gpus="cuda" if config["gpu"] else "none")
    model = on_device(lambda: xlt_model(config["model"]), rt.device)
    times = []
    ids, labels = synthetic(config["examples"], config["vocab"], seed=0, **config["lengths"])
    features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
    for _ in range(2):  # a warm-up epoch (every shape met), then the same epoch timed
        sync(rt.device)
        start = time.perf_counter()
        train_phase(model, FORMATS["classification"], features, epochs=1, lr=LR, batch_size=config["batch"],
                    warmup_ratio=0.1, weight_decay=0.01, seed=0, pad_id=1, rt=rt)
        sync(rt.device)
        times.append(time.perf_counter() - start)
    if rt.rank == 0:
        Path(config["out"]).write_text(json.dumps({"seconds": times[-1], "world_size": rt.world_size}))


def ddp_step(config, setting: Setting, examples: int, use_gpu: bool) -> dict:
    """2 Ray Train workers running `_ddp_worker`; returns seconds for the timed epoch."""
    import ray
    import ray.train

    from xlt.sweep.trainer import lean_torch_trainer

    out = Path(tempfile.mkdtemp(prefix="gpu-check-ddp-")) / "ddp.json"
    started = not ray.is_initialized()
    if started:
        ray.init(include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        resources = {"CPU": 1, "GPU": 1} if use_gpu else {"CPU": 1}
        lean_torch_trainer()(_ddp_worker, train_loop_config={  # xlt's trainer, as a sweep's trials fit
            "model": config, "vocab": config.vocab_size, "batch": setting.batch, "examples": examples,
            "lengths": {"max_len": setting.max_len, "mean": setting.mean, "sigma": setting.sigma},
            "gpu": use_gpu, "out": str(out)},
            scaling_config=ray.train.ScalingConfig(num_workers=2, use_gpu=use_gpu, resources_per_worker=resources),
            run_config=ray.train.RunConfig(storage_path=tempfile.mkdtemp(), name="gpu-check-ddp")).fit()
    finally:
        if started:
            ray.shutdown()
    return json.loads(out.read_text())


# --- the run -----------------------------------------------------------------------------------

def _train_row(s: Setting, runner: str, seconds: float, warm_s: float, n: int, tokens: int, bare_s: float,
               params: dict, peak: float | None, peak_note: str, memory: dict) -> dict:
    row = {"seq": s.max_len, "runner": runner, "examples/s": n / seconds, "tokens/s": tokens / seconds,
           "÷ bare": bare_s / seconds if bare_s else None, "MFU %": None, "MFU % (all params)": None,
           "peak GiB": memory.get("allocated"), "warm-up s": warm_s}
    why = {} if bare_s else {"÷ bare": "the bare loop failed at this length"}
    if peak is None:
        why["MFU %"] = why["MFU % (all params)"] = peak_note
    else:  # real (unpadded) tokens: padding is compute the model did not need
        row["MFU %"] = mfu_percent(params["matmul"], tokens, seconds, peak)
        row["MFU % (all params)"] = mfu_percent(params["total"], tokens, seconds, peak)
    if row["peak GiB"] is None:
        why["peak GiB"] = "CPU run: no CUDA allocator statistics"
    return {**row, "why_null": why} if why else row


def _failed_row(s: Setting, runner: str, reason: str) -> dict:
    """A loop that could not run here (its error, e.g. the compiled loop on this stack): every figure null, with why."""
    figures = ("examples/s", "tokens/s", "÷ bare", "MFU %", "MFU % (all params)", "peak GiB", "warm-up s")
    return {"seq": s.max_len, "runner": runner, **dict.fromkeys(figures), "why_null": dict.fromkeys(figures, reason)}


def _mfu_target(where: str, row: dict) -> dict:
    """The MFU target line for a measured row (its "MFU %", or its reason for none)."""
    mfu = row["MFU %"]
    target = {"target": f"xlt MFU >= {MFU_TARGET:.0%} ({where})", "value": mfu,
              "pass": None if mfu is None else mfu >= 100 * MFU_TARGET}
    if mfu is None:
        target["why_null"] = {"value": row["why_null"]["MFU %"], "pass": row["why_null"]["MFU %"]}
    return target


def _targets(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        if r["runner"] in (XLT, COMPILED):
            where = f"seq {r['seq']}" + (", model.compile" if r["runner"] == COMPILED else "")
            out.append(_mfu_target(where, r))
            ratio = {"target": f"xlt >= {RATIO_TARGET}x bare ({where})", "value": r["÷ bare"],
                     "pass": None if r["÷ bare"] is None else r["÷ bare"] >= RATIO_TARGET}
            if r["÷ bare"] is None:
                ratio["why_null"] = dict.fromkeys(("value", "pass"), r["why_null"]["÷ bare"])
            out.append(ratio)
    return out


def _budget_targets(budgets: list[dict]) -> list[dict]:
    return [_mfu_target(f"batch_tokens {r['batch_tokens']}, seq {r['seq']}", r) for r in budgets]


def _first_line(err: Exception) -> str:
    """An exception as one line: its type and its message's first line."""
    return f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[0][:300]}"


def _table_or_failure(section) -> None:
    """A section's rows as a table, or the line saying why it has none."""
    if isinstance(section, dict) and "failed" in section:
        print(f"  failed: {section['failed']}")
    else:
        table(section, [c for c in section[0] if c != "why_null"])


def _spread(s: Setting) -> dict:
    return {"max_len": s.max_len, "mean": s.mean, "sigma": s.sigma}


def save_partial(path: Path, sections: dict) -> None:
    """What the check has measured so far (`sections`, in the order finished), replacing `path`
    atomically: a run stopped by a time limit (the device tool's 10 minutes a command) still leaves
    its finished sections there. Removed once the full JSON line is written."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"benchmark": "gpu_check", "partial": True, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                               "finished": list(sections), **sections}))
    tmp.replace(path)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="CPU, tiny model, fp32, a few steps (CI)")
    parser.add_argument("--out", type=Path, default=RESULTS / "gpu_check.jsonl", help="JSON line appended here")
    parser.add_argument("--steps", type=int, help="timed steps per loop and length (default 60; 2 with --smoke)")
    parser.add_argument("--compile", action="store_true",
                        help="also time xlt's loop under torch.compile (model.compile: true); its warm-up epoch compiles")
    args = parser.parse_args(argv)
    from functools import partial

    from transformers import AutoTokenizer

    from xlt.models.memory import SHAPES, Shape, peak_gib
    from xlt.models.tiny import tiny_xlmr_dir

    begin = time.perf_counter()
    if not args.smoke and not torch.cuda.is_available():
        raise SystemExit("gpu_check: torch sees no CUDA device; run it on a GPU, or with --smoke for the CPU path")
    device = torch.device("cpu" if args.smoke else "cuda")
    ddp_gpus = 0 if args.smoke else torch.cuda.device_count()
    if ddp_gpus >= 2:  # fail now, not after minutes of measurements
        try:
            importlib.import_module("ray.train")
        except ImportError as e:
            raise SystemExit(f"gpu_check: {ddp_gpus} GPUs visible, and the DDP step runs through Ray Train, which does "
                             f"not import here ({e}); install ray[train], or show one GPU (CUDA_VISIBLE_DEVICES=0) "
                             f"to skip the DDP step") from e
    steps = args.steps or (2 if args.smoke else 60)
    settings = [replace(s, batch=SMOKE_BATCH) for s in SETTINGS] if args.smoke else list(SETTINGS)
    if args.smoke:
        torch.set_num_threads(1)  # a path check: predictable on a shared 2-core CI machine
    tokenizer_dir = tiny_xlmr_dir()  # built locally from the fixtures' text (xlt.models.tiny)
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    config = model_config(args.smoke, len(tokenizer))
    params = param_counts(config)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    peak, peak_note = peak_bf16(gpu)
    shape = (Shape("tiny-xlmr (smoke)", "encoder", params["total"], config.hidden_size, config.num_hidden_layers,
                   config.num_attention_heads) if args.smoke else next(s for s in SHAPES if s.name == "xlm-roberta-large"))
    print(f"gpu_check on {gpu or 'CPU'} ({'smoke: tiny XLM-R, fp32' if args.smoke else 'XLM-R large, bf16 autocast'}); "
          f"{params['total'] / 1e6:,.1f}M parameters, {params['matmul'] / 1e6:,.1f}M outside the embedding tables; "
          f"peak: {peak_note}")
    # the reference first; each loop is timed on shapes its own warm-up epoch met, so no loop's first uses of a
    # shape fall on another's time
    loops = (("bare", bare_epoch, lambda: hf_model(config)),
             ("HF Trainer", partial(hf_epoch, tokenizer=tokenizer), lambda: hf_model(config)),
             (XLT, xlt_epoch, lambda: xlt_model(config)),
             ("xlt batch_tokens", partial(xlt_epoch, token_budget=True), lambda: xlt_model(config)))
    if args.compile:
        loops += ((COMPILED, partial(xlt_epoch, compile=True), lambda: xlt_model(config)),)
    rows, memory, evals = [], [], []
    finished = {"rows": rows, "memory": memory, "eval": evals}  # the lists fill as each length is measured
    partial_path = args.out.with_name(args.out.stem + ".partial.json")  # the sections finished so far (save_partial)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    compile_failed = None  # why the compiled loop could not run, once it has failed (not tried again)
    for s in settings:
        spread = _spread(s)
        data = synthetic(steps * s.batch, config.vocab_size, seed=0, **spread)
        n, tokens = len(data[0]), sum(map(len, data[0]))
        seconds, warm, peaks, failed = {}, {}, {}, {}
        for name, epoch, build in loops:
            if name == COMPILED and compile_failed:
                failed[name] = compile_failed
                continue
            # warm-up: the same epoch, so every shape is met before the timed one (first uses: gpu_probes.shape_costs)
            try:
                seconds[name], warm[name], peaks[name], model = measure(epoch, build, data, data, s.batch, device)
            except Exception as err:  # noqa: BLE001 - a loop failing is a finding: the other loops and sections still run
                failed[name] = f"{'the compiled loop' if name == COMPILED else name} failed: {_first_line(err)}"
                compile_failed = failed[name] if name == COMPILED else compile_failed
                print(f"  seq {s.max_len} {name}: {failed[name]}")
                free(device)
                continue
            if name == XLT:  # evaluation on the trained model, 2x the batch as the pipeline evaluates
                eval_s = eval_throughput(model, data[0], 2 * s.batch, device)
                evals.append({"seq": s.max_len, "batch": 2 * s.batch, "examples": n, "examples/s": n / eval_s,
                              "tokens/s": tokens / eval_s})
            del model
            free(device)
        new = [_train_row(s, name, seconds[name], warm[name], n, tokens, seconds.get("bare"), params, peak, peak_note,
                          peaks[name]) if name in seconds else _failed_row(s, name, failed[name])
               for name, _, _ in loops]
        for r in new:  # as measured: the output keeps them should a later part fail
            if r["examples/s"] is None:
                continue
            print(f"  seq {s.max_len} {r['runner']}: {r['examples/s']:.1f} ex/s, {r['÷ bare']:.2f}x bare, MFU "
                  + ("n/a" if r["MFU %"] is None else f"{r['MFU %']:.1f}%")
                  + ("" if r["peak GiB"] is None else f", peak {r['peak GiB']:.1f} GiB"))
        rows += new
        estimate = peak_gib(shape, seq=s.max_len, batch=s.batch)
        mem = {"seq": s.max_len, "batch": s.batch, "estimate GiB": estimate,
               "xlt allocated GiB": peaks.get(XLT, {}).get("allocated"), "xlt reserved GiB": peaks.get(XLT, {}).get("reserved")}
        mem["estimate ÷ reserved"] = estimate / mem["xlt reserved GiB"] if mem["xlt reserved GiB"] else None
        if device.type == "cpu" or XLT in failed:
            mem["why_null"] = dict.fromkeys(("xlt allocated GiB", "xlt reserved GiB", "estimate ÷ reserved"),
                                            failed.get(XLT) or "CPU run: no CUDA allocator statistics")
        memory.append(mem)
        print(f"  seq {s.max_len}: {n} examples, {tokens:,} tokens, {time.perf_counter() - begin:.0f} s so far")
        save_partial(partial_path, finished)

    def section(name: str, run):
        """A later section's result, kept with the others (save_partial); one that fails is a
        `{"failed": why}` in its place, and the sections after it still run."""
        try:
            finished[name] = run()
        except Exception as err:  # noqa: BLE001 - one section failing must not lose the others' figures
            finished[name] = {"failed": _first_line(err)}
            print(f"  {name}: failed: {finished[name]['failed']}")
        save_partial(partial_path, finished)
        return finished[name]

    def xnli_section() -> dict:
        with tempfile.TemporaryDirectory(prefix="gpu-check-xnli-") as work:
            out = xnli_zero_shot(config, device, tokenizer_dir, Path(work), LR)
        print(f"  XNLI end to end: {out['run_trial_s']:.0f} s, {time.perf_counter() - begin:.0f} s so far")
        return out
    xnli = section("xnli", xnli_section)
    total_gib = torch.cuda.get_device_properties(device).total_memory / GIB if device.type == "cuda" else None

    def fits(max_len: int, budget: int) -> str | None:
        need = peak_gib(shape, seq=max_len, batch=max(1, budget // max_len))
        if total_gib is not None and need > 0.9 * total_gib:
            return f"estimated {need:.0f} GiB (xlt.models.memory) over 90% of this GPU's {total_gib:.0f} GiB"
        return None
    scale = 64 if args.smoke else 1  # --smoke: budgets for the tiny model's batches
    # the token budgets first of the probes: the one place 45% MFU can show, so a time limit cuts the others first
    budgets = section("budgets", lambda: budget_sweep(
        config, device, [(_spread(settings[i]), b // scale) for i in sorted({0, len(settings) - 1}) for b in BUDGETS],
        steps=3 if args.smoke else 30, params=params, peak=peak, peak_note=peak_note, fits=fits))
    # odd rows x odd lengths: an odd product, never one of the loops' batches of 16 or 32 x a length, flattened
    shapes = section("shapes", lambda: shape_costs(config, device, rows=3 if args.smoke else 23,
                                                   lengths=range(9, 128, 40 if args.smoke else 2)))
    # 10 profiled steps: kernels and GPU time a step need no more, and the profile's own cost grows with them
    anatomy = section("step", lambda: step_anatomy(config, device, settings[0].batch, _spread(settings[0]),
                                                   steps=3 if args.smoke else 10))
    print(f"  probes: {time.perf_counter() - begin:.0f} s so far")
    if ddp_gpus >= 2:
        def ddp_section() -> dict:
            s = settings[0]
            n = steps * s.batch
            out = ddp_step(config, s, n, use_gpu=True)
            one = next(r for r in rows if r["runner"] == XLT and r["seq"] == s.max_len)["examples/s"]
            row = {"workers": out["world_size"], "seq": s.max_len, "global batch": s.batch,
                   "examples/s": n / out["seconds"], "÷ xlt on 1 GPU": n / out["seconds"] / one if one else None}
            if not one:  # every figure a number or a null with its reason
                row["why_null"] = {"÷ xlt on 1 GPU": f"xlt's loop failed at seq {s.max_len}"}
            return row
        ddp = section("ddp", ddp_section)
    else:
        why = ("CPU run" if device.type == "cpu" else f"{ddp_gpus} GPU visible") + \
              ": the DDP step needs 2 GPUs (torch.cuda.device_count() >= 2)"
        ddp = {"workers": 2, "examples/s": None, "÷ xlt on 1 GPU": None,
               "why_null": {"examples/s": why, "÷ xlt on 1 GPU": why}}
    targets = _targets(rows) + (_budget_targets(budgets) if isinstance(budgets, list) else [])

    print("\ntraining: one epoch of the same examples per loop, after a warm-up epoch over them; ÷ bare: ex/s over the "
          "bare loop's")
    table(rows, [c for c in rows[0] if c != "why_null"])
    print(f"\npeak memory of xlt's loop against xlt.models.memory's estimate ({shape.name}, seq x batch, incl. "
          f"1.5 GiB context/workspace)")
    table(memory, [c for c in memory[0] if c != "why_null"])
    print("\nevaluation (xlt.trial.train.predict on the trained model)")
    table(evals)
    print("\nfirst use of a (batch, length) shape: one forward and backward per shape, cold then warm, by attention "
          "kernels (xlt's first, so the defaults' cold pass adds only their attention's set-up)")
    _table_or_failure(shapes)
    print("\na step of xlt's loop on warm shapes: host CPU near the step's time and GPU busy well under it mean the "
          "host's launching bounds the step")
    _table_or_failure([anatomy] if "failed" not in anatomy else anatomy)
    print("\nxlt's loop with token budgets above the task defaults' batches (tokens a step); MFU as above")
    _table_or_failure(budgets)
    print("\nXNLI zero-shot end to end: " + (
        f"failed: {xnli['failed']}" if "failed" in xnli else
        f"{xnli['languages']} languages, {xnli['test_examples']} test examples, run_trial {xnli['run_trial_s']:.1f} s "
        f"(model directory written in {xnli['model_dir_s']:.1f} s), mean accuracy {xnli['mean_accuracy']:.3f} "
        f"(random weights: chance)"))
    ratio = ddp.get("÷ xlt on 1 GPU")
    print("DDP: " + (f"failed: {ddp['failed']}" if "failed" in ddp else
                     f"{ddp['workers']} workers, {ddp['examples/s']:.1f} ex/s, "
                     + (f"{ratio:.2f}x xlt on 1 GPU" if ratio else f"no ratio ({ddp['why_null']['÷ xlt on 1 GPU']})")
                     if ddp["examples/s"] else f"skipped ({ddp['why_null']['examples/s']})"))
    for t in targets:
        verdict = "n/a" if t["pass"] is None else "PASS" if t["pass"] else "FAIL"
        value = t["why_null"]["value"] if t["value"] is None else f"{t['value']:.2f}"
        print(f"target {t['target']}: {verdict} ({value})")
    wall = time.perf_counter() - begin
    print(f"wall {wall:.0f} s")
    extra = {"smoke": args.smoke, "compile": args.compile, "device": gpu or "cpu",
             "dtype": "fp32" if device.type == "cpu" else "bf16 autocast",
             "attention": config._attn_implementation, "steps": steps, "warmup_steps": steps,
             "model": {k: getattr(config, k) for k in XLMR_LARGE}, "params": params,
             "peak_bf16_tflops": peak, "peak_note": peak_note, "settings": [asdict(s) for s in settings],
             "memory": memory, "eval": evals, "xnli": xnli, "shapes": shapes, "step": anatomy, "budgets": budgets,
             "ddp": ddp, "targets": targets, "wall_s": wall}
    if peak is None:
        extra["why_null"] = {"peak_bf16_tflops": peak_note}
    record = emit("gpu_check", rows, extra, out=args.out, show=False)
    partial_path.unlink()
    return record


if __name__ == "__main__":
    main()
