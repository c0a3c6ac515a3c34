"""`xlt report`: tables, deltas against the baseline, language views and plots from Parquet alone."""

import json
from pathlib import Path

from xlt.report import plots
from xlt.report.pareto import pareto_points
from xlt.report.render import as_json, html, markdown, terminal
from xlt.report.scores import Report, build
from xlt.results import read_results


def load_report(results: str) -> Report:
    """The report of a results directory; a multi-objective sweep (its sweep.json beside the
    results) adds the Pareto front of its objectives."""
    table = read_results(results)
    if table.num_rows == 0:
        raise FileNotFoundError(f"{results}: no result rows")
    rows = table.to_pylist()
    objectives = _sweep_objectives(Path(results).parent)
    tested = [o.name for o in objectives if o.split == "test"]
    report = build(rows, test_objective=", ".join(tested) or None)
    if len(objectives) > 1:
        report.objective_names = tuple(o.name for o in objectives)
        report.pareto = pareto_points(rows, objectives)
    return report


def _sweep_objectives(sweep_root: Path) -> tuple:
    """The objectives of the sweep whose sweep.json sits beside the results; none without one."""
    if not (sweep_root / "sweep.json").is_file():
        return ()
    from xlt.sweep import load_saved_sweep

    return load_saved_sweep(str(sweep_root))[0].search.objectives()


def write_report(report: Report, out: Path, language_task: str | None = None) -> dict[str, str]:
    """Write report.md, report.html, report.json and the PNGs into `out`; returns the figure paths."""
    out.mkdir(parents=True, exist_ok=True)
    figures = {"delta_by_task": plots.delta_by_task(report, out / "delta_by_task.png").name}
    for task in [language_task] if language_task else report.tasks:
        figures[f"language_{task}"] = plots.delta_by_language(report, task, out / f"delta_by_language_{task}.png").name
    if len(report.progress) > 1:
        figures["progress"] = plots.search_progress(report, out / "search_progress.png").name
    if report.mixtures:
        figures["mixtures"] = plots.mixture_weights(report, out / "mixture_weights.png").name
    if report.pareto:
        figures["pareto"] = plots.pareto_front(report, out / "pareto_front.png").name
    text = markdown(report, figures)
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "report.html").write_text(html(text), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(as_json(report, figures), indent=2, default=str), encoding="utf-8")
    return figures


__all__ = ["Report", "as_json", "build", "load_report", "terminal", "write_report"]
