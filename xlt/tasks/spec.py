"""What a task is: a frozen declaration. Behaviour hangs off `format`, not off per-task classes."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Format = Literal["pair_classification"]
Role = Literal["intermediate", "target"]
Split = Literal["train", "validation", "test"]

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"


@dataclass(frozen=True)
class HubSource:
    """Where `datasets.load_dataset` finds the real data.

    `name` may hold `{lang}`, filled per language (XNLI has one config a language).
    `splits` maps xlt's split names to the hub's (MNLI calls its dev set `validation_matched`).
    """

    path: str
    name: str | None = None
    splits: dict[str, str] = field(default_factory=dict)

    def config_for(self, language: str) -> str | None:
        return self.name.format(lang=language) if self.name else None

    def split_for(self, split: str) -> str:
        return self.splits.get(split, split)


@dataclass(frozen=True)
class TaskSpec:
    """One task of the study.

    columns: the text columns the format reads, in order (premise, hypothesis).
    labels: label names; a record's `label` is an index into them.
    train_language: the language of the training data (zero-shot: English).
    """

    name: str
    role: Role
    format: Format
    languages: tuple[str, ...]
    hub: HubSource
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    metric: str = "accuracy"
    train_language: str = "en"
    splits: tuple[Split, ...] = ("train", "validation", "test")
    description: str = ""
    benchmark_folder: str | None = None
    """Folder name in the benchmark's submission layout, where it differs (`bucc2018`)."""

    @property
    def folder(self) -> str:
        return self.benchmark_folder or self.name

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    @property
    def eval_languages(self) -> tuple[str, ...]:
        """Languages evaluated zero-shot: every language but the training one."""
        return tuple(lang for lang in self.languages if lang != self.train_language)

    def fixture_path(self, language: str, split: str) -> Path:
        return FIXTURES / self.name / language / f"{split}.jsonl"
