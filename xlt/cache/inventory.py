"""`xlt cache ls` and `xlt cache gc`: what the phase cache under a storage holds, what each entry
was computed from, its size, which sweeps' results refer to it, and the removal of entries no
result refers to."""

import json
import time
from dataclasses import dataclass

import pyarrow.fs as pafs

from xlt.results.storage import filesystem


@dataclass(frozen=True)
class Entry:
    kind: str                  # intermediate | target
    key: str
    size: int                  # bytes
    modified: float            # seconds since the epoch
    inputs: str                # what it was computed from, in a line
    complete: bool
    referenced_by: tuple[str, ...]  # sweeps whose results name the key


def inventory(storage: str) -> list[Entry]:
    """Every phase-cache entry under `<storage>/cache`, with the sweeps under `storage` whose
    results refer to it."""
    fs, base = filesystem(storage)
    refs = _references(storage)
    entries = []
    for kind in ("intermediate", "target"):
        kind_dir = f"{base}/cache/{kind}"
        if fs.get_file_info(kind_dir).type != pafs.FileType.Directory:
            continue
        for info in fs.get_file_info(pafs.FileSelector(kind_dir)):
            if info.type != pafs.FileType.Directory:
                continue
            key = info.base_name
            files = fs.get_file_info(pafs.FileSelector(info.path, recursive=True))
            size = sum(f.size or 0 for f in files if f.type == pafs.FileType.File)
            modified = max((f.mtime.timestamp() for f in files if f.mtime), default=0.0)
            complete = any(f.base_name == "COMPLETE" for f in files)
            entries.append(Entry(kind, key, size, modified, _inputs(fs, info.path), complete,
                                 tuple(sorted(refs.get(key, ())))))
    return sorted(entries, key=lambda e: (e.kind, -e.modified))


def _inputs(fs, directory: str) -> str:
    try:
        with fs.open_input_stream(f"{directory}/meta.json") as f:
            rows = json.loads(f.read()).get("rows") or []
    except (OSError, ValueError):
        return "(no readable meta.json)"
    if not rows:
        return ""
    r = rows[0]
    tasks = sorted({x["target_task"] for x in rows})
    return (f"model={r.get('model')} intermediate={r.get('intermediate')} tasks={','.join(tasks)} "
            f"lr={r.get('learning_rate')} seed={r.get('seed')}")


def _references(storage: str) -> dict[str, set[str]]:
    """Cache key -> the sweeps (directories under `storage`) whose results name it."""
    import pyarrow.dataset as pads

    fs, base = filesystem(storage)
    refs: dict[str, set[str]] = {}
    for sweep in fs.get_file_info(pafs.FileSelector(base)):
        results = f"{sweep.path}/results"
        if sweep.type != pafs.FileType.Directory or fs.get_file_info(results).type != pafs.FileType.Directory:
            continue
        files = [f.path for f in fs.get_file_info(pafs.FileSelector(results, recursive=True))
                 if f.path.endswith(".parquet") and not f.base_name.startswith(".")]
        for path in files:
            try:
                columns = pads.dataset(path, format="parquet", filesystem=fs).schema.names
                wanted = [c for c in ("intermediate_key", "target_key") if c in columns]
                table = pads.dataset(path, format="parquet", filesystem=fs).to_table(columns=wanted)
            except (OSError, ValueError):  # an unreadable file refers to nothing we can see
                continue
            for column in wanted:
                for key in set(table.column(column).to_pylist()):
                    if key:
                        refs.setdefault(key, set()).add(sweep.base_name)
    return refs


def collect(storage: str, min_age_hours: float = 1.0, delete: bool = False) -> list[Entry]:
    """The entries no sweep's results refer to and older than `min_age_hours` (a running sweep's
    fresh entry may not be in its results yet); removed when `delete`."""
    fs, base = filesystem(storage)
    cutoff = time.time() - min_age_hours * 3600
    garbage = [e for e in inventory(storage) if not e.referenced_by and e.modified < cutoff]
    if delete:
        for e in garbage:
            fs.delete_dir(f"{base}/cache/{e.kind}/{e.key}")
    return garbage


def format_entries(entries: list[Entry]) -> str:
    if not entries:
        return "no phase-cache entries"
    lines = [f"{'kind':<13}{'key':<26}{'size':>10}  {'modified':<17}{'used by':<20}inputs"]
    for e in entries:
        used = ",".join(e.referenced_by) or "-"
        state = "" if e.complete else " (INCOMPLETE)"
        lines.append(f"{e.kind:<13}{e.key:<26}{_size(e.size):>10}  {time.strftime('%Y-%m-%d %H:%M', time.localtime(e.modified)):<17}"
                     f"{used:<20}{e.inputs}{state}")
    total = sum(e.size for e in entries)
    lines.append(f"{len(entries)} entries, {_size(total)}")
    return "\n".join(lines)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
