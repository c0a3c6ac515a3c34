"""`xlt report`: tables, deltas against the baseline, language views and plots from Parquet alone."""

import json
import shutil
import struct
import tempfile
import uuid
from pathlib import Path

from xlt.report import plots, search_plots
from xlt.report.pareto import pareto_points
from xlt.report.robustness import compare_robustness, robustness_cells
from xlt.report.render import as_json, html, markdown, terminal
from xlt.report.scores import Report, build
from xlt.results.rows import read_results

TOP = 20
"""Configurations a figure shows by default; the others are summarised by their median."""
REPORT_FILES = ("report.md", "report.html", "report.json")


def load_report(results: str, skip_bad: bool = False) -> Report:
    """The report of a results directory; a multi-objective sweep (its sweep.json beside the
    results) adds the Pareto front of its objectives. Raises FileNotFoundError without rows and
    xlt.results.ResultsFileError on a bad file (`skip_bad`: warn and read the others)."""
    table = read_results(results, skip_bad=skip_bad)
    if table.num_rows == 0:
        raise FileNotFoundError(f"{results}: no result rows")
    rows = table.to_pylist()
    cfg = _saved_sweep(Path(results).parent)
    objectives = cfg.objectives() if cfg else ()
    tested = [o.name for o in objectives if o.split == "test"]
    report = build(rows, test_objective=", ".join(tested) or None, objective=objectives[0] if objectives else None)
    report.robustness = robustness_cells(rows, report.cells)
    if cfg is not None and cfg.robustness is not None:
        report.robustness_declared = cfg.robustness.model_dump()
    if len(objectives) > 1:
        report.objective_names = tuple(o.name for o in objectives)
        report.pareto = pareto_points(rows, objectives)
    if cfg is not None and cfg.study is not None:
        from xlt.report.study import arm_pairs, compare
        from xlt.trial.expand import trial_mixture

        names = {cfg.study.control, *(cfg.study.arms or []), *cfg.intermediate.names}
        # results record a named mixture by its canonical form (`mnli:0.500+qqp:0.500@uniform`)
        labels = {n: (m.canonical if (m := trial_mixture(cfg, {"intermediate_task": n})) else n) for n in names}
        report.study = cfg.study.model_dump()
        report.comparisons = compare(report, report.study, cfg.languages.groups, labels)
        report.robustness_comparisons = compare_robustness(report.robustness, arm_pairs(report.configs, report.study, labels))
    return report


def _saved_sweep(sweep_root: Path):
    """The config of the sweep whose sweep.json sits beside the results; None without one."""
    if not (sweep_root / "sweep.json").is_file():
        return None
    from xlt.results.sweep_dir import load_saved_sweep

    return load_saved_sweep(str(sweep_root))[0]


def write_report(report: Report, out: Path, language_task: str | None = None, top: int = TOP) -> dict[str, str]:
    """Write report.md, report.html, report.json and each figure as PNG and SVG into `out`;
    returns figure key -> PNG name. Figures show the `top` configurations by dev score and the
    others' median. The report is built in a temporary folder beside `out` and renamed into
    place, replacing a previous report there: a failure leaves `out` as it was. Raises
    FileExistsError when `out` holds files a report does not write."""
    out = Path(out)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        tmp.chmod(0o755)
        figures = _write_figures(report, tmp, language_task, top)
        widths = {name: _png_width(tmp / name) * plots.DISPLAY_DPI // plots.PNG_DPI for name in figures.values()}
        text = markdown(report, figures, top)
        (tmp / "report.md").write_text(text, encoding="utf-8")
        (tmp / "report.html").write_text(html(text, widths), encoding="utf-8")
        (tmp / "report.json").write_text(json.dumps(as_json(report, figures), indent=2, default=str), encoding="utf-8")
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return figures


def _write_figures(report: Report, out: Path, language_task: str | None, top: int) -> dict[str, str]:
    drawn = {"delta_by_task": ("delta_by_task", lambda: plots.delta_by_task(report, top))}
    for task in [language_task] if language_task else report.tasks:
        drawn[f"language_{task}"] = (f"delta_by_language_{task}", lambda t=task: plots.delta_by_language(report, t, top))
    drawn["groups"] = ("gain_by_language_group", lambda: plots.gain_by_group(report))
    drawn["progress"] = ("search_progress", lambda: search_plots.search_progress(report))
    drawn["mixtures"] = ("mixture_weights", lambda: search_plots.mixture_weights(report))
    drawn["pareto"] = ("pareto_front", lambda: search_plots.pareto_front(report))
    return {key: plots.save(fig, out, stem) for key, (stem, draw) in drawn.items() if (fig := draw()) is not None}


def _check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a folder")
    foreign = [p.name for p in out.iterdir()
               if not (p.is_file() and (p.name in REPORT_FILES or p.suffix in (".png", ".svg")))]
    if foreign:
        raise FileExistsError(f"{out}: holds files a report does not write ({', '.join(sorted(foreign)[:3])}); "
                              "choose a new or empty folder")


def _replace(tmp: Path, out: Path) -> None:
    """Rename `tmp` to `out`; a previous `out` is moved aside first and deleted after."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.with_name(f".{out.name}.{uuid.uuid4().hex}.old")
    out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _png_width(path: Path) -> int:
    with open(path, "rb") as f:
        return struct.unpack(">I", f.read(24)[16:20])[0]


__all__ = ["Report", "TOP", "as_json", "build", "load_report", "terminal", "write_report"]
