"""Whole sweeps on local Ray: Tune + Optuna trials, each a Ray Train worker group (~20 s a fit)."""

import subprocess
import sys

import pyarrow.compute as pc
import pytest

from xlt.cli import main
from xlt.results.rows import KEY, read_results
from xlt.tasks import get_task

from conftest import REPO

pytestmark = pytest.mark.ray


def test_ddp_sweep_writes_rows_for_every_trial_phase_and_language(ray_cluster, tmp_path, capsys):
    """2 trials x 2 DDP workers (gloo): the baseline first, then Optuna's pick."""
    import ray

    before = set(ray._private.state.actors())
    code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}",
                 "search.algorithm=optuna-tpe", "search.num_trials=2", "resources.workers_per_trial=2",
                 "resources.max_concurrent_trials=1", "search.include_baseline=true",
                 "intermediate.tasks={choice: [none, mnli]}", "target.epochs=2", "intermediate.epochs=1"])
    out = capsys.readouterr().out
    assert code == 0, out
    results = tmp_path / "demo" / "results"
    assert f"\nresults: {results}\n" in out
    table = read_results(str(results))
    rows = table.to_pylist()
    trials = {r["trial_id"] for r in rows}
    assert len(trials) == 2
    by_trial = {t: {r["intermediate"] for r in rows if r["trial_id"] == t} for t in trials}
    assert {"none"} in by_trial.values()  # the baseline ran
    for t in trials:
        mine = [r for r in rows if r["trial_id"] == t]
        inter = mine[0]["intermediate"]
        expected_phases = {"target", "zero_shot"} | ({"intermediate"} if inter != "none" else set())
        assert {r["phase"] for r in mine} == expected_phases
        assert {r["language"] for r in mine if r["phase"] == "zero_shot"} == set(get_task("xnli").languages)
        assert len({r["config_hash"] for r in mine}) == 1 and mine[0]["seed"] == 0
    assert pc.min(table["value"]).as_py() >= 0 and pc.max(table["value"]).as_py() <= 1
    assert len(rows) == len({tuple(r[k] for k in KEY) for r in rows})
    assert "finished (2/2)" in out and "baseline" in out
    # each fit starts its Ray Train processes, but not Ray Data's, the preemption watcher nor (no State
    # API here) the placement-group cleaner (xlt.sweep.trainer): each would cost a process per fit;
    # nor a report queue of its own (the sweep's actor holds the mailboxes), nor, on this one machine,
    # the autoscaling coordinator, which no fit of the session's Ray started
    everyone = ray._private.state.actors()
    started = [a["ActorClassName"] for i, a in everyone.items() if i not in before]
    assert started.count("TrainController") == 2 and started.count("RayTrainWorker") == 4, started
    assert not {"DatasetManager", "PreemptionWatcher", "PlacementGroupCleaner", "_QueueActor"} & set(started), started
    # (a detached singleton: it would be there, alive or dead, had any fit of this session's Ray asked
    # the autoscaler; every fit of the test suite is xlt's trainer, on the embedded Ray's settings)
    assert "_AutoscalingCoordinatorActor" not in {a["ActorClassName"] for a in everyone.values()}, \
        "a fit of this test session's Ray started Ray Train's autoscaling coordinator"


def test_readme_demo_command_through_the_real_cli(ray_cluster, tmp_path):
    """The README's demo sweep, joined to the session's Ray (one Ray per test session), searched by
    Optuna (the README's second command) for two trials with the study in a database."""
    out = subprocess.run(
        [sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml", f"storage={tmp_path}",
         "search.algorithm=optuna-tpe", "search.num_trials=2", f"search.optuna_storage=sqlite:///{tmp_path}/optuna.db",
         "intermediate.epochs=1", "target.epochs=2", "--address", ray_cluster],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "trial" in out.stdout and "started (1/2)" in out.stdout
    results = tmp_path / "demo" / "results"
    table = read_results(str(results))
    assert len(set(table["trial_id"].to_pylist())) == 2
    assert set(table["phase"].to_pylist()) >= {"target", "zero_shot"}
    show = subprocess.run([sys.executable, "-m", "xlt.cli", "results", "show", str(tmp_path / "demo")],
                          capture_output=True, text=True)
    assert show.returncode == 0 and "baseline" in show.stdout and "\nur " in show.stdout
    import optuna  # the study lives in the database, where optuna-dashboard can watch it

    study = optuna.load_study(study_name="demo", storage=f"sqlite:///{tmp_path}/optuna.db")
    assert len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]) == 2
    report = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(tmp_path / "demo"), "--out",
                             str(tmp_path / "report")], capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report" / "report.md").is_file() and (tmp_path / "report" / "delta_by_task.png").is_file()


