"""benchmarks/gpu_check.py kept from rotting without a GPU: its --smoke --compile run (the GPU check's
code path on CPU, a tiny model, the torch.compile loop included) as the command line runs it, checked
for its JSON line's shape and that every figure is a positive number or a null with its reason (never
a timed assertion); the parts a CPU run does not reach (MFU arithmetic, the GPU peak table, the
2-worker DDP step, a compile that fails) on their own."""

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import gpu_check

REPO = Path(__file__).resolve().parent.parent
SECTIONS = {"benchmark", "time", "machine", "smoke", "compile", "device", "dtype", "attention", "steps", "warmup_steps", "model",
            "params", "peak_bf16_tflops", "peak_note", "settings", "rows", "memory", "eval", "xnli", "shapes", "step",
            "budgets", "ddp", "targets", "wall_s"}
NOT_FIGURES = {"machine", "model", "settings", "accuracy", "mean_accuracy", "why_null"}  # ids, config, [0, 1] scores


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, xlt_cache):
    out = tmp_path_factory.mktemp("gpu-check") / "gpu_check.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--smoke", "--compile", "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    assert not (out.parent / "gpu_check.partial.json").exists()  # replaced by the full line
    return json.loads(lines[0]), proc.stdout


def figures(node, path="record"):
    """(path, value, reason) for every figure: numbers, and nulls with the reason beside them."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from figures(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        why = node.get("why_null", {})
        for key, value in node.items():
            if key in NOT_FIGURES:
                continue
            if value is None:
                yield f"{path}.{key}", None, why.get(key)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                yield f"{path}.{key}", value, None
            else:
                yield from figures(value, f"{path}.{key}")


def test_smoke_writes_one_json_line_with_every_section(smoke):
    record, _ = smoke
    assert SECTIONS <= set(record) and record["benchmark"] == "gpu_check" and record["smoke"] is record["compile"] is True
    assert {(r["seq"], r["runner"]) for r in record["rows"]} == {
        (seq, runner) for seq in (128, 256, 384)
        for runner in ("xlt", "xlt batch_tokens", "xlt compiled", "bare", "HF Trainer")}
    # the compiled loop's first warm-up epoch compiles: longer than the same loop's uncompiled warm-up
    first = {r["runner"]: r["warm-up s"] for r in record["rows"] if r["seq"] == 128}
    assert first["xlt compiled"] > first["xlt"]
    assert all(r["÷ bare"] == 1.0 for r in record["rows"] if r["runner"] == "bare")
    assert [m["seq"] for m in record["memory"]] == [e["seq"] for e in record["eval"]] == [128, 256, 384]
    xnli = record["xnli"]
    assert xnli["languages"] == 15 and len(xnli["accuracy"]) == 15 and "en" in xnli["accuracy"]
    assert all(0 <= a <= 1 for a in xnli["accuracy"].values()) and 0 <= xnli["mean_accuracy"] <= 1
    assert [r["attention"] for r in record["shapes"]] == ["xlt's (no cuDNN)", "PyTorch's default"]
    assert record["step"]["steps"] == 3 and record["step"]["ms a step"] > 0
    assert [(b["seq"], b["batch_tokens"]) for b in record["budgets"]] == [
        (seq, budget // 64) for seq in (128, 384) for budget in gpu_check.BUDGETS]
    assert all(b["steps"] >= 2 for b in record["budgets"])
    assert len(record["targets"]) == 16 and all(t["pass"] is None for t in record["targets"] if "MFU" in t["target"])
    assert all(isinstance(t["pass"], bool) for t in record["targets"] if "bare" in t["target"])


def test_every_figure_is_positive_or_an_explained_null(smoke):
    record, _ = smoke
    found = list(figures(record))
    assert len(found) > 50
    for path, value, reason in found:
        if value is None:
            assert isinstance(reason, str) and reason, f"{path} is null without a reason"
        else:
            assert math.isfinite(value) and value > 0, f"{path} = {value}"
    nulls = {path.split(".")[-1] for path, value, _ in found if value is None}
    # on CPU exactly these are unknown: no bf16 peak, no CUDA memory statistics or kernels, no second GPU;
    # and a first-shape cost may be lost in noise on the tiny model
    assert nulls - {"ms a new shape"} == {
        "peak_bf16_tflops", "MFU %", "MFU % (all params)", "peak GiB", "xlt allocated GiB", "xlt reserved GiB",
        "estimate ÷ reserved", "examples/s", "÷ xlt on 1 GPU", "value", "pass", "kernels a step", "GPU busy ms a step"}


def test_smoke_prints_the_tables_and_the_targets_as_lines(smoke):
    _, stdout = smoke
    assert "runner" in stdout and "HF Trainer" in stdout and "XNLI zero-shot end to end: 15 languages" in stdout
    assert "target xlt MFU >= 45% (seq 128): n/a" in stdout
    assert "target xlt MFU >= 45% (seq 128, model.compile): n/a" in stdout
    assert sum(line.startswith("target xlt >= 0.95x bare") and ("PASS" in line or "FAIL" in line)
               for line in stdout.splitlines()) == 6
    assert "DDP: skipped (CPU run" in stdout


def test_mfu_from_parameters_tokens_and_the_gpus_peak():
    params = {"total": 560e6, "matmul": 303e6}
    row = gpu_check._train_row(gpu_check.SETTINGS[0], "xlt", seconds=2.0, warm_s=3.0, n=3200, tokens=150_000, bare_s=1.9,
                               params=params, peak=989.4, peak_note="H200", memory={"allocated": 20.0})
    assert row["MFU %"] == pytest.approx(100 * 6 * 303e6 * 150_000 / 2.0 / 989.4e12)
    assert row["MFU % (all params)"] == pytest.approx(row["MFU %"] * 560 / 303)
    assert row["÷ bare"] == pytest.approx(0.95) and row["peak GiB"] == 20.0 and "why_null" not in row
    assert [t["pass"] for t in gpu_check._targets([row])] == [row["MFU %"] >= 45, True]
    compiled = gpu_check._targets([{**row, "runner": gpu_check.COMPILED}])
    assert [t["target"] for t in compiled] == ["xlt MFU >= 45% (seq 128, model.compile)",
                                               "xlt >= 0.95x bare (seq 128, model.compile)"]
    assert gpu_check._targets([{**row, "runner": "HF Trainer"}]) == []


def test_a_compile_failure_is_a_row_of_explained_nulls_not_the_end_of_the_check():
    reason = "the compiled loop failed: BackendCompilerFailed: backend='inductor' raised: ..."
    row = gpu_check._failed_row(gpu_check.SETTINGS[1], gpu_check.COMPILED, reason)
    assert row["seq"] == 256 and row["runner"] == "xlt compiled"
    nulls = [(path, why) for path, value, why in figures(row) if not path.endswith(".seq")]
    assert len(nulls) == 7 and all(why == reason for _, why in nulls)
    assert all(row[path.split(".")[-1]] is None for path, _ in nulls)
    targets = gpu_check._targets([row])
    assert [t["target"] for t in targets] == ["xlt MFU >= 45% (seq 256, model.compile)",
                                              "xlt >= 0.95x bare (seq 256, model.compile)"]
    assert all(t["value"] is None and t["pass"] is None and t["why_null"]["pass"] == reason for t in targets)


def test_a_token_budget_over_the_gpus_memory_is_skipped_with_the_reason():
    from benchmarks.gpu_probes import budget_sweep

    spread = gpu_check._spread(gpu_check.SETTINGS[2])
    rows = budget_sweep(None, None, [(spread, 65536)], steps=30, params={}, peak=989.4, peak_note="H200",
                        fits=lambda max_len, budget: f"estimated 105 GiB over 90% of this GPU's 80 GiB ({max_len}, {budget})")
    assert rows == [{"seq": 384, "batch_tokens": 65536, "steps": None, "examples/s": None, "tokens/s": None, "MFU %": None,
                     "peak GiB": None, "why_null": dict.fromkeys(("steps", "examples/s", "tokens/s", "MFU %", "peak GiB"),
                                                                 "estimated 105 GiB over 90% of this GPU's 80 GiB (384, 65536)")}]
    assert gpu_check._budget_targets(rows)[0] == {
        "target": "xlt MFU >= 45% (batch_tokens 65536, seq 384)", "value": None, "pass": None,
        "why_null": {"value": rows[0]["why_null"]["MFU %"], "pass": rows[0]["why_null"]["MFU %"]}}


@pytest.mark.parametrize("name,peak", [("NVIDIA H100 80GB HBM3", 989.4), ("NVIDIA H200", 989.4),
                                       ("NVIDIA A100-SXM4-80GB", 312.0), ("NVIDIA A100 80GB PCIe", 312.0),
                                       ("NVIDIA L4", 121.0), ("NVIDIA H100 PCIe", None), ("NVIDIA H200 NVL", None),
                                       ("NVIDIA L40S", None), ("NVIDIA A10G", None), (None, None)])
def test_peak_table_matches_device_names_without_guessing(name, peak):
    value, note = gpu_check.peak_bf16(name)
    assert value == peak and note
    if peak is None and name:
        assert "add it to PEAK_BF16_TFLOPS" in note


@pytest.mark.ray
def test_ddp_step_runs_two_workers_through_ray_train(ray_cluster):
    """The GPU check's DDP step on 2 CPU workers (gloo): the same code as on 2 GPUs but the device."""
    from transformers import AutoTokenizer

    from xlt.models.registry import resolve_model

    vocab = len(AutoTokenizer.from_pretrained(resolve_model("tiny-xlmr")))
    setting = replace(gpu_check.SETTINGS[0], batch=4)
    out = gpu_check.ddp_step(gpu_check.model_config(True, vocab), setting, examples=8, use_gpu=False)
    assert out["world_size"] == 2 and out["seconds"] > 0


