"""The report as Markdown (and HTML from it), JSON, or a terminal table. Scores are percent
everywhere, deltas percentage points."""

import re
from statistics import fmean

from xlt.report import robustness
from xlt.report.cells import cell as _cell, diff as _diff, number as _f, stat as _stat
from xlt.report.deltas import SCALE_CAP, SCALE_FLOOR
from xlt.report.scores import Report


def study_lines(report: Report) -> list[str]:
    """The question a research sweep answers, and its answer: each arm minus the control, paired
    over seeds, per task group and language group (Markdown)."""
    if not report.study:
        return []
    st = report.study
    out = ["## The question", "", f"**Hypothesis.** {st['hypothesis'].strip()}", "",
           f"Each arm minus the control `{st['control']}`: zero-shot test points, the mean over a group's target "
           "tasks of the mean over each task's languages in the language group (English excluded), differenced "
           "seed by seed (the same seed on both sides), then averaged over seeds with a 95% confidence interval "
           "(Student's t). An interval that includes 0 does not support a difference.", "",
           "| arm | targets | languages | Δ vs control | targets covered |", "|---|---|---|---|---|"]
    for c in report.comparisons:
        languages = c.languages + (f" without {', '.join(c.without)}" if c.without else "")
        out.append(f"| {_cell(c.arm)} | {c.tasks} | {languages} | {_diff(c.difference)} | "
                   f"{', '.join(c.covered) or '-'} |")
    return out + [""] + robustness.study_lines(report)


def test_objective_note(report: Report) -> str | None:
    """The line a report opens with when the sweep's search read test scores."""
    if not report.test_objective:
        return None
    return (f"WARNING: this sweep's search objective ({report.test_objective}) read zero-shot TEST scores, as its "
            "sweep file asked: the trials it chose were selected on test data. The tables below still "
            "select by dev.")


def data_notes(report: Report) -> list[tuple[str, str]]:
    """(label, sentence) for what produced the rows when it was not training on the benchmarks'
    data: SURROGATE (backend column), FIXTURE DATA (data_source "local")."""
    notes = []
    if report.surrogate:
        notes.append(("SURROGATE", "produced by xlt's response model, not by training."))
    if report.fixture:
        notes.append(("FIXTURE DATA", "from the shipped fixtures (a few examples a language), not the benchmarks' "
                                      "data: the numbers say nothing about transfer."))
    return notes


def _figure(figures: dict[str, str], key: str, alt: str, caption: str = "") -> list[str]:
    if key not in figures:
        return []
    name = figures[key]
    svg = name.removesuffix(".png") + ".svg"
    return ["", f"![{alt}]({name})", "", f"{caption + ' ' if caption else ''}Vector: [{svg}]({svg}).", ""]


def _fold(head: list[str], rows: list[str], top: int) -> list[str]:
    """A table of its first `top` rows; the others in a folded table below it (HTML <details>)."""
    if len(rows) <= top:
        return [*head, *rows]
    return [*head, *rows[:top], "", f'<details markdown="1"><summary>{len(rows) - top} more</summary>', "", *head,
            *rows[top:], "", "</details>", ""]


