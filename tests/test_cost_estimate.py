"""`xlt sweep plan`: phase runs and cache savings, computed without training anything."""

import json
import math
import subprocess
import sys

import pytest

from xlt.config import ConfigError, load_sweep
from xlt.cost_model import example_cost
from xlt.cost_estimate import load_cost_model, plan_sweep

from conftest import REPO

NINE = "[anli_plus, mnli, qqp, squad_v1, squad_v2, hellaswag, cosmosqa, commonsenseqa, ccg]"
TARGETS = "[xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa, bucc, tatoeba]"
# What XNLI's evaluation scores after fine-tuning on the hub: MNLI's English dev (validation_matched), the
# dev set of each of the 14 other languages, the test set of all 15 (xlt/cost_model.yaml's sizes).
XNLI_EVAL = 9815 + 14 * 2490 + 15 * 5010


def test_paper_grid_with_one_target_per_trial():
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [f"intermediate.tasks={{choice: {NINE}}}"])
    plan = plan_sweep(cfg, load_cost_model())
    assert plan.trials == 9 * 9 and plan.exact
    assert (plan.count("intermediate", False), plan.count("intermediate", True)) == (81, 9)
    assert (plan.count("target", False), plan.count("target", True)) == (81, 81)
    assert plan.hours(None, True) < plan.hours(None, False)


def test_targets_listed_in_each_trial_share_the_intermediate_within_the_trial():
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [f"target.tasks={TARGETS}"])
    plan = plan_sweep(cfg, load_cost_model())
    assert plan.trials == 10  # none + the nine intermediate tasks, each trial fine-tuning every target
    assert (plan.count("intermediate", False), plan.count("intermediate", True)) == (9, 9)
    assert plan.count("target", False) == 90


def test_gpu_hours_follow_the_cost_model(tmp_path):
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["intermediate.tasks=mnli", "target.tasks=[xnli]",
                                                                "target.learning_rate=1.0e-5"])
    cost = load_cost_model()
    plan = plan_sweep(cfg, cost)
    # MNLI's 392,702 examples: 3 epochs as the intermediate task (X-STILTs guide), then its English
    # dev (9,815, validation_matched) scored and the checkpoint written; 2 for XNLI (jiant's XTREME
    # configuration), which trains on MNLI with a 500-example dev selection every 1,000 steps of 32 and
    # at the end, reads the checkpoint, scores MNLI's English dev, the 2,490 dev examples of each of
    # the 14 other languages and the 5,010 test examples of all 15 (xlt.trial.torch_backend.target). An epoch is ceil(examples /
    # batch) steps (xlt.trial.train: 98,176 of 4, 12,272 of 32), its last batch partial, so 3 and 2 x 392,702 examples. Each example priced by xlt.cost_model, its
    # training held to the host's floor a step over the examples a GPU takes a step (the intermediate
    # batch of 4 and the target's 32, over the sweep's 4 DDP workers, at the assumed 0.9 efficiency).
    mnli, xnli = (example_cost(cost, "xlm-roberta-large", t, 256, "A100", step_examples=n) for t, n in (("mnli", 1), ("xnli", 8)))
    assert "the host's" in mnli.source and "the host's" in xnli.source
    size, ddp = 4 * 560e6, 1 / 0.9  # XLM-R large's fp32 checkpoint
    assert plan.hours("intermediate", False) * 3600 == pytest.approx(
        (3 * 392702 * mnli.train_s + 9815 * mnli.eval_s) * ddp + size / 200e6)
    selections = 25  # at steps 1,000, ..., 24,000 of 24,544, then at the end
    assert plan.hours("target", False) * 3600 == pytest.approx(
        (2 * 392702 * xnli.train_s + selections * 500 * xnli.eval_s + XNLI_EVAL * xnli.eval_s) * ddp
        + size / 500e6)
    # a measured figure replaces the FLOP one for its pair
    override = tmp_path / "cost.yaml"
    override.write_text(f"measured: {{xlm-roberta-large|xnli: {{train_s: {xnli.train_s / 2}, eval_s: {xnli.eval_s}}}}}\n")
    halved = plan_sweep(cfg, load_cost_model(override))
    assert halved.hours("target", False) * 3600 == pytest.approx(plan.hours("target", False) * 3600
                                                                 - 392702 * xnli.train_s * ddp)
    assert halved.hours("intermediate", False) == plan.hours("intermediate", False)