def test_a_check_stopped_midway_leaves_the_sections_it_finished(tmp_path, monkeypatch):
    """The device tool stops a command after 10 minutes and returns what it left under $OUT: the
    check keeps its finished sections in `<stem>.partial.json` as it goes (here the training rows
    of one length and the XNLI run, before the budgets' section is stopped)."""
    import torch

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # as a time limit's signal: not a section's failure

    monkeypatch.setattr(gpu_check, "SETTINGS", gpu_check.SETTINGS[:1])
    monkeypatch.setattr(gpu_check, "budget_sweep", stopped)
    threads = torch.get_num_threads()
    try:
        with pytest.raises(KeyboardInterrupt):
            gpu_check.main(["--smoke", "--out", str(tmp_path / "gpu_check.jsonl")])
    finally:
        torch.set_num_threads(threads)  # --smoke runs on one thread
    assert not (tmp_path / "gpu_check.jsonl").exists()
    partial = json.loads((tmp_path / "gpu_check.partial.json").read_text())
    assert partial["partial"] is True and partial["finished"] == ["rows", "memory", "eval", "xnli"]
    assert {r["runner"] for r in partial["rows"]} == {"bare", "HF Trainer", "xlt", "xlt batch_tokens"}
    assert all(r["seq"] == 128 and r["examples/s"] > 0 for r in partial["rows"])


