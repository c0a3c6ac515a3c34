"""Faults: a failing trial is recorded and the sweep goes on; a killed driver resumes."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from xlt.cli import main
from xlt.results.rows import KEY, read_results

from conftest import REPO

pytestmark = pytest.mark.ray

TINY = ["target.epochs=1", "data.max_train_examples=32", "model.max_seq_length=64", "intermediate.tasks=none"]


def test_failed_trial_is_recorded_with_its_error_and_the_sweep_goes_on(ray_cluster, tmp_path, capsys):
    """One trial at a time: BUCC first, then PAWS-X fails in BUCC's reused driver process
    (Tune does not reuse a failed trial's process, docs/reliability.md "Trial processes"). The failed
    worker group's resources must come back: the sweep ends with none of its placement groups
    still held."""
    import ray

    actors, groups = set(ray._private.state.actors()), set(ray.util.placement_group_table())
    # target_dev selection without non-English dev data fails on the workers for PAWS-X (its
    # fixture has English dev data only); BUCC (retrieval, nothing to select) succeeds
    code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=faults", *TINY,
                 "search.algorithm=grid", "target.tasks={choice: [bucc, pawsx]}", "target.learning_rate=1.0e-3",
                 "target.selection=target_dev", "target.eval_every=2", "resources.max_failures=0",
                 "resources.max_concurrent_trials=1"])
    out = capsys.readouterr().out
    started = [a["ActorClassName"] for i, a in ray._private.state.actors().items() if i not in actors]
    drivers = [name for name in started if name.endswith("ImplicitFunc")]  # or wrap_function.<locals>.ImplicitFunc
    assert len(drivers) == 1 and started.count("TrainController") == 2, started
    held = {i: g["state"] for i, g in ray.util.placement_group_table().items() if i not in groups}
    assert held and set(held.values()) == {"REMOVED"}, held
    assert code == 0 and "1 of 2 trials failed" in out, out
    rows = read_results(str(tmp_path / "faults" / "results")).to_pylist()
    failed = [r for r in rows if r["phase"] == "failed"]
    assert len(failed) == 1 and failed[0]["target_task"] == "pawsx"
    assert "no non-English validation data" in failed[0]["error"]
    assert {r["target_task"] for r in rows if r["phase"] == "zero_shot"} == {"bucc"}


class StopTrialsAtTheirFirstResult:
    """A Tune scheduler (FIFO otherwise) that stops the first and third trials it hears from, at
    their first result."""

    def __new__(cls):
        from ray.tune.schedulers import FIFOScheduler

        class Scheduler(FIFOScheduler):
            order: list[str] = []

            def on_trial_result(self, tune_controller, trial, result):
                if trial.trial_id not in self.order:
                    self.order.append(trial.trial_id)
                return self.STOP if self.order.index(trial.trial_id) in (0, 2) else self.CONTINUE

        return Scheduler()


def test_stopped_trials_end_their_runs_and_the_next_trial_runs_in_the_same_process(ray_cluster, tmp_path, capsys,
                                                                                   monkeypatch):
    """A scheduler stops real trials after their first target (xlt.sweep.stoppable_fit). The first
    is stopped in the middle of its second target, and Tune hands its process to the second trial,
    which runs to the end there; the third, the last, is stopped and Tune ends its process. Both
    stops end their Ray Train runs: every placement group is removed, on a Ray without the State
    API that Ray Train's own cleaner needs (this session's, as xlt's embedded Ray, has no dashboard)."""
    import ray

    import xlt.sweep.run

    monkeypatch.setattr(xlt.sweep.run, "_scheduler", lambda cfg: StopTrialsAtTheirFirstResult())
    actors, groups = set(ray._private.state.actors()), set(ray.util.placement_group_table())
    code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=stop", *TINY,
                 "search.algorithm=grid", "search.scheduler=asha", "target.tasks=[bucc, xnli]", "target.epochs=200",
                 "target.learning_rate={choice: [1.0e-3, 2.0e-3, 3.0e-3]}", "resources.max_concurrent_trials=1"])
    out = capsys.readouterr().out
    assert code == 0, out
    started = {i: a for i, a in ray._private.state.actors().items() if i not in actors}
    names = [a["ActorClassName"] for a in started.values()]
    drivers = [name for name in names if name.endswith("ImplicitFunc")]
    assert len(drivers) == 1 and names.count("TrainController") == 3, names
    assert all(a["State"] == "DEAD" for a in started.values() if a["ActorClassName"] == "TrainController")
    held = {i: g["state"] for i, g in ray.util.placement_group_table().items() if i not in groups}
    assert len(held) == 4 and set(held.values()) == {"REMOVED"}, held  # the trial slot's and 3 worker groups'
    assert re.search(r"stopped by the scheduler \(1/3\) at 50%.*finished \(2/3\).*stopped by the scheduler \(3/3\) "
                     r"at 50%", out, re.S), out
    rows = read_results(str(tmp_path / "stop" / "results")).to_pylist()
    tasks = {}
    for r in sorted(rows, key=lambda r: r["trial_id"]):
        if r["phase"] == "zero_shot":
            tasks.setdefault(r["trial_id"], set()).add(r["target_task"])
    assert list(tasks.values()) == [{"bucc"}, {"bucc", "xnli"}, {"bucc"}], tasks  # stopped in XNLI's 5 s