def _run(args, capsys):
    code = main(args)
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_every_intermediate_task_trains_through_ray(ray_cluster, tmp_path, capsys):
    """Every intermediate task, in two mixtures (a head and a dev evaluation each; every format
    meets the others): one Ray Train worker group a trial. (A trial per task took ~290 s of CI
    here, four mixtures and `none` ~160 s; the single-task path and the baseline run through Ray
    in every other sweep test.)"""
    from xlt.tasks import all_tasks

    # generation (code-to-text) needs model.head: text; tests/test_text_path.py runs it through run_trial,
    # the function a Ray worker calls
    inter = sorted(t.name for t in all_tasks() if t.role == "intermediate" and t.format != "generation")
    groups = {f"m{i}": inter[i::2] for i in range(2)}
    mixtures = ", ".join(f"{name}: {{tasks: [{', '.join(tasks)}]}}" for name, tasks in groups.items())
    out = _run(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=inter",
                "search.algorithm=grid", f"mixtures={{{mixtures}}}", f"intermediate.tasks={{choice: [{', '.join(groups)}]}}",
                "intermediate.learning_rate=1.0e-3", "target.learning_rate=1.0e-3", "intermediate.epochs=1",
                "target.epochs=1", "target.languages=[de]", "data.max_train_examples=48", "model.max_seq_length=64"],
               capsys)
    rows = read_results(str(tmp_path / "inter" / "results")).to_pylist()
    by_trial = {}
    for r in rows:
        by_trial.setdefault(r["intermediate"], set()).add(r["target_task"] if r["phase"] == "intermediate" else None)
    assert len(by_trial) == 2
    assert sorted(set().union(*by_trial.values()) - {None}) == inter  # a dev row of every task
    assert {frozenset(tasks) - {None} for tasks in by_trial.values()} == set(map(frozenset, groups.values()))
    assert {r["metric"] for r in rows if r["phase"] == "intermediate"} >= {"accuracy", "exact_match", "f1"}
    assert all(0 <= r["value"] <= 1 for r in rows)
    assert "finished (2/2)" in out


def test_every_target_task_trains_and_evaluates_through_ray(ray_cluster, tmp_path, capsys):
    """One trial over all 9 XTREME targets (retrieval evaluates the phase-2 encoder directly)."""
    from xlt.data.loading import available_languages
    from xlt.tasks import all_tasks

    # generation (XGLUE QG/NTG) needs model.head: text: tests/test_text_path.py runs it through run_trial
    targets = sorted(t.name for t in all_tasks() if t.role == "target" and t.format != "generation")
    _run(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=targets",
          "intermediate.tasks=none", "target.learning_rate=1.0e-3", f"target.tasks=[{', '.join(targets)}]",
          "target.epochs=1", "data.max_train_examples=48", "model.max_seq_length=64", "target.write_predictions=true"],
         capsys)
    rows = read_results(str(tmp_path / "targets" / "results")).to_pylist()
    for name in targets:
        task = get_task(name)
        zero_shot = [r for r in rows if r["phase"] == "zero_shot" and r["target_task"] == name]
        assert {r["language"] for r in zero_shot} == set(available_languages(task, "test", "local")), name
        assert task.primary_metric in {r["metric"] for r in zero_shot}, name
        has_target_rows = any(r["phase"] == "target" for r in rows if r["target_task"] in (name, task.dev_task))
        assert has_target_rows == task.trains, name
    trial = rows[0]["trial_id"]
    scored = subprocess.run([sys.executable, "-m", "xlt.cli", "score", str(tmp_path / "targets" / "predictions" / trial),
                             str(tmp_path / "targets" / "labels"), "--json"], capture_output=True, text=True)
    # the fixtures do not hold every XTREME language, so `xlt score` names the first missing file
    assert scored.returncode == 2 and "missing" in scored.stderr


