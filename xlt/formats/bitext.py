"""Bitext retrieval (Tatoeba, BUCC), evaluated as XTREME's code does it
(google-research/xtreme@838c13b, third_party/utils_retrieve.py and evaluate_retrieval.py).

Tatoeba: the non-English sentences are indexed and each English sentence queries them (XTREME's
`similarity_search(x=non-English, y=English)`); the prediction of English line j is the row of
its nearest non-English sentence; accuracy against the row of its translation.

BUCC (XTREME's `mine_bitext`, ratio margin, k = 4, retrieval "max"): each side's k nearest
neighbours in the other give each sentence the mean cosine of its neighbourhood; a pair's score
is its cosine over the mean of the two neighbourhood means; each source keeps its best-scoring
forward neighbour and each target its best backward neighbour; the two lists are merged, sorted
by score and taken greedily one-to-one (pairs scoring <= 0 are not written). Mining runs over
each side's distinct texts, and a sentence whose text occurs more than once on its side is then
dropped, as XTREME's `read_sent2id` does (jiant keeps every id of such a text instead). The
threshold is tuned on the dev split's gold by `bucc_optimize`: midway between the best-F1
candidate's score and the next one's; test pairs scoring >= it are predicted.
"""

import logging
from collections import Counter

import torch

from xlt.formats.base import Embedder, Scored, one_per_line
from xlt.metrics import accuracy, bucc_prf

log = logging.getLogger(__name__)

MARGIN_K = 4  # XTREME's mine_bitext neighbourhood


def evaluate_bitext(task, embed: Embedder, data, dev_languages: list[str], test_languages: list[str]) -> list[Scored]:
    """Tatoeba: each test language's English queries; BUCC: each language's corpora mined, the
    threshold tuned on dev gold and applied to test (dev scored at its own threshold, as jiant
    reports BUCC's val). `data` reads records, bitexts and writes predictions (RetrievalData)."""
    out = []
    for lang in test_languages:
        if not task.bitext:
            records = data.records(task, lang, "test")
            metrics, predictions = tatoeba_score(records, embed([r["source"] for r in records]),
                                                 embed([r["target"] for r in records]))
            data.write_predictions(task, lang, one_per_line(predictions), bitext_gold(task, records))
            out.append(Scored(lang, "test", metrics, len(records)))
            continue
        mined = {}
        for split in ("validation", "test"):
            bitext = data.bitext(task, lang, split)
            src, trg = distinct(bitext.source)[0], distinct(bitext.target)[0]
            mined[split] = (bitext, bucc_candidates(bitext, embed(src), embed(trg)))
        (dev, dev_candidates), (test, test_candidates) = mined["validation"], mined["test"]
        threshold = bucc_threshold(dev_candidates, dev.gold)
        log.info("bucc %s: margin threshold %.4f chosen on dev", lang, threshold)
        if lang in dev_languages:
            out.append(Scored(lang, "validation", bucc_score(dev_candidates, dev.gold, threshold)[0], len(dev)))
        metrics, predictions = bucc_score(test_candidates, test.gold, threshold)
        data.write_predictions(task, lang, one_per_line(predictions), bitext_gold(task, test.gold))
        out.append(Scored(lang, "test", metrics, len(test)))
    return out


def bitext_gold(task, records) -> str:
    """Gold lines: BUCC's gold pairs (`records` are then the pair lines), Tatoeba's row of each
    English line's translation."""
    return one_per_line(records if task.metric == "bucc" else range(len(records)))


