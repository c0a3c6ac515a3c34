"""`xlt`: run sweeps, show results, list tasks. Exit codes: 0 ok, 1 sweep failed, 2 bad input."""

import argparse
import json
import os
import sys
from pathlib import Path

from xlt.config import ConfigError, load_sweep


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # overrides may also follow the flags (`xlt sweep run FILE --backend surrogate k=v`)
    if extra and hasattr(args, "overrides") and all("=" in e and not e.startswith("-") for e in extra):
        args.overrides = [*args.overrides, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = {("sweep", "run"): _sweep_run, ("sweep", "plan"): _sweep_plan, ("sweep", "resume"): _sweep_resume,
               ("sweep", "submit"): _sweep_submit, ("sweep", "status"): _sweep_status, ("sweep", "logs"): _sweep_logs,
               ("results", "show"): _results_show, ("score", None): _score, ("report", None): _report,
               ("tasks", "list"): _tasks_list, ("tasks", "show"): _tasks_show,
               ("cache", "ls"): _cache_ls, ("cache", "gc"): _cache_gc,
               ("data", "check"): _data_check, ("data", "prepare"): _data_prepare}[(args.command, getattr(args, "action", None))]
    try:
        return handler(args)
    except BrokenPipeError:  # `xlt tasks list | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    """The `xlt` command line: every command, and help for every argument."""
    from xlt import __version__

    parser = argparse.ArgumentParser(prog="xlt", description=__doc__)
    parser.add_argument("--version", action="version", version=f"xlt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    sweep = sub.add_parser("sweep", help="run sweeps").add_subparsers(dest="action", required=True)
    run = sweep.add_parser("run", help="run a sweep file")
    run.add_argument("file", help="the sweep YAML file (see sweeps/)")
    run.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. search.num_trials=2")
    run.add_argument("--results", help="results directory (default: <storage>/<name>/results)")
    run.add_argument("--address", default=os.environ.get("RAY_ADDRESS"),
                     help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray)")
    run.add_argument("--overwrite", action="store_true", help="delete an existing sweep of this name first")
    run.add_argument("--backend", choices=["ray-train", "surrogate"],
                     help="surrogate: the whole sweep with each phase answered by the response model (no "
                          "training, no GPUs; rows marked backend=surrogate); same as backend=... in the file")
    run.add_argument("--dashboard", action="store_true",
                     help="start Ray's dashboard with the embedded local Ray, on 127.0.0.1, and print its address")

    resume = sweep.add_parser("resume", help="continue a sweep after a crash or Ctrl-C (Tune restore)")
    resume.add_argument("name", help="the sweep's name (under --storage) or its directory")
    resume.add_argument("--storage", default="./xlt-runs", help="where the sweep lives (default ./xlt-runs)")
    resume.add_argument("--address", default=os.environ.get("RAY_ADDRESS"),
                        help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray)")
    resume.add_argument("--dashboard", action="store_true", help="start Ray's dashboard on 127.0.0.1 (local Ray)")

    submit = sweep.add_parser("submit", help="submit a sweep to a Ray cluster as a Ray Job")
    submit.add_argument("file", help="the sweep YAML file")
    submit.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. search.num_trials=2")
    submit.add_argument("--address", required=True, help="the job server, e.g. http://127.0.0.1:8265")
    submit.add_argument("--python", default="python", help="python on the cluster that has xlt's dependencies")
    for action, text in (("status", "the state of a sweep's latest job"), ("logs", "the output of a sweep's latest job")):
        follow = sweep.add_parser(action, help=text)
        follow.add_argument("name", help="the sweep's name, or a submission id")
        follow.add_argument("--address", required=True, help="the job server, e.g. http://127.0.0.1:8265")

    plan = sweep.add_parser("plan", help="the phase runs a sweep implies, cache savings, GPU-hours; trains nothing")
    plan.add_argument("file", help="the sweep YAML file")
    plan.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. search.num_trials=2")
    plan.add_argument("--cost-model", help="YAML overriding keys of xlt/cost_model.yaml")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    results = sub.add_parser("results", help="read results").add_subparsers(dest="action", required=True)
    show = results.add_parser("show", help="per-language table of the best trial and the baseline")
    show.add_argument("dir", help="a results directory, or a sweep directory holding results/")
    show.add_argument("--skip-bad", action="store_true", help="skip unreadable or foreign Parquet files, with a warning")

    score = sub.add_parser("score", help="score predictions in the XTREME submission layout")
    score.add_argument("pred_dir", help="predictions: PRED_DIR/<task>/test-<lang>.<tsv|json|jsonl>")
    score.add_argument("label_dir", help="gold labels in the same layout")
    score.add_argument("--benchmark", choices=["xtreme", "xtreme-r"], default="xtreme",
                       help="whose task list, languages and groups (default xtreme)")
    score.add_argument("--json", action="store_true", help="print the JSON of XTREME's evaluate.py --output_file")

    report = sub.add_parser("report", help="tables, deltas, language views and plots from the Parquet results")
    report.add_argument("results", help="a results directory, or a sweep directory holding results/")
    report.add_argument("--out", help="write report.md, report.html, report.json and PNGs here")
    report.add_argument("--format", choices=["table", "json"], default="table", help="what to print")
    report.add_argument("--task", help="the target task of the by-language heatmap (default: every task)")
    report.add_argument("--top", type=int, default=20, metavar="N",
                        help="configurations the figures and the table show, best by dev score (figures: the rest as their "
                             "median; default 20)")
    report.add_argument("--skip-bad", action="store_true", help="skip unreadable or foreign Parquet files, with a warning")

    data = sub.add_parser("data", help="a sweep's data: check its sources, prepare its features").add_subparsers(
        dest="action", required=True)
    check = data.add_parser("check", help="resolve every source the sweep reaches and compare its schema with what "
                                          "xlt reads, downloading no data; every problem at once")
    check.add_argument("file", help="the sweep YAML file")
    check.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. data.source=hub")
    prep = data.add_parser("prepare", help="download and tokenise everything the sweep reads into its feature cache, "
                                           "so trials never touch the hub")
    prep.add_argument("file", help="the sweep YAML file")
    prep.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. storage=s3://bucket/xlt")

    cache = sub.add_parser("cache", help="the phase cache under a storage").add_subparsers(dest="action", required=True)
    ls = cache.add_parser("ls", help="every entry: what it was computed from, its size, which sweeps use it")
    ls.add_argument("storage", nargs="?", default="./xlt-runs", help="the sweeps' storage (default ./xlt-runs)")
    gc = cache.add_parser("gc", help="remove the entries no sweep's results refer to")
    gc.add_argument("storage", nargs="?", default="./xlt-runs", help="the sweeps' storage (default ./xlt-runs)")
    gc.add_argument("--min-age-hours", type=float, default=1.0,
                    help="keep younger entries (a running sweep's may not be in its results yet; default 1)")
    gc.add_argument("--yes", action="store_true", help="delete them (without it: list what would go)")

    tasks = sub.add_parser("tasks", help="the task registry").add_subparsers(dest="action", required=True)
    tasks.add_parser("list", help="every task").add_argument("--json", action="store_true", help="print JSON")
    tasks.add_parser("show", help="one task").add_argument("name", help="a task name or alias (e.g. xnli, paws-x)")
    return parser


def _error(msg: str) -> int:
    print(f"xlt: error: {msg}", file=sys.stderr)
    return 2


def _sweep_run(args) -> int:
    from xlt.revisions import RevisionError, resolve
    from xlt.sweep import SweepError, SweepPaths, check_fresh

    try:
        backend = [f"backend={args.backend}"] if args.backend else []
        cfg = load_sweep(args.file, [*args.overrides, *backend])
        revisions = resolve(cfg)  # the model's and data's commits, before anything is written
        if cfg.data.source == "hub" and cfg.backend != "surrogate":
            from xlt.data.check import check_sweep, format_checks

            checks = check_sweep(cfg, revisions)  # a broken source fails here, not after the intermediate phase
            if any(c.problems for c in checks):
                print(format_checks(checks), file=sys.stderr)
                raise ConfigError(f"{args.file}: the sweep's data has problems (above; `xlt data check` lists them)")
        paths = SweepPaths.of(cfg, args.results)
        check_fresh(cfg, paths, args.overwrite)
    except (ConfigError, SweepError, RevisionError) as err:
        return _error(str(err))

    from xlt.expand import grid_size

    n = grid_size(cfg) if cfg.search.algorithm == "grid" else cfg.search.num_trials
    print(f"sweep {cfg.name}: {n} trials, {cfg.resources.max_concurrent_trials} at a time, "
          f"model {', '.join(cfg.model.names)}, data {cfg.data.source}"
          + (" [SURROGATE backend: response model, no training]" if cfg.backend == "surrogate" else ""), flush=True)
    print("\n".join(_coverage(cfg)), flush=True)
    return _drive(cfg, paths, args.address, resume=False, dashboard=args.dashboard, revisions=revisions)


def _sweep_resume(args) -> int:
    from xlt.sweep import SweepError, check_resumable, load_saved_sweep

    root = args.name if ("/" in args.name or "://" in args.name) else f"{args.storage.rstrip('/')}/{args.name}"
    if "://" not in root:
        root = str(Path(root).resolve())
    try:
        cfg, paths = load_saved_sweep(root)
        check_resumable(paths)
    except SweepError as err:
        return _error(str(err))
    print(f"resuming sweep {cfg.name} from {paths.root}", flush=True)
    return _drive(cfg, paths, args.address, resume=True, dashboard=args.dashboard)


def _sweep_submit(args) -> int:
    from xlt import jobs

    try:
        cfg = load_sweep(args.file, args.overrides)
    except ConfigError as err:
        return _error(str(err))
    if "://" not in cfg.storage and not Path(cfg.storage).is_absolute():
        print(f"note: storage {cfg.storage!r} is relative: results land in the job's working directory on the "
              f"head node; use an absolute path or s3:// / gs:// to keep them", file=sys.stderr)
    submission_id = jobs.submit(cfg, Path(args.file), args.overrides, args.address, args.python)
    print(f"submitted {submission_id}\nfollow it: xlt sweep status {cfg.name} --address {args.address}; "
          f"xlt sweep logs {cfg.name} --address {args.address}")
    return 0


def _sweep_status(args) -> int:
    from xlt import jobs

    try:
        submission_id, state = jobs.status(args.name, args.address)
    except LookupError as err:
        return _error(str(err))
    print(f"{submission_id}: {state}")
    return 0


def _sweep_logs(args) -> int:
    from xlt import jobs

    try:
        print(jobs.logs(args.name, args.address), end="")
    except LookupError as err:
        return _error(str(err))
    return 0


def _drive(cfg, paths, address, resume: bool, dashboard: bool = False, revisions=None) -> int:
    from xlt.report import load_report
    from xlt.report.render import best_vs_baseline
    from xlt.sweep import SweepError, run_sweep

    try:
        outcome = run_sweep(cfg, paths, address, echo=lambda m: print(m, flush=True), resume=resume, dashboard=dashboard,
                            revisions=revisions)
    except SweepError as err:
        return _error(str(err))
    from xlt.results import ResultsFileError, read_results
    from xlt.summary import sweep_summary

    print()
    try:
        print(best_vs_baseline(load_report(paths.results)))
        summary = sweep_summary(read_results(paths.results).to_pylist(), paths.results, f"{paths.root}/report")
    except FileNotFoundError:
        summary = "no result rows"
    except ResultsFileError as err:  # the sweep ran; one results file cannot be read
        summary = f"xlt: warning: {err} (xlt report --skip-bad reads the rest)"
    if outcome.num_errors:
        print(f"\n{outcome.num_errors} of {outcome.num_trials} trials failed (error files under {paths.root}/tune)")
    print(f"\nresults: {paths.results}")
    print(summary)
    return 1 if outcome.num_errors == outcome.num_trials else 0


def _sweep_plan(args) -> int:
    from xlt.cost_estimate import format_plan, load_cost_model, plan_json, plan_sweep

    try:
        cfg = load_sweep(args.file, args.overrides)
        cost = load_cost_model(args.cost_model)
    except (ConfigError, FileNotFoundError) as err:
        return _error(str(err))
    plan = plan_sweep(cfg, cost)
    print(json.dumps(plan_json(plan), indent=2) if args.json else
          "\n".join([format_plan(cfg, plan, cost), "", *_coverage(cfg)]))
    return 0


def _coverage(cfg) -> list[str]:
    """What each objective reads (xlt.objective.coverage_lines), for the sweep's first lines."""
    from xlt.config import Choice
    from xlt.objective import coverage_lines
    from xlt.tasks import get_task

    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else cfg.target.tasks
    return coverage_lines(cfg.objectives(), [get_task(t) for t in targets], cfg.target.languages)


def _load_report(directory: str, skip_bad: bool):
    """The report of a results (or sweep) directory, bad files skipped with one warning line each
    when `skip_bad`; an error message (str) instead when it cannot be read."""
    import warnings

    from xlt.report import load_report
    from xlt.results import ResultsFileError, ResultsFileWarning

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


def _results_show(args) -> int:
    from xlt.report.render import best_vs_baseline

    report = _load_report(args.dir, args.skip_bad)
    if isinstance(report, str):
        return _error(report)
    print(best_vs_baseline(report))
    return 0


def _report(args) -> int:
    from xlt.report import as_json, terminal, write_report

    report = _load_report(args.results, args.skip_bad)
    if isinstance(report, str):
        return _error(report)
    if args.task and args.task not in report.tasks:
        return _error(f"--task {args.task!r}: not a target task of these results ({', '.join(report.tasks)})")
    if args.top < 1:
        return _error(f"--top {args.top}: must be at least 1")
    try:
        figures = write_report(report, Path(args.out), args.task, args.top) if args.out else {}
    except FileExistsError as err:
        return _error(str(err))
    print(json.dumps(as_json(report, figures), indent=2, default=str) if args.format == "json"
          else terminal(report, args.top))
    if args.out:
        print(f"report: {Path(args.out) / 'report.md'}", file=sys.stderr if args.format == "json" else sys.stdout)
    return 0


def _score(args) -> int:
    from xlt.submission.benchmarks import BENCHMARKS
    from xlt.submission.scoring import ScoreError, format_scores, score_folders

    benchmark = BENCHMARKS[args.benchmark]
    try:
        scores = score_folders(Path(args.pred_dir), Path(args.label_dir), benchmark)
    except ScoreError as err:
        return _error(str(err))
    print(json.dumps(scores) if args.json else format_scores(scores, benchmark))
    return 0


def _data_check(args) -> int:
    from xlt.data.check import check_sweep, format_checks

    try:
        cfg = load_sweep(args.file, args.overrides)
    except ConfigError as err:
        return _error(str(err))
    checks = check_sweep(cfg)
    print(format_checks(checks))
    return 2 if any(c.problems for c in checks) else 0


def _data_prepare(args) -> int:
    from xlt.data.check import check_sweep, format_checks
    from xlt.data.loading import DataError
    from xlt.revisions import RevisionError, resolve

    try:
        cfg = load_sweep(args.file, args.overrides)
        revisions = resolve(cfg)
    except (ConfigError, RevisionError) as err:
        return _error(str(err))
    checks = check_sweep(cfg, revisions)
    if any(c.problems for c in checks):
        print(format_checks(checks), file=sys.stderr)
        return _error("the sweep's data has problems (above): nothing was prepared")
    from xlt.data.prepare import prepare

    try:
        prepare(cfg, revisions)
    except (DataError, ValueError) as err:
        return _error(str(err))
    return 0


def _cache_ls(args) -> int:
    from xlt.cache_inventory import format_entries, inventory

    print(format_entries(inventory(args.storage)))
    return 0


def _cache_gc(args) -> int:
    from xlt.cache_inventory import collect, format_entries

    garbage = collect(args.storage, args.min_age_hours, delete=args.yes)
    if not garbage:
        print("nothing to remove: every entry is used by some sweep's results (or younger than "
              f"{args.min_age_hours:g} h)")
        return 0
    print(format_entries(garbage))
    print("removed" if args.yes else "would remove these (pass --yes to delete them)")
    return 0


def _tasks_list(args) -> int:
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


def _tasks_show(args) -> int:
    from xlt.tasks import UnknownTaskError, get_task

    try:
        t = get_task(args.name)
    except UnknownTaskError as err:
        return _error(str(err))
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


if __name__ == "__main__":
    sys.exit(main())
