"""How a trial's driver hands a run to Ray Train (xlt.sweep.run._fit), without starting Ray: the
trainer class is replaced by one that records what it was given, and the run's report queue (a Ray
actor) and the loop that hands its reports to Tune by stand-ins (the real ones: tests/test_faults.py)."""

import os

import pytest
import ray.train

from xlt.config.load import load_sweep
from xlt.results.sweep_dir import SweepPaths
from xlt.sweep import run, stoppable_fit, trainer

from conftest import REPO

POLL = "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S"


class _Result:
    metrics = {"objective": 0.5}


class RecordingTrainer:
    """Stands in for TorchTrainer: keeps its arguments and the poll interval Ray Train would read
    from this process's environment when `fit` is called."""

    made: list["RecordingTrainer"] = []

    def __init__(self, fn, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        RecordingTrainer.made.append(self)

    def fit(self):
        self.poll = os.environ.get(POLL)
        return _Result()


@pytest.fixture
def fit(monkeypatch, tmp_path):
    monkeypatch.setattr(trainer, "lean_torch_trainer", lambda: RecordingTrainer)
    monkeypatch.setattr(stoppable_fit, "report_queue", lambda: "stand-in queue")
    monkeypatch.setattr(stoppable_fit, "fit_reporting_to_tune", lambda trainer, queue: dict(trainer.fit().metrics))
    monkeypatch.setenv(POLL, "unset below")  # recorded, so the value _fit sets is undone after the test
    monkeypatch.delenv(POLL)
    RecordingTrainer.made.clear()
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", [f"storage={tmp_path}"])

    def call():
        metrics = run._fit({"plan": "stand-in"}, cfg, SweepPaths.of(cfg), False, "trial_0", None)
        return metrics, RecordingTrainer.made[-1]

    return call


def test_ray_train_polls_a_trials_workers_every_half_second(fit):
    # Ray's default (2 s) makes every report and the end of the run wait for a poll
    metrics, trainer = fit()
    assert metrics == {"objective": 0.5}
    assert trainer.poll == run.TRAIN_POLL_INTERVAL_S == "0.5"
    assert trainer.kwargs["run_config"].name == "trial_0"
    assert trainer.kwargs["scaling_config"].num_workers == 1


def test_a_poll_interval_set_in_the_environment_wins(fit, monkeypatch):
    monkeypatch.setenv(POLL, "3")
    _, trainer = fit()
    assert trainer.poll == "3"


def test_the_lean_trainer_starts_no_ray_data_actor_unless_given_datasets(monkeypatch):
    # Ray Train starts a DatasetManager actor (a process: ~2 CPU-s of imports) for every fit;
    # xlt gives it no datasets. Everything else Ray Train sets up stays (here with a State API).
    monkeypatch.delenv(trainer.NO_STATE_API, raising=False)
    from ray.train.v2._internal.callbacks import DatasetsCallback
    from ray.train.torch import TorchTrainer

    def make(cls, **kwargs):
        return cls(lambda: None, scaling_config=ray.train.ScalingConfig(num_workers=1), **kwargs)

    lean = trainer.lean_torch_trainer()
    default = [type(c) for c in make(TorchTrainer)._create_default_callbacks()]
    kept = [type(c) for c in make(lean)._create_default_callbacks()]
    assert DatasetsCallback in default and kept == [c for c in default if c is not DatasetsCallback]
    given = make(lean, datasets={"train": lambda: None})._create_default_callbacks()
    assert DatasetsCallback in [type(c) for c in given]


def test_without_rays_state_api_the_lean_trainer_starts_no_placement_group_cleaner(monkeypatch):
    """The cleaner asks the State API whether the controller lives; the embedded Ray without its
    dashboard has none, and says so to the processes it starts (xlt.sweep.trainer.NO_STATE_API)."""
    from ray.train.v2._internal.callbacks.placement_group_callback import PlacementGroupCleanerCallback

    def callbacks():
        lean = trainer.lean_torch_trainer()(lambda: None, scaling_config=ray.train.ScalingConfig(num_workers=1))
        return [type(c) for c in lean._create_default_callbacks()]

    monkeypatch.delenv(trainer.NO_STATE_API, raising=False)
    with_api = callbacks()
    monkeypatch.setenv(trainer.NO_STATE_API, "1")
    assert PlacementGroupCleanerCallback in with_api
    assert callbacks() == [c for c in with_api if c is not PlacementGroupCleanerCallback]
    monkeypatch.delenv(trainer.NO_STATE_API)
    trainer.apply_embedded_ray_env(dashboard=True)  # `xlt sweep run --dashboard`: Ray has its State API
    assert trainer.NO_STATE_API not in os.environ
    trainer.apply_embedded_ray_env()
    assert os.environ[trainer.NO_STATE_API] == "1"


def test_on_one_machine_the_lean_trainer_asks_no_autoscaler_for_its_workers(monkeypatch):
    """Ray Train asks the autoscaler for a run's workers through a detached coordinator actor (a process
    that stays for the life of the Ray); the embedded Ray has no autoscaler and says so
    (xlt.sweep.trainer.NO_AUTOSCALER): its trainers keep Ray's fixed-size group without asking."""
    from ray.train.v2._internal.execution.scaling_policy import FixedScalingPolicy, create_scaling_policy
    from ray.train.v2.api.data_parallel_trainer import DataParallelTrainer

    given = []
    monkeypatch.setattr(DataParallelTrainer, "_initialize_and_run_controller",
                        lambda self, **kwargs: given.append(kwargs["scaling_policy"]))
    lean = trainer.lean_torch_trainer()(lambda: None, scaling_config=ray.train.ScalingConfig(num_workers=2))
    monkeypatch.setenv(trainer.NO_AUTOSCALER, "1")
    lean._initialize_and_run_controller(scaling_policy=create_scaling_policy(lean.scaling_config))
    monkeypatch.delenv(trainer.NO_AUTOSCALER)  # a cluster: Ray's own policy, which asks
    lean._initialize_and_run_controller(scaling_policy=create_scaling_policy(lean.scaling_config))
    quiet, asking = given
    assert type(asking) is FixedScalingPolicy
    assert isinstance(quiet, FixedScalingPolicy) and type(quiet) is not FixedScalingPolicy
    quiet.after_controller_start(None)
    assert quiet.make_decision_for_non_running_worker_group().num_workers == 2
    assert quiet._coordinator_client is None  # no client, so no coordinator actor
    for dashboard in (False, True):
        monkeypatch.delenv(trainer.NO_AUTOSCALER, raising=False)
        trainer.apply_embedded_ray_env(dashboard=dashboard)
        assert os.environ[trainer.NO_AUTOSCALER] == "1"


def test_the_embedded_ray_turns_off_the_preemption_watcher_unless_the_environment_says(monkeypatch):
    name = "RAY_TRAIN_ENABLE_PREEMPTION_WATCHER"
    monkeypatch.setenv(name, "1")
    trainer.apply_embedded_ray_env()
    assert os.environ[name] == "1"
    monkeypatch.delenv(name)
    trainer.apply_embedded_ray_env()
    assert os.environ[name] == "0"
