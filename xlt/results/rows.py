"""Results: Parquet, long format, one metric value a row (schema v1, docs/results-schema.md).

Rows of one (trial, phase, task) unit go to one file, `<dir>/<trial_id>/<phase>-<task>.parquet`,
written atomically (temp file, then rename). Rewriting a unit replaces its file, so a resumed
trial never duplicates rows; `read_results` also drops duplicates on the row key, keeping the
latest, in case two writers raced. A file that is not one of ours (truncated, empty, not
Parquet, other columns, other types) is an error naming it, or skipped with a warning.
"""

import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from xlt.results.storage import filesystem, write_atomic

SCHEMA_VERSION = 1
KEY = ("trial_id", "phase", "target_task", "language", "split", "metric")

SCHEMA = pa.schema([
    ("sweep", pa.string()),
    ("trial_id", pa.string()),
    ("phase", pa.string()),             # intermediate | target | zero_shot
    ("intermediate", pa.string()),      # canonical mixture text; "none" for the baseline
    ("mixture", pa.map_(pa.string(), pa.float64())),
    ("target_task", pa.string()),       # the task evaluated in this row
    ("language", pa.string()),          # ISO 639
    ("split", pa.string()),
    ("metric", pa.string()),
    ("value", pa.float64()),
    ("n_examples", pa.int64()),
    ("model", pa.string()),
    ("learning_rate", pa.float64()),    # of the phase that produced the row
    ("intermediate_learning_rate", pa.float64()),  # null for the baseline
    ("seed", pa.int64()),
    ("step", pa.int64()),
    ("config_hash", pa.string()),
    ("xlt_version", pa.string()),
    ("finished_at", pa.timestamp("us", tz="UTC")),
    ("model_selection", pa.string()),   # english_dev (zero-shot) | target_dev
    ("intermediate_key", pa.string()),  # phase-cache key of the intermediate checkpoint ("" for none)
    ("target_key", pa.string()),        # phase-cache key of the row's target unit (null: intermediate rows)
    ("cache_hit", pa.bool_()),          # this row's phase was reused from the cache, not run
    ("error", pa.string()),             # phase = failed: the trial's error; null otherwise
    ("backend", pa.string()),           # ray-train (trained and evaluated) | surrogate (response model)
    ("data_source", pa.string()),       # local (the shipped fixtures) | hub (the real datasets)
    ("model_revision", pa.string()),    # the model's content digest (local) or hub commit
    ("data_revision", pa.string()),     # the row's task data: hub commit(s) or fixture digest
    ("head", pa.string()),              # pooled (a head on pooled states) | text (the model as itself); null: pooled
], metadata={"xlt_schema_version": str(SCHEMA_VERSION)})


@dataclass(frozen=True)
class ResultRow:
    sweep: str
    trial_id: str
    phase: str
    intermediate: str
    mixture: dict[str, float]
    target_task: str
    language: str
    split: str
    metric: str
    value: float
    n_examples: int
    model: str
    learning_rate: float
    intermediate_learning_rate: float | None
    seed: int
    step: int
    config_hash: str
    xlt_version: str
    finished_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    model_selection: str = "english_dev"
    intermediate_key: str = ""
    target_key: str | None = None
    cache_hit: bool = False
    error: str | None = None
    backend: str = "ray-train"
    data_source: str | None = None
    model_revision: str | None = None
    data_revision: str | None = None
    head: str | None = "pooled"


def _unit_file(trial_id: str, unit: str) -> str:
    """Where one unit's rows go, relative to the results directory."""
    return f"{trial_id}/{unit}.parquet"


def write_rows(root: str, trial_id: str, unit: str, rows: list[ResultRow]) -> str:
    """Atomically write (or replace) one unit's rows; returns the file's path."""
    if not rows:
        raise ValueError(f"no rows to write for trial {trial_id} unit {unit}")
    table = pa.Table.from_pylist([asdict(r) for r in rows], schema=SCHEMA)
    return write_atomic(root, _unit_file(trial_id, unit), lambda out: pq.write_table(table, out))


