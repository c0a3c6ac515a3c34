"""`xlt report`: every number recomputed independently from the Parquet with DuckDB."""

import dataclasses
import json
import math
import random
import subprocess
import sys

import duckdb
import matplotlib.image as mpimg
import matplotlib.text
import numpy as np
import pytest

from xlt.report import load_report, write_report
from xlt.report.scores import t95
from xlt.results.rows import ResultRow, write_rows

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
    # the label's pipe stays inside its cell: every table row has its header's columns
    from xlt.report.render import html, markdown

    text = markdown(report, {})
    for table in text.split("\n\n"):
        lines = [l.replace("\\|", "") for l in table.splitlines() if l.startswith("|")]
        assert len({l.count("|") for l in lines}) <= 1, table
    page = html(text)
    assert "<td>tiny-mt5 | mix</td>" in page and "<h2>By backbone</h2>" in page


def _trial(root, trial, inter, dev, test, languages=("en", "de", "sw"), task="xnli"):
    base = dict(sweep="s", trial_id=trial, intermediate=inter, mixture={} if inter == "none" else {inter: 1.0},
                target_task=task, model="tiny-xlmr", learning_rate=1e-5, intermediate_learning_rate=None,
                seed=1, step=1, config_hash=trial, xlt_version="0", n_examples=10)
    rows = [ResultRow(**base, phase="target", language="en", split="validation", metric="accuracy", value=dev)]
    rows += [ResultRow(**base, phase="zero_shot", language=l, split="validation", metric="accuracy", value=dev)
             for l in languages if l != "en"]
    rows += [ResultRow(**base, phase="zero_shot", language=l, split="test", metric="accuracy", value=test)
             for l in languages]
    write_rows(str(root), trial, f"target-{task}", rows)


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
    assert shown.returncode == 0 and "best intermediate configuration by dev score: qqp" in shown.stdout
    printed = subprocess.run([sys.executable, "-m", "xlt.cli", "report", str(root), "--format", "json"],
                             capture_output=True, text=True)
    assert json.loads(printed.stdout)["ranking"][0]["intermediate"] == "qqp"


def test_a_sweep_that_asked_for_a_test_objective_says_so_first(tmp_path):
    from xlt.config import parse_sweep
    from xlt.results.sweep_dir import SweepPaths, save_sweep

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


# --- figures ---------------------------------------------------------------------------------

def _run(root, trial, inter, scores, task="xnli", seed=1, dev=0.5, mixture=None, **extra):
    """One trial's rows for one target: English dev `dev`, zero-shot test `scores` (language -> fraction)."""
    base = dict(sweep="s", trial_id=trial, intermediate=inter, target_task=task, model="tiny-xlmr", learning_rate=1e-5,
                mixture=mixture if mixture is not None else ({} if inter == "none" else {inter: 1.0}),
                intermediate_learning_rate=None, seed=seed, step=1, config_hash=trial, xlt_version="0", n_examples=10,
                **extra)
    rows = [ResultRow(**base, phase="target", language="en", split="validation", metric="accuracy", value=dev)]
    rows += [ResultRow(**base, phase="zero_shot", language=l, split="test", metric="accuracy", value=v)
             for l, v in scores.items()]
    write_rows(str(root), f"{trial}", f"target-{task}", rows)


def _gains(root, gains: dict[str, tuple[float, float]], langs=("en", "de", "ur", "sw"), **extra):
    """A baseline at 50% and one configuration per entry, `inter: (gain in points, seed spread)`,
    over two seeds; dev follows the gain, so the ranking is by gain."""
    for seed, sign in ((1, -1), (2, 1)):
        _run(root, f"none-{seed}", "none", {l: 0.5 + sign * 0.001 for l in langs}, seed=seed, dev=0.5, **extra)
        for inter, (gain, spread) in gains.items():
            value = 0.5 + (gain + sign * spread) / 100
            _run(root, f"{inter}-{seed}", inter, {l: value for l in langs}, seed=seed, dev=0.5 + gain / 1000, **extra)


def _svg_text(path) -> str:
    import xml.etree.ElementTree as ET

    return " ".join(t for t in ET.parse(path).getroot().itertext() if t.strip())


def _cell_texts(ax) -> dict[str, object]:
    return {t.get_text(): t for t in ax.texts}