def test_a_token_budget_phase_evaluates_dev_every_eval_every_of_its_own_steps():
    """eval_every counts optimizer steps (xlt.trial.train), and a token budget's steps hold the budget
    over an example's tokens, not batch_size examples: the plan counts the selections the run makes."""
    from xlt.cost_estimate import step_examples
    from xlt.cost_model import tokens_per_example
    from xlt.trial.plan import PhasePlan

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["intermediate.tasks=mnli", "target.tasks=[xnli]",
                                                                "target.learning_rate=1.0e-5", "target.batch_tokens=32768"])
    cost = load_cost_model()
    plan = plan_sweep(cfg, cost)
    per_step = 32768 / tokens_per_example(cost, "xnli", 256)  # 32768 / (0.35 x 256 tokens): 366 examples
    target = PhasePlan("xnli", 1e-5, 2, 32, batch_tokens=32768)
    xnli = example_cost(cost, "xlm-roberta-large", "xnli", 256, "A100",
                        step_examples=step_examples(cfg, "xnli", cost, 256, target))
    examples = 2 * 392702  # the batch_size run's: 2 epochs of MNLI's examples
    selections = math.ceil(examples / per_step / 1000)  # 2,146 steps: at 1,000, 2,000 and the end (batch_size's: 25)
    assert selections == 3
    assert plan.hours("target", False) * 3600 == pytest.approx(
        (examples * xnli.train_s + selections * 500 * xnli.eval_s + XNLI_EVAL * xnli.eval_s) / 0.9 + 4 * 560e6 / 500e6)


def test_sampled_space_is_simulated_deterministically():
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.learning_rate={choice: [1.0e-3]}", "search.num_trials=20",
                                                      "search.algorithm=optuna-tpe"])
    a, b = plan_sweep(cfg, load_cost_model()), plan_sweep(cfg, load_cost_model())
    assert a.runs == b.runs and not a.exact
    assert a.count("intermediate", True) == 1  # one distinct mnli config; `none` has no intermediate


def test_cli_json():
    out = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "plan", str(REPO / "sweeps" / "paper-single.yaml"),
                          "--json"], capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert data["trials"] == 90 and data["intermediate"]["runs_with_cache"] == 9
    assert data["phase_run_ratio"] == pytest.approx((81 + 90) / (9 + 90))


def test_planning_a_sweep_imports_neither_torch_nor_ray():
    """Expanding trials into plans and cache keys is pure (xlt.trial.expand, xlt.trial.keys): `xlt sweep
    plan` answers in about a second instead of paying torch's and Ray's imports."""
    code = ("import sys\nfrom xlt.config import load_sweep\nfrom xlt.cost_estimate import load_cost_model, plan_sweep\n"
            f"plan = plan_sweep(load_sweep({str(REPO / 'sweeps' / 'demo.yaml')!r}, []), load_cost_model())\n"
            "assert plan.count('intermediate', True) == 1 and plan.count('target', True) == 4, plan\n"
            "print(sorted(m for m in ('torch', 'ray', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_plans_hours_are_exact_sums_whatever_the_order_of_its_keys():
    """The plan sums GPU-hours over a set of cache keys, whose order moves with Python's hash seed:
    a float sum in set order changed the plan's JSON in its last bit from run to run. An exact sum
    (math.fsum) cannot; these three terms give 0.0 in four of their six orders as a float sum."""
    from xlt.cost_estimate import Plan, PhaseRun

    runs = [PhaseRun("target", key, ("xnli",), 1.0) for key in ("a", "b", "c")]
    plan = Plan(trials=3, exact=True, runs=runs, gpu_hours={"a": 1e16, "b": 1.0, "c": -1e16})
    assert plan.hours(None, False) == plan.hours("target", True) == 1.0


def test_a_mixture_is_priced_in_its_sampling_proportions_over_its_capped_epoch_without_selection():
    """xlt.trial.train draws each step's task by the mixture's probabilities and runs epochs over each
    task's batches of its capped size; a mixture run keeps its last weights (xlt.trial.torch_backend).
    A uniform mixture of MNLI (392,702 examples, 256 tokens) and SQuAD (87,599, 384) therefore trains
    on as many SQuAD as MNLI examples. The plan used to price it by the tasks' sizes (SQuAD's costlier
    examples 18% of the run) over their uncapped epochs: 1.37 GPU-hours for this phase's 0.63 (2.2x),
    and without the cap 1.37 for 1.61 (0.85x)."""
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [
        "mixtures.two={tasks: [mnli, squad_v1], sampling: uniform, examples_cap: 100000}", "intermediate.tasks=two",
        "target.tasks=[xnli]", "target.learning_rate=1.0e-5", "intermediate.batch_size=128"])
    cost = load_cost_model()
    plan = plan_sweep(cfg, cost)
    # 128 examples a step over 4 GPUs: 32 a GPU a step; each task at its own default length
    mnli, squad = (example_cost(cost, "xlm-roberta-large", t, n, "A100", step_examples=32)
                   for t, n in (("mnli", 256), ("squad_v1", 384)))
    steps = 3 * (math.ceil(100000 / 128) + math.ceil(87599 / 128))  # 3 epochs over the capped sizes' batches
    # a step's batch is drawn from the task's whole set, its last batch of an epoch partial
    batch = 0.5 * 392702 / math.ceil(392702 / 128) + 0.5 * 87599 / math.ceil(87599 / 128)
    dev = 9815 * mnli.eval_s + 10570 * squad.eval_s  # each task's English dev scored once, whole
    assert plan.hours("intermediate", False) * 3600 == pytest.approx(
        (steps * batch * (0.5 * mnli.train_s + 0.5 * squad.train_s) + dev) / 0.9 + 4 * 560e6 / 200e6)
    # selection is refused for a mixture, not priced and then skipped
    with pytest.raises(ConfigError, match=r"intermediate.eval_every: no one task's dev set can select a mixture, so the mixture two would"):
        load_sweep(REPO / "sweeps" / "paper-single.yaml", [
            "mixtures.two={tasks: [mnli, squad_v1]}", "intermediate.tasks={choice: [mnli, two]}",
            "intermediate.eval_every=1000"])


