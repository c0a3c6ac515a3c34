"""The cost model (xlt.cost_model) and `xlt sweep plan --calibrate` (xlt.calibrate): FLOPs per
(model, task) on a GPU type, measured figures over them, and a plan priced by them."""

import subprocess
import sys

import pytest
import yaml

from xlt.config import load_sweep
from xlt.cost_estimate import load_cost_model, plan_sweep
from xlt.cost_model import CostModelError, checkpoint_seconds, example_cost, tokens_per_example

from conftest import REPO


def test_an_example_costs_its_flops_at_the_assumed_efficiency_of_the_gpus_peak():
    cost = load_cost_model()
    xnli = example_cost(cost, "xlm-roberta-large", "xnli", 256, "A100")
    n = 12 * 24 * 1024 ** 2                      # XLM-R large's matmul parameters (xlt.models.memory)
    tokens = cost["fill"]["classification"] * 256
    assert xnli.train_s == pytest.approx(6 * n * tokens / (312e12 * cost["mfu"]["train"]))
    assert xnli.eval_s == pytest.approx(2 * n * tokens / (312e12 * cost["mfu"]["eval"]))
    assert "FLOPs" in xnli.source and "A100" in xnli.source
    # sequence length and format: a 384-token QA window costs ~2-3x a 256-token pair; a HellaSwag
    # example is four sequences
    xquad = example_cost(cost, "xlm-roberta-large", "xquad", 384, "A100")
    assert 2 <= xquad.train_s / xnli.train_s <= 3
    assert tokens_per_example(cost, "hellaswag", 256) == pytest.approx(4 * cost["fill"]["multiple_choice"] * 256)
    # the GPU type: an L4 has 121 of the A100's 312 TFLOP/s
    l4 = example_cost(cost, "xlm-roberta-large", "xnli", 256, "L4")
    assert l4.train_s / xnli.train_s == pytest.approx(312 / 121)
    with pytest.raises(CostModelError, match="no bf16 peak for GPU type 'A10G'"):
        example_cost(cost, "xlm-roberta-large", "xnli", 256, "A10G")
    # writing XLM-R large's fp32 checkpoint (560M x 4 B) at the assumed bandwidth
    assert checkpoint_seconds(cost, "xlm-roberta-large", writes=1) == pytest.approx(560e6 * 4 / 200e6)


def test_every_hub_model_xlt_names_is_priced_from_its_shape():
    """No backbone of the registry falls back to the flat, assumed throughput or to a zero-byte
    checkpoint; docs/backbones.md shows the memory table these shapes give."""
    from xlt.cost_model import shape_of
    from xlt.models import memory
    from xlt.models.registry import HUB_MODELS

    cost = load_cost_model()
    for model in HUB_MODELS:
        assert shape_of(model, cost) is not None, model
        assert example_cost(cost, model, "xnli", 256, "A100").source.startswith("FLOPs"), model
        assert checkpoint_seconds(cost, model, writes=1) > 0, model
    # mT5-base's encoder: 12 layers of width 768 (its hub config), 277M parameters
    assert shape_of("google/mt5-base", cost) == {"total": 277e6, "layers": 12, "hidden": 768}
    assert memory.table() in (REPO / "docs" / "backbones.md").read_text()


def test_a_plan_says_which_pairs_it_prices_low_because_their_text_head_is_not_priced():
    """The FLOP price counts a backbone's layers (an encoder-decoder's encoder); a text head's LM
    projection, decoder and generation are not priced, and the plan names those pairs apart."""
    from xlt.cost_estimate import format_plan

    cfg = load_sweep(REPO / "sweeps" / "rq-architectures.yaml", ["model.name={choice: [xlm-roberta-large, google/mt5-base]}",
                                                                  "model.learning_rate_scale={google/mt5-base: 30}"])
    plan = plan_sweep(cfg, load_cost_model())
    low = {pair for pair, how in plan.sources.items() if "WITHOUT the text head" in how}
    assert low and all(pair.startswith("google/mt5-base|") for pair in low)
    assert all(how.startswith(("FLOPs", "the host's")) for how in plan.sources.values())
    assert "WITHOUT the text head's LM projection, decoder and generation, so LOW" in format_plan(cfg, plan, load_cost_model())