def test_colour_scale_is_symmetric_about_zero_floored_and_capped(tmp_path):
    from xlt.report import plots

    _gains(tmp_path, {"mnli": (1.4, 0.1)})
    fig = plots.delta_by_task(load_report(str(tmp_path)), top=20)
    norm = fig.axes[0].images[0].norm
    # a 1.4-point gain does not get the darkest colour: the scale is at least +-5 points
    assert (norm.vmin, norm.vmax) == (-5.0, 5.0)
    assert plots.diverging_bound(np.array([1.4])) == 5.0
    assert plots.diverging_bound(np.array([7.0, -2.0, np.nan])) == 10.0
    assert plots.diverging_bound(np.array([60.0, -40.0])) == plots.SCALE_CAP == 20.0


def test_cell_values_are_written_in_the_colour_that_contrasts_with_the_cell(tmp_path):
    from xlt.report import plots

    _gains(tmp_path, {"mnli": (0.5, 0.1), "ccg": (-15.0, 0.1)})
    fig = plots.delta_by_task(load_report(str(tmp_path)), top=20)
    texts = _cell_texts(fig.axes[0])
    assert texts["-15.0"].get_color() == "white" and texts["+0.5"].get_color() == "black"
    assert plots.text_colour((0.02, 0.19, 0.38)) == "white" and plots.text_colour((0.97, 0.97, 0.97)) == "black"


def test_deltas_whose_confidence_interval_includes_zero_are_hatched(tmp_path):
    from xlt.report import plots
    from xlt.report.deltas import task_matrix, welch_ci

    # Welch: a = [1, 2, 3], b = [2, 3, 4]: se = sqrt(2/3), df = 4, t = 2.776
    assert welch_ci([1, 2, 3], [2, 3, 4]) == pytest.approx(2.776 * math.sqrt(2 / 3))
    assert math.isnan(welch_ci([1.0], [2.0, 3.0]))
    _gains(tmp_path, {"mnli": (0.5, 2.0), "ccg": (-6.0, 0.1)})
    report = load_report(str(tmp_path))
    matrix = task_matrix(report, 20)
    assert matrix.rows == ["#1 mnli", "#2 ccg"]
    assert matrix.crosses_zero().tolist() == [[True], [False]]
    fig = plots.delta_by_task(report, top=20)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert [(round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in hatched] == [(0, 0)]   # mnli, xnli
    assert _cell_texts(fig.axes[0])["-6.0"].get_fontweight() == "bold"


def test_english_is_apart_from_the_zero_shot_languages(results):
    from xlt.report import plots

    fig = plots.delta_by_language(load_report(str(results)), "xnli", top=20)
    zero, english = fig.axes[0], fig.axes[1]
    # zero-shot languages by resource class: de (high), ur (mid), sw (low); English in its own panel
    assert [t.get_text() for t in zero.get_xticklabels()] == ["de", "ur", "sw"]
    assert [t.get_text() for t in english.get_xticklabels()] == ["en"]
    assert "none" not in [t.get_text() for t in zero.get_yticklabels()]


def test_top_n_configurations_by_dev_then_the_median_of_the_others(tmp_path, capsys):
    from statistics import median

    from xlt.cli import main
    from xlt.report.deltas import task_matrix

    gains = {f"c{i}": (float(i), 0.1) for i in range(1, 7)}
    _gains(tmp_path / "results", gains, mixture={})
    report = load_report(str(tmp_path / "results"))
    matrix = task_matrix(report, top=2)
    assert matrix.rows == ["#1 c6", "#2 c5", "median of the other 4"] and matrix.summarised == 1
    assert matrix.values[2, 0] == pytest.approx(median([1.0, 2.0, 3.0, 4.0]), abs=0.01)
    assert main(["report", str(tmp_path / "results"), "--top", "2", "--out", str(tmp_path / "out")]) == 0
    assert "median of the other 4" in _svg_text(tmp_path / "out" / "delta_by_task.svg")
    assert "c3" not in _svg_text(tmp_path / "out" / "delta_by_task.svg")
    assert "5 more configuration(s) below rank 2" in capsys.readouterr().out   # none, c4..c1 in the table
    # the report's tables keep every configuration, the ones beyond the top N folded away
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count("<summary>5 more</summary>") >= 2 and "<td>c1</td>" in page


def test_without_a_baseline_scores_are_compared_with_the_median_configuration(tmp_path):
    from xlt.report import plots
    from xlt.report.deltas import MEDIAN, task_matrix

    for i, value in enumerate((0.60, 0.70, 0.80)):
        _run(tmp_path, f"t{i}", f"c{i}", {"en": value, "de": value}, dev=value, mixture={})
    report = load_report(str(tmp_path))
    matrix = task_matrix(report, 20)
    assert matrix.reference == MEDIAN and matrix.reference_values == [pytest.approx(70.0)]
    assert matrix.values[:, 0].tolist() == pytest.approx([10.0, 0.0, -10.0])
    fig = plots.delta_by_task(report, 20)
    labels = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert any("vs the median configuration" in t for t in labels)
    assert any("no none baseline" in t for t in labels) and not any("gain over" in t for t in labels)
    assert fig.axes[0].images[0].norm.vmin == -fig.axes[0].images[0].norm.vmax


def test_search_progress_has_integer_trial_ticks_the_unit_and_stopped_trials_apart(tmp_path):
    from xlt.report import search_plots

    for i, dev in enumerate((0.5, 0.6, 0.7)):
        for task in ("xnli", "pawsx")[: 1 if i == 2 else 2]:   # the third trial stopped after its first target
            _run(tmp_path, f"t{i}", "mix", {"en": dev, "de": dev}, task=task, dev=dev,
                 mixture={"mnli": 0.2 * (i + 1), "qqp": 1 - 0.2 * (i + 1)})
    report = load_report(str(tmp_path))
    assert [(p.trial, p.complete) for p in report.trials] == [("t0", True), ("t1", True), ("t2", False)]
    assert [p.objective for p in report.trials] == pytest.approx([50.0, 60.0, 70.0])   # English dev, percent
    fig = search_plots.search_progress(report)
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert ax.get_ylabel() == "mean[zero_shot] on dev (%)"
    points = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    assert points == {"finished trial": 2, "stopped early (partial)": 1}
    fig = search_plots.mixture_weights(report)
    assert {c.get_label(): len(c.get_offsets()) for c in fig.axes[0].collections} == \
        {"finished trial": 2, "stopped early (partial)": 1, "best finished trial": 1}


def _inside(fig) -> bool:
    """Everything `fig` draws (titles, labels, tick labels, colour bars, legends, stamps) lies within its edges."""
    fig.canvas.draw()
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())   # inches
    return drawn.x0 >= -0.01 and drawn.y0 >= -0.01 and drawn.x1 <= fig.get_figwidth() + 0.01 \
        and drawn.y1 <= fig.get_figheight() + 0.01