def test_a_qa_phase_is_counted_in_the_windows_its_examples_yield_where_they_were_measured(tmp_path):
    """xlt.trial.train counts a QA task's epoch in features: a context longer than the max length
    yields several windows (doc stride 128), each trained on. The plan counted SQuAD's examples; with
    a windows figure (measured by --calibrate) it counts their windows, and without one it says so."""
    from xlt.cost_estimate import CostModelError, format_plan, phase_length, plan_json
    from xlt.trial.expand import expand, grid_points

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml",
                     ["intermediate.tasks=squad_v1", "target.tasks=[xnli]", "target.learning_rate=1.0e-5"])
    shipped = load_cost_model()
    measured = tmp_path / "windows.yaml"
    measured.write_text("windows: {squad_v1: 1.25}\n")
    counted = load_cost_model(measured)
    trial = expand(cfg, grid_points(cfg)[0], "x", "")
    phase, n = trial.intermediate, shipped["train_examples"]["squad_v1"]
    plain, windows = (phase_length(cfg, ("squad_v1",), cost, phase, max_length=trial.max_seq_length)
                      for cost in (shipped, counted))
    assert plain.steps == math.ceil(phase.epochs * math.ceil(n / phase.batch_size))
    assert windows.steps == math.ceil(phase.epochs * math.ceil(round(n * 1.25) / phase.batch_size))
    assert windows.examples > 1.24 * plain.examples

    without, with_windows = plan_sweep(cfg, shipped), plan_sweep(cfg, counted)
    assert without.windows_uncounted == ("squad_v1",) and with_windows.windows_uncounted == ()
    assert with_windows.hours("intermediate", False) > 1.2 * without.hours("intermediate", False)
    assert "note: QA training examples counted as one window each (squad_v1)" in format_plan(cfg, without, shipped)
    assert "counted as one window" not in format_plan(cfg, with_windows, counted)
    assert plan_json(without)["windows_uncounted"] == ["squad_v1"]

    measured.write_text("windows: {squad_v1: 0.5}\n")
    with pytest.raises(CostModelError, match=r"windows.yaml: windows.squad_v1: expected the windows a training example "
                                             r"yields \(a number >= 1\), got 0.5"):
        load_cost_model(measured)


def test_a_mixtures_qa_tasks_are_named_where_their_windows_were_not_counted():
    from xlt.cost_estimate import plan_json

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [
        "mixtures.two={tasks: [mnli, squad_v1]}", "intermediate.tasks=two", "target.tasks=[xnli]",
        "target.learning_rate=1.0e-5"])
    assert plan_json(plan_sweep(cfg, load_cost_model()))["windows_uncounted"] == ["squad_v1"]


