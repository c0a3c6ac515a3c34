"""What a task is: a frozen declaration. Behaviour hangs off `format`, not off per-task classes."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlt.languages import language_name

Format = Literal["classification", "ranking", "multiple_choice", "span_extraction", "tagging", "retrieval",
                 "masked_lm", "generation"]
TEXT_FORMATS = ("classification", "ranking", "multiple_choice", "span_extraction", "tagging", "generation")
"""Formats with a text-to-text form (`model.head: text`, xlt.formats.text)."""
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
    revision: str | None = None
    """The hub revision to read (a branch such as `refs/convert/parquet`, or a commit)."""
    data_dir: str | None = None
    """The folder of the revision that holds the data: the hub's Parquet export has no dataset card,
    so its configs are folders (`copa/{train,validation,test}/0000.parquet`), read with `data_dir`."""

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
    """Per-task training defaults: the reference protocol's (jiant's XTREME configuration for
    the XTREME targets; docs/tasks.md cites each figure). The sweep file overrides them."""

    max_seq_length: int = 256
    epochs: float = 2
    batch_size: int = 32
    """The global batch: examples per optimizer step, whatever the number of workers."""
    learning_rate: float = 1e-5
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    eval_every: int | None = 1000
    """Steps between dev evaluations, the best checkpoint kept; None keeps the last."""
    patience: int | None = 30
    """Evaluations without improvement before training stops; None never stops early."""
    dev_subset: int | None = 500
    """Dev examples (the first N) scored for checkpoint selection; None: all."""


@dataclass(frozen=True)
class TaskSpec:
    """One task of the study.

    adapter: hub row -> the format's canonical record, or None to skip the row by the rule in
      `skip_rule` (skips are counted and logged, never silent).
    expand: hub rows -> the rows the adapter reads, for data whose examples are not one a row
      (NL-code search adds a mismatched negative per pair; Mewsli-X has several mentions a document).
    labels: label names (classification, tagging); empty for open label sets derived from the
      training data (CCG supertags).
    train_from: the task whose training set phase 3 uses (XNLI trains on MNLI, XQuAD on SQuAD),
      or several trained in turn (XCOPA: SIQA, then COPA, as XTREME-R does).
    dev_from_train: a fraction of the training split held out as its validation split (by a hash
      of each row's content, so the same rows on every run), for a task whose only labelled
      held-out data serves as its test split (TyDiQA-GoldP).
    missing_splits: languages the source lacks a split for, so nothing asks for it.
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
    train_from: str | tuple[str, ...] | None = None
    defaults: Defaults = Defaults()
    dev_from_train: float | None = None
    missing_splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Split -> the languages whose source has no such split (UDPOS: no validation for kk, tl, th, yo)."""
    allows_no_answer: bool = False
    skip_rule: str = ""
    candidate_pool: Literal["answer_sentences", "entities"] | None = None
    """Retrieval over one pool shared by every language (XTREME-R, mAP@20; see xlt/data/pools.py):
    every sentence of every language's passages (LAReQA), or an entity file (Mewsli-X)."""
    retrieval_layer: int | None = None
    """The encoder layer retrieval pools, `hidden_states[layer]` with 0 the embeddings; None: the
    depth rule of xlt.formats.retrieval.default_retrieval_layer (14 of XLM-R large's 24)."""
    retrieval_pooling: Literal["mean", "first"] = "mean"
    description: str = ""
    benchmark_folder: str | None = None
    """Folder name in the benchmark's submission layout, where it differs (`bucc2018`)."""
    variant_of: str | None = None
    """For `task@langs` variants: the registered task (whose fixtures and hub source it uses)."""
    verbalizer: tuple[str, ...] = ()
    """The text-to-text path's word for each label (xlt.formats.text); empty: the label names,
    underscores as spaces (`not_paraphrase` -> `not paraphrase`)."""

    @property
    def label_words(self) -> tuple[str, ...]:
        return self.verbalizer or tuple(label.replace("_", " ") for label in self.labels)

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
        """The metric objectives average: F1 for seqeval tagging, QA, BUCC and clone detection,
        seqeval precision for XGLUE POS (as XGLUE scores it), nDCG for ranking, mAP@20 for pool
        retrieval, BLEU for XGLUE QG/NTG, smoothed BLEU for code-to-text, accuracy otherwise."""
        return {"seqeval": "f1", "seqeval_precision": "precision", "binary_f1": "f1", "squad": "f1",
                "squad_v2": "f1", "mlqa": "f1", "bucc": "f1", "ndcg": "ndcg", "map@20": "map@20",
                "xglue_bleu": "bleu", "codexglue_bleu": "smoothed_bleu"}.get(self.metric, "accuracy")

    @property
    def train_tasks(self) -> tuple[str, ...]:
        """The tasks whose training sets phase 3 trains on, in turn (the task itself by default)."""
        if self.train_from is None:
            return (self.name,)
        return (self.train_from,) if isinstance(self.train_from, str) else tuple(self.train_from)

    @property
    def dev_task(self) -> str:
        """Whose English dev set selects the checkpoint: the (last) training task's, as jiant's
        XTREME configuration validates on the task it trains (XNLI on MNLI-matched, XQuAD and
        MLQA on SQuAD)."""
        return self.train_tasks[-1]

    @property
    def trains(self) -> bool:
        return self.format != "retrieval"

    @property
    def bitext(self) -> bool:
        """Read as BUCC's comparable corpora (xlt/data/bucc.py), not as records."""
        return bool(self.hub) and self.hub[0].path == "local:bucc2018"

    def fixture_path(self, language: str, split: str) -> Path:
        if self.bitext:  # the shared task's layout: <l>-en.<dev|test>.<l>
            return FIXTURES / self.name / f"{language}-en.{'dev' if split == 'validation' else split}.{language}"
        suffix = "stagged" if self.hub and self.hub[0].path == "local:ccgbank" else "jsonl"
        return FIXTURES / (self.variant_of or self.name) / language / f"{split}.{suffix}"
