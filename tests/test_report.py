"""`xlt report`: every number recomputed independently from the Parquet with DuckDB."""

import dataclasses
import json
import math
import random
import subprocess
import sys

import duckdb
import matplotlib.image as mpimg
import pytest

from xlt.report import load_report, write_report
from xlt.report.scores import t95
from xlt.results import ResultRow, write_rows

LANGS = {"xnli": ["en", "de", "ur", "sw"], "xquad": ["en", "de", "zh"]}


def rows_for(trial, inter, task, lr, seed, rng, quality, mixture=None):
    base = dict(sweep="s", trial_id=trial, intermediate=inter, mixture=mixture or ({inter: 1.0} if inter != "none" else {}),
                target_task=task, model="tiny-xlmr", learning_rate=lr,
                intermediate_learning_rate=None if inter == "none" else 1e-5, seed=seed, step=10, config_hash=trial,
                xlt_version="0", n_examples=30)
    out = []
    dev_metric = "accuracy" if task == "xnli" else "f1"
    out.append(ResultRow(**base, phase="target", language="en", split="validation",
                         metric=dev_metric, value=min(1, quality + rng.uniform(0, 0.05))))
    for lang in LANGS[task]:
        v = min(1.0, max(0.0, quality + rng.uniform(-0.1, 0.1)))
        metrics = {"accuracy": v} if task == "xnli" else {"exact_match": v * 0.8, "f1": v}
        out += [ResultRow(**base, phase="zero_shot", language=lang, split="test", metric=m, value=x) for m, x in metrics.items()]
    return out


@pytest.fixture
def results(tmp_path):
    rng = random.Random(0)
    root = tmp_path / "results"
    n = 0
    for inter, quality in (("none", 0.5), ("mnli", 0.6), ("squad_v1", 0.55)):
        for task in ("xnli", "xquad"):
            for lr, bonus in ((1e-5, 0.0), (2e-5, 0.1 if inter == "mnli" else -0.1)):
                for seed in (1, 2, 3):
                    n += 1
                    write_rows(str(root), f"t{n:03d}", f"target-{task}", rows_for(f"t{n:03d}", inter, task, lr, seed, rng, quality + bonus))
    write_rows(str(root), "t999", "failed", [ResultRow(
        sweep="s", trial_id="t999", phase="failed", intermediate="qqp", mixture={"qqp": 1.0}, target_task="xnli",
        language="", split="", metric="error", value=math.nan, n_examples=0, model="m", learning_rate=1e-5,
        intermediate_learning_rate=1e-5, seed=1, step=0, config_hash="x", xlt_version="0", error="OutOfMemoryError: CUDA")])
    return root


def duck_cells(root) -> dict:
    """(intermediate, task) -> (mean, sd, n, all-language mean) of the hyper-parameters selected
    by English dev (no target-language dev rows here), in SQL. The all-language mean includes
    English: XTREME's per-task score."""
    files = f"{root}/**/*.parquet"
    sql = f"""
    with lang as (
      select trial_id, intermediate, target_task, language, learning_rate,
             100 * (case when target_task = 'xquad' then (em + f1) / 2 else acc end) s
      from (select trial_id, intermediate, target_task, language, learning_rate,
                   max(case when metric = 'accuracy' then value end) acc,
                   max(case when metric = 'exact_match' then value end) em,
                   max(case when metric = 'f1' then value end) f1
            from read_parquet('{files}') where phase = 'zero_shot' and split = 'test' group by all)),
    test as (select trial_id, any_value(intermediate) inter, target_task task, any_value(learning_rate) lr,
                    avg(case when language <> 'en' then s end) score, avg(s) all_score
             from lang group by trial_id, target_task),
    dev as (select trial_id, 100 * value dev from read_parquet('{files}') where phase = 'target'),
    hp as (select inter, task, lr, avg(score) mean, stddev_samp(score) sd, count(*) n, avg(dev) dev, avg(all_score) a
           from test join dev using (trial_id) group by inter, task, lr)
    select inter, task, arg_max(mean, dev), arg_max(sd, dev), arg_max(n, dev), arg_max(a, dev) from hp group by inter, task
    """
    return {(i, t): (m, s, n, a) for i, t, m, s, n, a in duckdb.sql(sql).fetchall()}


