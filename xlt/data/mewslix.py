"""Mewsli-X's files, as XTREME-R's download script leaves them (no hub copy).

`wikinews_mentions-{dev,test}.jsonl`: one WikiNews article a line, in the `ContextualMentions`
schema of google-research's `mewsli_x/schema.py`:
  {"context": {"document_id", "document_title", "document_url", "language", "text", ...},
   "mentions": [{"example_id", "mention_span": {"start", "end", "text"}, "entity_id"}, ...]}
`candidate_set_entities.jsonl`: the shared candidate pool, one Wikidata entity a line:
  {"entity_id": "Q64", "title": "Berlin", "description": "...", ...} (English descriptions).

With `data: {source: hub}` xlt reads them from $XLT_MEWSLIX_DIR; the shipped fixture keeps the same
schema, one file a language.
"""

import os
from pathlib import Path

from xlt.data.jsonl import read_jsonl

MENTION_FILES = {"validation": "wikinews_mentions-dev.jsonl", "test": "wikinews_mentions-test.jsonl"}
ENTITY_FILE = "candidate_set_entities.jsonl"


class MewsliXFormatError(ValueError):
    """A Mewsli-X file that is not of the expected schema: names the file."""


def mewslix_dir() -> Path:
    value = os.environ.get("XLT_MEWSLIX_DIR")
    if not value:
        raise FileNotFoundError("task 'mewslix' with source hub needs XLT_MEWSLIX_DIR: Mewsli-X has no hub copy; "
                                "point it at the folder XTREME-R's download_data.sh writes (download/mewslix), "
                                f"holding {MENTION_FILES['test']} and {ENTITY_FILE}")
    return Path(value)


def read_articles(folder: Path, split: str, language: str) -> list[dict]:
    """The split's articles written in `language` (the file holds every language)."""
    path = folder / MENTION_FILES[split]
    rows = read_jsonl(path)
    try:
        return [row for row in rows if row["context"]["language"] == language]
    except (KeyError, TypeError) as err:
        raise MewsliXFormatError(f"{path}: an article lacks context.language ({err!r})") from None


def unnest_mentions(articles: list[dict]) -> list[dict]:
    """One row a mention, with its article's context (mewsli_x's `unnest_to_single_mention_per_context`)."""
    return [{"context": article["context"], "mention": mention}
            for article in articles for mention in article["mentions"]]