def test_a_training_step_is_no_faster_than_the_host_launches_it():
    """xlt/cost_model.yaml's host_step_s_per_layer, measured on an H200 host (88 ms a step for XLM-R
    large's 24 layers): an example costs at least the step's host time over the examples a GPU takes
    a step, and its source says when that floor, not the FLOPs, sets the price."""
    from xlt.cost_estimate import step_examples
    from xlt.trial.plan import PhasePlan

    cost = load_cost_model()
    step_s = cost["host_step_s_per_layer"] * 24
    flops = example_cost(cost, "xlm-roberta-large", "xnli", 128, "H200")
    small = example_cost(cost, "xlm-roberta-large", "xnli", 128, "H200", step_examples=8)
    assert small.train_s == pytest.approx(step_s / 8) and small.train_s > flops.train_s and small.eval_s == flops.eval_s
    assert small.source.startswith("the host's 88 ms a training step (8 examples a step a GPU")
    large = example_cost(cost, "xlm-roberta-large", "xnli", 128, "H200", step_examples=4096)
    assert (large.train_s, large.source) == (flops.train_s, flops.source)

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml")  # 4 workers a trial
    phase = PhasePlan("xnli", 1e-5, 2, 32)
    assert step_examples(cfg, "xnli", cost, 128, phase) == 8  # the global batch, split over 4 GPUs
    assert step_examples(cfg, "xnli", cost, 128, PhasePlan("xnli", 1e-5, 2, 32, micro_batch_size=2)) == 2
    from xlt.cost_estimate import format_plan

    text = format_plan(cfg, plan_sweep(cfg, cost), cost)
    assert "priced by the host's 88 ms a training step (1 example a step a GPU" in text  # batch 4 over 4 GPUs
    assert "priced by FLOPs at 25% of A100's bf16 peak: xlm-roberta-large|bucc, xlm-roberta-large|tatoeba" in text
    assert "note: the host's floor priced some pairs" in text
    assert "note: the host's floor" not in format_plan(cfg, plan_sweep(cfg, {**cost, "host_step_s_per_layer": 0.0}), cost)
    budget = PhasePlan("xnli", 1e-5, 2, 32, batch_tokens=16384)
    assert step_examples(cfg, "xnli", cost, 128, budget) == pytest.approx(16384 / tokens_per_example(cost, "xnli", 128) / 4)


def test_calibration_times_the_batch_one_gpu_of_the_trial_takes_a_step():
    """--calibrate's figures replace the FLOP price and its host floor, so they are timed at what each
    GPU runs: the phase's batch (a target's, else an intermediate task's) over the trial's workers."""
    from xlt.calibrate import gpu_batch
    from xlt.tasks import get_task

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml")  # 4 workers; targets 32 (QA 16), intermediates 4
    assert [gpu_batch(cfg, get_task(t)) for t in ("xnli", "xquad", "mnli")] == [8, 4, 1]
    one = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["resources.workers_per_trial=1", "target.micro_batch_size=16"])
    assert [gpu_batch(one, get_task(t)) for t in ("xnli", "xquad", "mnli")] == [16, 16, 4]


def test_calibration_of_a_token_budget_times_the_budget_one_gpu_of_the_trial_takes(monkeypatch):
    """A `batch_tokens` phase trains on batches of that many padded tokens, split over the workers: the
    plan prices those steps (step_examples), so --calibrate times them, not `batch_size` batches, and
    divides by the examples the timed steps took (a budget's batches vary in size)."""
    import xlt.calibrate as calibrate
    from xlt.models.backbone import load_encoder
    from xlt.tasks import get_task

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["target.batch_tokens=16384"])  # 4 workers
    assert [calibrate.gpu_tokens(cfg, get_task(t)) for t in ("xnli", "mnli")] == [4096, None]

    demo = load_sweep(REPO / "sweeps" / "demo.yaml", ["target.batch_tokens=1024", "target.micro_batch_size=8"])
    calls, real = [], calibrate.train_loop

    def spy(*args, **kw):
        out = real(*args, **kw)
        calls.append((kw, out))
        return out

    monkeypatch.setattr(calibrate, "train_loop", spy)
    encoder, tokenizer = load_encoder("tiny-xlmr")
    timing = calibrate.time_pair(demo, "tiny-xlmr", "xnli", encoder, tokenizer, steps=3, limit=64)
    assert timing.step == "1,024 tokens" and timing.train_s > 0
    assert all(kw["batch_tokens"] == 1024 and kw["micro_batch"] == 8 for kw, _ in calls)
    # the longer runs take several budget-sized steps more than the 1-step runs (the time is per example they took)
    short = {out["examples"] for kw, out in calls if kw["steps"] == 1}
    longer = [(kw, out) for kw, out in calls if kw["steps"] == 4]
    assert longer and all(out["steps"] >= 4 and out["examples"] >= 4 * kw["batch_size"] > max(short) for kw, out in longer)
    plain = calibrate.time_pair(load_sweep(REPO / "sweeps" / "demo.yaml"), "tiny-xlmr", "xnli", encoder, tokenizer,
                                steps=1, limit=64)
    assert plain.step == "16 examples" and calls[-1][0]["batch_tokens"] is None


