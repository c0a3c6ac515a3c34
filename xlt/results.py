"""Results: Parquet, long format, one metric value a row (schema v1, docs/results-schema.md).

Rows of one (trial, phase, task) unit go to one file, `<dir>/<trial_id>/<phase>-<task>.parquet`,
written atomically (temp file, then rename). Rewriting a unit replaces its file, so a resumed
trial never duplicates rows; `read_results` also drops duplicates on the row key, keeping the
latest, in case two writers raced.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from xlt.storage import filesystem, write_atomic

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
    ("cache_hit", pa.bool_()),          # this row's phase was reused from the cache, not run
    ("error", pa.string()),             # phase = failed: the trial's error; null otherwise
    ("backend", pa.string()),           # ray-train (trained and evaluated) | surrogate (response model)
    ("data_source", pa.string()),       # local (the shipped fixtures) | hub (the real datasets)
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
    cache_hit: bool = False
    error: str | None = None
    backend: str = "ray-train"
    data_source: str | None = None


def write_rows(root: str, trial_id: str, unit: str, rows: list[ResultRow]) -> str:
    """Atomically write (or replace) one unit's rows; returns the file's path."""
    if not rows:
        raise ValueError(f"no rows to write for trial {trial_id} unit {unit}")
    table = pa.Table.from_pylist([asdict(r) for r in rows], schema=SCHEMA)
    return write_atomic(root, f"{trial_id}/{unit}.parquet", lambda out: pq.write_table(table, out))


def read_results(root: str) -> pa.Table:
    """Every row under `root`, de-duplicated on KEY (latest `finished_at` wins)."""
    fs, base = filesystem(root)
    info = fs.get_file_info(base)
    if info.type != pafs.FileType.Directory:
        raise FileNotFoundError(f"{root}: no results directory")
    files = [f.path for f in fs.get_file_info(pafs.FileSelector(base, recursive=True))
             if f.path.endswith(".parquet") and not Path(f.path).name.startswith(".")]
    if not files:
        return SCHEMA.empty_table()
    table = pads.dataset(files, schema=SCHEMA, format="parquet", filesystem=fs).to_table()
    return _dedupe(table)


def _dedupe(table: pa.Table) -> pa.Table:
    table = table.sort_by([(k, "ascending") for k in KEY] + [("finished_at", "descending")])
    keys = [tuple(r.values()) for r in table.select(list(KEY)).to_pylist()]
    keep = [i for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]]
    return table.take(pa.array(keep, type=pa.int64())) if len(keep) < len(keys) else table

