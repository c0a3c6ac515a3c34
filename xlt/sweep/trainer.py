"""The Ray Train trainer a trial fits: Ray's TorchTrainer less the processes a sweep never uses.

Every `fit()` starts its processes afresh, and on a small node each costs about 2 CPU-seconds of
imports (Ray, Ray Train, Ray Data, pandas) before it does anything (BENCHMARKS.md "Trial
start-up"). These serve nothing xlt uses, on every Ray or on the embedded one:
- the Ray Data `DatasetManager` actor, started for every fit even when the trainer is given no
  datasets; xlt's workers read their own data (xlt.data), so `LeanTorchTrainer` leaves out the
  callback that starts it. It rests on Ray Train's private `_create_default_callbacks` and its
  `DatasetsCallback` (ray.train.v2, checked against ray 2.60). A Ray without them gets Ray's
  TorchTrainer unchanged (the same runs, two CPU-seconds more a fit), and the test suite, which
  checks that a fit starts no `DatasetManager`, fails on it.
- the preemption watcher, which polls Ray for draining nodes; one machine is never preempted, so
  the embedded local Ray turns it off (`EMBEDDED_RAY_ENV`); a cluster (`--address`) keeps Ray's
  default. The environment's value wins.
- the placement-group cleaner, a detached actor that frees a run's placement group if its Train
  controller dies. It asks Ray's State API every second whether the controller lives, and the
  embedded Ray without its dashboard has no State API: there the cleaner fails its check, logs a
  warning each second and frees nothing, while its process wakes 100 times a second beside the
  training worker (BENCHMARKS.md, "Ray's share of a small node"). The embedded Ray started without
  `--dashboard` says so to every process it starts (`NO_STATE_API`), and their trainers leave the
  cleaner out; a cluster, or the embedded Ray with its dashboard, keeps it. xlt frees a stopped
  run's placement group itself, by aborting its controller (xlt.sweep.stoppable_fit).
- the autoscaling coordinator, a detached actor through which every run asks Ray's autoscaler for its
  workers' resources, and which stays for the life of the Ray. One machine has no autoscaler: the
  embedded Ray says so (`NO_AUTOSCALER`), and its trainers keep a fixed-size worker group without
  asking. A cluster keeps it: there the request is what brings up the GPU nodes.
- the idle worker process Ray starts ahead for its first driver (`RAY_prestart_worker_first_driver`):
  every process a trial starts is an actor, which Ray starts afresh, so the prestarted one sits idle
  for the life of the embedded Ray.
Each of these processes wakes about 100 times a second, idle or not (Ray core's signal check), and
on a small node each wakeup takes a core from the training loop (BENCHMARKS.md, "Ray's share of a
small node").
"""

import os

NO_STATE_API = "XLT_RAY_WITHOUT_STATE_API"
"""Set to 1 in the environment of an embedded Ray started without its dashboard (no State API)."""
NO_AUTOSCALER = "XLT_RAY_WITHOUT_AUTOSCALER"
"""Set to 1 in the environment of the embedded Ray: one machine, nothing to scale."""
# Set before the embedded Ray starts: every process it starts inherits them.
EMBEDDED_RAY_ENV = {"RAY_TRAIN_ENABLE_PREEMPTION_WATCHER": "0", NO_STATE_API: "1", NO_AUTOSCALER: "1",
                    "RAY_prestart_worker_first_driver": "0"}


def apply_embedded_ray_env(dashboard: bool = False) -> None:
    """The embedded Ray's settings into this process's environment, before it starts Ray; with the
    `dashboard`, Ray has its State API, and the cleaner stays."""
    for name, value in EMBEDDED_RAY_ENV.items():
        if not (dashboard and name == NO_STATE_API):
            os.environ.setdefault(name, value)


def lean_torch_trainer():
    """TorchTrainer, less the Ray Data actor when it is given no datasets, less the placement-group
    cleaner where Ray has no State API, and less the autoscaling coordinator where Ray has no
    autoscaler (the class, built on first use so that importing this module does not import Ray
    Train)."""
    from ray.train.torch import TorchTrainer

    try:  # Ray Train's private parts, checked against ray 2.60
        from ray.train.v2._internal.callbacks import DatasetsCallback
        from ray.train.v2._internal.callbacks.placement_group_callback import PlacementGroupCleanerCallback
        from ray.train.v2._internal.execution.scaling_policy import FixedScalingPolicy
    except ImportError:  # a Ray that moved them: its trainer as it is (module docstring)
        return TorchTrainer

    class FixedScalingWithoutAutoscaler(FixedScalingPolicy):
        """Ray Train's fixed-size worker group, asking no autoscaler for it (it runs in the controller)."""

        def after_controller_start(self, train_run_context):
            pass

        def _maybe_send_resource_request(self):
            pass

        def _cancel_resource_request(self):
            pass

    class LeanTorchTrainer(TorchTrainer):
        def _create_default_callbacks(self):
            unused = (() if self.datasets else (DatasetsCallback,)) + \
                ((PlacementGroupCleanerCallback,) if os.environ.get(NO_STATE_API) == "1" else ())
            return [c for c in super()._create_default_callbacks() if not isinstance(c, unused)]

        def _initialize_and_run_controller(self, **controller_init_kwargs):
            policy = controller_init_kwargs.get("scaling_policy")
            if os.environ.get(NO_AUTOSCALER) == "1" and type(policy) is FixedScalingPolicy:
                controller_init_kwargs["scaling_policy"] = FixedScalingWithoutAutoscaler(policy.scaling_config)
            return super()._initialize_and_run_controller(**controller_init_kwargs)

    return LeanTorchTrainer
