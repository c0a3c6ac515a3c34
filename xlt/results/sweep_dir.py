"""A sweep's directory on storage, read and written without Ray: its paths, the config and
revisions saved beside the results (so `xlt sweep resume` and `xlt report` need nothing else), the
run that owns the results directory, the checks before a run writes there, and a failed trial's row.

Layout under `<storage>/<name>/`: `sweep.json`, `results/` (Parquet, the truth), `tune/` (Tune's
experiment state, searcher included), `train/` (Ray Train runs and checkpoints, named after trials).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from xlt.config import SweepConfig


class SweepError(RuntimeError):
    """A sweep that cannot start or run; the message says what to do."""


@dataclass(frozen=True)
class SweepPaths:
    root: str
    results: str
    train: str

    @classmethod
    def of(cls, cfg: SweepConfig, results: str | None = None) -> "SweepPaths":
        storage = cfg.storage if "://" in cfg.storage else str(Path(cfg.storage).resolve())
        root = f"{storage.rstrip('/')}/{cfg.name}"
        res = results if results and "://" in results else str(Path(results).resolve()) if results else f"{root}/results"
        return cls(root=root, results=res, train=f"{root}/train")


def record_failure(cfg: SweepConfig, paths: SweepPaths, plan, err: BaseException) -> None:
    """A trial that failed for good gets a `failed` row holding its error, so reports list it."""
    from xlt import __version__
    from xlt.results.rows import ResultRow, write_rows

    cause = err.__cause__ or err
    message = f"{type(cause).__name__}: {cause}"[:4000]
    write_rows(paths.results, plan.trial_id, "failed", [ResultRow(
        sweep=cfg.name, trial_id=plan.trial_id, phase="failed", intermediate=plan.intermediate_name,
        mixture=plan.mixture, target_task=",".join(t.task for t in plan.targets), language="", split="",
        metric="error", value=float("nan"), n_examples=0, model=plan.model, backend=plan.backend,
        learning_rate=plan.targets[0].learning_rate if plan.targets else float("nan"),
        intermediate_learning_rate=plan.intermediate.learning_rate if plan.intermediate else None,
        seed=plan.seed, step=0, config_hash=plan.config_hash, xlt_version=__version__, error=message,
        data_source=plan.source)])


def clear_failure(paths: SweepPaths, plan) -> None:
    """A trial that ran to its end after an earlier attempt failed (a sweep resumed after its driver
    was killed mid-trial, or a retry) keeps no `failed` row: that row stood for the attempt."""
    from xlt.results.rows import remove_rows

    remove_rows(paths.results, plan.trial_id, "failed")


OWNER = ".xlt-owner.json"  # in a results directory: the sweep run that writes it


def save_sweep(cfg: SweepConfig, paths: SweepPaths, run_id: str, revisions=None) -> None:
    """The validated config, paths and resolved revisions beside the results, so `xlt sweep resume
    NAME` needs nothing else, and the results directory's owner (this sweep run)."""
    from xlt.results.storage import write_text

    write_text(paths.root, "sweep.json", json.dumps({"config": cfg.model_dump(mode="json"), "run_id": run_id,
                                                     "paths": {"results": paths.results},
                                                     "revisions": revisions.to_json() if revisions else {}}, indent=2))
    write_text(paths.results, OWNER, json.dumps({"sweep": cfg.name, "run_id": run_id, "root": paths.root}))


def saved_revisions(root: str):
    """The revisions a saved sweep resolved when it started (xlt.revisions.Revisions)."""
    from xlt.revisions import Revisions
    from xlt.results.storage import filesystem

    fs, base = filesystem(root)
    with fs.open_input_stream(f"{base}/sweep.json") as f:
        return Revisions.from_json(json.loads(f.read()).get("revisions"))


