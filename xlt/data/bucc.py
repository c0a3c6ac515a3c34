"""BUCC 2018's comparable corpora, in the shared task's own files (the hub has no copy of them).

BUCC's F1 is defined over the full corpora: every sentence of each side, most of them with no
translation on the other side, and the gold pairs among them. The hub's `google/xtreme`
`bucc18.<l>` configs hold the gold pairs only, with no distractor sentences, so an F1 on them is
not BUCC's; xlt refuses them.

XTREME's `scripts/download_data.sh` (google-research/xtreme@838c13b) fetches
`https://comparable.limsi.fr/bucc2018/bucc2018-<l>-en.{sample,training}-gold.tar.bz2` and leaves,
per language l in de, fr, ru, zh, one folder holding
  <l>-en.dev.<l>   <l>-en.dev.en   <l>-en.dev.gold      (BUCC's sample split: xlt's validation)
  <l>-en.test.<l>  <l>-en.test.en                       (BUCC's training split: xlt's test;
                                                         XTREME deletes its gold, the tarball keeps it)
The tarballs' own names (`<l>-en.sample.*`, `<l>-en.training.*`) are read too. Sentence files hold
`id<TAB>sentence` a line, gold files `<l id><TAB><en id>`. XLT_BUCC_DIR names the folder, a local
path or a URL (`https://...`, `s3://...`: anything fsspec opens); the shipped fixture uses the same
layout (`xlt/data/fixtures/bucc/`).
"""

from dataclasses import dataclass
from pathlib import Path

from xlt.data.user_files import env_location, is_file, open_binary

ENV = "XLT_BUCC_DIR"
SPLIT_NAMES = {"validation": ("dev", "sample"), "test": ("test", "training")}


class BuccFormatError(ValueError):
    """A BUCC file that is missing or not in the shared task's format: names the file and line."""


@dataclass(frozen=True)
class Bitext:
    """One language's corpora for one split: the non-English side, English, and the gold pairs."""

    language: str
    source_ids: list[str]
    source: list[str]
    target_ids: list[str]
    target: list[str]
    gold: list[str] | None
    """`src_id<TAB>trg_id` lines; None when the split's gold is not available (XTREME's test)."""

    def __len__(self) -> int:
        return len(self.source)


def bucc_location() -> str:
    return env_location(ENV, (
            f"task 'bucc' with source hub needs {ENV}: BUCC's F1 is defined over the shared task's full comparable "
            "corpora, and the hub's google/xtreme bucc18.<l> configs hold only the gold pairs (no distractor "
            "sentences), so an F1 on them would not be BUCC's. Download bucc2018-<l>-en.{sample,training}-gold.tar.bz2 "
            "from https://comparable.limsi.fr/bucc2018/ (or run XTREME's scripts/download_data.sh), unpack them into "
            f"one folder and set {ENV} to it, or to a URL serving it"))


def read_bitext(location: str | Path, language: str, split: str, need_gold: bool = True) -> Bitext:
    """The corpora of `language` for xlt's `split` (validation or test) under `location`."""
    if split not in SPLIT_NAMES:
        raise BuccFormatError(f"BUCC has no {split!r} split (validation: BUCC's sample; test: its training split)")
    base = str(location).rstrip("/")
    name = next((n for n in SPLIT_NAMES[split] if is_file(f"{base}/{language}-en.{n}.{language}")), None)
    if name is None:
        tried = " or ".join(f"{base}/{language}-en.{n}.{language}" for n in SPLIT_NAMES[split])
        raise BuccFormatError(f"BUCC {language}/{split}: no {tried}")
    prefix = f"{base}/{language}-en.{name}"
    source_ids, source = _sentences(f"{prefix}.{language}")
    target_ids, target = _sentences(f"{prefix}.en")
    gold = None
    if is_file(f"{prefix}.gold"):
        gold = _gold(f"{prefix}.gold", set(source_ids), set(target_ids))
    elif need_gold:
        raise BuccFormatError(
            f"{prefix}.gold: missing. XTREME's download script deletes the test split's gold (BUCC's training "
            f"split); the shared task's bucc2018-{language}-en.training-gold.tar.bz2 holds it as "
            f"{language}-en.training.gold: put it beside the sentence files")
    return Bitext(language, source_ids, source, target_ids, target, gold)


def _lines(path: str) -> list[str]:
    with open_binary(path) as f:
        return f.read().decode("utf-8").splitlines()


def _sentences(path: str) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        sid, tab, text = line.partition("\t")
        if not tab or not sid.strip() or not text.strip():
            raise BuccFormatError(f"{path}:{n}: expected `id<TAB>sentence`, got {line[:80]!r}")
        ids.append(sid.strip())
        texts.append(text.strip())
    if len(set(ids)) != len(ids):
        raise BuccFormatError(f"{path}: sentence ids repeat")
    if not ids:
        raise BuccFormatError(f"{path}: no sentences")
    return ids, texts


def _gold(path: str, sources: set[str], targets: set[str]) -> list[str]:
    pairs = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        parts = line.strip().split("\t")
        if len(parts) != 2:
            raise BuccFormatError(f"{path}:{n}: expected `source_id<TAB>english_id`, got {line[:80]!r}")
        if parts[0] not in sources or parts[1] not in targets:
            raise BuccFormatError(f"{path}:{n}: pair {parts[0]} {parts[1]} names a sentence the corpora lack")
        pairs.append(f"{parts[0]}\t{parts[1]}")
    return pairs