def test_every_figure_has_its_title_and_labels_inside_it(results, tmp_path):
    from xlt.report import plots, search_plots

    long = "mnli:0.3+qqp:0.2+squad_v1:0.2+hellaswag:0.1+siqa:0.1+cosmosqa:0.1"
    rng = random.Random(3)
    write_rows(str(results), "long", "target-xnli", rows_for("long", long, "xnli", 1e-5, 1, rng, 0.7, {"mnli": 0.5, "qqp": 0.5}))
    report = load_report(str(results))
    figures = [plots.delta_by_task(report, 20), plots.delta_by_language(report, "xnli", 20),
               plots.gain_by_group(report), search_plots.search_progress(report)]
    for fig in figures:
        assert _inside(fig), fig._suptitle.get_text()
        assert fig.get_figwidth() <= plots.WIDTH
        title = fig._suptitle.get_text()
        assert title.strip() and "…" not in title


def test_figures_are_png_and_svg_and_stamped_surrogate_and_fixture(tmp_path):
    root = tmp_path / "results"
    _gains(root, {"mnli": (1.0, 0.5), "qqp": (-1.0, 0.5)}, backend="surrogate", data_source="local")
    for i, w in enumerate((0.3, 0.7)):
        _run(root, f"m{i}", f"mix{i}", {"en": 0.5, "de": 0.5 + w / 10}, mixture={"mnli": w, "qqp": 1 - w},
             backend="surrogate", data_source="local")
    report = load_report(str(root))
    assert report.surrogate and report.fixture
    figures = write_report(report, tmp_path / "out")
    assert {"delta_by_task", "language_xnli", "groups", "progress", "mixtures"} <= set(figures)
    for png in figures.values():
        image = mpimg.imread(tmp_path / "out" / png)
        assert image.shape[1] > 600 and image.std() > 0.01, png
        text = _svg_text(tmp_path / "out" / png.replace(".png", ".svg"))
        assert "SURROGATE" in text and "FIXTURE DATA" in text, png
    md = (tmp_path / "out" / "report.md").read_text()
    assert "> **SURROGATE** results" in md and "> **FIXTURE DATA** results" in md and "(delta_by_task.svg)" in md
    assert "<h2>Mixture diversity</h2>" in (tmp_path / "out" / "report.html").read_text()