def remove_rows(root: str, trial_id: str, unit: str) -> None:
    """Remove one unit's rows, where it has any."""
    fs, base = filesystem(root)
    path = f"{base}/{_unit_file(trial_id, unit)}"
    if fs.get_file_info(path).type == pafs.FileType.File:
        fs.delete_file(path)


# columns added after v1's first files: null where an older file lacks them
OPTIONAL = ("model_selection", "intermediate_key", "cache_hit", "error", "backend", "data_source", "target_key",
            "model_revision", "data_revision", "head")


class ResultsFileError(ValueError):
    """A file under a results directory that is not a results file; the message names it, in one line."""


class ResultsFileWarning(UserWarning):
    """A bad results file skipped by `read_results(..., skip_bad=True)`."""


def read_results(root: str, skip_bad: bool = False) -> pa.Table:
    """Every row under `root`, de-duplicated on KEY (latest `finished_at` wins). A file that is
    not a results file raises ResultsFileError naming it; `skip_bad` warns
    (ResultsFileWarning) and reads the others instead."""
    fs, base = filesystem(root)
    info = fs.get_file_info(base)
    if info.type != pafs.FileType.Directory:
        raise FileNotFoundError(f"{root}: no results directory")
    files = [f.path for f in fs.get_file_info(pafs.FileSelector(base, recursive=True))
             if f.path.endswith(".parquet") and not Path(f.path).name.startswith(".")]
    if not files:
        return SCHEMA.empty_table()
    tables = []
    for path in sorted(files):
        try:
            tables.append(_read_file(fs, path))
        except ResultsFileError as err:
            if not skip_bad:
                raise
            warnings.warn(str(err), ResultsFileWarning, stacklevel=2)
    return _dedupe(pa.concat_tables(tables)) if tables else SCHEMA.empty_table()


def _read_file(fs: pafs.FileSystem, path: str) -> pa.Table:
    """One file's rows in SCHEMA (OPTIONAL columns it lacks: null); ResultsFileError otherwise."""
    try:
        table = pq.read_table(path, filesystem=fs)
    except (pa.ArrowException, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ResultsFileError(f"{path}: not a readable Parquet file ({reason})") from None
    missing = [f.name for f in SCHEMA if f.name not in table.column_names and f.name not in OPTIONAL]
    if missing:
        raise ResultsFileError(f"{path}: not an xlt results file (no column {', '.join(missing[:4])}"
                               f"{', ...' if len(missing) > 4 else ''})")
    for f in SCHEMA:
        if f.name in table.column_names and not _same_kind(table.schema.field(f.name).type, f.type):
            raise ResultsFileError(f"{path}: column {f.name} is {table.schema.field(f.name).type}, "
                                   f"expected {f.type}")
    columns = []
    for f in SCHEMA:
        if f.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, f.type))
            continue
        try:  # timestamps may lose sub-microsecond digits (pandas writes nanoseconds)
            columns.append(table[f.name].cast(f.type, safe=not pa.types.is_timestamp(f.type)))
        except pa.ArrowException as err:
            raise ResultsFileError(f"{path}: column {f.name}: {str(err).splitlines()[0]}") from None
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _same_kind(actual: pa.DataType, expected: pa.DataType) -> bool:
    """Types a cast turns into `expected` without reinterpreting values: the same type, or
    another width of integer/float, unit of timestamp, or string representation."""
    kinds = (pa.types.is_integer, pa.types.is_floating, pa.types.is_timestamp, pa.types.is_boolean)
    if actual.equals(expected) or pa.types.is_null(actual):
        return True
    if pa.types.is_map(expected):
        return pa.types.is_map(actual) and _same_kind(actual.item_type, expected.item_type) \
            and _same_kind(actual.key_type, expected.key_type)
    if pa.types.is_string(expected):
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    return any(kind(expected) and kind(actual) for kind in kinds)


def _dedupe(table: pa.Table) -> pa.Table:
    table = table.sort_by([(k, "ascending") for k in KEY] + [("finished_at", "descending")])
    keys = [tuple(r.values()) for r in table.select(list(KEY)).to_pylist()]
    keep = [i for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]]
    return table.take(pa.array(keep, type=pa.int64())) if len(keep) < len(keys) else table