def test_a_failing_loop_or_section_is_its_reason_and_the_check_goes_on(tmp_path, monkeypatch):
    """One GPU run is all a lent machine gives: a loop that fails (HF Trainer here) is a row of nulls
    with its error, a section that fails (XNLI) is `{"failed": why}`, and every other loop and section
    is still measured (a failure used to end the check, losing what came after)."""
    import torch

    def fails(*args, **kwargs):
        raise RuntimeError("not on this stack")

    monkeypatch.setattr(gpu_check, "SETTINGS", gpu_check.SETTINGS[:1])
    monkeypatch.setattr(gpu_check, "hf_epoch", fails)
    monkeypatch.setattr(gpu_check, "xnli_zero_shot", fails)
    threads = torch.get_num_threads()
    try:
        record = gpu_check.main(["--smoke", "--out", str(tmp_path / "gpu_check.jsonl")])
    finally:
        torch.set_num_threads(threads)
    rows = {r["runner"]: r for r in record["rows"]}
    assert rows["HF Trainer"]["examples/s"] is None
    assert rows["HF Trainer"]["why_null"]["examples/s"] == "HF Trainer failed: RuntimeError: not on this stack"
    assert all(rows[r]["examples/s"] > 0 for r in ("bare", "xlt", "xlt batch_tokens"))
    assert record["xnli"] == {"failed": "RuntimeError: not on this stack"}
    assert record["budgets"] and record["shapes"] and record["step"]["ms a step"] > 0
    assert not (tmp_path / "gpu_check.partial.json").exists()
