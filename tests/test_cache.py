"""The phase cache: computed once per key, reused, corrupted entries retrained (leases: test_leases.py)."""

import json
from pathlib import Path

import pytest

from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.torch_backend import run_trial
from xlt.results.rows import read_results
from xlt.trial.runtime import LocalRuntime


def plan(tmp_path, trial_id: str, target_lr: float = 3e-3) -> TrialPlan:
    return TrialPlan(sweep="t", trial_id=trial_id, model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=PhasePlan("mnli", 1e-3, 1, 16), targets=(PhasePlan("xnli", target_lr, 1, 16),),
                     seed=0, objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                     target_languages=("de", "ur"), cache_dir=str(tmp_path / "cache"))


def rows_of(tmp_path, trial_id):
    return [r for r in read_results(str(tmp_path / "results")).to_pylist() if r["trial_id"] == trial_id]


def test_second_trial_reuses_intermediate_and_target_phases(tmp_path):
    first = run_trial(plan(tmp_path, "a"), LocalRuntime())
    second = run_trial(plan(tmp_path, "b"), LocalRuntime())
    assert second == first
    a, b = rows_of(tmp_path, "a"), rows_of(tmp_path, "b")
    assert not any(r["cache_hit"] for r in a) and all(r["cache_hit"] for r in b)
    key = lambda r: (r["phase"], r["target_task"], r["language"], r["split"], r["metric"])
    assert {key(r): r["value"] for r in a} == {key(r): r["value"] for r in b}
    assert len({r["intermediate_key"] for r in a + b}) == 1 and a[0]["intermediate_key"]


def test_other_target_settings_reuse_only_the_intermediate(tmp_path):
    run_trial(plan(tmp_path, "a"), LocalRuntime())
    run_trial(plan(tmp_path, "c", target_lr=1e-3), LocalRuntime())
    c = rows_of(tmp_path, "c")
    assert {r["phase"] for r in c if r["cache_hit"]} == {"intermediate"}
    assert not any(r["cache_hit"] for r in c if r["phase"] != "intermediate")


def test_corrupted_or_half_written_entries_are_retrained(tmp_path):
    run_trial(plan(tmp_path, "a"), LocalRuntime())
    entry = next((tmp_path / "cache" / "intermediate").iterdir())
    weights = entry / "encoder.safetensors"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    run_trial(plan(tmp_path, "b"), LocalRuntime())
    assert not any(r["cache_hit"] for r in rows_of(tmp_path, "b") if r["phase"] == "intermediate")
    (entry / "COMPLETE").unlink()  # as if the writer died before finishing
    run_trial(plan(tmp_path, "c"), LocalRuntime())
    assert not any(r["cache_hit"] for r in rows_of(tmp_path, "c") if r["phase"] == "intermediate")
    run_trial(plan(tmp_path, "d"), LocalRuntime())  # the retrained entry is whole again
    assert all(r["cache_hit"] for r in rows_of(tmp_path, "d"))


def test_features_are_cached_and_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    from xlt.formats import classification

    calls = []
    original = classification.Classification.encode

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(classification.Classification, "encode", counting)
    run_trial(plan(tmp_path, "a"), LocalRuntime())
    cold = len(calls)
    entries = list((tmp_path / "cache" / "features").glob("*.json.z"))
    assert cold > 0 and len(entries) == cold  # every split encoded once, stored once
    assert len(list((tmp_path / "cache" / "features").glob("*.sha256"))) == cold
    # a different target rate: the intermediate is a phase-cache hit, the target's features come from the cache
    calls.clear()
    run_trial(plan(tmp_path, "b", target_lr=1e-3), LocalRuntime())
    assert calls == []
    for entry in entries:
        entry.write_bytes(b"not what was written")
    calls.clear()
    run_trial(plan(tmp_path, "c", target_lr=2e-3), LocalRuntime())
    assert len(calls) >= 3  # the target's train, dev and test features were rebuilt, not loaded damaged
    from xlt.data.feature_cache import FeatureCache
    cache = FeatureCache(str(tmp_path / "cache" / "features"))
    rebuilt = [e for e in entries if e.read_bytes() != b"not what was written"]
    assert len(rebuilt) >= 3 and all(cache.get(e.name.removesuffix(".json.z")) is not None for e in rebuilt)


