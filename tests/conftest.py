"""Shared fixtures: one model cache and one Ray per test session (Ray costs ~3 s to start)."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def scores_everywhere(values: dict[str, float], languages=None) -> dict:
    """One run's scores (xlt.objective.TargetScores by task): each task's value in every language of
    it (or in `languages`), test and dev alike, and as its English dev score."""
    from xlt.objective import TargetScores
    from xlt.tasks import get_task

    out = {}
    for task, value in values.items():
        langs = {l: value for l in get_task(task).languages if languages is None or l in languages}
        out[task] = TargetScores(langs, dict(langs), value)
    return out


@pytest.fixture(scope="session", autouse=True)
def xlt_cache(tmp_path_factory) -> Path:
    """A fresh model cache, set before Ray starts so its workers inherit it."""
    cache = Path(os.environ.get("XLT_TEST_CACHE_DIR") or tmp_path_factory.mktemp("xlt-cache"))
    os.environ["XLT_CACHE_DIR"] = str(cache)
    os.environ["RAY_AUTH_MODE"] = "disabled"
    os.environ["RAY_AIR_NEW_OUTPUT"] = "0"
    return cache


@pytest.fixture(scope="session")
def ray_cluster(xlt_cache):
    """A local Ray with 2 CPUs and 2 trial slots; its address lets subprocess CLIs join it."""
    import ray

    from xlt.models.registry import resolve_model
    from xlt.sweep.run import TRIAL_SLOT
    from xlt.sweep.trainer import apply_embedded_ray_env

    resolve_model("tiny-xlmr")
    apply_embedded_ray_env()  # one machine, as the embedded Ray: no preemption watcher
    ray.init(num_cpus=2, resources={TRIAL_SLOT: 2}, include_dashboard=False,
             logging_level="WARNING", log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()
