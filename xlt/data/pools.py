"""Candidate pools of XTREME-R's pool retrieval: a query in one language ranks one pool of
candidates shared by every language, and is scored by mAP@20 against its relevant candidates.

- LAReQA (`answer_sentences`): the pool is every sentence of every passage of XQuAD-R in all its
  languages; a question's relevant candidates are the sentences holding its answer in each
  language (XQuAD-R is 11-way parallel: a question has the same id in every language). A
  candidate is encoded as its sentence with the passage around it, as LAReQA's answer encoder
  reads it.
- Mewsli-X (`entities`): the pool is the entity file (English title and description of each
  Wikidata entity); a mention's relevant candidate is the entity it links to.

Canonical records once pooled:
  query:     {"query": str, "query_context": str | None, "query_id": str, "relevant": [candidate_id, ...]}
  candidate: {"candidate_id": str, "candidate": str, "candidate_context": str | None}
"""

import re
from dataclasses import dataclass

from xlt.data.loading import DataError, Source, available_languages, load_records
from xlt.data.jsonl import JSONLinesError, read_jsonl
from xlt.data.mewslix import ENTITY_FILE, mewslix_dir
from xlt.tasks import TaskSpec
from xlt.tasks.spec import FIXTURES

# A sentence ends at . ! ? (Latin, Greek, Cyrillic), ؟ (Arabic) or । (Devanagari) before white
# space, or right after 。！？ (CJK, unspaced). Used where the source has no sentence breaks.
_SENTENCE_END = re.compile(r"(?<=[.!?؟।])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class Pool:
    queries: dict[str, list[dict]]  # language -> query records
    candidates: list[dict]

    @property
    def candidate_ids(self) -> list[str]:
        return [c["candidate_id"] for c in self.candidates]


def load_pool(task: TaskSpec, split: str, source: Source) -> Pool:
    """The split's queries in every available language and the pool they share."""
    languages = available_languages(task, split, source)
    if not languages:
        raise DataError(f"task {task.name!r}: no {split} data in source {source!r}")
    by_language = {lang: load_records(task, lang, split, source).records for lang in languages}
    if task.candidate_pool == "answer_sentences":
        return answer_sentence_pool(by_language)
    if task.candidate_pool == "entities":
        return entity_pool(task, by_language, read_entities(task, source))
    raise ValueError(f"task {task.name!r} has no candidate pool")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, split at sentence-final punctuation."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start:match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def answer_sentence_pool(by_language: dict[str, list[dict]]) -> Pool:
    candidates: list[dict] = []
    answer_of: dict[tuple[str, str], str] = {}  # (language, query id) -> its answer's sentence
    for lang, records in by_language.items():
        passage_sentences: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        for record in records:
            passage = record["passage"]
            if passage not in passage_sentences:
                spans = record["sentence_breaks"] or sentence_spans(passage)
                ids = [f"{lang}/{len(passage_sentences)}/{i}" for i in range(len(spans))]
                passage_sentences[passage] = list(zip(ids, [tuple(s) for s in spans]))
                candidates += [{"candidate_id": cid, "candidate": passage[a:b].strip(), "candidate_context": passage}
                               for cid, (a, b) in passage_sentences[passage]]
            answer_of[(lang, record["query_id"])] = _sentence_at(passage_sentences[passage], record["answer_start"])
    relevant: dict[str, set[str]] = {}
    for (_, query_id), candidate_id in answer_of.items():
        relevant.setdefault(query_id, set()).add(candidate_id)
    queries = {lang: [{"query": r["query"], "query_context": None, "query_id": r["query_id"],
                       "relevant": sorted(relevant[r["query_id"]])} for r in records]
               for lang, records in by_language.items()}
    return Pool(queries, candidates)


def _sentence_at(sentences: list[tuple[str, tuple[int, int]]], offset: int) -> str:
    """The sentence holding character `offset` (or the next one, for an offset between sentences)."""
    for candidate_id, (_, end) in sentences:
        if offset < end:
            return candidate_id
    return sentences[-1][0]


def read_entities(task: TaskSpec, source: Source) -> list[dict]:
    folder = FIXTURES / (task.variant_of or task.name) if source == "local" else mewslix_dir()
    try:
        rows = read_jsonl(folder / ENTITY_FILE)
    except (FileNotFoundError, JSONLinesError) as err:
        raise DataError(f"task {task.name!r}: {err}") from None
    try:
        return [{"candidate_id": str(e["entity_id"]), "candidate": e["title"], "candidate_context": e["description"]}
                for e in rows]
    except KeyError as err:
        raise DataError(f"task {task.name!r}: {folder / ENTITY_FILE}: an entity lacks field {err.args[0]!r}") from None


def entity_pool(task: TaskSpec, by_language: dict[str, list[dict]], entities: list[dict]) -> Pool:
    known = {e["candidate_id"] for e in entities}
    for lang, records in by_language.items():
        missing = sorted({r["relevant"][0] for r in records} - known)
        if missing:
            raise DataError(f"task {task.name!r} {lang}: mentions link to entities outside the candidate set "
                            f"({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})")
    queries = {lang: [{k: r[k] for k in ("query", "query_context", "query_id", "relevant")} for r in records]
               for lang, records in by_language.items()}
    return Pool(queries, entities)
