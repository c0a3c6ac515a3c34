"""`xlt`: run sweeps, show results, list tasks. Exit codes: 0 ok, 1 sweep failed, 2 bad input."""

import argparse
import os
import sys

from xlt.cli import read_commands, storage_commands, sweep_commands


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # overrides may also follow the flags (`xlt sweep run FILE --backend surrogate k=v`)
    if extra and hasattr(args, "overrides") and all("=" in e and not e.startswith("-") for e in extra):
        args.overrides = [*args.overrides, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = {
        ("sweep", "run"): sweep_commands.sweep_run, ("sweep", "plan"): sweep_commands.sweep_plan,
        ("sweep", "resume"): sweep_commands.sweep_resume, ("sweep", "submit"): sweep_commands.sweep_submit,
        ("sweep", "status"): sweep_commands.sweep_status, ("sweep", "logs"): sweep_commands.sweep_logs,
        ("results", "show"): read_commands.results_show, ("score", None): read_commands.score,
        ("report", None): read_commands.report, ("tasks", "list"): read_commands.tasks_list,
        ("tasks", "show"): read_commands.tasks_show, ("cache", "ls"): storage_commands.cache_ls,
        ("cache", "gc"): storage_commands.cache_gc, ("data", "check"): storage_commands.data_check,
        ("data", "prepare"): storage_commands.data_prepare,
    }[(args.command, getattr(args, "action", None))]
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

    plan = sweep.add_parser("plan", help="the phase runs a sweep implies, cache savings, GPU-hours; trains nothing "
                                         "(--calibrate times a few steps)")
    plan.add_argument("file", help="the sweep YAML file")
    plan.add_argument("overrides", nargs="*", metavar="key.path=value", help="e.g. search.num_trials=2")
    plan.add_argument("--cost-model", help="YAML overriding keys of xlt/cost_model.yaml (e.g. a --calibrate file)")
    plan.add_argument("--gpu", help="the GPU type to price (a key of the cost model's gpus: A100, H100, H200, L4)")
    plan.add_argument("--calibrate", nargs="?", const="xlt-cost-calibrated.yaml", metavar="OUT",
                      help="time a few training and evaluation steps of each (model, task) on this machine, write "
                           "them to OUT (default xlt-cost-calibrated.yaml) and price the plan with them")
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