def test_measured_figures_replace_the_flop_estimate():
    cost = {**load_cost_model(), "device": "testbox", "measured": {"xlm-roberta-large|xnli": {"train_s": 0.5, "eval_s": 0.1}}}
    got = example_cost(cost, "xlm-roberta-large", "xnli", 256, "A100")
    assert (got.train_s, got.eval_s, got.source) == (0.5, 0.1, "measured on testbox")
    assert "FLOPs" in example_cost(cost, "xlm-roberta-large", "pawsx", 256, "A100").source  # other pairs keep theirs


def test_a_plan_counts_evaluation_checkpoints_and_start_up_and_follows_the_gpu():
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml")
    flops_only = {**load_cost_model(), "host_step_s_per_layer": 0.0}
    a100 = plan_sweep(cfg, flops_only)
    l4 = plan_sweep(cfg, {**flops_only, "gpu": "L4"})
    # everything FLOP-priced scales with the peak; checkpoint I/O and start-up do not
    assert 312 / 121 * 0.95 < l4.hours(None, False) / a100.hours(None, False) < 312 / 121
    # a step the host holds up costs the same on any GPU: the L4 costs less than its peak says
    held = plan_sweep(cfg, load_cost_model()), plan_sweep(cfg, {**load_cost_model(), "gpu": "L4"})
    assert 1 < held[1].hours(None, False) / held[0].hours(None, False) < l4.hours(None, False) / a100.hours(None, False)
    assert a100.overhead_hours == pytest.approx(90 * 45 * 4 / 3600)  # 90 trials' start-up, each holding 4 GPUs
    assert a100.started_runs == 90
    no_io = plan_sweep(cfg, {**flops_only, "storage": {"write_bytes_s": 1e30, "read_bytes_s": 1e30}})
    assert a100.hours("intermediate", True) > no_io.hours("intermediate", True)


def test_calibration_counts_the_windows_a_qa_example_yields():
    """A SQuAD context longer than the max length becomes several windows, each a feature the loop
    trains on (and times a feature at a time): --calibrate writes how many an example yields, for
    the plan to count a QA phase's steps in them (xlt.cost_model.windows_per_example)."""
    from xlt.calibrate import calibrate

    said = []
    short = load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=squad_v1", "model.max_seq_length=32"])
    got = calibrate(short, steps=1, limit=64, echo=said.append)
    assert set(got["measured"]) == {"tiny-xlmr|squad_v1", "tiny-xlmr|xnli"}
    assert set(got["windows"]) == {"squad_v1"} and got["windows"]["squad_v1"] > 1  # XNLI: one feature an example
    assert any("squad_v1" in line and "windows an example" in line for line in said), said
    # 128 tokens: one window each, measured so (the plan then says nothing of uncounted windows)
    roomy = load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=squad_v1"])
    assert calibrate(roomy, steps=1, limit=64, echo=said.append)["windows"] == {"squad_v1": 1.0}


def test_calibrate_times_the_sweeps_pairs_and_the_plan_uses_the_file(tmp_path):
    out = tmp_path / "cost.yaml"
    run = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "plan", str(REPO / "sweeps" / "demo.yaml"),
                          "--calibrate", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    measured = yaml.safe_load(out.read_text())
    assert set(measured["measured"]) == {"tiny-xlmr|mnli", "tiny-xlmr|xnli"}
    assert all(v["train_s"] > 0 and v["eval_s"] > 0 for v in measured["measured"].values())
    assert measured["tokens"]["xnli"] > 5 and measured["device"]
    assert "priced by measured on" in run.stdout and "tiny-xlmr|xnli" in run.stdout
    again = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "plan", str(REPO / "sweeps" / "demo.yaml"),
                            "--cost-model", str(out), "--json"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "measured on" in again.stdout
    bad = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "plan", str(REPO / "sweeps" / "demo.yaml"),
                          "--gpu", "A10G"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--gpu A10G: no bf16 peak for it in the cost model" in bad.stderr


