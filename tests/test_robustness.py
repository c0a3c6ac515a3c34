"""Robustness under controlled perturbations (`robustness:`, xlt.perturb): the perturbations keep
what they promise, a trial scores its test sets under them, and the report (with a study, each
arm against the control) reads them, checked by hand on constructed rows."""

import json
import math
import re
from statistics import fmean, stdev

import pytest

from xlt.config import ConfigError, parse_sweep
from xlt.metrics.robustness import perturbation_scores
from xlt.objective import t95
from xlt.perturb import DEFAULT_RATES, KINDS, Perturbation, perturb
from xlt.report import load_report, terminal, write_report
from xlt.results.rows import ResultRow, read_results, write_rows
from xlt.results.sweep_dir import SweepPaths, save_sweep

from conftest import REPO


def pawsx(lang: str) -> list[dict]:
    lines = (REPO / "xlt" / "data" / "fixtures" / "pawsx" / lang / "test.jsonl").read_text().splitlines()
    return [{"text": r["sentence1"], "text_pair": r["sentence2"], "label": r["label"]} for r in map(json.loads, lines)]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize("kind", KINDS)
def test_perturbations_are_seeded_and_change_only_what_they_say(kind):
    records = pawsx("de")
    p = Perturbation(kind, DEFAULT_RATES[kind])
    changed = perturb(records, p, seed=0, key="pawsx/de")
    assert changed and changed == perturb(records, p, seed=0, key="pawsx/de")  # the same for every trial
    assert changed != perturb(records, p, seed=1, key="pawsx/de")
    for i, new in changed:
        old = records[i]
        assert new["label"] == old["label"] and (new["text"], new["text_pair"]) != (old["text"], old["text_pair"])
        for before, after in ((old["text"], new["text"]), (old["text_pair"], new["text_pair"])):
            if kind == "typos":  # one edit inside a word: first and last letters kept, length +-1
                for a, b in zip(words(before), words(after)):
                    assert a == b or (a[0] == b[0] and a[-1] == b[-1] and abs(len(a) - len(b)) <= 1)
            elif kind == "casing":
                assert after.lower() == before.lower()
            elif kind == "punctuation":  # marks dropped, nothing else
                assert words(after) == words(before) and len(after) < len(before) or after == before
        if kind in ("entity_swap", "number_swap"):
            # both sentences alike: the same words replaced by the same new words, none merged into another
            ws = {(a, b) for t in ("text", "text_pair") for a, b in zip(words(old[t]), words(new[t])) if a != b}
            assert ws and len(dict(ws)) == len(ws) == len({b for _, b in ws})
            assert all(b not in words(old["text"]) + words(old["text_pair"]) for _, b in ws)
            for a, b in ws:
                if kind == "number_swap":
                    assert a.isdigit() and len(b) == len(a) and b[0] == a[0]
                else:
                    assert a[0].isupper() and b[0].isupper()
                # an entity or number both sentences named: both still name its replacement
                assert all(b in words(new[t]) and a not in words(new[t]) for t in ("text", "text_pair"))


def test_scripts_without_case_have_no_casing_or_entities_to_perturb():
    records = pawsx("ja")
    assert perturb(records, Perturbation("casing", 1.0), 0, "pawsx/ja") == []
    assert perturb(records, Perturbation("entity_swap", 1.0), 0, "pawsx/ja") == []
    assert len(perturb(records, Perturbation("number_swap", 1.0), 0, "pawsx/ja")) == len(records)  # each names a year
    # digits of another script stay in it
    (_, arabic), = perturb([{"text": "سنة ١٩٨٩", "text_pair": "في ١٩٨٩", "label": 1}], Perturbation("number_swap", 1.0), 0, "x")
    assert re.search("[٠-٩]{4}", arabic["text"]) and "١٩٨٩" not in arabic["text"]


def test_a_perturbation_is_declared_with_a_known_kind_and_a_probability():
    with pytest.raises(ValueError, match="unknown perturbation 'typo' .*typos"):
        Perturbation("typo", 0.1)
    with pytest.raises(ValueError, match="rate is a probability"):
        Perturbation("typos", 1.5)


def test_perturbation_scores_by_hand():
    # 4 changed examples of 10: gold 1 1 0 0, clean 1 1 0 1, perturbed 1 0 0 0
    scores = perturbation_scores([1, 1, 0, 0], [1, 1, 0, 1], [1, 0, 0, 0], 10)
    assert scores == {"accuracy": 0.75, "clean_accuracy": 0.75, "consistency": 0.5, "changed": 0.4}
    assert perturbation_scores([], [], [], 10) == {"changed": 0.0}
    with pytest.raises(ValueError):
        perturbation_scores([1], [1, 0], [1], 10)