def markdown(report: Report, figures: dict[str, str], top: int = 20) -> str:
    """The report as Markdown; tables show `top` configurations and fold the others away."""
    out = ["# xlt report", ""]
    if note := test_objective_note(report):
        out = [f"> **{note}**", "", *out]
    out += [line for label, text in data_notes(report) for line in (f"> **{label}** results: {text}", "")]
    out += study_lines(report)
    if not report.configs:
        out += [f"No trial produced zero-shot scores: {len(report.failed)} failed, nothing else to report.", ""]
        return "\n".join(out + _failed(report)) + "\n"
    out += [f"{len(report.configs)} intermediate configurations, target tasks: {', '.join(report.tasks)}. "
            "Scores are percent (QA: (EM+F1)/2 per language). Per task: the zero-shot test mean (English "
            "excluded); XTREME: the mean over the tasks of each task's mean over all its languages, English "
            "included, as XTREME's evaluate.py computes it, with the zero-shot-only mean beside it. "
            "Configurations are ranked, and each cell's target hyper-parameters chosen, by dev scores "
            "(each target language's dev set where the task has one, else English dev), never by test; "
            "± is a 95% confidence interval over seeds."
            + (f" Ran as themselves, text to text (`model.head`, docs/backbones.md): {', '.join(report.text_models)}; "
               "every other model through a pooled head." if report.text_models else ""), ""]
    head = "| rank | intermediate | dev | XTREME | Δ | zero-shot |" + "".join(f" {t} | Δ {t} |" for t in report.tasks)
    rows = []
    for i, c in enumerate(report.configs, 1):
        cells = "".join(f" {_stat(report.cells[(c, t)].score) if (c, t) in report.cells else '-'} |"
                        f" {_f(report.delta(c, t), True)} |" for t in report.tasks)
        rows.append(f"| {i} | {_cell(c)} | {_f(report.dev.get(c))} | {_stat(report.xtreme[c]) if c in report.xtreme else '-'} | "
                    f"{_f(report.delta(c), True)} | {_stat(report.zero_shot[c]) if c in report.zero_shot else '-'} |{cells}")
    out += ["## Ranking", "", *_fold([head, "|" + "---|" * (6 + 2 * len(report.tasks))], rows, top)]
    out += ["", f"XTREME score: mean over {', '.join(report.common_tasks) or 'no common task'}"
            + (f"; Δ against `{report.baseline}`." if report.baseline else "; no `none` baseline in the results."), ""]
    scale = (f"Colours: Δ in points on a symmetric scale centred on 0, ±{SCALE_FLOOR:g} points at least and capped at "
             f"±{SCALE_CAP:g} (larger differences saturate); hatched cells: the 95% CI of the difference (Welch, over "
             "seeds) includes 0. "
             if report.baseline else "No `none` baseline: colours compare each configuration with the sweep's median "
             "configuration (per cell), on a symmetric scale centred on 0; they are not gains. ")
    scale += f"At most the top {top} configurations by dev score, then the median of the others."
    out += _figure(figures, "delta_by_task", "gain by configuration and task", scale)
    out += ["## Best configuration per target task", "", "Chosen by dev score; test score reported.", "",
            "| target | best intermediate (by dev) | dev | test | Δ |", "|---|---|---|---|---|"]
    for task, c in report.best_per_task().items():
        out.append(f"| {task} | {_cell(c)} | {_f(report.cells[(c, task)].dev)} | {_stat(report.cells[(c, task)].score)} | "
                   f"{_f(report.delta(c, task), True)} |")
    out.append("")
    out += robustness.markdown_lines(report)
    if any(d["tasks"] > 1 for d in report.diversity.values()):
        out += ["", "## Mixture diversity", "", "Formats the mixture's tasks cover, and the entropy (nats) of its "
                "normalised weights, against its XTREME score.", ""]
        rows = []
        for c in report.configs:
            d = report.diversity.get(c, {"tasks": 0, "formats": 0, "entropy": 0.0})
            rows.append(f"| {_cell(c)} | {d['tasks']} | {d['formats']} | {d['entropy']:.2f} | "
                        f"{_stat(report.xtreme[c]) if c in report.xtreme else '-'} |")
        out += [*_fold(["| intermediate | tasks | formats | weight entropy | XTREME |", "|---|---|---|---|---|"], rows, top), ""]
    if report.models:
        out += ["## By backbone", "", "Mean zero-shot score per language over each model's intermediate "
                "configurations (percent); Δ against the first model.", ""]
        first = sorted(report.models)[0]
        for task in report.tasks:
            langs = sorted({l for m in report.models.values() for l in m.get(task, {})})
            out += [f"### {task}", "", "| model | mean | " + " | ".join(langs) + " |", "|---|---|" + "---|" * len(langs)]
            for model in sorted(report.models):
                values = report.models[model].get(task, {})
                ref = report.models[first].get(task, {})
                cell = (lambda l: _f(values.get(l)) if model == first or l not in ref or l not in values
                        else f"{values[l]:.2f} ({values[l] - ref[l]:+.2f})")
                mean = fmean(values.values()) if values else None
                out.append(f"| {model} | {_f(mean)} | " + " | ".join(cell(l) for l in langs) + " |")
            out.append("")
    out += ["", "## By resource level", "",
            "Mean zero-shot score over the languages of each resource class (shipped language table).", ""]
    rows = [f"| {_cell(c)} | " + " | ".join(_f(report.resource_groups(c).get(k)) for k in ("high", "mid", "low")) + " |"
            for c in report.configs]
    out += _fold(["| intermediate | high | mid | low |", "|---|---|---|---|"], rows, top)
    out += _figure(figures, "groups", "gain by language resource class and family",
                   "Each point is one zero-shot language of one target task, for the best configurations by dev score.")
    for task in report.tasks:
        configs = [c for c in report.configs if (c, task) in report.cells]
        langs = sorted({l for c in configs for l in report.cells[(c, task)].languages})
        rows = [f"| {_cell(c)} | " + " | ".join(_f(report.cells[(c, task)].languages.get(l)) for l in langs) + " |"
                for c in configs]
        out += ["", f"## {task} by language", "",
                *_fold(["| intermediate | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)], rows, top)]
        out += _figure(figures, f"language_{task}", f"{task} gain by language",
                       "English, the training language, is apart from the zero-shot languages.")
    if "progress" in figures or "mixtures" in figures:
        out += ["", "## Search", "", "The search's objective per trial, as the search saw it (percent). Trials "
                "stopped early (hollow) were scored on the targets they reached only."]
        out += _figure(figures, "progress", "search progress")
        out += _figure(figures, "mixtures", "objective against mixture weights")
    if report.pareto:
        names = report.objective_names
        out += ["", "## Pareto front", "", f"Objectives: {', '.join(f'`{n}`' for n in names)} (percent). Trials on "
                "the front: no other trial is as good on every objective and better on one.", "",
                "| trial | intermediate | " + " | ".join(names) + " | on front |", "|---|---|" + "---|" * (len(names) + 1)]
        out += [f"| {p.trial_id} | {p.intermediate} | " + " | ".join(f"{100 * v:.2f}" for v in p.values)
                + f" | {'yes' if p.on_front else ''} |" for p in report.pareto]
        out += _figure(figures, "pareto", "Pareto front")
    return "\n".join(out + [""] + _failed(report)) + "\n"


def _failed(report: Report) -> list[str]:
    out = ["## Failed trials", ""]
    if not report.failed:
        return [*out, "none"]
    return [*out, "| trial | intermediate | target | error |", "|---|---|---|---|",
            *(f"| {f['trial_id']} | {_cell(f['intermediate'])} | {f['target_task']} | {_cell((f['error'] or '').splitlines()[0][:300])} |"
              for f in report.failed)]


def html(markdown_text: str, widths: dict[str, int] | None = None) -> str:
    """The Markdown as a page; `widths` (image name -> CSS pixels) shows each figure at its
    design size, so its text reads at 100% zoom."""
    import markdown as md

    body = md.markdown(markdown_text, extensions=["tables", "md_in_html"])
    for name, width in (widths or {}).items():
        body = re.sub(rf'(<img alt="[^"]*" src="{re.escape(name)}")', rf'\1 width="{width}"', body)
    return ("<!doctype html><html><head><meta charset='utf-8'><title>xlt report</title><style>"
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;display:block;max-width:100%;overflow-x:auto}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}"
            "img{max-width:100%;height:auto}blockquote{border-left:4px solid #b00020;margin:1em 0;padding:.2em 1em;"
            "background:#fdecee}summary{cursor:pointer;margin:.4em 0;color:#0645ad}</style></head>"
            f"<body>{body}</body></html>")


def as_json(report: Report, figures: dict[str, str]) -> dict:
    stat = lambda s: {"mean": s.mean, "std": s.std, "ci95": s.ci95, "n": s.n}
    return {
        "baseline": report.baseline, "tasks": report.tasks, "xtreme_tasks": report.common_tasks,
        "surrogate": report.surrogate, "test_objective": report.test_objective, "text_models": report.text_models,
        "ranking": [{"intermediate": c, "dev": report.dev.get(c),
                     "xtreme": stat(report.xtreme[c]) if c in report.xtreme else None,
                     "zero_shot": stat(report.zero_shot[c]) if c in report.zero_shot else None,
                     "delta": report.delta(c)} for c in report.configs],
        "cells": [{"intermediate": c, "target": t, "score": stat(cell.score), "delta": report.delta(c, t),
                   "languages": cell.languages, "dev": cell.dev, "trials": cell.trials,
                   "learning_rate": cell.hyper[0], "intermediate_learning_rate": cell.hyper[1]}
                  for (c, t), cell in sorted(report.cells.items())],
        "best_per_task": report.best_per_task(),
        "resource_groups": {c: report.resource_groups(c) for c in report.configs},
        "failed": report.failed, "figures": figures, "diversity": report.diversity, "models": report.models,
        "study": None if not report.study else {
            **report.study, "comparisons": [
                {"arm": c.arm, "targets": c.tasks, "languages": c.languages, "without": list(c.without),
                 "covered": list(c.covered), "difference": stat(c.difference) if c.difference else None}
                for c in report.comparisons]},
        "robustness": robustness.as_json(report),
        "pareto": {"objectives": list(report.objective_names),
                   "trials": [{"trial_id": p.trial_id, "intermediate": p.intermediate, "values": list(p.values),
                               "on_front": p.on_front} for p in report.pareto]},
    }


def terminal(report: Report, top: int | None = None) -> str:
    """The ranking as a table (percent), opening with the report's warnings (test objective,
    SURROGATE, FIXTURE DATA); `top`: at most that many configurations, then a line counting the rest."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    notes = [f"{label} results: {text}" for label, text in data_notes(report)]
    marks = " + ".join(label for label, _ in data_notes(report))
    table = Table(title=(f"[{marks}] " if marks else "") +
                  "xlt report: zero-shot test score by intermediate configuration (percent), ranked by dev")
    for col in ("rank", "intermediate", "dev", "XTREME", "Δ", "zero-shot", *report.tasks):
        table.add_column(col, justify="right" if col not in ("intermediate",) else "left")
    shown = report.configs[:top] if top else report.configs
    for i, c in enumerate(shown, 1):
        table.add_row(str(i), c, _f(report.dev.get(c)), _stat(report.xtreme[c]) if c in report.xtreme else "-",
                      _f(report.delta(c), True), _stat(report.zero_shot[c]) if c in report.zero_shot else "-",
                      *[f"{report.cells[(c, t)].score.mean:.2f}" if (c, t) in report.cells else "-" for t in report.tasks])
    buf = StringIO()
    for note in [test_objective_note(report), *notes]:
        if note:
            buf.write(note + "\n")
    if report.study:
        question = Table(title=f"the question: {report.study['hypothesis'].strip()}\n"
                               f"arm minus control `{report.study['control']}`, paired over seeds (points, 95% CI)")
        for col in ("arm", "targets", "languages", "Δ vs control", "targets covered"):
            question.add_column(col, justify="left")
        for c in report.comparisons:
            question.add_row(c.arm, c.tasks, c.languages + (f" without {', '.join(c.without)}" if c.without else ""),
                             _diff(c.difference), ", ".join(c.covered) or "-")
        Console(file=buf, width=160).print(question)
    for perturbed in robustness.terminal_tables(report):
        Console(file=buf, width=160).print(perturbed)
    if report.configs:
        Console(file=buf, width=160).print(table)
    else:
        buf.write("no trial produced zero-shot scores\n")
    if len(shown) < len(report.configs):
        buf.write(f"{len(report.configs) - len(shown)} more configuration(s) below rank {len(shown)} (--top N shows "
                  "more; report.md and --format json list all)\n")
    if report.failed:
        buf.write(f"{len(report.failed)} failed trial(s): " + ", ".join(f["trial_id"] for f in report.failed) + "\n")
    return buf.getvalue()


def best_vs_baseline(report: Report) -> str:
    """Per target task and language: the best configuration (by dev; the report's first) against
    the `none` baseline, test scores in percent."""
    best = report.best
    notes = [n for n in (test_objective_note(report), *(f"{label} results: {text}" for label, text in data_notes(report)))
             if n]
    if best is None:
        return "\n".join([*notes, "no zero-shot results yet"])
    base = report.baseline
    lines = notes
    lines += [f"best intermediate configuration by dev score: {best} (dev {_f(report.dev.get(best))}, XTREME "
              f"{_stat(report.xtreme[best]) if best in report.xtreme else '-'}); {len(report.configs)} configurations",
              f"baseline: {base} (dev {_f(report.dev.get(base))}, XTREME "
              f"{_stat(report.xtreme[base]) if base in report.xtreme else '-'})" if base
              else "baseline: none run (add `none` to intermediate.tasks)",
              "test scores in percent"]
    for task in report.tasks:
        cell = report.cells.get((best, task))
        if cell is None:
            continue
        ref = report.cells.get((base, task)) if base else None
        lines += ["", f"{task:<10}{'best':>8}{'baseline':>10}{'delta':>8}"]
        for lang, value in cell.languages.items():
            b = ref.languages.get(lang) if ref else None
            lines.append(f"{lang:<10}{value:8.2f}" + (f"{b:10.2f}{value - b:+8.2f}" if b is not None else f"{'-':>10}"))
    return "\n".join(lines)