def test_every_number_matches_an_independent_duckdb_computation(results, tmp_path):
    report = load_report(str(results))
    expected = duck_cells(results)
    assert set(report.cells) == set(expected)
    for key, (mean, sd, n, _) in expected.items():
        cell = report.cells[key].score
        assert (cell.mean, cell.std, cell.n) == (pytest.approx(mean), pytest.approx(sd), n), key
        assert cell.ci95 == pytest.approx(t95(n - 1) * sd / math.sqrt(n))
    for config in ("none", "mnli", "squad_v1"):
        # XTREME's score: per task the mean over every language, English included (evaluate.py)
        assert report.xtreme[config].mean == pytest.approx((expected[(config, "xnli")][3] + expected[(config, "xquad")][3]) / 2)
        assert report.zero_shot[config].mean == pytest.approx((expected[(config, "xnli")][0] + expected[(config, "xquad")][0]) / 2)
        for task in ("xnli", "xquad"):
            assert report.delta(config, task) == pytest.approx(expected[(config, task)][0] - expected[("none", task)][0])
    assert report.configs[0] == "mnli" and report.baseline == "none"  # ranked by dev score
    # mnli's better target rate (2e-5) was selected by dev, squad_v1's by dev too (1e-5)
    assert report.cells[("mnli", "xnli")].hyper[0] == 2e-5 and report.cells[("squad_v1", "xnli")].hyper[0] == 1e-5
    assert report.failed == [{"trial_id": "t999", "intermediate": "qqp", "target_task": "xnli", "error": "OutOfMemoryError: CUDA"}]


def test_language_view_groups_by_resource_level(results):
    report = load_report(str(results))
    groups = report.resource_groups("mnli")
    cell = report.cells[("mnli", "xnli")].languages
    # xnli: de high, ur mid, sw low; xquad: de high, zh high
    assert groups["low"] == pytest.approx(cell["sw"])
    assert groups["high"] == pytest.approx((cell["de"] + report.cells[("mnli", "xquad")].languages["de"]
                                            + report.cells[("mnli", "xquad")].languages["zh"]) / 3)


def test_files_plots_and_links(results, tmp_path):
    out = tmp_path / "report"
    report = load_report(str(results))
    figures = write_report(report, out)
    text = (out / "report.md").read_text()
    for name in figures.values():
        image = mpimg.imread(out / name)
        assert image.shape[0] > 150 and image.shape[1] > 150 and image.std() > 0.01, name  # not blank
        assert f"]({name})" in text
    assert {"delta_by_task", "language_xnli", "language_xquad", "progress"} <= set(figures)
    assert "| t999 | qqp | xnli | OutOfMemoryError: CUDA |" in text
    assert "<table>" in (out / "report.html").read_text() and 'src="delta_by_task.png"' in (out / "report.html").read_text()
    data = json.loads((out / "report.json").read_text())
    assert data["ranking"][0]["intermediate"] == "mnli" and data["best_per_task"]["xnli"] == "mnli"


def test_mixture_plot_and_cli(results, tmp_path):
    rng = random.Random(1)
    for i, w in enumerate((0.2, 0.5, 0.8)):
        mix = {"mnli": w, "squad_v1": 1 - w}
        write_rows(str(results), f"m{i}", "target-xnli", rows_for(f"m{i}", f"mix{i}", "xnli", 1e-5, 1, rng, 0.5 + w / 5, mix))
    out = tmp_path / "r"
    cli = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(results), "--out", str(out), "--format", "json",
                          "--task", "xnli"], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["figures"]["mixtures"] == "mixture_weights.png"
    assert (out / "mixture_weights.png").is_file() and not (out / "delta_by_language_xquad.png").exists()
    table = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(results)], capture_output=True, text=True)
    assert table.returncode == 0 and "mnli" in table.stdout and "failed trial" in table.stdout
    bad = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(results), "--task", "udpos"], capture_output=True, text=True)
    assert bad.returncode == 2 and "not a target task" in bad.stderr


