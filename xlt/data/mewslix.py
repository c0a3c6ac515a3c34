"""Mewsli-X's files (no hub copy), from $XLT_MEWSLIX_DIR.

google-research's `get-mewsli-x.sh` (dense_representations_for_entity_retrieval/mel) writes
`mewsli_x/output/dataset/`, which xlt reads:
`wikinews_mentions-{dev,test}.jsonl`: one WikiNews article a line, in the `ContextualMentions`
schema of its `mewsli_x/schema.py`, every language in one file, with gold entities:
  {"context": {"document_id", "document_title", "document_url", "language", "text", ...},
   "mentions": [{"example_id", "mention_span": {"start", "end", "text"}, "entity_id"}, ...]}
`candidate_set_entities.jsonl`: the shared candidate pool, one Wikidata entity a line:
  {"entity_id": "Q64", "title": "Berlin", "description": "...", "description_language": ...};
  each entity's description is in one of 50 languages, picked at random (a quarter English).

XTREME-R's `download_data.sh` moves those files, splits the mentions into
`wikinews_mentions/{dev,test}-<lang>.jsonl` and deletes the originals; it blanks the test split's
gold entities (its `utils_preprocess.py` keeps them for its leaderboard). xlt reads that layout
too, for dev; its test split cannot be scored, and says so.

The shipped fixture keeps the same schema, one file a language.
"""

import os
from pathlib import Path

from xlt.data.jsonl import read_jsonl

MENTION_FILES = {"validation": "wikinews_mentions-dev.jsonl", "test": "wikinews_mentions-test.jsonl"}
ENTITY_FILE = "candidate_set_entities.jsonl"


class MewsliXFormatError(ValueError):
    """A Mewsli-X file that is not of the expected schema: names the file."""


HOW_TO_GET = ("run google-research's get-mewsli-x.sh (github.com/google-research/google-research, "
              "dense_representations_for_entity_retrieval/mel) and set XLT_MEWSLIX_DIR to its "
              "mewsli_x/output/dataset folder")


def mewslix_dir() -> Path:
    value = os.environ.get("XLT_MEWSLIX_DIR")
    if not value:
        raise FileNotFoundError(f"task 'mewslix' with source hub needs XLT_MEWSLIX_DIR: Mewsli-X has no hub copy; "
                                f"{HOW_TO_GET} (holding {MENTION_FILES['test']} and {ENTITY_FILE})")
    return Path(value)


def read_articles(folder: Path, split: str, language: str) -> list[dict]:
    """The split's articles written in `language`: from get-mewsli-x.sh's one file a split, or
    XTREME-R's one file a split and language (dev only: it blanks the test split's gold)."""
    path = folder / MENTION_FILES[split]
    if not path.is_file():
        per_language = folder / "wikinews_mentions" / f"{'dev' if split == 'validation' else split}-{language}.jsonl"
        if not per_language.is_file():
            raise FileNotFoundError(f"{path}: no such file (nor XTREME-R's {per_language}); {HOW_TO_GET}")
        rows = read_jsonl(per_language)
        if split == "test" and any(not m.get("entity_id") for r in rows for m in r.get("mentions", [])):
            raise MewsliXFormatError(f"{per_language}: XTREME-R's download script blanks the test split's gold "
                                     f"entities, so it cannot be scored; {HOW_TO_GET}, which keeps them")
        return rows
    rows = read_jsonl(path)
    try:
        return [row for row in rows if row["context"]["language"] == language]
    except (KeyError, TypeError) as err:
        raise MewsliXFormatError(f"{path}: an article lacks context.language ({err!r})") from None


def unnest_mentions(articles: list[dict]) -> list[dict]:
    """One row a mention, with its article's context (mewsli_x's `unnest_to_single_mention_per_context`)."""
    return [{"context": article["context"], "mention": mention}
            for article in articles for mention in article["mentions"]]
