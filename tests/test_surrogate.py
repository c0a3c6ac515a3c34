"""The surrogate backend: a deterministic response model, rows like real ones, and a whole sweep
(Tune, Optuna, ASHA, phase cache, results, report) at zero training cost."""

import dataclasses
import json
import math

import pyarrow as pa
import pytest

from xlt.cli import main
from xlt.config import load_sweep
from xlt.results.rows import SCHEMA, read_results
from xlt.trial.expand import expand
from xlt.surrogate import Intermediate, ResponseError, ResponseModel
from xlt.surrogate.backend import run_surrogate_trial
from xlt.tasks import get_task

from conftest import REPO

XNLI = list(get_task("xnli").languages)


def test_response_model_is_deterministic_per_seed_and_varies_across_seeds():
    m = ResponseModel.load()
    inter = Intermediate({"squad_v1": 1.0}, 1e-5, 175_000)
    a = m.zero_shot("xnli", XNLI, inter, 1e-5, "xlm-roberta-large", 0, "trial")
    assert a == m.zero_shot("xnli", XNLI, inter, 1e-5, "xlm-roberta-large", 0, "trial")
    b = m.zero_shot("xnli", XNLI, inter, 1e-5, "xlm-roberta-large", 1, "trial")
    assert a != b and abs(sum(a.values()) - sum(b.values())) / len(a) < 0.03  # noise, not a new model
    assert all(0 <= v <= 1 for v in a.values())


def test_response_model_structure_follows_its_stated_assumptions():
    m = ResponseModel.load()
    none = m.zero_shot("tatoeba", ["de", "sw"], None, None, "xlm-roberta-large", 0, "x")
    non_en = [l for l in XNLI if l != "en"]
    base = m.zero_shot("xnli", non_en, None, 1e-5, "xlm-roberta-large", 0, "x")
    assert abs(sum(base.values()) / len(base) - 0.792) < 0.01  # the published XLM-R large mean
    # QA intermediate training helps retrieval much more than NLI helps XNLI
    squad = Intermediate({"squad_v1": 1.0}, 1e-5, 175_000)
    mnli = Intermediate({"mnli": 1.0}, 1e-5, 785_000)
    assert m.mixture_effect(squad, "tatoeba") > 4 * m.mixture_effect(mnli, "xnli") > 0
    # more budget, more effect, with diminishing returns; a far-off learning rate loses it
    effects = [m.mixture_effect(Intermediate({"squad_v1": 1.0}, 1e-5, n), "bucc") for n in (1e4, 1e5, 1e6, 1e7)]
    assert effects == sorted(effects) and effects[3] - effects[2] < effects[1] - effects[0]
    assert m.mixture_effect(Intermediate({"squad_v1": 1.0}, 1e-3, 1e6), "bucc") < 0.1 * effects[2]
    # a learning curve: scores rise with the fraction of fine-tuning done
    curve = [fmean_of(m.zero_shot("xnli", XNLI, None, 1e-5, "xlm-roberta-large", 0, "x", f)) for f in (0.25, 0.5, 1.0)]
    assert curve == sorted(curve) and curve[0] > 1 / 3
    # low-resource languages gain more from the same intermediate training
    gain = {l: m.zero_shot("tatoeba", ["de", "sw"], squad, None, "xlm-roberta-large", 0, "x")[l] - none[l]
            for l in ("de", "sw")}
    assert gain["sw"] > gain["de"]
    # an optimum target learning rate
    at = {lr: fmean_of(m.zero_shot("xnli", XNLI, None, lr, "xlm-roberta-large", 0, "x")) for lr in (1e-6, 1e-5, 1e-4)}
    assert at[1e-5] > at[1e-6] and at[1e-5] > at[1e-4]


def fmean_of(scores: dict[str, float]) -> float:
    return sum(scores.values()) / len(scores)


def test_an_edited_response_model_is_validated_with_its_file_and_key(tmp_path):
    bad = tmp_path / "response.yaml"
    bad.write_text((REPO / "xlt" / "surrogate" / "response.yaml").read_text().replace("curve_k: 4.0", "curve_k: -1"))
    with pytest.raises(ResponseError, match=r"response.yaml: curve_k: Input should be greater than 0"):
        ResponseModel.load(bad)
    with pytest.raises(ResponseError, match=r"targets: no entry for 'nope'"):
        ResponseModel.load().zero_shot("nope", ["de"], None, 1e-5, "m", 0, "x")


