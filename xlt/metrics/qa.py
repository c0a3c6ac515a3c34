"""Span-QA exact match and F1: SQuAD v1.1's script (XQuAD, TyDiQA-GoldP), SQuAD v2.0's
(no-answer), and MLQA's with per-language normalisation."""

import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

# --- SQuAD v1.1 ----------------------------------------------------------------------------

_SQUAD_PUNCT = set(string.punctuation)


def squad_normalize(s: str) -> str:
    """Lower-case, drop ASCII punctuation, English articles and extra whitespace."""
    s = "".join(ch for ch in s.lower() if ch not in _SQUAD_PUNCT)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def _token_f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def squad_f1(prediction: str, gold: str) -> float:
    return _token_f1(squad_normalize(prediction).split(), squad_normalize(gold).split())


def squad_exact(prediction: str, gold: str) -> float:
    return float(squad_normalize(prediction) == squad_normalize(gold))


def _questions(dataset: Iterable[Mapping]) -> Iterable[Mapping]:
    for article in dataset:
        for paragraph in article["paragraphs"]:
            yield from paragraph["qas"]


def _em_f1(dataset, predictions: Mapping[str, str], em: Callable, f1: Callable, scale: float = 1.0) -> dict[str, float]:
    """Mean over questions of the max over gold answers; an unanswered question scores 0.
    `scale` multiplies the sums before the division, as the official scripts' `100.0 * exact /
    total` does (so percentages equal theirs to the last bit)."""
    total = exact = f1_sum = 0.0
    for qa in _questions(dataset):
        total += 1
        if qa["id"] not in predictions:
            continue
        golds = [a["text"] for a in qa["answers"]]
        pred = predictions[qa["id"]]
        exact += max(em(pred, g) for g in golds)
        f1_sum += max(f1(pred, g) for g in golds)
    if not total:
        raise ValueError("no questions in the gold data")
    return {"exact_match": scale * exact / total, "f1": scale * f1_sum / total}


def squad_em_f1(dataset, predictions: Mapping[str, str], scale: float = 1.0) -> dict[str, float]:
    """SQuAD v1.1 `evaluate`: `dataset` is the `data` list of a SQuAD-format file."""
    return _em_f1(dataset, predictions, squad_exact, squad_f1, scale)


# --- SQuAD v2.0 ----------------------------------------------------------------------------

def squad_v2_em_f1(dataset, predictions: Mapping[str, str]) -> dict[str, float]:
    """SQuAD v2.0 `evaluate` (no threshold): a question without answers has gold `['']`, and an
    empty prediction against an empty gold scores 1 for both EM and F1."""
    total = exact = f1_sum = 0.0
    for qa in _questions(dataset):
        total += 1
        if qa["id"] not in predictions:
            continue
        golds = [a["text"] for a in qa["answers"] if squad_normalize(a["text"])] or [""]
        pred = predictions[qa["id"]]
        exact += max(float(squad_normalize(pred) == squad_normalize(g)) for g in golds)
        f1_sum += max(_v2_f1(pred, g) for g in golds)
    if not total:
        raise ValueError("no questions in the gold data")
    return {"exact_match": exact / total, "f1": f1_sum / total}


def _v2_f1(prediction: str, gold: str) -> float:
    pred, ref = squad_normalize(prediction).split(), squad_normalize(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    return _token_f1(pred, ref)


# --- MLQA ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def mlqa_punctuation() -> frozenset[str]:
    """Every Unicode punctuation character (category P*) plus ASCII punctuation, as MLQA's script
    builds it (note: `range(sys.maxunicode)`, so the last code point is not examined)."""
    return frozenset(chr(i) for i in range(sys.maxunicode)
                     if unicodedata.category(chr(i)).startswith("P")) | set(string.punctuation)


_WHITESPACE_LANGS = {"en", "es", "hi", "vi", "de", "ar"}
_MIXED_SEGMENTATION_LANGS = {"zh"}
_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    # MLQA's pattern, verbatim: the first branch can never match, so every "ال" is removed.
    "ar": r"\sال^|ال",
}
MLQA_LANGUAGES = ("en", "es", "hi", "vi", "de", "ar", "zh")


def _mixed_segmentation(text: str) -> list[str]:
    """Chinese: each CJK character and punctuation mark is a token; other runs split on spaces."""
    punct = mlqa_punctuation()
    out, run = [], ""
    for ch in text:
        if re.search(r"[\u4e00-\u9fa5]", ch) or ch in punct:
            if run:
                out.extend(run.split())
                run = ""
            out.append(ch)
        else:
            run += ch
    if run:
        out.extend(run.split())
    return out


def mlqa_normalize(s: str, lang: str) -> str:
    if lang not in MLQA_LANGUAGES:
        raise ValueError(f"MLQA has no normalisation for language {lang!r} (it has {', '.join(MLQA_LANGUAGES)})")
    punct = mlqa_punctuation()
    s = "".join(ch for ch in s.lower() if ch not in punct)
    if lang in _ARTICLES:
        s = re.sub(_ARTICLES[lang], " ", s)
    tokens = s.split() if lang in _WHITESPACE_LANGS else _mixed_segmentation(s)
    return " ".join(t for t in tokens if t.strip() != "")


def mlqa_em_f1(dataset, predictions: Mapping[str, str], lang: str, scale: float = 1.0) -> dict[str, float]:
    """MLQA v1 `evaluate` for one language."""
    return _em_f1(
        dataset, predictions,
        lambda p, g: float(mlqa_normalize(p, lang) == mlqa_normalize(g, lang)),
        lambda p, g: _token_f1(mlqa_normalize(p, lang).split(), mlqa_normalize(g, lang).split()), scale)
