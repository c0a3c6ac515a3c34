"""Load a task's split in one language, from the hub (real data) or the shipped fixture, as the
format's canonical records.

Both sources go through the task's adapter (hub columns -> canonical record) and the format's
validation, so a bad row fails the same way wherever it comes from: a DataError naming the task,
language, split, row and field. Rows the adapter skips by the task's documented rule are counted
and logged.
"""

import hashlib
import itertools
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from functools import lru_cache
from typing import Literal

from xlt.data.errors import DataError  # noqa: F401  (where loaders' callers catch it)
from xlt.data.bucc import Bitext, BuccFormatError, bucc_location, read_bitext
from xlt.data.ccgbank import CCGFormatError, ccgbank_dir, read_ccgbank, read_stagged
from xlt.data.jsonl import JSONLinesError, read_jsonl
from xlt.data.mewslix import MewsliXFormatError, mewslix_dir, read_articles
from xlt.tasks import TaskSpec, get_task
from xlt.data.xglue import XGLUEFormatError, read_xglue, xglue_location

log = logging.getLogger(__name__)

Source = Literal["local", "hub"]
UNKNOWN_LABEL = "<unk>"


@dataclass(frozen=True)
class Records:
    """One split of one task in one language, as canonical records."""

    task: str
    language: str
    split: str
    records: list[dict]
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.records)


def available_languages(task: TaskSpec, split: str, source: Source) -> tuple[str, ...]:
    """The task's languages that have `split` in `source` (every declared one on the hub)."""
    if source == "hub":
        return tuple(lang for lang in task.languages if lang not in task.missing_splits.get(split, ()))
    if task.dev_from_train and split == "validation":  # held out of the training split
        split = "train"
    return tuple(lang for lang in task.languages if task.fixture_path(lang, split).is_file())


def load_bitext(task: TaskSpec, language: str, split: str, source: Source) -> Bitext:
    """BUCC's corpora of one language and split: the shipped fixture, or $XLT_BUCC_DIR on the hub."""
    try:
        location = task.fixture_path(language, split).parent if source == "local" else bucc_location()
        return read_bitext(location, language, split)
    except (FileNotFoundError, BuccFormatError) as err:
        raise DataError(f"task {task.name!r}: {err}") from None


def load_records(task: TaskSpec, language: str, split: str, source: Source,
                 max_examples: int | None = None, revision: str | None = None) -> Records:
    """One split of `task` in `language` as canonical records. `revision` (xlt.revisions: the
    resolved `path@commit` of each hub source) pins the hub data read."""
    if task.bitext:
        raise DataError(f"task {task.name!r} is read as comparable corpora (load_bitext), not records")
    if split not in task.splits:
        raise DataError(f"task {task.name!r} has no {split!r} split (it has {list(task.splits)})")
    carved = task.dev_from_train and split in ("train", "validation")
    read_split = "train" if carved else split
    # a training cap cuts the hub split before it is materialised (`train[:N]`), where rows map
    # one to one onto examples (no carving, expanding or filtering by id first)
    head = max_examples if max_examples is not None and not carved and task.expand is None else None
    rows = (_read_hub(task, language, read_split, revision, head) if source == "hub"
            else _read_fixture(task, language, read_split))
    if carved:  # validation: the held-out share of the training rows; train: the rest
        rows = [r for r in rows if _held_out(r, task.dev_from_train) == (split == "validation")]
    if task.expand is not None:
        rows = _expanded(task, language, split, rows)
    if max_examples is not None:
        rows = rows[:max_examples]
    return _adapt(task, language, split, rows, source)


def _held_out(row: dict, fraction: float) -> bool:
    """Whether a training row belongs to the held-out dev share: by a hash of its content, so the
    same rows whatever their order or the source's sharding."""
    digest = hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()).digest()
    return int.from_bytes(digest[:8], "big") < fraction * 2 ** 64


def resolve_labels(task: TaskSpec, source: Source) -> TaskSpec:
    """The task with its label set: declared, or for open sets (CCG supertags) every label of
    the English training split by frequency, after `<unk>` (for labels unseen in training)."""
    if not _open_labels(task):
        return task
    return replace(task, labels=_derived_labels(task.name, source))


def _open_labels(task: TaskSpec) -> bool:
    """A tagging task declared without labels (as registered, whatever `task` holds now)."""
    return task.format == "tagging" and not get_task(task.name).labels


@lru_cache(maxsize=None)
def _derived_labels(name: str, source: Source) -> tuple[str, ...]:
    task = get_task(name)
    rows = _read_hub(task, task.train_language, "train") if source == "hub" else _read_fixture(task, task.train_language, "train")
    counts = Counter(tag for i, row in enumerate(rows) for tag in task.adapter(row, i)["tags"])
    return (UNKNOWN_LABEL, *sorted(counts, key=lambda t: (-counts[t], t)))


def _read_fixture(task: TaskSpec, language: str, split: str) -> list[dict]:
    path = task.fixture_path(language, split)
    if not path.is_file():
        raise DataError(f"task {task.name!r}: no local data for {language}/{split} (expected {path})")
    if path.suffix == ".stagged":
        try:
            return read_stagged(path)
        except CCGFormatError as err:
            raise DataError(str(err)) from None
    try:
        return read_jsonl(path)
    except JSONLinesError as err:
        raise DataError(str(err)) from None


