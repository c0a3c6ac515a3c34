"""The data a trial reads: records and tokenised features of each split, through the feature
cache on the sweep's storage. Trials and `xlt data prepare` go through the same code and keys, so
a prepared sweep's trials read the cache, never the hub."""

from collections.abc import Iterator
from dataclasses import dataclass

from xlt.trial.keys import data_fingerprint
from xlt.data.feature_cache import FeatureCache, feature_key
from xlt.data.loading import available_languages, load_records, resolve_labels
from xlt.formats import FORMATS
from xlt.tasks import TaskSpec, get_task
from xlt.trial.plan import TrialPlan


@dataclass(frozen=True)
class Read:
    """One (task, data task, split, language, limit) a trial encodes; `encode=False`: records only
    (retrieval, evaluated without features)."""

    task: str
    data_task: str
    split: str
    language: str | None
    limit: int | None = None
    encode: bool = True


class TrialData:
    def __init__(self, plan: TrialPlan, tokenizer, writes: bool = True, text_family: str | None = None):
        """`text_family`: the model's family (encoder-decoder, decoder) when the trial runs it as
        itself, text to text; None: every task in its own format, under a pooled head."""
        self.plan, self.tokenizer, self.writes, self.text_family = plan, tokenizer, writes, text_family
        self._text_formats: dict[str, object] = {}
        self.cache = FeatureCache(f"{plan.cache_dir}/features") if plan.cache_dir else None

    def format_of(self, task: TaskSpec):
        """The format that encodes, trains and scores `task`: its own, or its text-to-text form."""
        if self.text_family is None or not task.trains:
            return FORMATS[task.format]
        if task.name not in self._text_formats:
            from xlt.formats.text import TextToText

            self._text_formats[task.name] = TextToText(FORMATS[task.format], self.tokenizer, self.text_family)
        return self._text_formats[task.name]

    def task(self, name: str) -> TaskSpec:
        return resolve_labels(get_task(name), self.plan.source)

    def max_length(self, task: TaskSpec) -> int:
        return self.plan.max_seq_length or task.defaults.max_seq_length

    def encoded(self, task: TaskSpec, data_task: TaskSpec, split: str, language: str | None = None,
                limit: int | None = None, phase_cap: int | None = None):
        """(records, features) of `data_task`'s split encoded for `task`, through the feature cache.
        Training splits cover every training language (capped by data.max_train_examples and the
        phase's own `phase_cap`, the lower); others the one `language`, their first `limit` examples."""
        cap = self.train_cap(phase_cap) if split == "train" else limit
        lang_key = ",".join(data_task.training_languages) if split == "train" else language
        fmt = self.format_of(task)
        key = self._key(f"{task.name}<-{data_task.name}", fmt.name, lang_key, split, self.max_length(task), cap,
                        data_task)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return hit
        records = self._train_records(data_task, cap) if split == "train" else self._load(data_task, language, split, cap)
        encoded = (records, fmt.encode(task, records, self.tokenizer, self.max_length(task)))
        if self.cache is not None and self.writes:
            self.cache.put(key, encoded)
        return encoded

    def records(self, task: TaskSpec, language: str, split: str, cap: int | None = None) -> list[dict]:
        """One split's records, through the cache (retrieval reads them unencoded)."""
        key = self._key(task.name, "records", language, split, 0, cap, task)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return hit[0]
        records = self._load(task, language, split, cap)
        if self.cache is not None and self.writes:
            from xlt.formats import Features

            self.cache.put(key, (records, Features([], [], {}, len(records))))
        return records

    def _key(self, name: str, fmt: str, language, split: str, max_length: int, cap, data_task: TaskSpec) -> str:
        data = data_fingerprint([data_task.variant_of or data_task.name], self.plan.source, cap)
        return feature_key(self.tokenizer.name_or_path, name, fmt, language, split, max_length, cap,
                           f"{data}|{self.plan.data_revision(data_task.name)}")

    def train_cap(self, phase_cap: int | None) -> int | None:
        """The cap on a phase's training examples: the data's or the phase's own, the lower."""
        caps = [c for c in (self.plan.max_train_examples, phase_cap) if c is not None]
        return min(caps) if caps else None

    def _train_records(self, task: TaskSpec, cap: int | None) -> list[dict]:
        """The training split, over every training language (several for masked LM)."""
        return [r for lang in task.training_languages for r in self._load(task, lang, "train", cap)]

    def _load(self, task: TaskSpec, language: str, split: str, cap: int | None = None) -> list[dict]:
        return load_records(task, language, split, self.plan.source, cap, self.plan.data_revision(task.name)).records


def reads(plan: TrialPlan) -> Iterator[Read]:
    """Everything a trial of `plan` encodes or reads through the cache (BUCC's corpora and the pools
    of pool retrieval are read directly)."""
    def target_languages(task: TaskSpec, split: str) -> list[str]:
        if split not in task.splits:
            return []
        return [l for l in available_languages(task, split, plan.source)
                if not plan.target_languages or l in plan.target_languages]

    if plan.intermediate_mixture is not None:
        for name in plan.intermediate_mixture.tasks:
            task = get_task(name)
            yield Read(name, name, "train", None)
            dev = ([task.train_language] if task.format != "masked_lm" else
                   [l for l in available_languages(task, "validation", plan.source) if l in task.training_languages])
            yield from (Read(name, name, "validation", lang) for lang in dev)
    for phase in plan.targets:
        task = get_task(phase.task)
        if not task.trains:
            if not task.bitext and not task.candidate_pool:
                yield from (Read(task.name, task.name, "test", lang, encode=False)
                            for lang in target_languages(task, "test"))
            continue
        yield from (Read(task.name, data, "train", None) for data in task.train_tasks)
        if phase.eval_every:
            yield Read(task.name, task.dev_task, "validation", task.train_language, phase.dev_subset)
        yield Read(task.name, task.dev_task, "validation", task.train_language)
        for split in ("validation", "test"):
            yield from (Read(task.name, task.name, split, lang) for lang in target_languages(task, split)
                        if not (split == "validation" and lang == task.train_language))