def test_a_stopped_trial_aborts_a_controller_that_waits_on_a_full_report_queue(ray_cluster):
    """The run's controller puts reports on a one-deep queue that the stopped trial no longer
    takes; waiting there, it would not take the abort. `_stop` drops what the queue holds while it
    waits for the abort, so the abort lands at once, not after STOP_WAIT_S and a kill."""
    import threading
    import time

    import ray

    from xlt.sweep import stoppable_fit

    @ray.remote(num_cpus=0)
    class Controller:  # one call at a time, as the controller's report callback blocks it
        def report(self, queue, n):
            for i in range(n):
                queue.put(("report", i))

        def abort(self):
            ray.actor.exit_actor()

    queue = stoppable_fit.report_queue()
    controller = Controller.remote()
    reporting = controller.report.remote(queue, 3)  # the first fills the queue, the second waits
    deadline = time.monotonic() + 60
    while not queue.full():  # the actor's process starts first
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.5)  # the second put is waiting
    fit = threading.Thread(target=time.sleep, args=(0.5,))
    fit.start()
    start = time.monotonic()
    stoppable_fit._stop(controller, fit, queue)
    assert time.monotonic() - start < 5
    assert ray.get(reporting) is None  # its reports went, then the abort ended the actor
    with pytest.raises(ray.exceptions.RayActorError):
        ray.get(controller.report.remote(queue, 0))
    queue.shutdown()


def test_killed_driver_resumes_without_rerunning_or_duplicating(ray_cluster, tmp_path):
    """kill -9 of the driver mid-sweep on URI storage (file://, as s3:// goes through the same
    pyarrow filesystem code), then `xlt sweep resume`: every trial once, no row twice."""
    args = [sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml", f"storage=file://{tmp_path}", "name=resume",
            *TINY, "search.algorithm=grid", "target.learning_rate={choice: [1.0e-3, 3.0e-3]}",
            "resources.max_concurrent_trials=1", "--address", ray_cluster]
    driver = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = tmp_path / "resume" / "results"
    deadline = time.monotonic() + 300
    while not list(results.glob("*/target-xnli.parquet")):  # wait for the first finished trial
        assert driver.poll() is None and time.monotonic() < deadline, "driver ended before a trial finished"
        time.sleep(1)
    time.sleep(2)  # let Tune record the trial as finished
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    before = {r["trial_id"]: r["finished_at"] for r in read_results(str(results)).to_pylist()}
    assert len(before) >= 1

    resumed = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "resume", "resume", "--storage", f"file://{tmp_path}",
                              "--address", ray_cluster], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    rows = read_results(str(results)).to_pylist()
    assert len({r["trial_id"] for r in rows}) == 2  # every trial once
    keys = [tuple(r[k] for k in KEY) for r in rows]
    assert len(keys) == len(set(keys))  # no duplicated row
    files = list(results.rglob("*.parquet"))
    assert len(files) == len({f.parent.name for f in files})  # one unit file per trial (intermediate none)
    after = {r["trial_id"]: r["finished_at"] for r in rows}
    for trial, finished in before.items():
        assert after[trial] == finished  # completed trials were not re-run
    saved = json.loads((tmp_path / "resume" / "sweep.json").read_text())
    assert saved["config"]["name"] == "resume"


