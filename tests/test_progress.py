"""The lines a person reads while a sweep runs (xlt/sweep/progress.py), as Tune's callbacks print them."""

from types import SimpleNamespace

from xlt.sweep.progress import SweepProgress, describe


def _trial(trial_id, last_result=None):
    config = {"intermediate_task": "mnli", "intermediate_learning_rate": 1e-5, "target_task": "xnli", "seed": 0}
    return SimpleNamespace(trial_id=trial_id, config=config, last_result=last_result, path=f"/runs/{trial_id}")


def _progress(num_trials=3, mode="max"):
    lines = []
    return SweepProgress(num_trials, mode, echo=lines.append), lines


def test_a_damaged_cache_notice_is_printed_once_as_a_note_line():
    progress, lines = _progress()
    trial = _trial("t1")
    progress.on_trial_start(0, [], trial)
    first = "phase cache intermediate/3f9c is damaged (checksum mismatch): retraining it"
    progress.on_trial_result(0, [], trial, {"notices": first, "unit": "intermediate", "step": 10})
    progress.on_trial_result(0, [], trial, {"notices": first, "unit": "target:xnli", "step": 20})
    second = "phase cache target/a41e is incomplete (no weights): retraining it"
    progress.on_trial_result(0, [], trial, {"notices": f"{first}\n{second}", "unit": "done", "step": 30})
    notes = [line for line in lines if ": NOTE " in line]
    assert [n.split(": NOTE ", 1)[1] for n in notes] == [first, second]
    assert all(line.split("] ", 1)[1].startswith("trial t1") for line in lines)
    assert "started (1/3): intermediate=mnli (lr 1e-05) target=xnli seed=0" in lines[0]
    units = [line.split("t1: ", 1)[1] for line in lines if "done (step" in line]
    assert units == ["intermediate done (step 10)", "target:xnli done (step 20)"]  # "done" itself is not a unit


def test_finished_lines_track_the_best_and_name_partial_and_failed_trials():
    progress, lines = _progress(mode="min")
    progress.on_trial_complete(0, [], _trial("a", {"objective": 0.5, "objective_xnli": 0.25}))
    progress.on_trial_complete(0, [], _trial("b", {"objective": 0.7}))
    progress.on_trial_complete(0, [], _trial("c", {"objective": 0.4, "progress": 0.5}))
    progress.on_trial_complete(0, [], _trial("d", {"objective": float("nan")}))
    progress.on_trial_error(0, [], _trial("e"))
    body = [line.split("] ", 1)[1] for line in lines]
    assert body == [
        "trial a finished (1/3): objective 0.5000, objective_xnli 0.2500; best 0.5000 (a)",
        "trial b finished (2/3): objective 0.7000; best 0.5000 (a)",  # mode min: 0.7 is worse
        "trial c stopped by the scheduler (3/3) at 50% of its targets: objective so far 0.4000",
        "trial e FAILED: see /runs/e/error.txt",
    ]
    assert progress.best == (0.5, "a") and progress.failed == 1


def test_describe_leaves_out_the_rate_of_an_absent_intermediate_phase():
    assert describe({"intermediate_task": "none", "intermediate_learning_rate": 1e-5, "seed": 1}) == (
        "intermediate=none seed=1")
    assert describe({"lr": 2e-5, "batch": 32}) == "lr=2e-05 batch=32"
