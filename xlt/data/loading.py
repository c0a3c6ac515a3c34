"""Load a task's split in one language, from the hub (real data) or the shipped fixture.

Both sources yield the same thing: the columns the hub loader yields, as a dict of lists,
validated row by row (missing column, label outside the label set -> DataError naming
task, split, row and field).
"""

import json
import logging
from dataclasses import dataclass
from typing import Literal

from xlt.tasks import TaskSpec

log = logging.getLogger(__name__)

Source = Literal["local", "hub"]


class DataError(ValueError):
    """Bad data: the message names the task, language, split, row and field."""


@dataclass(frozen=True)
class Split:
    """One split of one task in one language, columnar."""

    task: str
    language: str
    split: str
    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.columns["label"])


def available_languages(task: TaskSpec, split: str, source: Source) -> tuple[str, ...]:
    """The task's languages that have `split` in `source` (every declared one on the hub)."""
    if source == "hub":
        return task.languages
    return tuple(lang for lang in task.languages if task.fixture_path(lang, split).is_file())


def load_split(
    task: TaskSpec, language: str, split: str, source: Source, max_examples: int | None = None
) -> Split:
    if split not in task.splits:
        raise DataError(f"task {task.name!r} has no {split!r} split (it has {list(task.splits)})")
    rows = _read_hub(task, language, split) if source == "hub" else _read_fixture(task, language, split)
    if max_examples is not None:
        rows = rows[:max_examples]
    return Split(task.name, language, split, _validate(task, language, split, rows))


def _read_fixture(task: TaskSpec, language: str, split: str) -> list[dict]:
    path = task.fixture_path(language, split)
    if not path.is_file():
        raise DataError(f"task {task.name!r}: no local data for {language}/{split} (expected {path})")
    rows = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{line_no}: not valid JSON ({err.msg})") from err
    return rows


def _read_hub(task: TaskSpec, language: str, split: str) -> list[dict]:
    import datasets  # heavy; only the hub path needs it

    hub = task.hub
    log.info("loading %s (%s) split %s from the hub", hub.path, hub.config_for(language), split)
    ds = datasets.load_dataset(hub.path, hub.config_for(language), split=hub.split_for(split))
    return ds.to_list()


def _validate(task: TaskSpec, language: str, split: str, rows: list[dict]) -> dict[str, list]:
    where = f"task {task.name!r} {language}/{split}"
    fields = (*task.columns, "label")
    columns: dict[str, list] = {name: [] for name in fields}
    for i, row in enumerate(rows):
        for name in fields:
            if name not in row:
                raise DataError(f"{where} row {i}: missing field {name!r} (has {sorted(row)})")
        label = row["label"]
        if not isinstance(label, int) or not 0 <= label < task.num_labels:
            raise DataError(
                f"{where} row {i}: field 'label' is {label!r}, expected an int in "
                f"[0, {task.num_labels}) ({', '.join(task.labels)})"
            )
        for name in fields:
            columns[name].append(row[name])
    if not rows:
        raise DataError(f"{where}: no examples")
    return columns