def test_the_feature_cache_never_unpickles_and_checks_every_byte(tmp_path):
    """A planted pickle that would run a command is never loaded: entries are JSON, trusted only
    when their checksum matches."""
    import pickle

    from xlt.data.feature_cache import FeatureCache
    from xlt.formats import Features

    cache = FeatureCache(str(tmp_path))
    cache.put("k", ([{"text": "a", "label": 1}], Features([[0, 5, 2]], [0], {"labels": [1]}, 1)))
    records, features = cache.get("k")
    assert records == [{"text": "a", "label": 1}] and features.input_ids == [[0, 5, 2]]

    class Boom:
        def __reduce__(self):
            return (Path(tmp_path / "pwned").touch, ())

    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Boom()))
    (tmp_path / "k.json.z").write_bytes(pickle.dumps(Boom()))  # planted over a real entry
    assert cache.get("evil") is None and cache.get("k") is None
    assert not (tmp_path / "pwned").exists() and cache.notices and "damaged" in cache.notices[0]
    assert not (tmp_path / "k.json.z").exists()  # deleted, to be rebuilt


def test_every_byte_a_reader_uses_is_checked(tmp_path):
    """Edited scores (what the searcher is told) and a truncated meta.json under a valid COMPLETE
    are misses, retrained, and said so in the trial's reports; never trusted, never a crash."""
    rt = LocalRuntime()
    first = run_trial(plan(tmp_path, "a"), rt)
    target = next((tmp_path / "cache" / "target").iterdir())
    meta = json.loads((target / "meta.json").read_text())
    meta["scores"]["test"] = {lang: 0.99 for lang in meta["scores"]["test"]}
    meta["scores"]["dev"] = {lang: 0.99 for lang in meta["scores"]["dev"]}
    (target / "meta.json").write_text(json.dumps(meta))
    rt_b = LocalRuntime()
    assert run_trial(plan(tmp_path, "b"), rt_b) == first  # recomputed, not 0.99
    assert not any(r["cache_hit"] for r in rows_of(tmp_path, "b") if r["phase"] != "intermediate")
    assert "phase cache target/" in rt_b.reports[-1]["notices"] and "damaged" in rt_b.reports[-1]["notices"]
    inter = next((tmp_path / "cache" / "intermediate").iterdir())
    (inter / "meta.json").write_bytes((inter / "meta.json").read_bytes()[:40])  # truncated
    rt_c = LocalRuntime()
    run_trial(plan(tmp_path, "c"), rt_c)
    assert not any(r["cache_hit"] for r in rows_of(tmp_path, "c") if r["phase"] == "intermediate")
    assert "meta.json does not match its checksum" in rt_c.reports[-1]["notices"]


@pytest.mark.ray
def test_a_two_worker_trial_outwaits_a_collective_timeout_for_another_trials_lease(ray_cluster, tmp_path, capsys):
    """Another trial holds the intermediate key's lease for 3x the workers' collective timeout:
    the waiting trial's two workers poll together (one short collective a poll), so the wait
    never trips the timeout, and the trial trains once the lease is free."""
    import threading

    import ray

    from xlt.cli import main
    from xlt.config import load_sweep
    from xlt.sweep.sweep_actor import sweep_actor
    from xlt.trial.expand import expand
    from conftest import REPO

    args = [f"storage={tmp_path}", "name=lease", "intermediate.tasks=mnli", "target.learning_rate=1.0e-3",
            "intermediate.epochs=1", "target.epochs=1", "data.max_train_examples=32", "model.max_seq_length=64",
            "target.languages=[de]", "resources.workers_per_trial=2", "resources.max_concurrent_trials=1",
            "resources.collective_timeout_s=8", "resources.max_failures=0"]
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", args)
    key = expand(cfg, {"intermediate_task": "mnli", "intermediate_learning_rate": 1e-3,
                           "target_learning_rate": 1e-3, "seed": 0}, "x", "/r").intermediate_key
    locks = sweep_actor()
    assert ray.get(locks.acquire.remote(key, "another-trial"))
    timer = threading.Timer(25.0, lambda: ray.get(locks.release.remote(key, "another-trial")))
    timer.start()
    try:
        code = main(["sweep", "run", str(REPO / "sweeps" / "demo.yaml"), *args, "--address", ray_cluster])
    finally:
        timer.cancel()
    out = capsys.readouterr().out
    assert code == 0 and "trials failed" not in out, out
    rows = read_results(str(tmp_path / "lease" / "results")).to_pylist()
    inter = [r for r in rows if r["phase"] == "intermediate"]
    assert inter and not any(r["cache_hit"] for r in inter)  # trained after the wait, not failed


def test_a_reader_leaves_an_entry_being_written_to_its_writer(tmp_path):
    """An entry without COMPLETE is its writer's, uploading the weights: a trial polling the key
    used to delete it, after which the writer marked complete an entry with no weights."""
    from xlt.cache.store import PhaseCache

    cache = PhaseCache(str(tmp_path / "cache"))
    entry = tmp_path / "cache" / "intermediate" / "k"
    entry.mkdir(parents=True)
    (entry / "encoder.safetensors").write_bytes(b"half an upload")
    assert cache.load("intermediate", "k") is None
    assert (entry / "encoder.safetensors").read_bytes() == b"half an upload" and not cache.notices