def test_real_results_carry_no_stamp(results, tmp_path):
    figures = write_report(load_report(str(results)), tmp_path / "out")
    for png in figures.values():
        text = _svg_text(tmp_path / "out" / png.replace(".png", ".svg"))
        assert "SURROGATE" not in text and "FIXTURE" not in text


def test_terminal_and_results_show_say_surrogate_and_fixture(tmp_path, capsys):
    from xlt.cli import main

    _gains(tmp_path, {"mnli": (1.0, 0.5)}, backend="surrogate", data_source="local")
    assert main(["report", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "[SURROGATE + FIXTURE DATA] xlt report" in table and table.startswith("SURROGATE results: ")
    assert main(["results", "show", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("SURROGATE results: ") and "FIXTURE DATA results: " in shown
    assert "test scores in percent" in shown


def test_html_shows_each_figure_at_its_design_size(results, tmp_path):
    import re

    from xlt.report import plots

    figures = write_report(load_report(str(results)), tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text()
    for png in figures.values():
        width = int(re.search(rf'src="{re.escape(png)}" width="(\d+)"', page).group(1))
        assert width == mpimg.imread(tmp_path / "out" / png).shape[1] * plots.DISPLAY_DPI // plots.PNG_DPI
        assert width <= 1100   # the page's column: shown at 100%, never shrunk
    assert 'href="delta_by_task.svg"' in page


# --- robustness ------------------------------------------------------------------------------

def _failed(root, trial):
    write_rows(str(root), trial, "failed", [ResultRow(
        sweep="s", trial_id=trial, phase="failed", intermediate="mnli", mixture={"mnli": 1.0}, target_task="xnli",
        language="", split="", metric="error", value=math.nan, n_examples=0, model="m", learning_rate=1e-5,
        intermediate_learning_rate=1e-5, seed=1, step=0, config_hash="x", xlt_version="0", error="RuntimeError: boom")])


def test_a_sweep_whose_every_trial_failed_still_gets_a_report(tmp_path, capsys):
    from xlt.cli import main

    for trial in ("a", "b"):
        _failed(tmp_path / "results", trial)
    assert main(["report", str(tmp_path / "results"), "--out", str(tmp_path / "out")]) == 0
    assert "no trial produced zero-shot scores" in capsys.readouterr().out
    md = (tmp_path / "out" / "report.md").read_text()
    assert "No trial produced zero-shot scores: 2 failed" in md and "| a | mnli | xnli | RuntimeError: boom |" in md
    assert "## Ranking" not in md
    assert json.loads((tmp_path / "out" / "report.json").read_text())["figures"] == {}
    assert main(["results", "show", str(tmp_path / "results")]) == 0


def test_a_report_that_fails_half_way_leaves_the_previous_one_and_no_temporary(results, tmp_path, monkeypatch):
    from xlt.report import plots

    out = tmp_path / "out"
    report = load_report(str(results))
    write_report(report, out)
    before = sorted(p.name for p in out.iterdir())
    monkeypatch.setattr(plots, "gain_by_group", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(report, out)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(report, tmp_path / "new")
    assert sorted(p.name for p in out.iterdir()) == before and not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "results"]   # no temporary folder left
    monkeypatch.undo()
    write_report(report, out)   # a report replaces a report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "results"]


def test_report_will_not_replace_a_folder_of_other_files(results, tmp_path, capsys):
    from xlt.cli import main

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert main(["report", str(results), "--out", str(tmp_path / "mine")]) == 2
    assert "holds files a report does not write (notes.txt)" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def _bad_file(path, kind: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from xlt.results.rows import SCHEMA

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "truncated":
        pq.write_table(pa.table({"x": list(range(100))}), path)
        path.write_bytes(path.read_bytes()[:-40])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"PAR1 this is not parquet at all" * 10)
    elif kind == "foreign":
        pq.write_table(pa.table({"user": ["a"], "clicks": [3]}), path)
    elif kind == "wrong-typed":
        table = pa.table({f.name: pa.array([None], f.type) for f in SCHEMA})
        pq.write_table(table.set_column(table.schema.get_field_index("value"), "value", pa.array(["high"])), path)


@pytest.mark.parametrize("kind", ["truncated", "empty", "garbage", "foreign", "wrong-typed"])
def test_one_bad_parquet_file_is_named_in_one_line_and_skip_bad_reads_the_rest(results, kind, capsys):
    from xlt.cli import main

    bad = results / "t500" / "target-xnli.parquet"
    _bad_file(bad, kind)
    for command in (["report", str(results)], ["results", "show", str(results)]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("xlt: error: ") and str(bad) in err, err
        assert main([*command, "--skip-bad"]) == 0
        captured = capsys.readouterr()
        assert captured.err.startswith(f"xlt: warning: skipped {bad}") and "mnli" in captured.out


def test_the_report_page_renders_in_headless_chromium(results, tmp_path):
    """What a reader sees: the page shot at 1280 px wide, figures at their size (needs chromium)."""
    from pathlib import Path

    script = Path(__file__).parent.parent / "scripts" / "screenshot_report.py"
    sys.path.insert(0, str(script.parent))
    try:
        from screenshot_report import chromium
    finally:
        sys.path.pop(0)
    if chromium() is None:
        pytest.skip("no chromium (apt-get install chromium)")
    write_report(load_report(str(results)), tmp_path / "out")
    shot = subprocess.run([sys.executable, str(script), str(tmp_path / "out" / "report.html"), str(tmp_path / "page.png"),
                           "--height", "3000"], capture_output=True, text=True, timeout=180)
    assert shot.returncode == 0, shot.stderr
    page = mpimg.imread(tmp_path / "page.png")
    assert page.shape[:2] == (3000, 1280)
    # the heatmap's red and blue reached the screen, not only text on white
    rgb = page[..., :3]
    assert ((rgb[..., 0] - rgb[..., 2]) > 0.3).sum() > 500 and ((rgb[..., 2] - rgb[..., 0]) > 0.3).sum() > 500


def test_pareto_figure_draws_every_complete_trial_and_joins_the_front(results):
    from xlt.objective import Objective
    from xlt.report import search_plots
    from xlt.report.pareto import pareto_points
    from xlt.results.rows import read_results

    objectives = (Objective("mean", "zero_shot"), Objective("worst", "zero_shot", split="test"))
    report = load_report(str(results))
    report.objective_names = tuple(o.name for o in objectives)
    report.pareto = pareto_points(read_results(str(results)).to_pylist(), objectives)
    ax = search_plots.pareto_front(report).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("mean[zero_shot] on dev (%)", "worst[zero_shot] on test (%)")
    assert len(ax.collections[0].get_offsets()) == len(report.pareto)
    front = ax.lines[0].get_xydata()
    assert len(front) == sum(p.on_front for p in report.pareto) and (front[:, 0] <= 100).all() and front[0, 0] > 1


def test_a_configuration_stopped_early_ranks_after_the_complete_ones(tmp_path):
    """A configuration with fewer targets (ASHA stopped it) is not comparable: it is listed after
    the configurations that have every target, unscored, however good its one target looks."""
    root = tmp_path / "results"
    for trial, inter, dev in (("a", "mnli", 0.6), ("b", "none", 0.5)):
        _trial(root, trial, inter, dev, 0.6)
        _trial(root, trial, inter, dev, 0.6, task="pawsx")
    _trial(root, "c", "qqp", 0.95, 0.95)  # xnli only
    report = load_report(str(root))
    assert report.configs == ["mnli", "none", "qqp"] and report.common_tasks == ["pawsx", "xnli"]
    assert "qqp" not in report.dev and "qqp" not in report.xtreme and report.best == "mnli"
