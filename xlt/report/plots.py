"""The report's figures, as PNG files (matplotlib, no display needed)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from xlt.report.scores import Report  # noqa: E402


def _heatmap(values: np.ndarray, rows: list[str], cols: list[str], title: str, path: Path, label: str) -> Path:
    fig, ax = plt.subplots(figsize=(1.2 + 0.8 * len(cols), 1.2 + 0.45 * len(rows)), dpi=110)
    finite = values[np.isfinite(values)]
    bound = max(1e-9, float(np.abs(finite).max())) if finite.size else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    for i in range(len(rows)):
        for j in range(len(cols)):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:+.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label=label)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def delta_by_task(report: Report, path: Path) -> Path:
    configs = [c for c in report.configs if c != report.baseline] or report.configs
    values = np.array([[(report.delta(c, t) if report.baseline else report.cells[(c, t)].score.mean)
                        if (c, t) in report.cells and (report.baseline is None or (report.baseline, t) in report.cells)
                        else np.nan for t in report.tasks] for c in configs], dtype=float)
    label = "delta vs none (points)" if report.baseline else "score"
    return _heatmap(values, configs, report.tasks, "Transfer gain by intermediate configuration", path, label)


def delta_by_language(report: Report, task: str, path: Path) -> Path:
    configs = [c for c in report.configs if (c, task) in report.cells and c != report.baseline] or \
        [c for c in report.configs if (c, task) in report.cells]
    base = report.cells.get((report.baseline, task)) if report.baseline else None
    langs = sorted({l for c in configs for l in report.cells[(c, task)].languages})
    values = np.array([[report.cells[(c, task)].languages.get(l, np.nan) - (base.languages.get(l, np.nan) if base else 0)
                        for c in configs] for l in langs], dtype=float)
    return _heatmap(values, langs, configs, f"{task}: gain by language", path,
                    "delta vs none (points)" if base else "score")


def search_progress(report: Report, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=110)
    scores = [s for _, s in report.progress]
    ax.plot(range(1, len(scores) + 1), scores, "o", alpha=0.5, label="trial")
    ax.plot(range(1, len(scores) + 1), np.maximum.accumulate(scores), "-", label="best so far")
    ax.set_xlabel("trial (in start order)")
    ax.set_ylabel("mean zero-shot score")
    ax.legend()
    ax.set_title("Search progress")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def mixture_weights(report: Report, path: Path) -> Path:
    tasks = sorted({t for weights, _ in report.mixtures for t in weights})
    cols = min(3, len(tasks))
    fig, axes = plt.subplots((len(tasks) + cols - 1) // cols, cols, figsize=(3.2 * cols, 2.6 * ((len(tasks) + cols - 1) // cols)),
                             dpi=110, squeeze=False)
    for ax, task in zip(axes.flat, tasks):
        ax.scatter([w.get(task, 0.0) for w, _ in report.mixtures], [s for _, s in report.mixtures], s=12)
        ax.set_title(task, fontsize=9)
        ax.set_xlabel("weight")
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    axes[0][0].set_ylabel("score")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def pareto_front(report: Report, path: Path) -> Path:
    """The first two objectives of every complete trial, the front joined by a line."""
    fig, ax = plt.subplots(figsize=(5.5, 4), dpi=110)
    x = [100 * p.values[0] for p in report.pareto]
    y = [100 * p.values[1] for p in report.pareto]
    ax.scatter(x, y, s=14, alpha=0.5, label="trial")
    front = sorted((100 * p.values[0], 100 * p.values[1]) for p in report.pareto if p.on_front)
    ax.plot([a for a, _ in front], [b for _, b in front], "o-", color="C3", label="Pareto front")
    ax.set_xlabel(report.objective_names[0])
    ax.set_ylabel(report.objective_names[1])
    ax.legend()
    ax.set_title("Pareto front")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