def load_saved_sweep(root: str) -> tuple[SweepConfig, SweepPaths]:
    """The config and paths of the sweep saved under `root`; SweepError (naming the file and what
    is wrong) when it is not a sweep directory or its sweep.json or results do not match."""
    from pydantic import ValidationError

    from xlt.results.storage import filesystem

    fs, base = filesystem(root)
    info = fs.get_file_info(base)
    if info.type == pafs.FileType.File:
        raise SweepError(f"{root}: is a file; expected a sweep directory (holding sweep.json)")
    try:
        with fs.open_input_stream(f"{base}/sweep.json") as f:
            saved = json.loads(f.read())
        cfg = SweepConfig.model_validate(saved["config"])
        results, run_id = saved["paths"]["results"], saved.get("run_id")
    except FileNotFoundError:
        raise SweepError(f"{root}: no sweep.json: not a sweep directory (or started by an older xlt)") from None
    except json.JSONDecodeError as err:
        raise SweepError(f"{root}/sweep.json: not valid JSON (line {err.lineno}: {err.msg}); it is damaged") from None
    except (TypeError, KeyError) as err:
        raise SweepError(f"{root}/sweep.json: expected an object with 'config' and 'paths.results' (missing {err})") from None
    except ValidationError as err:
        raise SweepError(f"{root}/sweep.json: its config is not a valid sweep ({err.errors()[0]['msg']})") from None
    paths = SweepPaths.of(cfg, results)
    paths = SweepPaths(root=root.rstrip("/"), results=paths.results, train=f"{root.rstrip('/')}/train")
    owner = _owner(paths.results)
    if run_id and owner is not None and owner.get("run_id") != run_id:
        raise SweepError(f"{paths.results}: holds the results of sweep {owner.get('sweep')!r} run {owner.get('run_id')}, "
                         f"not of this sweep run ({run_id}); it would mix two runs' results")
    return cfg, paths


def _owner(results: str) -> dict | None:
    """The run recorded as the results directory's owner, or None."""
    from xlt.results.storage import filesystem

    fs, base = filesystem(results)
    try:
        with fs.open_input_stream(f"{base}/{OWNER}") as f:
            data = json.loads(f.read())
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return None
    except json.JSONDecodeError:
        return {}


def check_fresh(cfg: SweepConfig, paths: SweepPaths, overwrite: bool) -> None:
    """Refuse to mix a new run into existing results, on any filesystem (local path or URI):
    the sweep directory must be new (or, with `overwrite`, is cleared), and the results
    directory must be empty or this sweep's own (cleared with `overwrite`); another sweep's
    results are never written into or deleted. Then check both are writable, before Ray starts."""
    from xlt.results.storage import filesystem

    fs, root = filesystem(paths.root)
    existing = fs.get_file_info(root).type
    if existing == pafs.FileType.File:
        raise SweepError(f"storage {paths.root}: is a file; the sweep needs a directory there")
    if existing == pafs.FileType.Directory:
        if not overwrite:
            raise SweepError(f"sweep directory {paths.root} already exists: pick another name (append name=NEW to the "
                             f"command) or pass --overwrite to delete it")
    rfs, results = filesystem(paths.results)
    inside = paths.results.rstrip("/").startswith(paths.root.rstrip("/") + "/")
    if not inside and rfs.get_file_info(results).type == pafs.FileType.Directory:
        held = [f for f in rfs.get_file_info(pafs.FileSelector(results, recursive=True)) if f.type == pafs.FileType.File]
        owner = _owner(paths.results)
        if held and owner is None:
            raise SweepError(f"results directory {paths.results} holds files of no recorded sweep run; pick an empty "
                             f"directory for --results")
        if held and owner.get("sweep") != cfg.name:
            raise SweepError(f"results directory {paths.results} holds the results of sweep {owner.get('sweep')!r}; "
                             f"pick another --results (xlt never mixes two sweeps' results)")
        if held and not overwrite:
            raise SweepError(f"results directory {paths.results} holds an earlier run of sweep {cfg.name!r}: pass "
                             f"--overwrite to replace it, or `xlt sweep resume {cfg.name}` to continue it")
        if held:
            rfs.delete_dir_contents(results)
    if existing == pafs.FileType.Directory:
        fs.delete_dir(root)
    for where in (paths.root, paths.results):
        _check_writable(where)


def _check_writable(location: str) -> None:
    """Create `location` and a probe file in it, then remove the probe; SweepError if that fails."""
    import uuid

    from xlt.results.storage import filesystem

    fs, base = filesystem(location)
    probe = f"{base}/.xlt-write-probe-{uuid.uuid4().hex}"
    try:
        fs.create_dir(base, recursive=True)
        with fs.open_output_stream(probe) as out:
            out.write(b"ok")
        fs.delete_file(probe)
    except (OSError, pa.ArrowException) as err:
        raise SweepError(f"storage {location}: not writable ({str(err).splitlines()[0]})") from None
