"""The report's figures (matplotlib, no display): transfer deltas by task and by language, gains
by language group, and what every figure shares: the house style, the symmetric capped colour
scale, the SURROGATE / FIXTURE DATA stamp, and saving as PNG plus SVG.

Every figure function returns a matplotlib Figure (or None when there is nothing to draw);
`save` writes it and closes it. Figures are at most WIDTH inches wide: the HTML page shows them
at 100 px an inch (PNGs are written at 2x for sharpness), so they read at 100% zoom.
"""

import functools
import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import Normalize, to_rgb  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from xlt.report.deltas import (MEDIAN, RESOURCE_ORDER, SCALE_CAP, SCALE_FLOOR, Matrix, compared,  # noqa: E402
                               group_gains, language_matrices, task_matrix)
from xlt.report.scores import Report  # noqa: E402

WIDTH = 10.4          # inches: the HTML page's column at 100 px an inch
DISPLAY_DPI = 100     # how the HTML page shows a figure
PNG_DPI = 200
LABEL_CHARS = 34      # configuration names longer than this are shortened in the middle
STYLE = {"font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
         "legend.fontsize": 9, "figure.titlesize": 12, "svg.fonttype": "none", "axes.spines.top": False,
         "axes.spines.right": False}
SURROGATE = "SURROGATE: response-model scores, not training"
FIXTURE = "FIXTURE DATA: shipped fixtures, not the benchmark"