def sweep(**extra):
    raw = {"name": "rq", "intermediate": {"tasks": {"choice": ["mnli", "qqp"]}}, "target": {"tasks": ["pawsx", "xquad"]},
           "search": {"algorithm": "grid", "seed": {"choice": [1, 2, 3]}}, **extra}
    return parse_sweep(raw, "rq.yaml")


def test_robustness_names_classification_targets_and_known_kinds():
    cfg = sweep(robustness={"tasks": ["pawsx"], "perturbations": ["typos", "number_swap"]})
    assert cfg.robustness.declared() == (Perturbation("typos", 0.1), Perturbation("number_swap", 1.0))
    with pytest.raises(ConfigError, match=r"rq.yaml: robustness.tasks\[0\]: 'xnli' is not among target.tasks"):
        sweep(robustness={"tasks": ["xnli"]})
    with pytest.raises(ConfigError, match=r"robustness.tasks\[0\]: 'xquad' is a span_extraction task; perturbations score classification"):
        sweep(robustness={"tasks": ["xquad"]})
    with pytest.raises(ConfigError, match="robustness.perturbations.*unknown perturbation 'typo'"):
        sweep(robustness={"tasks": ["pawsx"], "perturbations": {"typo": 0.1}})


def test_a_target_scored_under_perturbations_keys_on_them():
    from xlt.trial.expand import expand

    params = {"intermediate_task": "mnli", "seed": 1}
    plain, robust = (expand(c, params, "t", "") for c in (sweep(), sweep(robustness={"tasks": ["pawsx"]})))
    other = expand(sweep(robustness={"tasks": ["pawsx"], "seed": 1}), params, "t", "")
    pawsx_, xquad = robust.targets
    assert robust.target_key(pawsx_) not in (plain.target_key(plain.targets[0]), other.target_key(other.targets[0]))
    assert robust.target_key(xquad) == plain.target_key(plain.targets[1])  # other targets keep their keys
    assert robust.intermediate_key == plain.intermediate_key


def test_a_trial_scores_its_test_sets_under_each_perturbation(tmp_path):
    from xlt.trial.plan import PhasePlan, TrialPlan
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.torch_backend import run_trial

    kinds = (Perturbation("casing", 0.2), Perturbation("number_swap", 1.0))
    plan = TrialPlan(sweep="t", trial_id="trial1", model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=None, targets=(PhasePlan("pawsx", 3e-3, 1, 16),), seed=0, objective="zero_shot_mean",
                     results_dir=str(tmp_path / "results"), config_hash="h", target_languages=("en", "de", "ja"),
                     robustness_tasks=("pawsx",), perturbations=kinds)
    run_trial(plan, LocalRuntime())
    rows = read_results(str(tmp_path / "results")).to_pylist()
    robust = {(r["language"], r["metric"]): r for r in rows if r["phase"] == "robustness"}
    assert {r["split"] for r in robust.values()} == {"test"}
    # Japanese has no case: nothing changed, nothing scored; every fixture example names a year
    assert robust[("ja", "casing/changed")]["value"] == 0 and ("ja", "casing/accuracy") not in robust
    for lang in ("en", "de", "ja"):
        n = robust[(lang, "number_swap/changed")]
        assert n["value"] == 1 and n["n_examples"] == 24 and robust[(lang, "number_swap/accuracy")]["n_examples"] == 24
    # clean accuracy on all examples (number_swap changed each) is the zero-shot test accuracy
    test = {r["language"]: r["value"] for r in rows if r["phase"] == "zero_shot" and r["split"] == "test"}
    for lang in ("de", "ja"):
        assert robust[(lang, "number_swap/clean_accuracy")]["value"] == pytest.approx(test[lang])
    assert all(0 <= r["value"] <= 1 for r in robust.values())


LANGS = ["en", "de", "fr"]
ACC = {"mnli": 0.80, "all9": 0.82}


