"""The Ray Train trainer a trial fits: Ray's TorchTrainer less the processes a sweep never uses.

Every `fit()` starts its processes afresh, and on a small node each costs about 2 CPU-seconds of
imports (Ray, Ray Train, Ray Data, pandas) before it does anything (BENCHMARKS.md "Trial
start-up"). Two of them serve what xlt does not use:
- the Ray Data `DatasetManager` actor, started for every fit even when the trainer is given no
  datasets; xlt's workers read their own data (xlt.data), so `LeanTorchTrainer` leaves out the
  callback that starts it. It rests on Ray Train's private `_create_default_callbacks` and its
  `DatasetsCallback` (ray.train.v2, checked against ray 2.60). A Ray without them gets Ray's
  TorchTrainer unchanged (the same runs, two CPU-seconds more a fit), and the test suite, which
  checks that a fit starts no `DatasetManager`, fails on it.
- the preemption watcher, which polls Ray for draining nodes; one machine is never preempted, so
  the embedded local Ray turns it off (`EMBEDDED_RAY_ENV`); a cluster (`--address`) keeps Ray's
  default. The environment's value wins.
"""

import os

# Set before the embedded Ray starts: every process it starts inherits them.
EMBEDDED_RAY_ENV = {"RAY_TRAIN_ENABLE_PREEMPTION_WATCHER": "0"}


def apply_embedded_ray_env() -> None:
    for name, value in EMBEDDED_RAY_ENV.items():
        os.environ.setdefault(name, value)


def lean_torch_trainer():
    """TorchTrainer, less the Ray Data actor when it is given no datasets (the class, built on
    first use so that importing this module does not import Ray Train)."""
    from ray.train.torch import TorchTrainer

    try:
        from ray.train.v2._internal.callbacks import DatasetsCallback
    except ImportError:  # a Ray that moved its private callback: its trainer as it is (module docstring)
        return TorchTrainer

    class LeanTorchTrainer(TorchTrainer):
        def _create_default_callbacks(self):
            callbacks = super()._create_default_callbacks()
            if self.datasets:
                return callbacks
            return [c for c in callbacks if not isinstance(c, DatasetsCallback)]

    return LeanTorchTrainer
