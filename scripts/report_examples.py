"""Write two example sweeps' results and their reports, to look at the report as a reader would.

  small:     a `none` baseline and 4 intermediate tasks, XNLI / PAWS-X / XQuAD, 3 seeds
             (synthetic numbers of realistic size; marked FIXTURE DATA, as they are not real)
  surrogate: 200 mixture configurations, no baseline, backend=surrogate, some trials stopped early

    python scripts/report_examples.py /tmp/report-examples      # then open */report/report.html
"""

import random
import sys
from pathlib import Path

from xlt.languages import LANGUAGES
from xlt.report import load_report, write_report
from xlt.results.rows import ResultRow, write_rows
from xlt.tasks import get_task

BASE = {"xnli": 79.0, "pawsx": 86.0, "xquad": 72.0, "udpos": 72.0}
RESOURCE_DROP = {"high": 0.0, "mid": -5.0, "low": -12.0}


def trial_rows(sweep, trial, inter, mixture, task, seed, gain, rng, backend="ray-train", source="hub"):
    """One trial's rows for one target: English dev, per-language dev (where the task has it) and test."""
    spec = get_task(task)
    base = dict(sweep=sweep, trial_id=trial, intermediate=inter, mixture=mixture, target_task=task, model="xlm-roberta-large",
                learning_rate=1e-5, intermediate_learning_rate=None if inter == "none" else 1e-5, seed=seed, step=1000,
                config_hash=trial, xlt_version="0", n_examples=2000, backend=backend, data_source=source)
    shift = rng.gauss(0, 0.6)   # the seed's shift, shared by the task's languages

    def metrics(score):
        score = max(1.0, min(99.0, score)) / 100
        return {"exact_match": score - 0.13, "f1": score} if spec.metric == "squad" else {spec.primary_metric: score}

    rows = [ResultRow(**base, phase="target", language="en", split="validation", metric=spec.primary_metric,
                      value=(BASE[task] + 8 + gain / 2 + shift) / 100)]
    for lang in spec.languages:
        level = LANGUAGES[lang].resource if lang in LANGUAGES else "mid"
        own = gain * (1.6 if level == "low" else 1.0) if lang != "en" else gain / 3
        score = BASE[task] + (8 if lang == "en" else RESOURCE_DROP[level]) + own + shift + rng.gauss(0, 0.8)
        splits = ["test"] + (["validation"] if "validation" in spec.splits and lang != "en" else [])
        rows += [ResultRow(**base, phase="zero_shot", language=lang, split=split, metric=m,
                           value=v + (rng.gauss(0, 0.004) if split == "validation" else 0))
                 for split in splits for m, v in metrics(score).items()]
    return rows


def small(root: Path) -> Path:
    rng = random.Random(0)
    results = root / "small" / "results"
    gains = {"none": {}, "mnli": {"xnli": 1.2, "pawsx": 0.4, "xquad": -0.5}, "squad_v1": {"xnli": -0.3, "pawsx": 0.1, "xquad": 3.1},
             "qqp": {"xnli": 0.2, "pawsx": 1.8, "xquad": -1.2}, "ccg": {"xnli": -2.5, "pawsx": -1.4, "xquad": -3.8}}
    n = 0
    for inter, by_task in gains.items():
        for seed in (1, 2, 3):
            n += 1
            trial = f"t{n:03d}"
            for task in ("xnli", "pawsx", "xquad"):
                rows = trial_rows("small", trial, inter, {} if inter == "none" else {inter: 1.0}, task, seed,
                                  by_task.get(task, 0.0), rng, source="local")
                write_rows(str(results), trial, f"target-{task}", rows)
    return results


def surrogate(root: Path) -> Path:
    rng = random.Random(1)
    results = root / "surrogate" / "results"
    pool = ["mnli", "squad_v1", "qqp", "ccg", "siqa", "hellaswag"]
    effect = {"mnli": 1.5, "squad_v1": 2.0, "qqp": 0.5, "ccg": -3.0, "siqa": 1.0, "hellaswag": 0.3}
    for n in range(200):
        trial = f"s{n:03d}"
        tasks = rng.sample(pool, rng.choice((2, 3)))
        raw = [rng.random() for _ in tasks]
        mixture = {t: round(w / sum(raw), 3) for t, w in zip(tasks, raw)}
        name = "+".join(f"{t}:{w:g}" for t, w in sorted(mixture.items()))
        gain = sum(effect[t] * w for t, w in mixture.items())
        stopped = rng.random() < 0.3   # ASHA stopped it after its first target
        for task in ("xnli", "udpos", "xquad")[: 1 if stopped else 3]:
            rows = trial_rows("surrogate", trial, name, mixture, task, 1, gain, rng, backend="surrogate")
            write_rows(str(results), trial, f"target-{task}", rows)
    return results


def main(out: str) -> None:
    for make in (small, surrogate):
        results = make(Path(out))
        folder = write_report(load_report(str(results)), results.parent / "report")
        print(f"{results.parent / 'report' / 'report.html'}: {', '.join(folder.values())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/report-examples")
