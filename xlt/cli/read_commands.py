"""`xlt results show`, `xlt report`, `xlt score`, `xlt tasks list | show`: reading results and the registry."""

import json
import sys
from pathlib import Path

from xlt.cli.errors import usage_error


def _load_report(directory: str, skip_bad: bool):
    """The report of a results (or sweep) directory, bad files skipped with one warning line each
    when `skip_bad`; an error message (str) instead when it cannot be read."""
    import warnings

    from xlt.report import load_report
    from xlt.results.rows import ResultsFileError, ResultsFileWarning

    path = Path(directory)
    if (path / "results").is_dir():
        path = path / "results"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResultsFileWarning)
        try:
            report = load_report(str(path), skip_bad=skip_bad)
        except ResultsFileError as err:
            return f"{err} (--skip-bad reads the other files)"
        except FileNotFoundError as err:
            return str(err)
        finally:
            for w in caught:
                print(f"xlt: warning: skipped {w.message}", file=sys.stderr)
    return report


def results_show(args) -> int:
    from xlt.report.render import best_vs_baseline

    report = _load_report(args.dir, args.skip_bad)
    if isinstance(report, str):
        return usage_error(report)
    print(best_vs_baseline(report))
    return 0


def report(args) -> int:
    from xlt.report import as_json, terminal, write_report

    report = _load_report(args.results, args.skip_bad)
    if isinstance(report, str):
        return usage_error(report)
    if args.task and args.task not in report.tasks:
        return usage_error(f"--task {args.task!r}: not a target task of these results ({', '.join(report.tasks)})")
    if args.top < 1:
        return usage_error(f"--top {args.top}: must be at least 1")
    try:
        figures = write_report(report, Path(args.out), args.task, args.top) if args.out else {}
    except FileExistsError as err:
        return usage_error(str(err))
    print(json.dumps(as_json(report, figures), indent=2, default=str) if args.format == "json"
          else terminal(report, args.top))
    if args.out:
        print(f"report: {Path(args.out) / 'report.md'}", file=sys.stderr if args.format == "json" else sys.stdout)
    return 0


def score(args) -> int:
    from xlt.submission.benchmarks import BENCHMARKS
    from xlt.submission.scoring import ScoreError, format_scores, score_folders

    benchmark = BENCHMARKS[args.benchmark]
    try:
        scores = score_folders(Path(args.pred_dir), Path(args.label_dir), benchmark)
    except ScoreError as err:
        return usage_error(str(err))
    print(json.dumps(scores) if args.json else format_scores(scores, benchmark))
    return 0


def tasks_list(args) -> int:
    from xlt.tasks import all_tasks

    tasks = all_tasks()
    if args.json:
        print(json.dumps([{"name": t.name, "role": t.role, "format": t.format, "languages": list(t.languages),
                           "metric": t.metric} for t in tasks], indent=2))
        return 0
    print(f"{'task':<14} {'role':<13} {'format':<16} {'metric':<18} {'langs':>5}  languages")
    for t in tasks:
        print(f"{t.name:<14} {t.role:<13} {t.format:<16} {t.metric:<18} {len(t.languages):>5}  {' '.join(t.languages)}")
    return 0


def tasks_show(args) -> int:
    from xlt.tasks import UnknownTaskError, get_task

    try:
        t = get_task(args.name)
    except UnknownTaskError as err:
        return usage_error(str(err))
    from xlt.data.loading import available_languages

    hub = "; ".join(f"{h.path}" + (f" config {h.name}" if h.name else "") +
                    (f" splits {h.splits}" if h.splits else "") for h in t.hub)
    d = t.defaults
    print(f"{t.name}: {t.description}\n"
          f"  role {t.role}, format {t.format}, metric {t.metric} (objective uses {t.primary_metric})\n"
          f"  hub {hub}\n"
          f"  splits {', '.join(t.splits)}" + (f"; trains on {t.train_from}" if t.train_from else "") + "\n"
          f"  defaults max_seq_length {d.max_seq_length}, epochs {d.epochs:g}, batch_size {d.batch_size}\n"
          f"  languages ({len(t.languages)}) {' '.join(t.languages)}\n"
          f"  shipped fixture: {' '.join(available_languages(t, 'test' if 'test' in t.splits else 'validation', 'local'))}"
          + (f"\n  labels {', '.join(t.labels)}" if t.labels and len(t.labels) <= 20 else "")
          + (f"\n  skip rule: {t.skip_rule}" if t.skip_rule else "")
          + (f"\n  candidate pool: {t.candidate_pool} (shared by every language; docs/tasks.md)" if t.candidate_pool else ""))
    return 0
