"""The three phases of one trial, in one process (no Ray): rows, resume, objective."""

import pytest

from xlt.trial.plan import PhasePlan, TrialPlan
from xlt.trial.torch_backend import run_trial
from xlt.results.rows import read_results
from xlt.trial.runtime import LocalRuntime
from xlt.tasks import get_task


def plan(tmp_path, intermediate=True, **kw) -> TrialPlan:
    kw.setdefault("targets", (PhasePlan("xnli", 3e-3, 2, 16),))
    return TrialPlan(sweep="t", trial_id="trial1", model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=PhasePlan("mnli", 1e-3, 1, 16) if intermediate else None,
                     seed=0, objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h", **kw)


def test_trial_writes_rows_for_every_phase_and_language(tmp_path):
    rt = LocalRuntime()
    value = run_trial(plan(tmp_path), rt)
    rows = read_results(str(tmp_path / "results")).to_pylist()
    phases = {(r["phase"], r["target_task"], r["split"]) for r in rows}
    assert phases == {("intermediate", "mnli", "validation"), ("target", "xnli", "validation"),
                      ("zero_shot", "xnli", "validation"), ("zero_shot", "xnli", "test")}
    zero_shot = {r["language"]: r for r in rows if r["phase"] == "zero_shot" and r["split"] == "test"}
    assert set(get_task("xnli").languages) == set(zero_shot)  # all 15 XNLI languages
    assert all(0 <= r["value"] <= 1 and r["n_examples"] == 30 for r in zero_shot.values())
    assert all(r["intermediate"] == "mnli" and r["mixture"] == [("mnli", 1.0)] for r in rows)
    # XNLI selects on MNLI's English dev set (jiant's configuration): 45 MNLI fixture examples
    assert [r["n_examples"] for r in rows if r["phase"] == "target"] == [45]
    # the objective reads dev, never test: the five fixture languages with an XNLI dev set
    dev = {r["language"]: r["value"] for r in rows if r["phase"] == "zero_shot" and r["split"] == "validation"}
    assert set(dev) == {"de", "es", "fr", "ru", "zh"}
    assert value == pytest.approx(sum(dev.values()) / len(dev))
    assert rt.reports[-1]["objective"] == value and rt.reports[-1]["unit"] == "done"
    assert [r["unit"] for r in rt.reports] == ["intermediate", "target-xnli", "done"]


def test_a_one_task_intermediate_phase_trains_for_its_steps(tmp_path):
    """`intermediate.steps` is the phase's length for one task as for a mixture: arms of unequal
    data train on as many examples (steps x the global batch)."""
    rt = LocalRuntime()
    run_trial(plan(tmp_path, intermediate_steps=3, targets=(PhasePlan("xnli", 1e-3, 1, 16),),
                   target_languages=("de",)), rt)
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert {r["step"] for r in rows if r["phase"] == "intermediate"} == {3}
    assert rt.reports[0]["unit"] == "intermediate" and rt.reports[0]["step"] == 3
    with_steps = plan(tmp_path, intermediate_steps=3, targets=(PhasePlan("xnli", 1e-3, 1, 16),))
    assert with_steps.intermediate_key != plan(tmp_path, targets=(PhasePlan("xnli", 1e-3, 1, 16),)).intermediate_key


def test_baseline_has_no_intermediate_rows_and_languages_can_be_restricted(tmp_path):
    run_trial(plan(tmp_path, intermediate=False, target_languages=("de", "ur")), LocalRuntime())
    rows = read_results(str(tmp_path / "results")).to_pylist()
    assert {r["phase"] for r in rows} == {"target", "zero_shot"}
    assert {(r["language"], r["split"]) for r in rows if r["phase"] == "zero_shot"} == \
        {("de", "test"), ("ur", "test"), ("de", "validation")}  # ur has no dev set in the fixture
    assert all(r["intermediate"] == "none" and r["intermediate_learning_rate"] is None for r in rows)


def test_resume_skips_finished_units_and_reproduces_the_result(tmp_path):
    full = LocalRuntime()
    expected = run_trial(plan(tmp_path), full)
    after_intermediate = full.checkpoints[0]
    resumed = LocalRuntime(resume_from=after_intermediate)
    assert run_trial(plan(tmp_path), resumed) == pytest.approx(expected)
    assert [r["unit"] for r in resumed.reports] == ["target-xnli", "done"]
    assert read_results(str(tmp_path / "results")).num_rows == 22  # rewritten, not duplicated
    finished = LocalRuntime(resume_from=full.checkpoints[-1])
    assert run_trial(plan(tmp_path), finished) == pytest.approx(expected)
    assert [r["unit"] for r in finished.reports] == ["done"]


def test_predictions_in_xtreme_layout_score_to_the_parquet_values(tmp_path):
    from xlt.submission.benchmarks import XTREME
    from xlt.submission.scoring import score_folders

    p = plan(tmp_path, intermediate=False, predictions_dir=str(tmp_path / "pred"), labels_dir=str(tmp_path / "gold"))
    run_trial(p, LocalRuntime())
    lines = (tmp_path / "pred" / "xnli" / "test-sw.tsv").read_text().splitlines()
    assert len(lines) == 30 and set(lines) <= {"entailment", "neutral", "contradiction"}
    scores = score_folders(tmp_path / "pred", tmp_path / "gold", XTREME)
    rows = [r for r in read_results(str(tmp_path / "results")).to_pylist() if r["phase"] == "zero_shot" and r["split"] == "test"]
    assert len(scores["xnli"]["accuracy"]) == 15
    for r in rows:
        assert scores["xnli"]["accuracy"][r["language"]] == pytest.approx(100 * r["value"])
    assert set(scores) == {"xnli"}  # one task: no group, no overall score


def mnli_model(examples: int):
    """The tiny XLM-R with an MNLI head, its first `examples` training features, and its pad id."""
    from transformers import AutoModel, AutoTokenizer

    from xlt.data.loading import load_records
    from xlt.formats import FORMATS
    from xlt.models.registry import resolve_model
    from xlt.models.task_model import TaskModel
    from xlt.tasks import get_task

    path = resolve_model("tiny-xlmr")
    tok, encoder = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    task, fmt = get_task("mnli"), FORMATS["classification"]
    features = fmt.encode(task, load_records(task, "en", "train", "local", examples).records, tok, 64)
    return TaskModel(encoder, fmt.head(task, encoder.config.hidden_size)), fmt, features, tok.pad_token_id


def test_model_selection_restores_the_best_weights_and_stops_early():
    import torch

    from xlt.trial.train import train_phase

    model, fmt, features, pad_id = mnli_model(160)
    scores, snapshots = iter([0.1, 0.5, 0.3, 0.2, 0.9, 0.9]), {}

    def dev_score():
        snapshots[len(snapshots)] = model.head.out_proj.weight.detach().clone()
        return next(scores)

    out = train_phase(model, fmt, features, lr=1e-3, epochs=1, batch_size=16, warmup_ratio=0.1, weight_decay=0.0,
                      seed=0, pad_id=pad_id, rt=LocalRuntime(), dev_score=dev_score, eval_every=2, patience=2)
    # evaluations at steps 2, 4, 6, 8: best 0.5 at step 4, then two worse -> stop at step 8 of 10
    assert (out["steps"], out["best_step"], out["best_dev"]) == (8, 4, 0.5)
    assert torch.equal(model.head.out_proj.weight, snapshots[1])


def test_target_dev_selection_is_recorded_or_refused_without_data(tmp_path, monkeypatch):
    import json
    import shutil

    from xlt.data.loading import DataError
    from xlt.tasks import spec

    p = plan(tmp_path, intermediate=False, selection="target_dev", target_languages=("ur",))  # no ur dev set
    p = TrialPlan(**{**p.__dict__, "targets": (PhasePlan("xnli", 3e-3, 1, 16, eval_every=5),)})
    with pytest.raises(DataError, match="selection target_dev, but no non-English validation data"):
        run_trial(p, LocalRuntime())
    fixtures = tmp_path / "fixtures"
    shutil.copytree(spec.FIXTURES, fixtures)
    rows = [json.loads(l) for l in (fixtures / "xnli" / "ur" / "test.jsonl").read_text().splitlines()]
    (fixtures / "xnli" / "ur" / "validation.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:12]))
    monkeypatch.setattr(spec, "FIXTURES", fixtures)
    run_trial(p, LocalRuntime())
    selections = {(r["phase"], r["model_selection"]) for r in read_results(str(tmp_path / "results")).to_pylist()}
    assert selections == {("target", "target_dev"), ("zero_shot", "target_dev")}


def test_mixture_with_mlm_reports_per_task_losses_and_dev_rows(tmp_path):
    from xlt.mixtures import Mixture

    m = Mixture(("mnli", "mlm@de,ur"), "temperature", temperature=2.0)
    p = TrialPlan(sweep="t", trial_id="m", model="tiny-xlmr", max_seq_length=64, source="local",
                  intermediate=PhasePlan(m.canonical, 1e-3, 1, 16), intermediate_mixture=m,
                  targets=(PhasePlan("xnli", 3e-3, 1, 16),), seed=0, objective="zero_shot_mean",
                  results_dir=str(tmp_path / "results"), config_hash="h", target_languages=("de",))
    rt = LocalRuntime()
    run_trial(p, rt)
    report = rt.reports[0]
    assert report["train_steps/mnli"] + report["train_steps/mlm@de,ur"] == report["step"]
    assert report["train_loss/mlm@de,ur"] > report["train_loss/mnli"]  # vocabulary-sized softmax
    rows = read_results(str(tmp_path / "results")).to_pylist()
    dev = {(r["target_task"], r["language"]) for r in rows if r["phase"] == "intermediate"}
    assert dev == {("mnli", "en"), ("mlm@de,ur", "de"), ("mlm@de,ur", "ur")}
    assert {r["intermediate"] for r in rows} == {"mlm@de,ur:0.500+mnli:0.500@T=2"}


def test_the_plan_counts_the_steps_a_capped_mixture_trains(tmp_path):
    """`xlt sweep plan` and the surrogate price a mixture by xlt.cost_estimate.phase_length: it must be
    the length the real loop runs (epochs over each task's batches of its capped size)."""
    from xlt.config import load_sweep
    from dataclasses import replace

    from xlt.cost_estimate import load_cost_model, phase_length
    from xlt.mixtures import Mixture

    from conftest import REPO

    m = Mixture(("mnli", "qqp"), "temperature", temperature=2.0, examples_cap=100)  # fixtures: 240 and 200
    phase = PhasePlan(m.canonical, 1e-3, 1, 16)
    p = TrialPlan(sweep="t", trial_id="m", model="tiny-xlmr", max_seq_length=64, source="local", intermediate=phase,
                  intermediate_mixture=m, targets=(PhasePlan("xnli", 3e-3, 1, 16),), seed=0,
                  objective="zero_shot_mean", results_dir=str(tmp_path / "results"), config_hash="h",
                  target_languages=("de",))
    rt = LocalRuntime()
    run_trial(p, rt)
    planned = phase_length(load_sweep(REPO / "sweeps" / "demo.yaml", []), m.tasks, load_cost_model(), phase, mixture=m)
    assert rt.reports[0]["step"] == planned.steps == 2 * 7  # ceil(100 / 16) batches each, not 440 / 16
    # a step's batch of 16 from the task's whole set: MNLI's 240 in 15 full batches, QQP's 200 in 13, the last of 8
    assert planned.examples == pytest.approx(14 * (0.5 * 240 / 15 + 0.5 * 200 / 13))
    assert planned.shares == {"mnli": 0.5, "qqp": 0.5}
    # a mixture of one task (mixture-gp's vertices) caps its epoch too: it used to train all 240 examples
    alone = Mixture(("mnli",), examples_cap=40)
    one = PhasePlan(alone.canonical, 1e-3, 1, 16)
    rt = LocalRuntime()
    run_trial(replace(p, trial_id="one", intermediate=one, intermediate_mixture=alone), rt)
    planned = phase_length(load_sweep(REPO / "sweeps" / "demo.yaml", []), alone.tasks, load_cost_model(), one, mixture=alone)
    assert rt.reports[0]["step"] == planned.steps == 3  # ceil(40 / 16), not ceil(240 / 16) = 15


def test_compiled_training_step_runs_and_learns():
    import torch

    from xlt.trial.train import train_phase

    model, fmt, features, pad_id = mnli_model(64)
    before = model.head.out_proj.weight.detach().clone()
    out = train_phase(model, fmt, features, lr=1e-3, epochs=1, batch_size=16, warmup_ratio=0.1, weight_decay=0.0,
                      seed=0, pad_id=pad_id, rt=LocalRuntime(), compile=True)
    assert out["steps"] == 4 and torch.isfinite(torch.tensor(out["train_loss"]))
    assert not torch.equal(before, model.head.out_proj.weight)


def test_training_and_evaluation_attend_without_cudnns_per_shape_plans():
    """cuDNN's attention builds a plan per new (batch, length) shape, 168 ms each on an H200 (torch 2.11),
    and xlt's batches change shape every few steps: train_loop and predict leave it out
    (xlt.trial.train.ATTENTION), then restore the process's own setting."""
    import torch

    from xlt.formats import FORMATS
    from xlt.trial.train import predict, train_phase

    model, fmt, features, pad_id = mnli_model(32)
    seen = []
    model.encoder.register_forward_hook(lambda *_: seen.append((torch.backends.cuda.cudnn_sdp_enabled(),
                                                               torch.backends.cuda.flash_sdp_enabled())))
    assert torch.backends.cuda.cudnn_sdp_enabled()
    train_phase(model, fmt, features, lr=1e-3, epochs=1, batch_size=16, warmup_ratio=0.1, weight_decay=0.0,
                seed=0, pad_id=pad_id, rt=LocalRuntime())
    trained = len(seen)
    predict(model, FORMATS["classification"], features, batch_size=16, pad_id=pad_id, rt=LocalRuntime())
    assert trained == 2 and len(seen) == 4 and set(seen) == {(False, True)}
    assert torch.backends.cuda.cudnn_sdp_enabled()


def _bytes(directory) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def test_checkpoints_do_not_copy_what_the_cache_or_the_model_holds(tmp_path):
    """A unit's checkpoint refers to the phase cache's intermediate entry (or, without an
    intermediate phase, to the model) instead of re-saving the encoder; a resume loads it from
    there, and retrains the phase when the cache no longer holds it."""
    import shutil

    targets = (PhasePlan("xnli", 3e-3, 1, 16), PhasePlan("pawsx", 3e-3, 1, 16))
    lean = LocalRuntime()
    expected = run_trial(plan(tmp_path, targets=targets, cache_dir=str(tmp_path / "cache"), target_languages=("de",)), lean)
    full = LocalRuntime()  # no cache: the checkpoint must hold the encoder
    assert run_trial(plan(tmp_path / "nocache", targets=targets, target_languages=("de",)), full) == pytest.approx(expected)
    assert [(c / "encoder.safetensors").is_file() for c in lean.checkpoints] == [False, False, False]
    assert [(c / "encoder.safetensors").is_file() for c in full.checkpoints] == [True, True, True]
    lean_bytes, full_bytes = sum(map(_bytes, lean.checkpoints)), sum(map(_bytes, full.checkpoints))
    assert lean_bytes < full_bytes / 100  # state.json only (the tiny encoder is ~1 MB a unit)

    cached = lambda: plan(tmp_path, targets=targets, cache_dir=str(tmp_path / "cache"), target_languages=("de",))  # noqa: E731
    resumed = LocalRuntime(resume_from=lean.checkpoints[1])  # after intermediate and xnli
    assert run_trial(cached(), resumed) == pytest.approx(expected)
    assert [r["unit"] for r in resumed.reports] == ["target-pawsx", "done"]
    shutil.rmtree(tmp_path / "cache" / "intermediate")  # collected by `xlt cache gc`, say
    again = LocalRuntime(resume_from=lean.checkpoints[1])
    assert run_trial(cached(), again) == pytest.approx(expected)
    assert [r["unit"] for r in again.reports] == ["intermediate", "target-pawsx", "done"]
    assert "no longer in the phase cache; training it again" in again.reports[-1]["notices"]

    baseline = LocalRuntime()  # no intermediate phase: the encoder comes back from the model
    value = run_trial(plan(tmp_path / "base", intermediate=False, targets=targets, target_languages=("de",)), baseline)
    assert not any((c / "encoder.safetensors").is_file() for c in baseline.checkpoints)
    back = LocalRuntime(resume_from=baseline.checkpoints[0])
    assert run_trial(plan(tmp_path / "base", intermediate=False, targets=targets, target_languages=("de",)), back) == \
        pytest.approx(value)


def test_a_resume_names_the_cache_entry_by_its_weights_and_keeps_the_steps_of_the_uninterrupted_run(tmp_path):
    """A checkpoint names the intermediate entry with its weights' digest: an entry trained again since
    (other weights) is said so on resume. An entry lost is trained again with the rows it had the first
    time (its steps used to be counted twice: intermediate 45 and the next target 58, for 15 and 43)."""
    import json
    import shutil

    targets = (PhasePlan("xnli", 3e-3, 1, 16), PhasePlan("pawsx", 3e-3, 1, 16))
    cached = lambda: plan(tmp_path, targets=targets, cache_dir=str(tmp_path / "cache"), target_languages=("de",))  # noqa: E731
    first = LocalRuntime()
    run_trial(cached(), first)
    steps = lambda: {(r["phase"], r["target_task"]): r["step"] for r in read_results(str(tmp_path / "results")).to_pylist()}  # noqa: E731
    uninterrupted = steps()
    entry = tmp_path / "cache" / "intermediate" / cached().intermediate_key
    digest = json.loads((entry / "COMPLETE").read_text())["weights"]
    state = json.loads((first.checkpoints[1] / "state.json").read_text())
    assert state["encoder_source"] == f"cache:{cached().intermediate_key}@{digest}"

    shutil.rmtree(entry)
    shutil.rmtree(tmp_path / "cache" / "target")  # pawsx trains again too, from the retrained entry
    again = LocalRuntime(resume_from=first.checkpoints[1])  # after intermediate and xnli
    run_trial(cached(), again)
    assert [r["unit"] for r in again.reports] == ["intermediate", "target-pawsx", "done"]
    assert steps() == uninterrupted and again.reports[-1]["step"] == first.reports[-1]["step"]

    # the entry trained again since (here: its digest differs from the one the checkpoint names)
    changed = {**state, "encoder_source": f"cache:{cached().intermediate_key}@{'0' * 64}"}
    stale = tmp_path / "stale"
    shutil.copytree(first.checkpoints[1], stale)
    (stale / "state.json").write_text(json.dumps(changed))
    later = LocalRuntime(resume_from=stale)
    run_trial(cached(), later)
    assert [r["unit"] for r in later.reports] == ["target-pawsx", "done"]
    assert "was trained again since its first targets used it (other weights" in later.reports[-1]["notices"]


def test_a_local_model_whose_files_changed_since_the_sweep_started_is_refused(tmp_path):
    """A local model is identified by its files' digest (its revision): a trial, or a resumed trial's
    remaining units, on other files would mix results, so it stops and says which model changed."""
    import shutil
    from dataclasses import replace

    from xlt.models.registry import resolve_model
    from xlt.revisions import files_digest
    from xlt.trial.torch_backend import ModelChangedError

    model = tmp_path / "model"
    shutil.copytree(resolve_model("tiny-xlmr"), model)
    pinned = replace(plan(tmp_path, intermediate=False, target_languages=("de",)), model=str(model),
                     model_revision=files_digest(model))
    run_trial(pinned, LocalRuntime())
    (model / "config.json").write_text((model / "config.json").read_text() + "\n")
    with pytest.raises(ModelChangedError, match=r"model '.*model': its files \(.*\) changed since the sweep started"):
        run_trial(pinned, LocalRuntime())


def test_a_resumed_trial_lets_its_runtime_remove_the_checkpoint_copy_it_read(tmp_path):
    """A Ray Train worker copies the checkpoint it resumes from into a temporary directory (the encoder
    included where the trial has no cache); none was removed, 99 of them sat in this machine's /tmp."""
    from xlt.sweep.worker import RayRuntime

    class Recording(LocalRuntime):
        done: list = []

        def done_with_restored(self, directory):
            self.done.append(directory)

    first = LocalRuntime()
    run_trial(plan(tmp_path), first)
    resumed = Recording(resume_from=first.checkpoints[0])
    run_trial(plan(tmp_path), resumed)
    assert resumed.done == [first.checkpoints[0]]
    copy = tmp_path / "xlt-restore-copy"
    (copy / "sub").mkdir(parents=True)
    (copy / "sub" / "state.json").write_text("{}")
    RayRuntime.done_with_restored(object.__new__(RayRuntime), copy)
    assert not copy.exists()