def _plan(tmp_path, overrides, params):
    cfg = load_sweep(REPO / "sweeps" / "paper-single.yaml", ["backend=surrogate", f"storage={tmp_path}", *overrides])
    base = {"intermediate_task": "squad_v1", "intermediate_learning_rate": 1e-5, "target_learning_rate": 1e-5,
            "seed": 0, "target_task": "xquad"}
    return cfg, expand(cfg, {**base, **params}, "t1", str(tmp_path / "results"), str(tmp_path))


def test_surrogate_rows_pass_the_schema_and_carry_the_marker(tmp_path):
    cfg, plan = _plan(tmp_path, [], {})
    reports = []
    value = run_surrogate_trial(plan, cfg, reports.append)
    table = read_results(str(tmp_path / "results"))
    assert table.schema.equals(SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert {r["backend"] for r in rows} == {"surrogate"}
    zero = [r for r in rows if r["phase"] == "zero_shot"]
    assert {r["language"] for r in zero} == set(get_task("xquad").languages)
    assert {r["metric"] for r in zero} == {"f1", "exact_match"}  # what the real QA scorer writes
    assert {r["phase"] for r in rows} == {"intermediate", "target", "zero_shot"}
    assert all(0 <= r["value"] <= 1 and r["n_examples"] > 0 and r["step"] > 0 for r in rows)
    # a learning curve for the scheduler, ending at the trial's objective
    progress = [r["progress"] for r in reports]
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(reports) == 5  # curve_points, one target, done
    assert [r.get("unit") for r in reports] == [None, None, None, "target-xquad", "done"]  # a real trial's units
    assert math.isclose(reports[-1]["objective"], value) and reports[-1]["gpu_hours"] > reports[0]["gpu_hours"] > 0
    pa.Table.from_pylist(rows, schema=SCHEMA)  # the same schema a real trial's rows are built with


def test_a_token_budget_phase_is_stamped_with_the_steps_its_budget_takes(tmp_path):
    """A `batch_tokens` run sees the examples the batch_size run sees, in steps of budget / tokens
    examples (xlt.trial.train): the surrogate's step counts follow, as the plan's do."""
    from xlt.cost_estimate import batch_examples, load_cost_model, train_examples
    from xlt.surrogate.backend import SurrogatePhases

    cfg, plain = _plan(tmp_path, [], {})
    budget_cfg, budget = _plan(tmp_path, ["target.batch_tokens=16384", "intermediate.batch_tokens=8192"], {})
    cost = load_cost_model()
    phases, budget_phases = SurrogatePhases(plain, cfg), SurrogatePhases(budget, budget_cfg)
    xquad, budget_xquad = plain.targets[0], budget.targets[0]
    batches = math.ceil(train_examples(budget_phases.hub, "xquad", cost) / xquad.batch_size) * xquad.epochs
    assert phases.target(xquad, None).steps == batches  # epochs x ceil(examples / batch), as xlt.trial.train
    examples = batches * xquad.batch_size  # what the budget's run sees: the batch_size run's examples
    per_step = batch_examples("xquad", cost, 384, budget_xquad)  # 16384 / (0.5 x 384 tokens): XQuAD's default length
    assert per_step > xquad.batch_size and budget_phases.target(budget_xquad, None).steps == int(examples / per_step)
    assert budget_phases.intermediate()[1] < phases.intermediate()[1]  # SQuAD's budget steps hold more than 4


def test_surrogate_phase_cache_reuses_the_intermediate_and_costs_nothing_the_second_time(tmp_path):
    cfg, first = _plan(tmp_path, [], {})
    _, second = _plan(tmp_path, [], {"target_learning_rate": 2e-5})
    second = dataclasses.replace(second, trial_id="t2")
    a, b = [], []
    run_surrogate_trial(first, cfg, a.append)
    run_surrogate_trial(second, cfg, b.append)
    rows = read_results(str(tmp_path / "results")).to_pylist()
    inter = {r["trial_id"]: r for r in rows if r["phase"] == "intermediate"}
    assert not inter["t1"]["cache_hit"] and inter["t2"]["cache_hit"]
    assert b[-1]["gpu_hours"] < a[-1]["gpu_hours"]  # the intermediate phase was not paid for again


@pytest.mark.ray
def test_a_surrogate_sweep_with_asha_runs_through_the_cli_and_reports_with_the_marker(ray_cluster, tmp_path, capsys):
    code = main(["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate",
                 f"storage={tmp_path}", "name=sur", "search.num_trials=12", "search.scheduler=asha",
                 "resources.max_concurrent_trials=2", "resources.workers_per_trial=1", "resources.gpus_per_worker=0",
                 "--address", ray_cluster])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SURROGATE backend" in out
    rows = read_results(str(tmp_path / "sur" / "results")).to_pylist()
    assert {r["backend"] for r in rows} == {"surrogate"}
    trials = {r["trial_id"] for r in rows}
    finished = {r["trial_id"] for r in rows if r["phase"] == "zero_shot" and r["target_task"] == "panx"}
    assert len(trials) == 12 and 0 < len(finished) < 12  # ASHA stopped some trials part-way
    assert main(["report", str(tmp_path / "sur" / "results"), "--out", str(tmp_path / "report")]) == 0
    assert "**SURROGATE** results" in (tmp_path / "report" / "report.md").read_text()


def test_a_screened_surrogate_sweep_stops_trials_its_finished_ones_predict_cannot_win(ray_cluster, tmp_path, capsys):
    """`search.scheduler: screen` through Tune: a screened trial stops after its first targets, its rows
    are those of the units it ran, and the sampler is told its predicted final objective."""
    import optuna
    import re

    db = f"sqlite:///{tmp_path}/optuna.db"
    code = main(["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate",
                 f"storage={tmp_path}", "name=scr", "search.num_trials=9", "search.scheduler=screen",
                 "target.tasks=[tatoeba, bucc, tydiqa, pawsx, xnli]",  # cheap targets first
                 f"search.optuna_storage={db}", "resources.max_concurrent_trials=1", "resources.workers_per_trial=1",
                 "resources.gpus_per_worker=0", "--address", ray_cluster])
    out = capsys.readouterr().out
    assert code == 0, out
    screened = re.findall(r"trial (\w+) screened out \(\d+/9\) at (\d+)% of its targets: objective so far [\d.]+; "
                          r"final predicted ([\d.]+), at most ([\d.]+) \(99.5%, from (\d+) finished trials\), "
                          r"below the best ([\d.]+)", out)
    assert screened, out
    assert all(float(bound) < float(best) and int(n) >= 5 for _, _, _, bound, n, best in screened)
    rows = read_results(str(tmp_path / "scr" / "results")).to_pylist()
    done = {(r["trial_id"], r["target_task"]) for r in rows if r["phase"] == "zero_shot"}
    for trial, percent, _, _, _, _ in screened:
        ran = {t for tid, t in done if tid.endswith(trial)}
        assert len(ran) == round(5 * int(percent) / 100) and "xnli" not in ran  # the units before the stop
    told = sorted(round(t.value, 4) for t in optuna.load_study(study_name="scr", storage=db).trials)
    assert all(float(mean) in told for _, _, mean, _, _, _ in screened)  # the prediction, not the partial objective


def test_pareto_dominance():
    from xlt.report.pareto import dominates

    assert dominates((0.8, 0.5), (0.7, 0.5), ("max", "max"))
    assert not dominates((0.8, 0.4), (0.7, 0.5), ("max", "max"))  # a trade-off: both on the front
    assert dominates((0.8, 0.4), (0.7, 0.5), ("max", "min"))
    assert not dominates((0.7, 0.5), (0.7, 0.5), ("max", "max"))


@pytest.mark.ray
def test_a_multi_objective_surrogate_sweep_reports_its_pareto_front(ray_cluster, tmp_path, capsys):
    code = main(["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate",
                 f"storage={tmp_path}", "name=pareto", "search.num_trials=10",
                 "search.algorithm=optuna-tpe", "search.objective=[zero_shot_mean, {statistic: worst, languages: zero_shot}]",
                 "resources.max_concurrent_trials=2", "--address", ray_cluster])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "objective_2" in out
    assert main(["report", str(tmp_path / "pareto"), "--out", str(tmp_path / "report"), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pareto"]["objectives"] == ["mean[zero_shot]", "worst[zero_shot]"]
    trials = report["pareto"]["trials"]
    assert len(trials) == 10 and any(t["on_front"] for t in trials)
    front = [t["values"] for t in trials if t["on_front"]]
    for t in trials:  # nothing off the front beats a front point on both objectives
        if not t["on_front"]:
            assert any(f[0] >= t["values"][0] and f[1] >= t["values"][1] for f in front)
    assert "## Pareto front" in (tmp_path / "report" / "report.md").read_text()


def test_every_task_of_the_library_has_a_response_and_a_cost():
    from xlt.cost_estimate import load_cost_model
    from xlt.tasks import all_tasks

    m, cost = ResponseModel.load(), load_cost_model()
    for task in all_tasks():
        assert task.name in cost["train_examples"] or task.train_from or not task.trains, task.name
        assert all(t in cost["train_examples"] for t in task.train_tasks if task.trains), task.name
        if task.role == "target":
            scores = m.zero_shot(task.name, list(task.languages), None, 1e-5 if task.trains else None,
                                 "xlm-roberta-large", 0, "x")
            assert set(scores) == set(task.languages) and all(0 <= v <= 1 for v in scores.values()), task.name
        else:
            assert math.isfinite(m.mixture_effect(Intermediate({task.name: 1.0}, 1e-5, 1e5), "xnli")), task.name


@pytest.mark.ray
def test_replicates_run_each_configuration_with_every_seed_and_the_searcher_sees_their_mean(ray_cluster, tmp_path, capsys):
    import re
    from statistics import fmean

    from xlt.objective import scores_from_rows

    code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), "--backend", "surrogate", f"storage={tmp_path}",
                 "name=rep", "search.replicates=3", "resources.max_concurrent_trials=2", "resources.workers_per_trial=1",
                 "--address", ray_cluster])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4 trials (each run with 3 seeds)" in out and "(seed 1) done" in out
    rows = read_results(str(tmp_path / "rep" / "results")).to_pylist()
    runs = {r["trial_id"] for r in rows}
    trials = {run.rsplit("-s", 1)[0] for run in runs}
    assert len(trials) == 4 and len(runs) == 12 and {run.rsplit("-s", 1)[1] for run in runs} == {"0", "1", "2"}
    assert all(r["seed"] == int(r["trial_id"].rsplit("-s", 1)[1]) for r in rows)
    # what the searcher saw (the progress line) is the mean of the three runs' own objectives
    seen = dict(re.findall(r"trial (\S+) finished \(\d/4\): objective ([0-9.]+)", out))
    assert set(seen) == trials
    objective = load_sweep(REPO / "sweeps" / "demo.yaml").objectives()[0]
    for trial in trials:
        own = [objective(scores_from_rows([r for r in rows if r["trial_id"] == f"{trial}-s{s}"])) for s in range(3)]
        assert float(seen[trial]) == pytest.approx(fmean(own), abs=6e-5)
    assert main(["report", str(tmp_path / "rep" / "results"), "--out", str(tmp_path / "report")]) == 0
    assert "(n=3)" in (tmp_path / "report" / "report.md").read_text()  # mean ± CI over the three seeds