HUB_MIRROR = "XLT_HUB_MIRROR"


LOCAL_SOURCES = {"local:ccgbank": "XLT_CCGBANK_DIR", "local:mewslix": "XLT_MEWSLIX_DIR",
                 "local:bucc2018": "XLT_BUCC_DIR", "local:xglue": "XLT_XGLUE_DIR"}
"""Sources whose files the user provides -> the variable naming their folder (or URL)."""


def _mirrored(path: str) -> str:
    """A hub dataset id, or its copy under $XLT_HUB_MIRROR (`<mirror>/<org>/<name>`: a team's
    offline mirror of hub repositories, read by `datasets` exactly as the hub's)."""
    mirror = os.environ.get(HUB_MIRROR)
    if mirror and (Path(mirror) / path).is_dir():
        return str(Path(mirror) / path)
    return path


def _pinned(revision: str | None) -> dict[str, str]:
    """`path@commit;path@commit` -> {path: commit}."""
    return dict(part.rsplit("@", 1) for part in (revision or "").split(";") if "@" in part)


def _read_hub(task: TaskSpec, language: str, split: str, revision: str | None = None,
              head: int | None = None) -> list[dict]:
    if task.hub[0].path == "local:ccgbank":
        try:
            return read_ccgbank(ccgbank_dir(), split)
        except (FileNotFoundError, CCGFormatError) as err:
            raise DataError(f"task {task.name!r}: {err}") from None
    if task.hub[0].path == "local:mewslix":
        try:
            return read_articles(mewslix_dir(), split, language)
        except (FileNotFoundError, JSONLinesError, MewsliXFormatError) as err:
            raise DataError(f"task {task.name!r}: {err}") from None
    if task.hub[0].path == "local:xglue":  # XGLUE's release files: the hub copy is a script datasets refuses
        hub = task.hub[0]
        try:
            return [row for hub_split in hub.splits_for(split, language)
                    for row in read_xglue(xglue_location(), hub.name, hub_split, language)]
        except (FileNotFoundError, XGLUEFormatError) as err:
            raise DataError(f"task {task.name!r}: {err}") from None
    import datasets  # heavy; only the hub path needs it

    rows: list[dict] = []
    pinned = _pinned(revision)
    for hub in task.hub:
        wanted = pinned.get(hub.path) or hub.revision
        pin = {"revision": wanted} if wanted and _mirrored(hub.path) == hub.path else {}  # a mirror holds one revision
        if hub.data_dir:
            pin["data_dir"] = hub.data_dir
        for hub_split in hub.splits_for(split, language):
            log.info("loading %s (%s) split %s from the hub", hub.path, hub.config_for(language), hub_split)
            if hub.streaming:  # huge corpora: stream, take the first rows (validation: the next ones)
                stream = datasets.load_dataset(_mirrored(hub.path), hub.config_for(language), split=hub_split,
                                               streaming=True, **pin)
                start = hub.streaming if split == "validation" else 0
                stop = start + (max(1, hub.streaming // 100) if split == "validation" else hub.streaming)
                rows.extend(itertools.islice(stream, start, stop))
                continue
            sliced = f"{hub_split}[:{head}]" if head is not None and not hub.id_prefix else hub_split
            ds = datasets.load_dataset(_mirrored(hub.path), hub.config_for(language), split=sliced, **pin)
            if hub.id_prefix:
                prefix = f"{hub.id_prefix[language]}-"
                ds = ds.filter(lambda row: str(row["id"]).startswith(prefix))
            rows.extend(ds.to_list())
    return rows


def _expanded(task: TaskSpec, language: str, split: str, rows: list[dict]) -> list[dict]:
    try:
        return task.expand(rows)
    except KeyError as err:
        raise DataError(f"task {task.name!r} {language}/{split}: a row lacks field {err.args[0]!r}") from None


def _adapt(task: TaskSpec, language: str, split: str, rows: list[dict], source: Source) -> Records:
    from xlt.formats import FORMATS

    fmt = FORMATS[task.format]
    where = f"task {task.name!r} {language}/{split}"
    labelled = resolve_labels(task, source)
    index = {label: i for i, label in enumerate(labelled.labels)} if _open_labels(task) else None
    records, skipped = [], 0
    for i, row in enumerate(rows):
        try:
            record = task.adapter(row, i)
        except KeyError as err:
            raise DataError(f"{where} row {i}: missing field {err.args[0]!r} (has {sorted(row)})") from None
        if record is None:
            skipped += 1
            continue
        if index is not None:  # open label set: names -> ids, unseen -> <unk>
            record["tags"] = [index.get(t, 0) for t in record["tags"]]
        problem = fmt.validate(labelled, record)
        if problem:
            raise DataError(f"{where} row {i}: {problem}")
        records.append(record)
    if skipped:
        log.info("%s: skipped %d of %d rows (%s)", where, skipped, len(rows), task.skip_rule or "adapter rule")
    if not records:
        raise DataError(f"{where}: no examples")
    return Records(task.name, language, split, records, skipped)