@pytest.mark.parametrize("text,line", [
    ("host_step_s_per_layer: fast\n", "host_step_s_per_layer: expected a number, got 'fast'"),
    ("mfu: {train: fast}\n", "mfu.train: expected a number, got 'fast'"),
    ("storage: 5\n", "storage: expected a mapping like the shipped cost model's, got 5"),
    ("gpus: {A10G: many}\n", "gpus.A10G: expected a number, got 'many'"),
    ("parameters: {tiny-xlmr: {layers: two}}\n", "parameters.tiny-xlmr.layers: expected a number, got 'two'"),
])
def test_a_cost_file_with_a_wrong_type_fails_on_one_line_naming_the_file_and_key(tmp_path, text, line):
    bad = tmp_path / "cost.yaml"
    bad.write_text(text)
    run = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "plan", str(REPO / "sweeps" / "demo.yaml"),
                          "--cost-model", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.strip() == f"xlt: error: {bad}: {line}", run.stderr
    good = tmp_path / "good.yaml"
    good.write_text("gpus: {A10G: 125.0}\nhost_step_s_per_layer: 0\nmeasured: {tiny-xlmr|xnli: {train_s: 0.1, eval_s: 0.01}}\n")
    assert load_cost_model(good)["gpus"]["A10G"] == 125.0


def test_a_measured_qa_example_trains_window_by_window_and_evaluates_whole(tmp_path):
    """The plan multiplies training seconds by the features the loop steps over (a QA example's
    windows each) and evaluation seconds by examples: with a measured 600 tokens in 2 windows, a
    feature trains on 300 tokens and an example evaluates all 600 (the plan had trained 600 a window)."""
    measured = tmp_path / "cost.yaml"
    measured.write_text("tokens: {squad_v1: 600.0}\nwindows: {squad_v1: 2.0}\n")
    cost = load_cost_model(measured)
    n = 12 * 24 * 1024 ** 2
    got = example_cost(cost, "xlm-roberta-large", "squad_v1", 384, "A100")
    assert got.train_s == pytest.approx(6 * n * 300 / (312e12 * cost["mfu"]["train"]))
    assert got.eval_s == pytest.approx(2 * n * 600 / (312e12 * cost["mfu"]["eval"]))
    # without a measured count the cost file's fill prices one window, trained and evaluated alike
    unmeasured = example_cost(load_cost_model(), "xlm-roberta-large", "squad_v1", 384, "A100")
    assert unmeasured.train_s / unmeasured.eval_s == pytest.approx(3 * cost["mfu"]["eval"] / cost["mfu"]["train"])


def test_calibration_times_a_staged_targets_first_stage_on_its_own_set(tmp_path):
    """XCOPA fine-tunes on SIQA (three choices an example) before COPA (two), in XCOPA's format and
    batch; the plan prices the SIQA stage as `model|siqa` (xlt.cost_estimate.stages), so --calibrate
    times it there too, and a calibrated plan prices both stages as measured, none by FLOPs."""
    from xlt.calibrate import calibrate, write_cost_file

    said = []
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["target.tasks=[xcopa]"])
    got = calibrate(cfg, steps=1, limit=64, echo=said.append)
    assert set(got["measured"]) == {"tiny-xlmr|mnli", "tiny-xlmr|xcopa", "tiny-xlmr|siqa"}
    assert got["tokens"]["siqa"] > 1.3 * got["tokens"]["xcopa"]  # three sequences an example against two
    assert any(line.startswith("  tiny-xlmr | siqa (as xcopa's first stage): train") for line in said), said
    write_cost_file(str(tmp_path / "cost.yaml"), got, cfg)
    plan = plan_sweep(cfg, load_cost_model(tmp_path / "cost.yaml"))
    assert {k: v.startswith("measured on") for k, v in plan.sources.items() if k.endswith(("siqa", "xcopa"))} == \
        {"tiny-xlmr|siqa": True, "tiny-xlmr|xcopa": True}


def test_the_plan_says_its_start_up_figure_is_assumed_unless_a_cost_file_set_it(tmp_path):
    """--calibrate times steps in one process, without Ray: the start-up row is the cost file's
    figure, and the plan says whose (xlt's shipped 45 s a worker is 3x what a tiny-model trial took
    on 2 CPUs, BENCHMARKS.md "The planner against a real sweep")."""
    from xlt.cost_estimate import format_plan

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml")
    shipped = load_cost_model()
    text = format_plan(cfg, plan_sweep(cfg, shipped), shipped)
    assert ("run start-up: 45 s on each of 4 worker(s) of 90 run(s) (trial_overhead_s, xlt's ASSUMPTION for a GPU "
            "node loading XLM-R large; set yours in a --cost-model file; --calibrate does not measure it)") in text
    (tmp_path / "cost.yaml").write_text("trial_overhead_s: 15\n")
    mine = load_cost_model(tmp_path / "cost.yaml")
    plan = plan_sweep(cfg, mine)
    assert plan.overhead_hours == pytest.approx(90 * 15 * 4 / 3600)
    assert "run start-up: 15 s on each of 4 worker(s) of 90 run(s) (trial_overhead_s, from your cost file;" in format_plan(cfg, plan, mine)
