"""`xlt sweep run | resume | submit | status | logs | plan`."""

import json
import sys
from pathlib import Path

from xlt.cli.errors import usage_error
from xlt.config import ConfigError, load_sweep


def sweep_run(args) -> int:
    from xlt.revisions import RevisionError, resolve
    from xlt.results.sweep_dir import SweepError, SweepPaths, check_fresh
    from xlt.sweep.run import preflight

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
        checked = preflight(cfg)  # before check_fresh creates the sweep's directory
        paths = SweepPaths.of(cfg, args.results)
        check_fresh(cfg, paths, args.overwrite)
    except (ConfigError, SweepError, RevisionError) as err:
        return usage_error(str(err))

    from xlt.trial.expand import grid_size

    n = grid_size(cfg) if cfg.search.algorithm == "grid" else cfg.search.num_trials
    each = f" (each run with {cfg.search.replicates} seeds)" if cfg.search.replicates > 1 else ""
    print(f"sweep {cfg.name}: {n} trials{each}, {cfg.resources.max_concurrent_trials} at a time, "
          f"model {', '.join(cfg.model.names)}, data {cfg.data.source}"
          + (" [SURROGATE backend: response model, no training]" if cfg.backend == "surrogate" else ""), flush=True)
    print("\n".join(_coverage(cfg)), flush=True)
    return _drive(cfg, paths, args.address, resume=False, dashboard=args.dashboard, revisions=revisions,
                  checked=checked)


def sweep_resume(args) -> int:
    from xlt.results.sweep_dir import SweepError, load_saved_sweep
    from xlt.sweep.run import check_resumable

    root = args.name if ("/" in args.name or "://" in args.name) else f"{args.storage.rstrip('/')}/{args.name}"
    if "://" not in root:
        root = str(Path(root).resolve())
    try:
        cfg, paths = load_saved_sweep(root)
        check_resumable(paths)
    except SweepError as err:
        return usage_error(str(err))
    print(f"resuming sweep {cfg.name} from {paths.root}", flush=True)
    return _drive(cfg, paths, args.address, resume=True, dashboard=args.dashboard)


def sweep_submit(args) -> int:
    from xlt.sweep import jobs

    try:
        cfg = load_sweep(args.file, args.overrides)
    except ConfigError as err:
        return usage_error(str(err))
    if "://" not in cfg.storage and not Path(cfg.storage).is_absolute():
        print(f"note: storage {cfg.storage!r} is relative: results land in the job's working directory on the "
              f"head node; use an absolute path or s3:// / gs:// to keep them", file=sys.stderr)
    submission_id = jobs.submit(cfg, Path(args.file), args.overrides, args.address, args.python)
    print(f"submitted {submission_id}\nfollow it: xlt sweep status {cfg.name} --address {args.address}; "
          f"xlt sweep logs {cfg.name} --address {args.address}")
    return 0


def sweep_status(args) -> int:
    from xlt.sweep import jobs

    try:
        submission_id, state = jobs.status(args.name, args.address)
    except LookupError as err:
        return usage_error(str(err))
    print(f"{submission_id}: {state}")
    return 0


def sweep_logs(args) -> int:
    from xlt.sweep import jobs

    try:
        print(jobs.logs(args.name, args.address), end="")
    except LookupError as err:
        return usage_error(str(err))
    return 0


def _drive(cfg, paths, address, resume: bool, dashboard: bool = False, revisions=None, checked=None) -> int:
    from xlt.report import load_report
    from xlt.report.render import best_vs_baseline
    from xlt.results.sweep_dir import SweepError
    from xlt.sweep.run import run_sweep

    try:
        outcome = run_sweep(cfg, paths, address, echo=lambda m: print(m, flush=True), resume=resume, dashboard=dashboard,
                            revisions=revisions, checked=checked)
    except SweepError as err:
        return usage_error(str(err))
    from xlt.results.rows import ResultsFileError, read_results
    from xlt.sweep.summary import sweep_summary

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


def sweep_plan(args) -> int:
    from xlt.cost_estimate import format_plan, load_cost_model, plan_json, plan_sweep
    from xlt.cost_model import CostModelError

    try:
        cfg = load_sweep(args.file, args.overrides)
        cost = load_cost_model(args.cost_model)
    except (ConfigError, FileNotFoundError, CostModelError) as err:
        return usage_error(str(err))
    if args.gpu:
        if args.gpu not in cost["gpus"]:
            return usage_error(f"--gpu {args.gpu}: no bf16 peak for it in the cost model (known: {', '.join(cost['gpus'])}); "
                               f"add gpus: {{{args.gpu}: TFLOPS}} to a --cost-model file, with its source")
        cost["gpu"] = args.gpu
    if args.calibrate:
        from xlt.calibrate import calibrate, write_cost_file

        print(f"calibrating {cfg.name} on this machine (a few training and evaluation steps per (model, task)):",
              file=sys.stderr, flush=True)
        measured = calibrate(cfg, echo=lambda line: print(line, file=sys.stderr, flush=True))
        write_cost_file(args.calibrate, measured, cfg)
        print(f"wrote {args.calibrate}; reuse it with --cost-model {args.calibrate}", file=sys.stderr)
        cost = {**cost, **measured}
    try:
        plan = plan_sweep(cfg, cost)
    except CostModelError as err:
        return usage_error(str(err))
    print(json.dumps(plan_json(plan), indent=2) if args.json else
          "\n".join([format_plan(cfg, plan, cost), "", *_coverage(cfg)]))
    return 0


def _coverage(cfg) -> list[str]:
    """What each objective reads (xlt.objective.coverage_lines), for the sweep's first lines."""
    from xlt.config import Choice
    from xlt.objective import coverage_lines
    from xlt.tasks import get_task

    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else cfg.target.tasks
    lines = coverage_lines(cfg.objectives(), [get_task(t) for t in targets], cfg.target.languages)
    if cfg.robustness is not None:
        kinds = ", ".join(f"{p.kind} ({p.rate:g})" for p in cfg.robustness.declared())
        lines.append(f"robustness: {', '.join(cfg.robustness.tasks)} also scored under {kinds}, seed {cfg.robustness.seed}"
                     + ("; the SURROGATE backend does not model perturbations: no robustness rows"
                        if cfg.backend == "surrogate" else ""))
    return lines
