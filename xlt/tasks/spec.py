"""What a task is: a frozen declaration. Behaviour hangs off `format`, not off per-task classes."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlt.languages import language_name

Format = Literal["classification", "ranking", "multiple_choice", "span_extraction", "tagging", "retrieval",
                 "masked_lm"]
Role = Literal["intermediate", "target"]
Split = Literal["train", "validation", "test"]

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"


@dataclass(frozen=True)
class HubSource:
    """Where `datasets.load_dataset` finds the real data.

    name: the config; may hold `{lang}` (XNLI's `de`), `{lang_name}` (`udpos.German`) or
      `{lang_code}` (a per-source code from `codes`, e.g. Tatoeba's `deu`).
    splits: xlt split -> hub split(s), concatenated (ANLI's train = train_r1 + train_r2 + train_r3).
    id_prefix: language -> prefix of the `id` column, for hub splits that mix languages (TyDiQA).
    """

    path: str
    name: str | None = None
    splits: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    id_prefix: dict[str, str] = field(default_factory=dict)
    streaming: int | None = None
    """Stream the split and take this many rows per language (Wikipedia); validation then takes
    the rows that follow the training ones."""

    def config_for(self, language: str) -> str | None:
        if not self.name:
            return None
        return self.name.format(lang=language, lang_name=language_name(language),
                                lang_code=self.codes.get(language, language))

    def splits_for(self, split: str, language: str = "") -> tuple[str, ...]:
        """The hub split(s) of an xlt split; `{lang}` in a name is the language (XGLUE's `test.de`)."""
        names = self.splits.get(split, split)
        return tuple(n.format(lang=language) for n in ((names,) if isinstance(names, str) else names))


@dataclass(frozen=True)
class Defaults:
    """Per-task training defaults; the sweep file overrides them."""

    max_seq_length: int = 256
    epochs: float = 2
    batch_size: int = 32


@dataclass(frozen=True)
class TaskSpec:
    """One task of the study.

    adapter: hub row -> the format's canonical record, or None to skip the row by the rule in
      `skip_rule` (skips are counted and logged, never silent).
    expand: hub rows -> the rows the adapter reads, for data whose examples are not one a row
      (NL-code search adds a mismatched negative per pair; Mewsli-X has several mentions a document).
    labels: label names (classification, tagging); empty for open label sets derived from the
      training data (CCG supertags).
    train_from: the task whose training set phase 3 uses (XNLI trains on MNLI, XQuAD on SQuAD).
    """

    name: str
    role: Role
    format: Format
    languages: tuple[str, ...]
    hub: tuple[HubSource, ...]
    adapter: Callable[[dict], dict | None]
    metric: str
    labels: tuple[str, ...] = ()
    expand: Callable[[list[dict]], list[dict]] | None = None
    train_language: str = "en"
    splits: tuple[Split, ...] = ("train", "validation", "test")
    train_from: str | None = None
    defaults: Defaults = Defaults()
    allows_no_answer: bool = False
    skip_rule: str = ""
    candidate_pool: Literal["answer_sentences", "entities"] | None = None
    """Retrieval over one pool shared by every language (XTREME-R, mAP@20; see xlt/data/pools.py):
    every sentence of every language's passages (LAReQA), or an entity file (Mewsli-X)."""
    retrieval_layer: int = 7
    retrieval_pooling: Literal["mean", "first"] = "mean"
    description: str = ""
    benchmark_folder: str | None = None
    """Folder name in the benchmark's submission layout, where it differs (`bucc2018`)."""
    variant_of: str | None = None
    """For `task@langs` variants: the registered task (whose fixtures and hub source it uses)."""

    @property
    def training_languages(self) -> tuple[str, ...]:
        """Languages of the training data: every language for masked LM, else the train language."""
        return self.languages if self.format == "masked_lm" else (self.train_language,)

    @property
    def folder(self) -> str:
        return self.benchmark_folder or self.name

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    @property
    def primary_metric(self) -> str:
        """The metric objectives average: F1 for seqeval tagging, QA and BUCC, nDCG for ranking,
        mAP@20 for pool retrieval, accuracy otherwise."""
        return {"seqeval": "f1", "squad": "f1", "squad_v2": "f1", "mlqa": "f1", "bucc": "f1",
                "ndcg": "ndcg", "map@20": "map@20"}.get(self.metric, "accuracy")

    @property
    def dev_task(self) -> str:
        """Whose English validation split selects the model: its own, else (no validation split, or
        none in the training language: XCOPA has no English) its training task's."""
        own = "validation" in self.splits and self.train_language in self.languages
        return self.name if own or not self.train_from else self.train_from

    @property
    def trains(self) -> bool:
        return self.format != "retrieval"

    def fixture_path(self, language: str, split: str) -> Path:
        suffix = "stagged" if self.hub and self.hub[0].path == "local:ccgbank" else "jsonl"
        return FIXTURES / (self.variant_of or self.name) / language / f"{split}.{suffix}"