@pytest.mark.ray
def test_a_related_sweep_is_warm_started_from_an_earlier_one(ray_cluster, tmp_path, capsys):
    """`search.warm_start`: a second sweep's study holds the first sweep's finished trials, scored by
    the second's objective, before its own trials run."""
    import optuna

    db = f"sqlite:///{tmp_path}/optuna.db"
    common = ["--backend", "surrogate", f"storage={tmp_path}", "resources.max_concurrent_trials=2",
              "resources.workers_per_trial=1", "resources.gpus_per_worker=0", f"search.optuna_storage={db}",
              "--address", ray_cluster]
    sweep = str(REPO / "sweeps" / "mixture-search.yaml")
    assert main(["sweep", "run", sweep, "name=first", "search.num_trials=5", *common]) == 0
    # a single-task sweep with the mixture search's settings: each trial one vertex of its simplex
    assert main(["sweep", "run", sweep, "name=single", "intermediate.mixture=null", "search.algorithm=grid",
                 "intermediate.tasks={choice: [mnli, qqp]}", *common[:-3], *common[-2:]]) == 0
    capsys.readouterr()
    assert main(["sweep", "run", sweep, "name=second", "search.num_trials=3", "search.warm_start=[first, single]",
                 "search.objective={statistic: worst, languages: zero_shot}", *common]) == 0
    assert "warm start: told the searcher 7 finished trial(s) of first, single" in capsys.readouterr().out
    trials = optuna.load_study(study_name="second", storage=db).trials
    assert len(trials) == 10 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    first = {json.dumps(t.params, sort_keys=True): t.value for t in optuna.load_study(study_name="first", storage=db).trials}
    told = {json.dumps(t.params, sort_keys=True): t.value for t in trials[:5]}
    assert set(told) == set(first)
    # told under the second sweep's objective (the worst language), not the first's mean
    assert all(told[p] < first[p] for p in first)
    vertices = [t.params for t in trials[5:7]]  # mnli alone and qqp alone
    assert sorted(tuple(k for k, v in p.items() if k.startswith("mixture_weight_") and v == 1.0) for p in vertices) \
        == [("mixture_weight_mnli",), ("mixture_weight_qqp",)]
