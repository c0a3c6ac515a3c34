"""Cache keys cover everything that determines a checkpoint: the model's content or hub commit,
the data's revision, the device and precision, and the code and library versions."""

import dataclasses
import shutil

import pytest

from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.torch_backend import run_trial
from xlt.results.rows import read_results
from xlt.revisions import RevisionError, Revisions, files_digest, hub_commit, library_versions, resolve
from xlt.trial.runtime import LocalRuntime


def _plan(tmp_path, **kw) -> TrialPlan:
    return TrialPlan(sweep="t", trial_id=kw.pop("trial_id", "a"), model=kw.pop("model", "tiny-xlmr"), max_seq_length=64,
                     source="local", intermediate=PhasePlan("mnli", 1e-3, 1, 16), targets=(PhasePlan("xnli", 3e-3, 1, 16),),
                     seed=0, objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                     target_languages=("de",), cache_dir=str(tmp_path / "cache"), **kw)


@pytest.mark.parametrize("field, a, b", [
    ("model_revision", "sha256:aaa", "sha256:bbb"),
    ("data_revisions", (("mnli", "nyu-mll/glue@" + "1" * 40), ("xnli", "x")), (("mnli", "nyu-mll/glue@" + "2" * 40), ("xnli", "x"))),
    ("gpus", "none", "cuda"),  # fp32 on CPU, bf16 autocast on CUDA
    ("libraries", (("torch", "2.13.0"),), (("torch", "2.14.0"),)),
])
def test_two_sweeps_differing_in_one_input_share_no_entry(tmp_path, field, a, b):
    one, other = _plan(tmp_path, **{field: a}), _plan(tmp_path, **{field: b})
    assert one.intermediate_key != other.intermediate_key
    assert one.target_key(one.targets[0]) != other.target_key(other.targets[0])


def test_the_phase_code_version_is_in_every_key(tmp_path, monkeypatch):
    import xlt.trial.keys

    before = _plan(tmp_path).intermediate_key
    monkeypatch.setattr(xlt.trial.keys, "PHASE_CODE_VERSION", "999")
    assert _plan(tmp_path).intermediate_key != before


def test_an_overwritten_local_model_is_not_served_from_the_cache(tmp_path):
    """The issue's reproduction: the same sweep after the model's weights were overwritten came
    back as cache hits with the old model's numbers. The model's files are in its key now."""
    import torch
    from safetensors.torch import load_file, save_file

    from xlt.models.registry import resolve_model

    model = tmp_path / "my-model"
    shutil.copytree(resolve_model("tiny-xlmr"), model)
    data = (("mnli", "fixture:aaaa"), ("xnli", "fixture:bbbb"))  # the same data for both runs
    first = _plan(tmp_path, model=str(model), model_revision=files_digest(model), data_revisions=data)
    run_trial(first, LocalRuntime())
    weights = load_file(str(model / "model.safetensors"))
    save_file({k: torch.randn_like(v) if v.is_floating_point() else v for k, v in weights.items()},
              str(model / "model.safetensors"))
    second = _plan(tmp_path, model=str(model), model_revision=files_digest(model), trial_id="b", data_revisions=data)
    assert second.model_revision != first.model_revision
    run_trial(second, LocalRuntime())
    rows = [r for r in read_results(str(tmp_path / "results")).to_pylist() if r["trial_id"] == "b"]
    assert rows and not any(r["cache_hit"] for r in rows)
    assert {r["model_revision"] for r in rows} == {second.model_revision}
    assert {r["data_revision"] for r in rows if r["target_task"] == "xnli"} == {"fixture:bbbb"}  # every row says
    assert {r["data_revision"] for r in rows if r["target_task"] == "mnli"} == {"fixture:aaaa"}  # what it was computed on


def test_a_local_sweep_resolves_its_model_data_and_libraries():
    from xlt.config import load_sweep

    from conftest import REPO

    revisions = resolve(load_sweep(REPO / "sweeps" / "demo.yaml"))
    assert revisions.models["tiny-xlmr"].startswith("sha256:")
    assert set(revisions.data) == {"mnli", "xnli"} and all(v.startswith("fixture:") for v in revisions.data.values())
    assert revisions.libraries == library_versions() and "torch" in revisions.libraries
    assert Revisions.from_json(revisions.to_json()) == revisions


def test_a_hub_revision_resolves_through_the_local_cache_offline_or_names_what_to_pin(tmp_path, monkeypatch):
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "datasets--facebook--xnli"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "README.md").write_text("x")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    import importlib

    import huggingface_hub.constants

    importlib.reload(huggingface_hub.constants)
    try:
        assert hub_commit("facebook/xnli", None, "dataset", "data.revisions.xnli") == commit
        assert hub_commit("facebook/xnli", "f" * 40, "dataset", "x") == "f" * 40  # a commit needs no lookup
        with pytest.raises(RevisionError, match=r"cannot resolve dataset 'google/xtreme' revision 'main'.*pin it "
                                                r"with data.revisions.udpos"):
            hub_commit("google/xtreme", None, "dataset", "data.revisions.udpos")
    finally:
        monkeypatch.undo()
        importlib.reload(huggingface_hub.constants)


def test_sweep_json_records_the_revisions(tmp_path):
    import json

    from xlt.config import parse_sweep
    from xlt.results.sweep_dir import SweepPaths, save_sweep, saved_revisions

    cfg = parse_sweep({"name": "r", "target": {"tasks": ["xnli"]}, "storage": str(tmp_path)}, "r.yaml")
    revisions = resolve(cfg)
    save_sweep(cfg, SweepPaths.of(cfg), "run1", revisions)
    assert json.loads((tmp_path / "r" / "sweep.json").read_text())["revisions"]["models"] == revisions.models
    assert saved_revisions(str(tmp_path / "r")) == revisions


def test_cache_ls_lists_entries_and_gc_removes_the_unreferenced(tmp_path):
    import subprocess
    import sys

    storage = tmp_path / "store"
    plan = dataclasses.replace(_plan(tmp_path), results_dir=str(storage / "s1" / "results"), cache_dir=str(storage / "cache"))
    run_trial(plan, LocalRuntime())
    orphan = dataclasses.replace(plan, trial_id="o", seed=7, results_dir=str(tmp_path / "elsewhere"))
    run_trial(orphan, LocalRuntime())  # its results are not under the storage: nothing refers to its entries

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "xlt.cli", "cache", *args], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout

    listed = cli("ls", str(storage))
    assert listed.count("intermediate ") == 2 and listed.count("target ") == 2 and "4 entries" in listed
    assert "s1" in listed and "model=tiny-xlmr intermediate=mnli" in listed
    assert "would remove" in cli("gc", str(storage), "--min-age-hours", "0")
    assert len(list((storage / "cache" / "intermediate").iterdir())) == 2  # nothing removed without --yes
    cli("gc", str(storage), "--min-age-hours", "0", "--yes")
    left = {p.name for kind in ("intermediate", "target") for p in (storage / "cache" / kind).iterdir()}
    assert left == {plan.intermediate_key, plan.target_key(plan.targets[0])}
    assert "nothing to remove" in cli("gc", str(storage), "--min-age-hours", "0")
