"""The search's figures: the objective over trials, the objective against mixture weights, and
the Pareto front of a multi-objective sweep. Trials stopped early (ASHA) are drawn apart from
finished ones: their objective covers only the targets they reached.

Each function returns a Figure (None when there is nothing to draw); `plots.save` writes it.
"""

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from xlt.report.plots import WIDTH, figure, styled
from xlt.report.scores import Report

FINISHED = {"marker": "o", "s": 22, "color": "C0", "alpha": 0.8, "label": "finished trial"}
STOPPED = {"marker": "o", "s": 22, "facecolors": "none", "edgecolors": "#888888", "label": "stopped early (partial)"}


def objective_label(name: str) -> str:
    """An objective's axis label with its split and unit, e.g. `mean[zero_shot] on dev (%)`."""
    return f"{name.removesuffix('@test')} on {'test' if name.endswith('@test') else 'dev'} (%)"


@styled
def search_progress(report: Report) -> "object | None":
    """The objective of each trial in start order (integer trial numbers), finished and
    stopped-early trials apart, and the best finished trial so far."""
    points = [(i, p) for i, p in enumerate(report.trials, 1) if math.isfinite(p.objective)]
    if len(points) < 2:
        return None
    fig, ax = figure(report, "Search progress: the objective of each trial", (7.5, 3.6))
    for style, complete in ((FINISHED, True), (STOPPED, False)):
        xs = [(i, p.objective) for i, p in points if p.complete == complete]
        if xs:
            ax.scatter(*zip(*xs), zorder=3, **style)
    done = [(i, p.objective) for i, p in points if p.complete]
    if done:
        best = np.maximum.accumulate([v for _, v in done])
        ax.step([i for i, _ in done] + [len(report.trials)], [*best, best[-1]], where="post", color="C3",
                label="best finished so far")
    ax.set_xlim(0.5, len(report.trials) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel("trial (in start order)")
    ax.set_ylabel(objective_label(report.objective_name))
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, frameon=False)
    return fig


@styled
def mixture_weights(report: Report) -> "object | None":
    """For a mixture search, the objective against each intermediate task's weight in the
    trial's mixture, finished and stopped-early trials apart, the best finished trial starred."""
    mixed = [p for p in report.trials if len(p.mixture) > 1 and math.isfinite(p.objective)]
    if not mixed:
        return None
    tasks = sorted({t for p in mixed for t in p.mixture})
    cols = min(4, len(tasks))
    rows = math.ceil(len(tasks) / cols)
    fig, axes = figure(report, "Objective against mixture weights", (min(WIDTH, 2.6 * cols + 0.6), 0.8 + 2.4 * rows),
                       nrows=rows, ncols=cols, squeeze=False, sharey=True)
    finished = [p for p in mixed if p.complete]
    best = max(finished, key=lambda p: p.objective) if finished else None
    for ax, task in zip(axes.flat, tasks):
        for style, complete in ((FINISHED, True), (STOPPED, False)):
            xs = [(p.mixture.get(task, 0.0), p.objective) for p in mixed if p.complete == complete]
            if xs:
                ax.scatter(*zip(*xs), **style)
        if best:
            ax.scatter([best.mixture.get(task, 0.0)], [best.objective], marker="*", s=120, color="C3", zorder=4,
                       label="best finished trial")
        ax.set_title(task)
        ax.set_xlim(-0.05, 1.05)
        ax.set_xlabel("weight in the mixture")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel(objective_label(report.objective_name))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    return fig


@styled
def pareto_front(report: Report) -> "object | None":
    """The first two objectives of every complete trial (percent), the front joined by a line."""
    if not report.pareto or len(report.objective_names) < 2:
        return None
    fig, ax = figure(report, "Pareto front of the search's objectives", (6.0, 4.4))
    ax.scatter([100 * p.values[0] for p in report.pareto], [100 * p.values[1] for p in report.pareto], s=16,
               alpha=0.5, label="finished trial")
    front = sorted((100 * p.values[0], 100 * p.values[1]) for p in report.pareto if p.on_front)
    ax.plot([a for a, _ in front], [b for _, b in front], "o-", color="C3", label="Pareto front")
    ax.set_xlabel(objective_label(report.objective_names[0]))
    ax.set_ylabel(objective_label(report.objective_names[1]))
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
