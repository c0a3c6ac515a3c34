"""The comparison a research-question sweep names (`study:` in its file), computed from the
report's cells: each arm against the control as a paired difference over seeds.

For a seed both configurations ran, the difference is the mean over the group's target tasks of
the mean over the task's languages in the language group (English never counts; a task without
any is left out of that row) of arm minus control, test scores in percent. The row reports the
mean of those per-seed differences, its 95% confidence interval (Student's t over the seeds) and
the number of seeds; `without` rows leave an arm's own languages out (translate-train).
"""

from dataclasses import dataclass
from statistics import fmean

from xlt.languages import LANGUAGES
from xlt.report.scores import Report, Stat


@dataclass(frozen=True)
class Comparison:
    arm: str
    tasks: str                 # "all targets" or a task group's name
    languages: str             # a language group's name
    without: tuple[str, ...]   # the arm's own languages left out, or ()
    difference: Stat | None    # points, paired over seeds; None: no seed or no language in common
    covered: tuple[str, ...]   # the target tasks that had languages in the group


def group_languages(group: str, own_groups: dict[str, list[str]]) -> set[str] | None:
    """The codes of a language group (None: every zero-shot language, for `zero_shot`/`all`)."""
    if group in own_groups:
        return set(own_groups[group])
    if group in ("zero_shot", "all"):
        return None
    return {code for code, lang in LANGUAGES.items() if lang.resource == group}


def arm_pairs(configs: list[str], study: dict, labels: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(arm as shown, arm as the results record it, its control as recorded) for every arm of the
    study; a backbone comparison (configurations `model | intermediate`) pairs each model's arms
    with its own control. `labels` maps the study's names to what the results record (a named
    mixture's canonical form)."""
    labels = labels or {}
    models = sorted({c.split(" | ")[0] for c in configs if " | " in c}) or [None]
    recorded = lambda name: labels.get(name, name)  # noqa: E731
    label = lambda m, name: recorded(name) if m is None else f"{m} | {recorded(name)}"  # noqa: E731
    named = {v: k for k, v in labels.items()}
    plain = {named.get(c.split(" | ")[-1], c.split(" | ")[-1]) for c in configs}
    arms = study.get("arms") or sorted(plain - {study["control"]})
    return [(arm if m is None else f"{m} | {arm}", label(m, arm), label(m, study["control"]))
            for m in models for arm in arms]


def compare(report: Report, study: dict, own_groups: dict[str, list[str]] | None = None,
            labels: dict[str, str] | None = None) -> list[Comparison]:
    """Every (arm, task group, language group[, without own languages]) row of the study. `labels`
    maps the study's names to what the results record (a named mixture's canonical form)."""
    own_groups = own_groups or {}
    task_groups = {"all targets": report.tasks, **study.get("task_groups", {})}
    out = []
    for shown, arm, control in arm_pairs(report.configs, study, labels):
        own = set(study.get("without_own_language", {}).get(shown.split(" | ")[-1], ()))
        for tasks_name, tasks in task_groups.items():
            for group in study.get("language_groups") or ["zero_shot"]:
                languages = group_languages(group, own_groups)
                # the row without the arm's own languages, where that leaves some and changes the group
                changes = own and (languages is None or (languages & own and languages - own))
                for without in [()] + ([tuple(sorted(own))] if changes else []):
                    diff, covered = _paired(report, arm, control, tasks, languages, set(without))
                    out.append(Comparison(shown, tasks_name, group, without, diff, covered))
    return out


def _paired(report: Report, arm: str, control: str, tasks: list[str], languages: set[str] | None,
            without: set[str]) -> tuple[Stat | None, tuple[str, ...]]:
    per_seed: dict[int, list[float]] = {}
    covered = []
    for task in tasks:
        a, c = report.cells.get((arm, task)), report.cells.get((control, task))
        if a is None or c is None:
            continue
        seeds = sorted(set(a.languages_by_seed) & set(c.languages_by_seed))
        used = False
        for seed in seeds:
            la, lc = a.languages_by_seed[seed], c.languages_by_seed[seed]
            codes = [l for l in la if l in lc and l != "en" and l not in without and (languages is None or l in languages)]
            if codes:
                per_seed.setdefault(seed, []).append(fmean(la[l] - lc[l] for l in codes))
                used = True
        if used:
            covered.append(task)
    # a seed counts when every covered task has it: each difference then averages the same tasks
    complete = [fmean(v) for v in per_seed.values() if len(v) == len(covered)]
    return (Stat.of(complete) if complete else None), tuple(covered)