TINY = ["intermediate.epochs=1", "target.epochs=1", "data.max_train_examples=32", "model.max_seq_length=64",
        "target.languages=[de]", "intermediate.learning_rate=1.0e-3"]


GRID_2X2 = ["search.algorithm=grid", "intermediate.tasks={choice: [mnli, qqp]}", "target.learning_rate={choice: [1.0e-3, 3.0e-3]}"]


def test_grid_of_2x2_trains_exactly_two_intermediate_checkpoints(ray_cluster, tmp_path, capsys, monkeypatch):
    """Run from a working directory with a relative `storage` (Ray's workers run elsewhere: the
    cache must still be found), the end-of-sweep summary counts the reuse, and `xlt sweep plan`
    predicted exactly the phase runs the sweep performed."""
    monkeypatch.chdir(tmp_path)
    out = _run(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), "storage=runs", "name=cache", *TINY, *GRID_2X2],
               capsys)
    rows = read_results(str(tmp_path / "runs" / "cache" / "results")).to_pylist()
    assert len({r["trial_id"] for r in rows}) == 4
    inter = {(r["trial_id"], r["intermediate_key"], r["cache_hit"]) for r in rows if r["phase"] == "intermediate"}
    trained = [t for t in inter if not t[2]]
    assert len(trained) == 2 and len({key for _, key, _ in inter}) == 2  # 2 checkpoints, each trained once
    assert len(list((tmp_path / "runs" / "cache" / "intermediate").iterdir())) == 2
    assert "phase cache: 2 of 8 phase runs reused instead of trained (2 of 4 intermediate checkpoints, " \
           "0 of 4 target fine-tunings)" in out
    assert "\nnext: xlt report " in out and "runs/cache/results --out " in out
    # `xlt sweep plan` predicts these very phase runs: the same keys, each as often as it ran
    from xlt.config import load_sweep
    from xlt.cost_estimate import load_cost_model, plan_sweep
    from xlt.results.sweep_dir import saved_revisions

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["storage=runs", "name=cache", *TINY, *GRID_2X2])
    plan = plan_sweep(cfg, load_cost_model(), revisions=saved_revisions(str(tmp_path / "runs" / "cache")))
    ran = {"intermediate": sorted(k for _, k in {(r["trial_id"], r["intermediate_key"]) for r in rows
                                                 if r["phase"] == "intermediate"}),
           "target": sorted(k for _, k in {(r["trial_id"], r["target_key"]) for r in rows if r["target_key"]})}
    assert ran["intermediate"] == sorted(r.key for r in plan.runs if r.kind == "intermediate")
    assert ran["target"] == sorted(r.key for r in plan.runs if r.kind == "target")
    assert plan.count("intermediate", True) == len(trained) and plan.count("intermediate", False) == 4


def test_two_concurrent_trials_sharing_a_key_train_it_once(ray_cluster, tmp_path, capsys):
    import json

    _run(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=shared", *TINY,
          "search.algorithm=grid", "intermediate.tasks=mnli", "target.learning_rate={choice: [1.0e-3, 3.0e-3]}",
          "resources.max_concurrent_trials=2"], capsys)
    rows = read_results(str(tmp_path / "shared" / "results")).to_pylist()
    inter = [r for r in rows if r["phase"] == "intermediate"]
    assert len({r["trial_id"] for r in inter}) == 2
    assert sorted(r["cache_hit"] for r in inter) == [False, True]  # one trained, the other waited and reused
    spans = []
    for result in (tmp_path / "shared" / "tune").glob("*/result.json"):
        first = json.loads(result.read_text().splitlines()[0])
        last = json.loads(result.read_text().splitlines()[-1])
        spans.append((first["timestamp"] - first["time_total_s"], last["timestamp"]))
    assert len(spans) == 2 and max(s for s, _ in spans) < min(e for _, e in spans)  # they overlapped