def styled(draw):
    """Run a figure function in the house style (rcParams are read as artists are made)."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with plt.rc_context(STYLE):
            return draw(*args, **kwargs)
    return wrapper


def stamps(report: Report) -> list[str]:
    """The warnings every figure of this report carries."""
    return [s for s, on in ((SURROGATE, report.surrogate), (FIXTURE, report.fixture)) if on]


def figure(report: Report, title: str, size: tuple[float, float], **kw) -> tuple[plt.Figure, object]:
    """A figure (call it under `styled`), at most WIDTH wide, with its title (wrapped to fit) and its
    stamps (a red line above the title) inside its bounds."""
    fig, axes = plt.subplots(figsize=(min(WIDTH, size[0]), size[1]), layout="constrained", **kw)
    marks = stamps(report)
    lines = textwrap.wrap(title, max(30, int(fig.get_figwidth() * 11)))   # ~11 bold 12 pt characters an inch
    # the stamp sits on a line of its own that the title leaves blank, so the layout makes room for both
    fig.suptitle("\n".join([" "] * bool(marks) + lines), x=0.01, ha="left", fontsize=12, fontweight="bold",
                 linespacing=1.5)
    if marks:
        fig.text(0.01, 0.995, "  |  ".join(marks), ha="left", va="top", fontsize=9.5, fontweight="bold", color="white",
                 bbox={"facecolor": "#b00020", "edgecolor": "none", "pad": 2})
    return fig, axes


def save(fig: plt.Figure, out: Path, stem: str) -> str:
    """Write `stem`.png (PNG_DPI) and `stem`.svg (text kept as text) into `out`, close the
    figure; returns the PNG's name."""
    with plt.rc_context(STYLE):
        for suffix, dpi in (("png", PNG_DPI), ("svg", None)):
            fig.savefig(out / f"{stem}.{suffix}", dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    plt.close(fig)
    return f"{stem}.png"


def diverging_bound(values: np.ndarray) -> float:
    """The colour scale's half-range for deltas: the 95th percentile of |delta| rounded up to
    5, 10, 15 or 20 points; at least SCALE_FLOOR, at most SCALE_CAP."""
    finite = np.abs(values[np.isfinite(values)])
    if not finite.size:
        return SCALE_FLOOR
    return float(min(SCALE_CAP, max(SCALE_FLOOR, 5 * math.ceil(np.percentile(finite, 95) / 5))))


def text_colour(rgb) -> str:
    """Black or white, whichever contrasts more with `rgb` (WCAG relative luminance)."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(rgb)]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else "black"


def short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars // 2 - 1] + "…" + label[-(chars - chars // 2):]


def scale(matrix: Matrix):
    """(colour map, norm, colour-bar label): diverging, symmetric about 0, capped (diverging_bound)."""
    bound = diverging_bound(matrix.values)
    return plt.get_cmap("RdBu"), Normalize(-bound, bound), f"Δ zero-shot test score vs {matrix.reference} (points)"


def draw(ax, matrix: Matrix, cmap, norm, annotate: bool):
    """Draw `matrix` on `ax`: cells coloured, values written in a contrasting colour, cells whose
    CI includes 0 hatched, summary rows set apart. Returns the image."""
    image = ax.imshow(np.ma.masked_invalid(matrix.values), cmap=cmap.with_extremes(bad="#e8e8e8"), norm=norm,
                      aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(matrix.cols)), matrix.cols, rotation=0 if annotate else 90)  # narrow cells: upright
    ax.set_yticks(range(len(matrix.rows)), [short(r) for r in matrix.rows])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    uncertain = matrix.crosses_zero()
    for i, j in np.ndindex(matrix.values.shape):
        v = matrix.values[i, j]
        if not math.isfinite(v):
            continue
        if uncertain[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#00000040", lw=0))
        if annotate:
            ax.text(j, i, f"{v:+.1f}", ha="center", va="center", fontsize=8.5,
                    color=text_colour(cmap(norm(v))), fontweight="normal" if uncertain[i, j] else "bold")
    if matrix.summarised:
        ax.axhline(len(matrix.rows) - matrix.summarised - 0.5, color="black", lw=1.5)
        for label in ax.get_yticklabels()[-matrix.summarised:]:
            label.set_fontstyle("italic")
    return image


def _label_width(labels: list[str]) -> float:
    """Inches the row labels and the axis label take (9 pt: ~0.085 in a character)."""
    return 0.6 + 0.085 * max((len(short(r)) for r in labels), default=0)


def _cell_width(cols: float, labels: list[str]) -> float:
    """Inches a column gets: what the figure's width leaves beside the row labels, within limits."""
    return max(0.16, min(0.62, (WIDTH - 0.3 - _label_width(labels)) / max(cols, 1)))


def _heatmap_width(cols: float, labels: list[str]) -> float:
    return max(6.0, min(WIDTH, _label_width(labels) + 0.3 + _cell_width(cols, labels) * cols))


def _annotated(cell: float) -> bool:
    return cell >= 0.4      # "+12.3" at 8.5 pt


def _legend(fig, matrix: Matrix) -> None:
    handles = [Patch(facecolor="#e8e8e8", label="no score (not run, or stopped before this target)")] \
        if np.isnan(matrix.values).any() else []
    if matrix.crosses_zero().any():
        handles.append(Patch(facecolor="white", edgecolor="#00000060", hatch="//",
                             label="95% CI of the difference includes 0"))
    if handles:
        fig.legend(handles=handles, loc="outside lower left", frameon=False, ncols=1)


def _colorbar(fig, image, axes, label: str, width: float) -> None:
    """A horizontal colour bar under `axes` (`width` inches wide), ticks every quarter of the range."""
    bound = image.norm.vmax
    bar = fig.colorbar(image, ax=axes, label=label, extend="both", location="bottom",
                       shrink=0.6 if width > 5 else 0.95, aspect=35 if width > 5 else 20, pad=0.01,
                       ticks=np.linspace(-bound, bound, 5))
    bar.ax.set_xticklabels([f"{t:+g}" if t else "0" for t in np.linspace(-bound, bound, 5)])
    bar.ax.tick_params(labelsize=9)


def _row_label(ax, matrix: Matrix) -> None:
    if len(matrix.rows) >= 10:   # a shorter axis cannot hold the label
        ax.set_ylabel("intermediate configuration (rank by dev score)")


def _title(matrix: Matrix, what: str) -> str:
    if matrix.reference == MEDIAN:
        return f"{what}: zero-shot test score against the sweep's median configuration (no none baseline)"
    return f"{what}: zero-shot gain over no intermediate task"


@styled
def delta_by_task(report: Report, top: int) -> plt.Figure | None:
    """Configuration x target task (and the mean over the common tasks): deltas against `none`,
    else against the median configuration; the top `top` configurations by dev score, then the
    others' median. Column labels carry the reference's score."""
    matrix = task_matrix(report, top)
    if not matrix.rows:
        return None
    cell = _cell_width(len(matrix.cols), matrix.rows)
    fig, ax = figure(report, _title(matrix, "By target task"),
                     (_heatmap_width(len(matrix.cols), matrix.rows), 2.0 + 0.3 * len(matrix.rows)))
    cmap, norm, label = scale(matrix)
    image = draw(ax, matrix, cmap, norm, annotate=_annotated(cell))
    ref = "none" if matrix.reference != MEDIAN else "median"
    ax.set_xticks(range(len(matrix.cols)), [f"{c}\n({ref} {v:.1f})" if math.isfinite(v) else c
                                            for c, v in zip(matrix.cols, matrix.reference_values)], rotation=0)
    ax.xaxis.tick_top()
    _row_label(ax, matrix)
    _colorbar(fig, image, ax, label, cell * len(matrix.cols))
    _legend(fig, matrix)
    return fig


@styled
def delta_by_language(report: Report, task: str, top: int) -> plt.Figure | None:
    """One target task, configuration x language: the zero-shot languages grouped by resource
    class, the training language (English) in a panel of its own; deltas as `delta_by_task`."""
    zero, train = language_matrices(report, task, top)
    if zero is None or not zero.rows:
        return None
    cols = len(zero.cols) + (1.6 if train else 0)
    cell = _cell_width(cols, zero.rows)
    ratios = [len(zero.cols), 1.6] if train else [len(zero.cols)]
    fig, axes = figure(report, _title(zero, task), (_heatmap_width(cols, zero.rows), 2.4 + 0.3 * len(zero.rows)),
                       ncols=len(ratios), sharey=True, gridspec_kw={"width_ratios": ratios}, squeeze=False)
    axes = list(axes[0])
    both = np.concatenate([zero.values, train.values], axis=1) if train else zero.values
    cmap, norm, label = scale(Matrix(both, both, [], [], zero.reference))
    image = draw(axes[0], zero, cmap, norm, annotate=_annotated(cell))
    _resource_groups(axes[0], zero)
    axes[0].set_xlabel("zero-shot languages, by resource class")
    _row_label(axes[0], zero)
    if train:
        draw(axes[1], train, cmap, norm, annotate=True)
        axes[1].set_title("training language,\nnot zero-shot", fontsize=9, color="#444444")
    _colorbar(fig, image, axes, label, cell * cols)
    _legend(fig, zero)
    return fig


def _resource_groups(ax, matrix: Matrix) -> None:
    """Resource class names over their languages, with a gap line between classes."""
    spans: list[list] = []
    for j, group in enumerate(matrix.groups):
        if spans and spans[-1][0] == group:
            spans[-1][2] = j
        else:
            spans.append([group, j, j])
    top = ax.secondary_xaxis("top")
    top.set_xticks([(a + b) / 2 for _, a, b in spans], [g for g, _, _ in spans], fontsize=9)
    top.tick_params(length=0)
    top.spines["top"].set_visible(False)
    for _, a, _ in spans[1:]:
        ax.axvline(a - 0.5, color="white", lw=3)


@styled
def gain_by_group(report: Report, configs: int = 3) -> plt.Figure | None:
    """Per-language gains (zero-shot languages of every task) of the best `configs` configurations
    by dev score, one box per language resource class and per language family, points on top."""
    shown, base = compared(report)
    shown = shown[:configs]
    data = {key: {c: group_gains(report, c, key) for c in shown} for key in ("resource", "family")}
    if not any(g for by in data.values() for g in by.values()):
        return None
    families = sorted({f for g in data["family"].values() for f in g},
                      key=lambda f: (-max(len(g.get(f, ())) for g in data["family"].values()), f))
    title = ("By language group: zero-shot gain over no intermediate task" if base else
             "By language group: zero-shot test score against the sweep's median configuration (no none baseline)")
    fig, axes = figure(report, title, (WIDTH, 4.2), ncols=2,
                       gridspec_kw={"width_ratios": [max(3, len(RESOURCE_ORDER)), max(3, len(families))]})
    for ax, key, groups in ((axes[0], "resource", list(RESOURCE_ORDER)), (axes[1], "family", families)):
        width = 0.8 / len(shown)
        rng = np.random.default_rng(0)
        for k, c in enumerate(shown):
            offsets = [g + (k - (len(shown) - 1) / 2) * width for g in range(len(groups))]
            values = [[v for _, v in data[key][c].get(name, [])] for name in groups]
            present = [(o, v) for o, v in zip(offsets, values) if v]
            if not present:
                continue
            ax.boxplot([v for _, v in present], positions=[o for o, _ in present], widths=width * 0.8,
                       showfliers=False, patch_artist=True, boxprops={"facecolor": f"C{k}", "alpha": 0.35},
                       medianprops={"color": f"C{k}"}, manage_ticks=False)
            for o, v in present:
                ax.scatter(o + rng.uniform(-width / 4, width / 4, len(v)), v, s=9, color=f"C{k}", zorder=3,
                           label=short(f"#{k + 1} {c}") if o == present[0][0] else None)
        counts = [max(len(data[key][c].get(name, [])) for c in shown) for name in groups]
        ax.set_xticks(range(len(groups)), [f"{g}\n(n={n})" for g, n in zip(groups, counts)],
                      rotation=30 if key == "family" and len(groups) > 5 else 0,
                      ha="right" if key == "family" and len(groups) > 5 else "center")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("resource class (Joshi et al. 2020)" if key == "resource" else "language family")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(f"Δ zero-shot test score vs {base or MEDIAN} (points)" if base else
                       "Δ zero-shot test score vs the\nmedian configuration (points)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=len(shown), frameon=False,
               title="configuration (rank by dev score); n = task-language pairs")
    return fig