def test_a_trial_larger_than_local_ray_fails_fast_but_a_cluster_may_autoscale(ray_cluster, capsys):
    from xlt.config import load_sweep
    from xlt.results.sweep_dir import SweepError
    from xlt.sweep.run import init_ray

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["resources.workers_per_trial=2", "resources.gpus_per_worker=1"])
    with pytest.raises(SweepError, match="one trial needs 2 CPUs and 2 GPUs"):
        init_ray(cfg, None)
    init_ray(cfg, ray_cluster)  # an address: the autoscaler may add GPU nodes, so warn and wait
    assert "trials wait until the autoscaler adds nodes" in capsys.readouterr().err


def test_killed_training_worker_resumes_from_the_last_checkpoint(ray_cluster, tmp_path, capsys):
    """Kill the Ray Train worker during phase 3: Ray Train restarts the group, which resumes after
    the finished intermediate unit (not rerun: its file is untouched) and the step count carries on."""
    import threading

    import psutil

    results = tmp_path / "worker" / "results"
    killed = []

    def killer():
        deadline = time.monotonic() + 300
        while not list(results.glob("*/intermediate.parquet")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # inside the long target phase
        for p in psutil.process_iter(["cmdline"]):
            if any("RayTrainWorker" in part for part in (p.info["cmdline"] or [])):
                p.kill()
                killed.append(p.pid)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path}", "name=worker", "cache=false",
                 "intermediate.tasks=mnli", "intermediate.learning_rate=1.0e-3", "intermediate.epochs=1",
                 "target.learning_rate=1.0e-3", "target.epochs=150", "data.max_train_examples=64", "model.max_seq_length=64",
                 "target.languages=[de]", "resources.max_failures=2"])
    thread.join(timeout=5)
    out = capsys.readouterr().out
    assert killed, "no training worker was found to kill"
    assert code == 0, out
    first = results.glob("*/intermediate.parquet").__next__()
    rows = read_results(str(results)).to_pylist()
    inter = [r for r in rows if r["phase"] == "intermediate"]
    target = [r for r in rows if r["phase"] != "intermediate"]
    assert inter and target
    assert max(r["finished_at"] for r in inter) < min(r["finished_at"] for r in target)
    assert first.stat().st_mtime < min(r["finished_at"] for r in target).timestamp()  # not rewritten
    steps_intermediate = inter[0]["step"]
    assert all(r["step"] == steps_intermediate + 150 * 4 for r in target)  # 64 examples / 16 = 4 steps an epoch


def test_a_run_whose_mailbox_fails_to_close_is_not_left_counted():
    """The count of runs in flight (which a stopped trial's clean-up waits on) used to be lowered after
    the mailbox's close: a close that raised (the sweep's actor gone) left it raised, and lost the run's
    result. No Ray: a fit that succeeds at once and a queue whose close raises."""
    import queue as queues

    from xlt.sweep import stoppable_fit

    class Result:
        metrics = {"objective": 0.5}

    class Trainer:
        def fit(self):
            return Result()

    class Mailbox(queues.Queue):
        def shutdown(self):
            raise RuntimeError("the sweep's actor is gone")

    before = stoppable_fit._active
    assert stoppable_fit.fit_reporting_to_tune(Trainer(), Mailbox()) == {"objective": 0.5}
    assert stoppable_fit._active == before
