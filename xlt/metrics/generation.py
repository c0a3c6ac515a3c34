"""Generation metrics as the benchmarks' official scorers compute them: XGLUE's BLEU-4 for question
generation (QG) and news title generation (NTG), CodeXGLUE's smoothed sentence BLEU-4 for
code-to-text. Gold first, predictions second; fractions in [0, 1] (`xlt.submission.scoring` reports percent).
"""

import math
import re
import sys
from collections import Counter
from collections.abc import Sequence

import sacrebleu


def _check_pairs(references: Sequence[str], predictions: Sequence[str], metric: str) -> None:
    if len(references) != len(predictions):
        raise ValueError(f"{metric}: {len(predictions)} predictions for {len(references)} references")
    if not references:
        raise ValueError(f"{metric}: no examples (references and predictions are both empty)")


def xglue_bleu(references: Sequence[str], predictions: Sequence[str]) -> float:
    """XGLUE's QG and NTG score: sacrebleu's corpus BLEU-4 over one language's lines, lowercased,
    13a tokenisation, exponential smoothing, divided by 100, as microsoft/XGLUE@e417c4c
    `evaluation/xglue_evaluate.py` computes it (lines 158-171 read the files, 222-223 score them;
    BLEU only: the scorer computes no ROUGE-L). Lines are stripped as its loader strips them.

    Raises ValueError on a length mismatch, on no examples, and on an empty reference, where
    XGLUE's scorer stops too (sacrebleu 1.5.1 raises "No valid references for a sentence!").
    One departure from sacrebleu 1.5.1, which the expected values were taken with: when no n-gram
    of any order matches in the whole corpus, sacrebleu >= 2 scores 0 (its early stop, sacrebleu
    PR #141) where 1.5.1 gives a small positive exp-smoothed value (docs/scoring.md)."""
    _check_pairs(references, predictions, "xglue_bleu")
    refs = [r.strip() for r in references]
    empty = [i for i, r in enumerate(refs) if not r]
    if empty:
        raise ValueError(f"xglue_bleu: {len(empty)} of {len(refs)} references are empty (first at index "
                         f"{empty[0]}); XGLUE's scorer cannot score an example without a reference")
    hyps = [p.strip() for p in predictions]
    bleu = sacrebleu.corpus_bleu(hyps, [refs], smooth_method="exp", lowercase=True, tokenize="13a")
    return bleu.score / 100


# CodeXGLUE lowercases, then cuts a line into runs of word characters and single other characters;
# its NIST-style normalisation then also cuts "_" (a word character) out as a token of its own.
# Both steps together are this one pattern on the lowercased line.
_CODE_TEXT_TOKEN = re.compile(r"[^\W_]+|\S")
_TINY = sys.float_info.min  # added to every count before its log, as the evaluator does: log(0) stays finite


def _ngram_counts(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _smoothed_sentence_bleu(reference: list[str], prediction: list[str]) -> float:
    log_precisions = 0.0
    for n in range(1, 5):
        matched = sum((_ngram_counts(prediction, n) & _ngram_counts(reference, n)).values())
        guessed = max(len(prediction) - n + 1, 0)
        add = 1 if n > 1 else 0  # add-one on orders 2-4 only
        log_precisions += math.log(matched + add + _TINY) - math.log(guessed + add + _TINY)
    brevity = min(0.0, 1 - (len(reference) + 1) / (len(prediction) + 1))  # lengths + 1 as well
    return math.exp(log_precisions / 4 + brevity)


def codexglue_smoothed_bleu(references: Sequence[str], predictions: Sequence[str]) -> float:
    """CodeXGLUE code-to-text's smoothed BLEU-4: the mean over examples of sentence BLEU-4, as
    microsoft/CodeXGLUE@ac74a62 `Code-Text/code-to-text/evaluator/evaluator.py` computes it
    (`code/bleu.py` is the same file). Its report is this value times 100. One reference each.

    Hand-written because no maintained library computes it: the evaluator adds one to matched and
    guessed n-grams of orders 2-4 (sacrebleu's `add-k` with k=1 does the same), but its brevity
    penalty is exp(min(0, 1 - (r + 1) / (c + 1))) and an empty prediction scores exp(-r) rather
    than 0; sacrebleu's `sentence_bleu(smooth_method="add-k")` on the same tokens gives other
    numbers (docs/scoring.md). Tokens: lowercased runs of letters and digits, every other
    non-space character (underscore included) one token.

    Raises ValueError on a length mismatch and on no examples (the evaluator divides by zero)."""
    _check_pairs(references, predictions, "codexglue_smoothed_bleu")
    total = sum(_smoothed_sentence_bleu(_CODE_TEXT_TOKEN.findall(r.lower()), _CODE_TEXT_TOKEN.findall(p.lower()))
                for r, p in zip(references, predictions))
    return total / len(references)