def test_a_target_trained_in_stages_is_planned_stage_by_stage():
    """XCOPA trains on SIQA (33,410 examples, three choices each), then on COPA (400, two choices),
    each stage its own epochs at XCOPA's max length, selecting on COPA's dev set in the last stage
    only (xlt.trial.torch_backend). The plan used to pool both sets into one stage priced as XCOPA's
    two-choice examples, selecting over both: 0.087 GPU-hours for this phase's 0.128 on one A100."""
    from xlt.cost_estimate import target_training
    from xlt.trial.expand import expand, grid_points

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [
        "intermediate.tasks=mnli", "target.tasks=[xcopa]", "target.learning_rate=1.0e-5", "target.batch_size=64",
        "target.eval_every=20", "resources.workers_per_trial=1"])
    cost = load_cost_model()
    phase = expand(cfg, grid_points(cfg)[0], "x", "").targets[0]
    assert (phase.epochs, phase.batch_size, phase.eval_every) == (5, 64, 20)
    siqa, xcopa = (example_cost(cost, "xlm-roberta-large", t, 128, "A100", step_examples=64) for t in ("siqa", "xcopa"))
    assert siqa.train_s == pytest.approx(1.5 * xcopa.train_s)  # three sequences an example against two
    siqa_steps, copa_steps = 5 * math.ceil(33410 / 64), 5 * math.ceil(400 / 64)
    # at COPA's steps 20 and its end (35), none in SIQA's 2,615; each on COPA's 100 dev examples (XCOPA's
    # dev_subset is off), where the plan had priced XCOPA's 500 test examples a language
    selections = math.ceil(copa_steps / 20)
    steps, hours = target_training(cfg, "xcopa", cost, phase)
    assert steps == siqa_steps + copa_steps
    assert hours * 3600 == pytest.approx(5 * 33410 * siqa.train_s + 5 * 400 * xcopa.train_s  # each stage's examples, 5 epochs
                                         + selections * 100 * xcopa.eval_s)
    plan = plan_sweep(cfg, cost)
    assert {"xlm-roberta-large|siqa", "xlm-roberta-large|xcopa"} <= set(plan.sources)  # the plan names both prices
    assert plan.hours("target", False) > hours  # and adds XCOPA's evaluation and the checkpoint's read


def test_a_token_budget_counts_a_qa_phases_windows_as_the_loop_batches_them(tmp_path):
    """--calibrate measures the tokens of an example over all its windows and the windows it yields;
    the loop fills a token budget with windows. A budget's batch is the budget over a window's
    tokens, and its selections follow those steps (the plan divided by a whole example's tokens:
    twice the steps here, so twice the selections)."""
    from xlt.cost_estimate import batch_examples, phase_length
    from xlt.trial.plan import PhasePlan

    measured = tmp_path / "cost.yaml"
    measured.write_text("tokens: {squad_v1: 600.0}\nwindows: {squad_v1: 2.0}\n")
    cost = load_cost_model(measured)
    budget = PhasePlan("squad_v1", 1e-5, 2, 32, batch_tokens=30000)
    assert batch_examples("squad_v1", cost, 384, budget) == pytest.approx(100)  # 30,000 / 300 tokens a window
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["intermediate.tasks=squad_v1", "target.tasks=[xnli]",
                                                                "target.learning_rate=1.0e-5"])
    length = phase_length(cfg, ("squad_v1",), cost, budget, max_length=384)
    windows = 2 * round(87599 * 2.0)  # 2 epochs of SQuAD's 175,198 windows
    assert length.examples == windows and length.steps == pytest.approx(windows / 100)