def test_diversity_and_backbone_views_key_by_the_reports_configurations(tmp_path):
    """With two backbones a configuration is `model | intermediate`: the diversity table looks
    configurations up by that name, and the by-backbone view averages each model's own cells."""
    rng = random.Random(2)
    mix = {"mnli": 0.5, "squad_v1": 0.5}
    for i, (model, quality) in enumerate((("tiny-xlmr", 0.5), ("tiny-mt5", 0.7))):
        rows = rows_for(f"b{i}", "mix", "xnli", 1e-5, 1, rng, quality, mix)
        write_rows(str(tmp_path), f"b{i}", "target-xnli", [dataclasses.replace(r, model=model) for r in rows])
    report = load_report(str(tmp_path))
    assert sorted(report.configs) == ["tiny-mt5 | mix", "tiny-xlmr | mix"]
    for config in report.configs:
        assert report.diversity[config] == {"tasks": 2, "formats": 2, "entropy": pytest.approx(math.log(2))}
    for model in ("tiny-xlmr", "tiny-mt5"):
        assert report.models[model]["xnli"] == report.cells[(f"{model} | mix", "xnli")].languages


def _trial(root, trial, inter, dev, test, languages=("en", "de", "sw")):
    base = dict(sweep="s", trial_id=trial, intermediate=inter, mixture={} if inter == "none" else {inter: 1.0},
                target_task="xnli", model="tiny-xlmr", learning_rate=1e-5, intermediate_learning_rate=None,
                seed=1, step=1, config_hash=trial, xlt_version="0", n_examples=10)
    rows = [ResultRow(**base, phase="target", language="en", split="validation", metric="accuracy", value=dev)]
    rows += [ResultRow(**base, phase="zero_shot", language=l, split="validation", metric="accuracy", value=dev)
             for l in languages if l != "en"]
    rows += [ResultRow(**base, phase="zero_shot", language=l, split="test", metric="accuracy", value=test)
             for l in languages]
    write_rows(str(root), trial, "target-xnli", rows)


def test_the_best_configuration_is_chosen_by_dev_never_by_test(tmp_path):
    root = tmp_path / "results"
    _trial(root, "a", "mnli", dev=0.50, test=0.90)   # best on test, worse on dev
    _trial(root, "b", "qqp", dev=0.80, test=0.60)
    _trial(root, "c", "none", dev=0.40, test=0.55)
    report = load_report(str(root))
    assert report.configs[0] == "qqp" and report.best == "qqp" and report.best_per_task() == {"xnli": "qqp"}
    assert report.dev["qqp"] == pytest.approx(80.0) and report.cells[("qqp", "xnli")].score.mean == pytest.approx(60.0)
    # `xlt results show` and `xlt report` read one ranking
    shown = subprocess.run([sys.executable, "-m", "xlt.cli", "results", "show", str(root)], capture_output=True, text=True)
    assert shown.returncode == 0 and "best configuration by dev score: qqp" in shown.stdout
    printed = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(root), "--format", "json"],
                             capture_output=True, text=True)
    assert json.loads(printed.stdout)["ranking"][0]["intermediate"] == "qqp"


def test_a_sweep_that_asked_for_a_test_objective_says_so_first(tmp_path):
    from xlt.config import parse_sweep
    from xlt.sweep import SweepPaths, save_sweep

    cfg = parse_sweep({"name": "s", "target": {"tasks": ["xnli"]},
                       "search": {"objective": {"statistic": "mean", "split": "test"}}, "storage": str(tmp_path)}, "s.yaml")
    paths = SweepPaths.of(cfg)
    save_sweep(cfg, paths, run_id="r1")
    _trial(paths.results, "a", "mnli", dev=0.5, test=0.9)
    report = load_report(paths.results)
    assert report.test_objective == "mean[zero_shot]@test"
    out = tmp_path / "out"
    write_report(report, out)
    assert (out / "report.md").read_text().startswith("> **WARNING: this sweep's search objective (mean[zero_shot]@test) "
                                                        "read zero-shot TEST scores")
    shown = subprocess.run([sys.executable, "-m", "xlt.cli", "results", "show", paths.root], capture_output=True, text=True)
    assert shown.stdout.startswith("WARNING: this sweep's search objective")
