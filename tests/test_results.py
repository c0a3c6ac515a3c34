from datetime import datetime, timedelta, timezone

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from xlt.results.rows import OPTIONAL, SCHEMA, ResultRow, read_results, write_rows


def row(lang="de", value=0.5, trial="t1", phase="zero_shot", **kw) -> ResultRow:
    base = dict(sweep="s", trial_id=trial, phase=phase, intermediate="mnli", mixture={"mnli": 1.0},
                target_task="xnli", language=lang, split="test", metric="accuracy", value=value,
                n_examples=30, model="tiny-xlmr", learning_rate=1e-3, intermediate_learning_rate=1e-3,
                seed=0, step=10, config_hash="h", xlt_version="0.1.0")
    return ResultRow(**{**base, **kw})


def test_written_file_has_schema_v1_and_reads_back(tmp_path):
    path = write_rows(str(tmp_path), "t1", "target-xnli", [row("de"), row("ur", 0.25)])
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMA, check_metadata=False)
    assert pq.read_schema(path).metadata[b"xlt_schema_version"] == b"1"
    back = read_results(str(tmp_path))
    assert sorted(back["language"].to_pylist()) == ["de", "ur"]
    assert back.column("mixture").to_pylist()[0] == [("mnli", 1.0)]


def test_rewrite_is_idempotent(tmp_path):
    for _ in range(3):
        write_rows(str(tmp_path), "t1", "target-xnli", [row("de"), row("ur")])
    assert read_results(str(tmp_path)).num_rows == 2
    assert [p.name for p in (tmp_path / "t1").iterdir()] == ["target-xnli.parquet"]


def test_duplicate_keys_across_files_keep_the_latest(tmp_path):
    now = datetime.now(timezone.utc)
    write_rows(str(tmp_path), "t1", "a", [row("de", 0.1, finished_at=now - timedelta(hours=1))])
    write_rows(str(tmp_path), "t1", "b", [row("de", 0.9, finished_at=now)])
    table = read_results(str(tmp_path))
    assert table.num_rows == 1 and table["value"][0].as_py() == 0.9


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path):
    write_rows(str(tmp_path), "t1", "target-xnli", [row("de", 0.5)])
    with pytest.raises(Exception):
        write_rows(str(tmp_path), "t1", "target-xnli", [row("de", "not a number")])
    assert [p.name for p in (tmp_path / "t1").iterdir()] == ["target-xnli.parquet"]
    assert read_results(str(tmp_path))["value"].to_pylist() == [0.5]


def test_readable_with_pandas_duckdb_polars(tmp_path):
    write_rows(str(tmp_path), "t1", "target-xnli", [row("de", 0.5), row("ur", 0.25)])
    write_rows(str(tmp_path), "t2", "target-xnli", [row("de", 0.75, trial="t2")])
    files = str(tmp_path / "**" / "*.parquet")
    assert pd.read_parquet(tmp_path / "t1" / "target-xnli.parquet")["value"].sum() == 0.75
    got = duckdb.sql(f"select trial_id, avg(value) v from read_parquet('{files}') group by 1 order by 1").fetchall()
    assert got == [("t1", 0.375), ("t2", 0.75)]
    assert pl.read_parquet(files)["language"].sort().to_list() == ["de", "de", "ur"]


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_results(str(tmp_path / "absent"))


def _write_bad(path, kind: str) -> None:
    import pyarrow as pa

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "truncated":
        pq.write_table(pa.table({"x": list(range(100))}), path)
        path.write_bytes(path.read_bytes()[:-40])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"not parquet at all " * 20)
    elif kind == "foreign":
        pq.write_table(pa.table({"user": ["a"], "clicks": [3]}), path)
    elif kind == "wrong-typed":
        table = pa.table({f.name: pa.array([None], f.type) for f in SCHEMA})
        pq.write_table(table.set_column(table.schema.get_field_index("seed"), "seed", pa.array(["one"])), path)


@pytest.mark.parametrize("kind, reason", [("truncated", "not a readable Parquet file"), ("empty", "not a readable Parquet file"),
                                          ("garbage", "not a readable Parquet file"),
                                          ("foreign", "not an xlt results file (no column sweep, trial_id"),
                                          ("wrong-typed", "column seed is string, expected int64")])
def test_a_bad_file_is_an_error_naming_it_or_skipped_with_a_warning(tmp_path, kind, reason):
    from xlt.results.rows import ResultsFileError, ResultsFileWarning

    write_rows(str(tmp_path), "t1", "target-xnli", [row("de"), row("ur", 0.25)])
    bad = tmp_path / "t2" / "target-xnli.parquet"
    _write_bad(bad, kind)
    with pytest.raises(ResultsFileError) as err:
        read_results(str(tmp_path))
    assert str(err.value).startswith(f"{bad}: {reason}") and "\n" not in str(err.value)
    with pytest.warns(ResultsFileWarning, match=str(bad)):
        assert sorted(read_results(str(tmp_path), skip_bad=True)["language"].to_pylist()) == ["de", "ur"]


def test_files_from_before_the_newer_columns_read_with_nulls_and_pandas_types_are_accepted(tmp_path):
    import pyarrow as pa

    # a file from before the newer columns (`backend`, `data_source`; the cache keys' `target_key`,
    # `model_revision`, `data_revision`): every OPTIONAL column dropped
    table = pa.Table.from_pylist([row("de").__dict__], schema=SCHEMA).drop_columns(list(OPTIONAL))
    # a file rewritten by pandas: nanosecond timestamps, large strings
    table = table.set_column(table.schema.get_field_index("finished_at"), "finished_at",
                             table["finished_at"].cast(pa.timestamp("ns", tz="UTC")))
    table = table.set_column(table.schema.get_field_index("language"), "language", table["language"].cast(pa.large_string()))
    (tmp_path / "t1").mkdir()
    pq.write_table(table, tmp_path / "t1" / "target-xnli.parquet")
    back = read_results(str(tmp_path)).to_pylist()
    assert back[0]["language"] == "de" and all(back[0][name] is None for name in OPTIONAL)


def test_a_trial_that_ends_after_a_failed_attempt_keeps_no_failed_row(tmp_path):
    """A sweep resumed after its driver was killed mid-trial reran the trial to its end, and its
    killed attempt's `failed` row (Ray's "placement group was removed") stood beside its results:
    the report listed a finished trial among its failed ones. The run's end clears it (xlt.sweep.run)."""
    from types import SimpleNamespace

    from xlt.results.sweep_dir import SweepPaths, clear_failure

    for root in (str(tmp_path / "local"), f"file://{tmp_path}/uri"):
        paths = SweepPaths(root=root, results=f"{root}/results", train=f"{root}/train")
        write_rows(paths.results, "t1", "failed", [row(phase="failed", lang="")])
        write_rows(paths.results, "t1", "target-xnli", [row()])
        clear_failure(paths, SimpleNamespace(trial_id="t1"))
        clear_failure(paths, SimpleNamespace(trial_id="t2"))  # no file, nothing to do
        assert {r["phase"] for r in read_results(paths.results).to_pylist()} == {"zero_shot"}
