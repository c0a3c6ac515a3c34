"""Per-language tables read from the Parquet results: the best trial against the baseline."""

from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

from xlt.objective import Objective, objective
from xlt.tasks import NO_INTERMEDIATE, get_task


@dataclass(frozen=True)
class TrialScore:
    trial_id: str
    intermediate: str
    objective: float
    scores: dict[str, dict[str, float]]  # task -> language -> value


def trial_scores(table: pa.Table, name: "str | Objective" = "zero_shot_mean") -> list[TrialScore]:
    """One entry per complete trial, best first. A trial whose target tasks are a strict subset
    of another trial's (stopped by a scheduler, or still running) is left out: its objective
    over fewer targets is not comparable."""
    scores: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    inter: dict[str, str] = {}
    primary = {}
    for r in table.select(["trial_id", "phase", "intermediate", "target_task", "language", "metric", "value"]).to_pylist():
        if r["phase"] != "zero_shot":
            continue
        if r["target_task"] not in primary:
            primary[r["target_task"]] = get_task(r["target_task"]).primary_metric
        if r["metric"] == primary[r["target_task"]]:  # what the trial's objective used
            scores[r["trial_id"]][r["target_task"]][r["language"]] = r["value"]
            inter[r["trial_id"]] = r["intermediate"]
    complete = {t: s for t, s in scores.items() if not any(set(s) < set(o) for o in scores.values())}
    out = [TrialScore(t, inter[t], objective(name, s), {k: dict(v) for k, v in s.items()}) for t, s in complete.items()]
    return sorted(out, key=lambda s: (-s.objective, s.trial_id))


def best_vs_baseline(table: pa.Table, name: "str | Objective" = "zero_shot_mean") -> str:
    """Text table: per target task and language, the best trial, the best baseline, the delta."""
    ranked = trial_scores(table, name)
    if not ranked:
        return "no zero-shot results yet"
    base = next((s for s in ranked if s.intermediate == NO_INTERMEDIATE), None)
    # Compare the best trial that used an intermediate task with the best baseline.
    best = next((s for s in ranked if s.intermediate != NO_INTERMEDIATE), ranked[0])
    lines = [f"best overall: trial {ranked[0].trial_id} (intermediate={ranked[0].intermediate}, "
             f"objective {ranked[0].objective:.4f}), {len(ranked)} complete trials",
             f"best       {best.trial_id} (intermediate={best.intermediate}, objective {best.objective:.4f})",
             f"baseline   {base.trial_id} (intermediate=none, objective {base.objective:.4f})" if base
             else "baseline   none run (add `none` to intermediate.tasks)"]
    for task, by_lang in sorted(best.scores.items()):
        lines.append("")
        lines.append(f"{task:<10}{'best':>8}{'baseline':>10}{'delta':>8}")
        for lang in sorted(by_lang):
            b = base.scores.get(task, {}).get(lang) if base else None
            base_cell = f"{b:10.3f}" if b is not None else f"{'-':>10}"
            delta = f"{by_lang[lang] - b:+8.3f}" if b is not None else ""
            lines.append(f"{lang:<10}{by_lang[lang]:8.3f}{base_cell}{delta}")
    return "\n".join(lines)