def test_selection_on_the_target_languages_dev_sets_scores_each_of_them():
    """With `target.selection: target_dev` a selection scores every target language's dev set but
    English, each capped at dev_subset (xlt.trial.torch_backend._dev_scorer): for XNLI 14 x 500
    examples, where the plan priced one English set of 500 (its 25 selections: 2.70 GPU-hours for
    the phase's 2.76 on the shipped cost model)."""
    from xlt.cost_estimate import selection_examples
    from xlt.trial.expand import expand, grid_points

    overrides = ["intermediate.tasks=mnli", "target.tasks=[xnli]", "target.learning_rate=1.0e-5"]
    cost = load_cost_model()
    english = load_sweep(REPO / "sweeps" / "paper-single.yaml", overrides)
    target_dev = load_sweep(REPO / "sweeps" / "paper-single.yaml", [*overrides, "target.selection=target_dev"])
    phase = expand(english, grid_points(english)[0], "x", "").targets[0]
    assert selection_examples(english, "xnli", cost, phase, "english_dev") == 500  # MNLI's first 500
    assert selection_examples(target_dev, "xnli", cost, phase, "target_dev") == 14 * 500
    xnli = example_cost(cost, "xlm-roberta-large", "xnli", 256, "A100", step_examples=8)
    more = plan_sweep(target_dev, cost).hours("target", False) - plan_sweep(english, cost).hours("target", False)
    assert more * 3600 == pytest.approx(25 * 13 * 500 * xnli.eval_s / 0.9)
    # target.languages narrows them; on the fixtures each language counts its own dev file
    three = load_sweep(REPO / "sweeps" / "paper-single.yaml", [*overrides, "target.selection=target_dev",
                                                                  "target.languages=[en, de, fr, zh]"])
    assert selection_examples(three, "xnli", cost, phase, "target_dev") == 3 * 500
    local = load_sweep(REPO / "sweeps" / "demo.yaml", ["target.selection=target_dev"])
    fixture = REPO / "xlt" / "data" / "fixtures" / "xnli"
    dev_files = [f for f in fixture.glob("*/validation.jsonl") if f.parent.name != "en"]
    assert len(dev_files) == 5  # de, es, fr, ru, zh
    assert selection_examples(local, "xnli", cost, phase, "target_dev") == \
        sum(min(500, len(f.read_text().splitlines())) for f in dev_files)


def test_a_targets_evaluation_counts_every_set_the_loop_scores():
    """After fine-tuning, a target scores the English dev set of the task it trained on (XNLI: MNLI's),
    each other target language's dev set and each target language's test set
    (xlt.trial.torch_backend.target); the plan counted the test sets only (every declared language on
    the hub). On the fixtures each is its file's rows; robustness predicts the test sets again."""
    from xlt.cost_estimate import eval_hours, evaluation_examples

    fixtures = REPO / "xlt" / "data" / "fixtures"

    def rows(task, lang, split):
        return len((fixtures / task / lang / f"{split}.jsonl").read_text().splitlines())

    cost = load_cost_model()
    demo = load_sweep(REPO / "sweeps" / "demo.yaml", [])
    dev_languages = [p.name for p in (fixtures / "xnli").iterdir() if (p / "validation.jsonl").is_file() and p.name != "en"]
    test_languages = [p.name for p in (fixtures / "xnli").iterdir() if (p / "test.jsonl").is_file()]
    assert len(dev_languages) == 5 and len(test_languages) == 15
    assert evaluation_examples(demo, "xnli", cost) == (
        rows("mnli", "en", "validation") + sum(rows("xnli", l, "validation") for l in dev_languages),
        sum(rows("xnli", l, "test") for l in test_languages))
    two = load_sweep(REPO / "sweeps" / "demo.yaml", ["target.languages=[en, de]"])
    assert evaluation_examples(two, "xnli", cost) == (rows("mnli", "en", "validation") + rows("xnli", "de", "validation"),
                                                      rows("xnli", "en", "test") + rows("xnli", "de", "test"))
    dev, test = evaluation_examples(demo, "xnli", cost)
    assert eval_hours(demo, "xnli", cost, test_passes=3) / eval_hours(demo, "xnli", cost) == \
        pytest.approx((dev + 3 * test) / (dev + test))


def test_a_masked_lm_intermediate_scores_its_dev_set_in_every_language_it_trains_on():
    """Phase 2 ends by scoring its task's dev data (xlt.trial.torch_backend._dev_languages): English,
    or for masked LM every training language's dev set; the plan counted one (English) set for both."""
    from xlt.cost_estimate import dev_hours
    from xlt.tasks import get_task

    cost = load_cost_model()
    demo = load_sweep(REPO / "sweeps" / "demo.yaml", [])  # one worker a trial: no DDP factor
    fixtures = REPO / "xlt" / "data" / "fixtures" / "mlm"
    files = [p / "validation.jsonl" for p in fixtures.iterdir() if (p / "validation.jsonl").is_file()]
    assert len(files) == 15
    rows = sum(len(f.read_text().splitlines()) for f in files)
    mlm = example_cost(cost, "tiny-xlmr", "mlm", get_task("mlm").defaults.max_seq_length, "A100")
    assert dev_hours(demo, "mlm", cost) * 3600 == pytest.approx(rows * mlm.eval_s)


