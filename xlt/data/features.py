"""Tokenised features, by task format. Dynamic padding happens at collation, not here."""

import logging
from dataclasses import dataclass

from xlt.data.loading import Split
from xlt.tasks import TaskSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Features:
    """Unpadded token ids with their labels; `lengths` drives length-grouped batching."""

    input_ids: list[list[int]]
    labels: list[int]

    @property
    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]

    def __len__(self) -> int:
        return len(self.labels)


def encode(task: TaskSpec, split: Split, tokenizer, max_length: int) -> Features:
    """Tokenise a split by the task's format."""
    if task.format == "pair_classification":
        first, second = (split.columns[c] for c in task.columns)
        enc = tokenizer(first, second, truncation="longest_first", max_length=max_length)
        ids = enc["input_ids"]
        truncated = sum(len(x) == max_length for x in ids)
        if truncated:
            log.info("%s %s/%s: %d of %d pairs reached max_length=%d and were truncated",
                     task.name, split.language, split.split, truncated, len(ids), max_length)
        return Features(input_ids=ids, labels=list(split.columns["label"]))
    raise NotImplementedError(f"format {task.format!r}")
