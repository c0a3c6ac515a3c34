"""A research sweep's `study`: validated against the sweep, and the comparison `xlt report`
leads with, each arm minus the control paired over seeds, checked by hand on constructed rows."""

import math
import subprocess
import sys
from statistics import fmean, stdev

import pytest

from xlt.config import ConfigError, parse_sweep
from xlt.objective import t95
from xlt.report import load_report
from xlt.results.rows import ResultRow, write_rows
from xlt.results.sweep_dir import SweepPaths, save_sweep

LANGS = {"xnli": ["en", "de", "ur", "sw"], "xquad": ["en", "de", "zh"]}
BASE = {"none": 0.50, "mnli": 0.60, "xnli_tt@ur": 0.55}
LIFT = {("xnli_tt@ur", "ur"): 0.20}  # the Urdu arm is much better on Urdu: in-language supervision


def value(config: str, task: str, lang: str, seed: int) -> float:
    return BASE[config] + LIFT.get((config, lang), 0.0) + 0.01 * seed * (config != "none") + (0.02 if task == "xquad" else 0)


def sweep(study: dict | None = None, **extra):
    raw = {"name": "rq", "intermediate": {"tasks": {"choice": ["none", "mnli", "xnli_tt@ur"]}},
           "target": {"tasks": ["xnli", "xquad"]}, "search": {"algorithm": "grid", "seed": {"choice": [1, 2, 3]}},
           "languages": {"groups": {"arms": ["ur"]}}, **extra}
    if study is not None:
        raw["study"] = study
    return parse_sweep(raw, "rq.yaml")


STUDY = {"hypothesis": "Urdu NLI data helps low-resource languages more than English NLI data.", "control": "mnli",
         "arms": ["xnli_tt@ur", "none"], "task_groups": {"reasoning": ["xnli"]},
         "language_groups": ["zero_shot", "low", "arms"], "without_own_language": {"xnli_tt@ur": ["ur"]}}


def test_a_study_names_what_the_sweep_has():
    assert sweep(STUDY).study.control == "mnli"
    with pytest.raises(ConfigError, match=r"rq.yaml: study.control: 'mnlii' is not among intermediate.tasks .*did you mean 'mnli'"):
        sweep({**STUDY, "control": "mnlii"})
    with pytest.raises(ConfigError, match="study.task_groups.reasoning: pawsx not among target.tasks"):
        sweep({**STUDY, "task_groups": {"reasoning": ["pawsx"]}})
    with pytest.raises(ConfigError, match="study.language_groups\\[1\\]: unknown group 'lowest'"):
        sweep({**STUDY, "language_groups": ["zero_shot", "lowest"]})


@pytest.fixture
def sweep_dir(tmp_path):
    cfg = sweep(STUDY, storage=str(tmp_path))
    paths = SweepPaths.of(cfg)
    n = 0
    for config in BASE:
        for seed in (1, 2, 3):
            for task in LANGS:
                n += 1
                base = dict(sweep="rq", trial_id=f"t{n}", intermediate=config, mixture={} if config == "none" else {config: 1.0},
                            target_task=task, model="tiny-xlmr", learning_rate=1e-5, intermediate_learning_rate=None,
                            seed=seed, step=1, config_hash=f"c{n}", xlt_version="0", n_examples=10)
                metric = "accuracy" if task == "xnli" else "f1"
                rows = [ResultRow(**base, phase="target", language="en", split="validation", metric=metric, value=0.7)]
                for lang in LANGS[task]:
                    v = value(config, task, lang, seed)
                    metrics = {"accuracy": v} if task == "xnli" else {"f1": v, "exact_match": v}
                    rows += [ResultRow(**base, phase="zero_shot", language=lang, split="test", metric=m, value=x)
                             for m, x in metrics.items()]
                write_rows(paths.results, f"t{n}", f"target-{task}", rows)
    save_sweep(cfg, paths, "run1")
    return paths


def test_the_report_leads_with_the_paired_comparison(sweep_dir, tmp_path):
    report = load_report(sweep_dir.results)
    rows = {(c.arm, c.tasks, c.languages, c.without): c for c in report.comparisons}
    # Urdu arm vs MNLI on every target, zero-shot languages: per seed s, xnli's de/ur/sw and xquad's
    # de/zh differ by -0.05 (+0.20 on ur); both sides carry +0.01*s, so every seed gives the same number
    xnli = 100 * fmean([-0.05, 0.15, -0.05])
    xquad = 100 * -0.05
    got = rows[("xnli_tt@ur", "all targets", "zero_shot", ())].difference
    assert got.mean == pytest.approx(fmean([xnli, xquad])) and got.n == 3 and got.ci95 == pytest.approx(0, abs=1e-9)
    # without Urdu, the confound is gone: the arm is 5 points behind everywhere
    assert rows[("xnli_tt@ur", "all targets", "zero_shot", ("ur",))].difference.mean == pytest.approx(-5)
    # its own language group: xnli's Urdu only (xquad has none, and is not counted)
    arms = rows[("xnli_tt@ur", "all targets", "arms", ())]
    assert arms.difference.mean == pytest.approx(15) and arms.covered == ("xnli",)
    # low-resource (sw) on the reasoning group (xnli)
    assert rows[("xnli_tt@ur", "reasoning", "low", ())].difference.mean == pytest.approx(-5)
    # `none` vs `mnli`: the control's seed term does not cancel: -0.10 - 0.01*s, a real interval over seeds
    diffs = [100 * (-0.10 - 0.01 * s) for s in (1, 2, 3)]
    none = rows[("none", "all targets", "zero_shot", ())].difference
    assert none.mean == pytest.approx(fmean(diffs))
    assert none.ci95 == pytest.approx(t95(2) * stdev(diffs) / math.sqrt(3))
    # first in the Markdown, the terminal table and the JSON
    from xlt.report import write_report

    write_report(report, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.index("## The question") < md.index("## Ranking")
    assert "| xnli_tt@ur | all targets | zero_shot without ur | -5.00 ± 0.00 (n=3) | xnli, xquad |" in md
    cli = subprocess.run([sys.executable, "-m", "xlt.cli", "report", sweep_dir.root], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.index("the question: Urdu NLI data") < cli.stdout.index("xlt report: zero-shot test score")


def test_study_names_map_to_what_the_results_record(sweep_dir):
    """A named mixture is recorded by its canonical form: the study's name finds its cells."""
    from xlt.report.study import compare

    report = load_report(sweep_dir.results)
    rows = compare(report, {**STUDY, "arms": ["urdu"], "without_own_language": {}}, {"arms": ["ur"]},
                   labels={"urdu": "xnli_tt@ur"})
    first = rows[0]
    assert (first.arm, first.tasks, first.languages) == ("urdu", "all targets", "zero_shot")
    assert first.difference.mean == pytest.approx(100 * fmean([fmean([-0.05, 0.15, -0.05]), -0.05]))