def test_a_cost_files_dev_sizes_are_used_as_given_and_refused_when_negative(tmp_path):
    from xlt.cost_estimate import CostModelError, dev_examples

    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", [])
    given = tmp_path / "dev.yaml"
    given.write_text("dev_examples: {pawsx: 0}\n")  # no dev set: none scored, not the test size instead
    assert dev_examples(cfg, "pawsx", load_cost_model(given)) == 0
    assert dev_examples(cfg, "pawsx", load_cost_model()) == 2000  # unlisted: its eval_examples
    given.write_text("dev_examples: {mnli: -5}\n")
    with pytest.raises(CostModelError, match=r"dev.yaml: dev_examples.mnli: expected the examples of the task's dev "
                                             r"set in a language \(a number >= 0\), got -5"):
        load_cost_model(given)


def test_a_masked_lm_tasks_examples_are_capped_per_language_and_a_variant_counts_its_languages():
    """The loop caps each training language's split (data.max_train_examples, a phase's
    max_train_examples) and a masked-LM task trains on several: the plan capped their total (10,000
    for the loop's 150,000), and priced `mlm@de,ur` at all 15 languages' 1,500,000 (the loop: 200,000)."""
    from xlt.cost_estimate import train_examples
    from xlt.data.loading import load_records
    from xlt.tasks import get_task

    hub, cost = load_sweep(REPO / "sweeps" / "paper-single.yaml"), load_cost_model()
    assert train_examples(hub, "mlm", cost) == 1_500_000 and train_examples(hub, "mlm", cost, cap=10_000) == 150_000
    assert train_examples(hub, "mlm@de,ur", cost) == 200_000 and train_examples(hub, "mlm@de,ur", cost, cap=10_000) == 20_000
    assert train_examples(hub, "mnli", cost, cap=10_000) == 10_000  # one training language: as before
    local = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.max_train_examples=3"])
    mlm = get_task("mlm")
    loaded = sum(len(load_records(mlm, lang, "train", "local", 3).records) for lang in mlm.training_languages)
    assert train_examples(local, "mlm", cost) == loaded == 45


def test_a_bitext_retrieval_target_counts_both_sides_it_embeds():
    """Tatoeba embeds each pair's two sentences, BUCC the distinct sentences of both sides of its
    validation and test corpora (xlt.formats.bitext): the plan counted one sentence a pair."""
    from xlt.cost_estimate import _split_languages, evaluation_examples
    from xlt.data.loading import load_bitext, load_records
    from xlt.formats.bitext import distinct
    from xlt.tasks import get_task

    cfg, cost = load_sweep(REPO / "sweeps" / "demo.yaml"), load_cost_model()
    tatoeba, bucc = get_task("tatoeba"), get_task("bucc")
    embedded = sum(2 * len(load_records(tatoeba, lang, "test", "local").records)
                   for lang in _split_languages(cfg, tatoeba, "test"))
    assert sum(evaluation_examples(cfg, "tatoeba", cost)) == embedded == 1120
    embedded = sum(len(distinct(b.source)[0]) + len(distinct(b.target)[0])
                   for lang in _split_languages(cfg, bucc, "test") for split in ("validation", "test")
                   for b in [load_bitext(bucc, lang, split, "local")])
    assert sum(evaluation_examples(cfg, "bucc", cost)) == pytest.approx(embedded, rel=0.05)  # 320 pairs' sides, 328 distinct
    assert evaluation_examples(cfg, "mewslix", cost) == (0, 55)  # a pool's queries: one side (its pool priced apart)


def test_a_dev_set_held_out_of_the_training_rows_is_not_trained_on():
    """TyDiQA's dev set is a tenth of its training rows, held out by a hash of each row
    (xlt.data.loading): the plan trained on all of them, and on the hub priced its dev set at the
    test set's 800 examples."""
    from xlt.cost_estimate import dev_examples, train_examples
    from xlt.data.loading import load_records
    from xlt.tasks import get_task

    cost, tydiqa = load_cost_model(), get_task("tydiqa")
    hub = load_sweep(REPO / "sweeps" / "paper-single.yaml")
    assert (train_examples(hub, "tydiqa", cost), dev_examples(hub, "tydiqa", cost)) == (3326, 370)  # 3,696 x 0.9, x 0.1
    local = load_sweep(REPO / "sweeps" / "demo.yaml")
    trained = len(load_records(tydiqa, "en", "train", "local").records)  # 313 of the fixture's 360, by the hash
    held = len(load_records(tydiqa, "en", "validation", "local").records)
    assert train_examples(local, "tydiqa", cost) + dev_examples(local, "tydiqa", cost) == trained + held == 360
    assert train_examples(local, "tydiqa", cost) == pytest.approx(trained, rel=0.05)