@pytest.fixture
def robust_dir(tmp_path):
    """A study sweep's rows: mnli and all9, three seeds, PAWS-X with zero-shot and robustness rows."""
    cfg = sweep(intermediate={"tasks": {"choice": ["mnli", "all9"]}}, target={"tasks": ["pawsx"]},
                mixtures={"all9": {"tasks": ["mnli", "qqp"]}}, storage=str(tmp_path),
                study={"hypothesis": "Mixtures are more robust.", "control": "mnli", "language_groups": ["zero_shot"]},
                robustness={"tasks": ["pawsx"], "perturbations": ["typos"]})
    paths = SweepPaths.of(cfg)
    from xlt.trial.expand import trial_mixture

    n = 0
    for config in ACC:
        label = trial_mixture(cfg, {"intermediate_task": config}).canonical
        for seed in (1, 2, 3):
            n += 1
            base = dict(sweep="rq", trial_id=f"t{n}", intermediate=label, mixture={"mnli": 1.0} if config == "mnli" else {"mnli": 0.5, "qqp": 0.5}, target_task="pawsx",
                        model="tiny-xlmr", learning_rate=1e-5, intermediate_learning_rate=1e-5, seed=seed, step=1,
                        config_hash=f"c{n}", xlt_version="0", n_examples=10)
            rows = [ResultRow(**base, phase="target", language="en", split="validation", metric="accuracy", value=0.9)]
            for lang in LANGS:
                rows.append(ResultRow(**base, phase="zero_shot", language=lang, split="test", metric="accuracy", value=ACC[config]))
                # typos: all9 keeps 0.90 of its predictions, mnli 0.80 - 0.01 * seed; both lose accuracy
                consistency = 0.90 if config == "all9" else 0.80 - 0.01 * seed
                for metric, v in {"clean_accuracy": ACC[config], "accuracy": ACC[config] - (1 - consistency) / 2,
                                  "consistency": consistency, "changed": 0.5}.items():
                    rows.append(ResultRow(**base, phase="robustness", language=lang, split="test", metric=f"typos/{metric}", value=v))
            write_rows(paths.results, f"t{n}", "target-pawsx", rows)
    save_sweep(cfg, paths, "run1")
    return paths


def test_the_report_shows_robustness_and_the_arm_against_the_control(robust_dir, tmp_path):
    report = load_report(robust_dir.results)
    cells = {c.config: c for c in report.robustness}
    mnli = cells["mnli"]
    assert set(cells) == {"mnli", "mnli:0.500+qqp:0.500@proportional"}  # all9, as results record it
    consistency = [100 * (0.80 - 0.01 * s) for s in (1, 2, 3)]
    assert mnli.changed == 50 and mnli.stats["consistency"].mean == pytest.approx(fmean(consistency))
    assert mnli.stats["consistency"].ci95 == pytest.approx(t95(2) * stdev(consistency) / math.sqrt(3))
    assert mnli.stats["drop"].mean == pytest.approx(fmean(100 * (1 - c / 100) / 2 for c in consistency))
    (comparison,) = report.robustness_comparisons
    assert comparison.arm == "all9" and comparison.kind == "typos"
    diffs = [90 - c for c in consistency]
    assert comparison.consistency.mean == pytest.approx(fmean(diffs)) and comparison.consistency.n == 3
    assert comparison.perturbed.mean == pytest.approx(fmean(100 * (0.82 - 0.05) - (80 - (100 - c) / 2) for c in consistency))
    write_report(report, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.index("## The question") < md.index("### Robustness: each arm minus the control") < md.index("## Ranking")
    assert f"| all9 | pawsx | typos | {comparison.perturbed.mean:+.2f} ± " in md
    assert "## Robustness under perturbations" in md
    saved = json.loads((tmp_path / "out" / "report.json").read_text())["robustness"]
    assert saved["declared"]["tasks"] == ["pawsx"] and len(saved["cells"]) == 2 and len(saved["comparisons"]) == 1
    assert "robustness: arm minus control" in terminal(report)


def test_a_report_says_when_rows_lack_the_robustness_the_sweep_asked(robust_dir, tmp_path):
    from xlt.results.rows import read_results as read

    rows = [r for r in read(robust_dir.results).to_pylist() if r["phase"] != "robustness"]
    for trial in {r["trial_id"] for r in rows}:
        write_rows(robust_dir.results, trial, "target-pawsx", [ResultRow(**r) for r in rows if r["trial_id"] == trial])
    report = load_report(robust_dir.results)
    assert report.robustness == [] and report.robustness_declared["tasks"] == ["pawsx"]
    write_report(report, tmp_path / "out")
    assert "asked for pawsx under perturbations; no result row has them" in (tmp_path / "out" / "report.md").read_text()


def test_the_surrogate_says_it_does_not_model_perturbations(tmp_path):
    from xlt.config import load_sweep
    from xlt.surrogate.backend import run_surrogate_trial
    from xlt.trial.expand import expand

    cfg = load_sweep(REPO / "sweeps" / "rq-pawsx-mixtures.yaml", ["backend=surrogate", f"storage={tmp_path}"])
    params = {"intermediate_task": "mnli", "intermediate_learning_rate": 1e-5, "target_learning_rate": 1e-5, "seed": 1}
    reports = []
    run_surrogate_trial(expand(cfg, params, "t1", str(tmp_path / "results")), cfg, reports.append)
    phases = {r["phase"] for r in read_results(str(tmp_path / "results")).to_pylist()}
    assert "zero_shot" in phases and "robustness" not in phases
    assert "the surrogate backend does not model perturbations; no robustness rows for pawsx" in reports[-1]["notices"]