def _unit(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.normalize(x.float(), dim=-1)


def tatoeba_search(source: torch.Tensor, english: torch.Tensor) -> list[int]:
    """For each English row, the row of its most similar non-English sentence (XTREME indexes the
    non-English side and queries with English)."""
    return (_unit(english) @ _unit(source).T).argmax(dim=1).tolist()


def tatoeba_score(records, source: torch.Tensor, english: torch.Tensor) -> tuple[dict[str, float], list[str]]:
    """Accuracy of the English queries (English line j's translation is non-English row j), and
    the prediction lines: one row index per English line."""
    nearest = tatoeba_search(source, english)
    return {"accuracy": accuracy(list(range(len(records))), nearest)}, [str(i) for i in nearest]


def mine_bitext(source: torch.Tensor, target: torch.Tensor, k: int = MARGIN_K) -> list[tuple[float, int, int]]:
    """XTREME's `mine_bitext` (ratio margin, retrieval "max"): (score, source row, target row),
    best first, one-to-one, scores > 0."""
    x, y = _unit(source), _unit(target)
    sim = x @ y.T
    fwd_sim, fwd_idx = sim.topk(min(k, sim.shape[1]), dim=1)         # each source's nearest targets
    bwd_sim, bwd_idx = sim.T.topk(min(k, sim.shape[0]), dim=1)       # each target's nearest sources
    x2y, y2x = fwd_sim.mean(1), bwd_sim.mean(1)
    fwd = fwd_sim / ((x2y.unsqueeze(1) + y2x[fwd_idx]) / 2)
    bwd = bwd_sim / ((y2x.unsqueeze(1) + x2y[bwd_idx]) / 2)
    fwd_best, bwd_best = fwd.argmax(1), bwd.argmax(1)
    merged = [(float(fwd[i, fwd_best[i]]), i, int(fwd_idx[i, fwd_best[i]])) for i in range(len(x))]
    merged += [(float(bwd[j, bwd_best[j]]), int(bwd_idx[j, bwd_best[j]]), j) for j in range(len(y))]
    merged.sort(key=lambda c: -c[0])
    seen_src, seen_trg, out = set(), set(), []
    for score, i, j in merged:
        if i in seen_src or j in seen_trg:
            continue
        seen_src.add(i)
        seen_trg.add(j)
        if score > 0:
            out.append((score, i, j))
    return out


def distinct(texts: list[str]) -> tuple[list[str], list[int]]:
    """The distinct texts (first-seen order) and, per distinct text, its one row, or -1 when the
    text occurs more than once (XTREME then drops its pairs)."""
    counts = Counter(texts)
    unique = list(dict.fromkeys(texts))
    row = {t: i for i, t in enumerate(texts)}
    return unique, [row[t] if counts[t] == 1 else -1 for t in unique]


def bucc_candidates(bitext, source: torch.Tensor, target: torch.Tensor) -> list[tuple[float, str]]:
    """Mined candidates of one language's corpora, (score, 'src_id<TAB>trg_id'), best first.
    `source`/`target` embed the distinct texts of each side (distinct)."""
    _, src_rows = distinct(bitext.source)
    _, trg_rows = distinct(bitext.target)
    out = []
    for score, i, j in mine_bitext(source, target):
        if src_rows[i] >= 0 and trg_rows[j] >= 0:
            out.append((score, f"{bitext.source_ids[src_rows[i]]}\t{bitext.target_ids[trg_rows[j]]}"))
    return out


def bucc_threshold(candidates: list[tuple[float, str]], gold: list[str]) -> float:
    """XTREME's `bucc_optimize`: walking the candidates best first, the threshold midway between
    the first candidate reaching the best F1 and the next one; 0 when none is correct. Where the
    best F1 is reached at the last candidate (XTREME raises IndexError) it is that candidate's score."""
    items = sorted(candidates, key=lambda c: -c[0])
    gold_set = set(gold)
    best, threshold, correct = 0.0, 0.0, 0
    for i, (score, pair) in enumerate(items):
        correct += pair in gold_set
        if not correct:
            continue
        precision, recall = correct / (i + 1), correct / len(gold_set)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best:
            best = f1
            threshold = (score + items[i + 1][0]) / 2 if i + 1 < len(items) else score
    return threshold


def bucc_extract(candidates: list[tuple[float, str]], threshold: float) -> list[str]:
    """The pairs scoring >= the threshold, in candidate order (XTREME's `bucc_extract`)."""
    return [pair for score, pair in candidates if score >= threshold]


def bucc_score(candidates: list[tuple[float, str]], gold: list[str], threshold: float) -> tuple[dict[str, float], list[str]]:
    predicted = bucc_extract(candidates, threshold)
    return bucc_prf(gold, predicted), predicted
