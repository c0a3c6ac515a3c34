"""Controlled, label-preserving perturbations of classification test data (`robustness:` in a
sweep file; docs/robustness.md).

Each kind changes an example's text in one declared way, at a declared rate, seeded: the random
draws depend only on (`robustness.seed`, task, language, kind), so every trial of every sweep with
the same seed is scored on the same perturbed examples.

  typos        each word of at least four letters, with probability `rate`, gets one typo: two
               neighbouring inner letters swapped, an inner letter dropped, or one doubled (the
               first and last letters stay). The two sentences of a pair independently.
  casing       each word with cased letters, with probability `rate`, has its case flipped (all
               upper case becomes lower case, anything else upper case). Scripts without case
               (Chinese, Japanese, Korean) are left unchanged.
  punctuation  each punctuation mark (Unicode category P*), with probability `rate`, is dropped.
  entity_swap  each capitalised word, not a sentence's first, that both sentences of a pair contain
               (a name both sentences mention), with probability `rate`, is replaced in both by
               another such word of the same language's test set that neither sentence contains.
               Capitalisation stands in for a named-entity tagger: German nouns count as entities,
               and a person's name may be replaced by a place's. Scripts without case: no entities.
  number_swap  each number both sentences contain, with probability `rate`, is replaced in both by
               another with as many digits and the same leading digit (in the same digit script)
               that neither contains.

The swaps change both sentences alike and never merge two words into one, so a paraphrase stays a
paraphrase and a non-paraphrase stays one: the gold label still holds. A single sentence (no pair)
swaps the entities and numbers it contains. Examples a perturbation leaves unchanged are not
scored under it; how many it changed is reported beside the scores.
"""

import random
import re
import unicodedata
from dataclasses import dataclass

KINDS = ("typos", "casing", "punctuation", "entity_swap", "number_swap")
DEFAULT_RATES = {"typos": 0.1, "casing": 0.2, "punctuation": 0.5, "entity_swap": 0.5, "number_swap": 1.0}
"""What a sweep gets when it lists a kind without a rate."""

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Perturbation:
    kind: str
    rate: float

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown perturbation {self.kind!r} (known: {', '.join(KINDS)})")
        if not 0 < self.rate <= 1:
            raise ValueError(f"{self.kind}: the rate is a probability in (0, 1], got {self.rate}")


def perturb(records: list[dict], perturbation: Perturbation, seed: int, key: str) -> list[tuple[int, dict]]:
    """The records `perturbation` changes, as (index, perturbed record), in order. `records` are
    classification records ({"text", "text_pair", "label", ...}); `key` names the data (task and
    language) so that each data set draws its own, reproducible perturbations."""
    rng = random.Random(f"{seed}|{key}|{perturbation.kind}")
    pool = _entity_pool(records) if perturbation.kind == "entity_swap" else []
    changed = []
    for i, record in enumerate(records):
        texts = [record["text"]] + ([record["text_pair"]] if record.get("text_pair") is not None else [])
        new = _apply(perturbation, texts, rng, pool)
        if new != texts:
            changed.append((i, {**record, "text": new[0], **({"text_pair": new[1]} if len(new) > 1 else {})}))
    return changed


def _apply(p: Perturbation, texts: list[str], rng: random.Random, pool: list[str]) -> list[str]:
    if p.kind == "typos":
        return [_words(t, lambda w: _typo(w, rng) if len(w) >= 4 and w.isalpha() and rng.random() < p.rate else w)
                for t in texts]
    if p.kind == "casing":
        return [_words(t, lambda w: _flip_case(w) if _cased(w) and rng.random() < p.rate else w) for t in texts]
    if p.kind == "punctuation":
        return ["".join(c for c in t if not (unicodedata.category(c).startswith("P") and rng.random() < p.rate))
                for t in texts]
    if p.kind == "entity_swap":
        shared = sorted(set.intersection(*(_entities(t) for t in texts)))
        return _swap(texts, shared, p.rate, rng, lambda taken: [e for e in pool if e not in taken], _WORD)
    shared = sorted(set.intersection(*(set(_NUMBER.findall(t)) for t in texts)))
    return _swap(texts, shared, p.rate, rng, None, _NUMBER)


def _words(text: str, change) -> str:
    return _WORD.sub(lambda m: change(m.group()), text)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)  # an inner position with an inner neighbour: 1 .. len - 3
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:] if word[i] != word[i + 1] else word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _cased(word: str) -> bool:
    return word.upper() != word.lower()


def _flip_case(word: str) -> str:
    return word.lower() if word.isupper() else word.upper()


def _entities(text: str) -> set[str]:
    """Capitalised words that are not the text's first word."""
    words = _WORD.findall(text)
    return {w for w in words[1:] if w[0].isupper() and not w.isupper() and w.isalpha()}


def _entity_pool(records: list[dict]) -> list[str]:
    found = set()
    for r in records:
        for text in (r["text"], r.get("text_pair")):
            if text is not None:
                found |= _entities(text)
    return sorted(found)


def _swap(texts: list[str], shared: list[str], rate: float, rng: random.Random, candidates, pattern) -> list[str]:
    """Replace each of `shared` (with probability `rate`) by a new word in every text: a word no
    text contains and no other replacement took, so no two words merge."""
    taken = {m for t in texts for m in pattern.findall(t)}
    mapping = {}
    for word in shared:
        if rng.random() >= rate:
            continue
        options = candidates(taken) if candidates else None
        new = rng.choice(options) if options else (_other_number(word, taken, rng) if candidates is None else None)
        if new is None:
            continue
        mapping[word] = new
        taken.add(new)
    if not mapping:
        return texts
    return [pattern.sub(lambda m: mapping.get(m.group(), m.group()), t) for t in texts]


def _other_number(number: str, taken: set[str], rng: random.Random) -> str | None:
    """A number of as many digits and the same leading digit (a year stays a plausible year), in the
    same digit script, that is not `taken`; a single digit becomes another. None after 20 draws."""
    zero = [chr(ord(c) - unicodedata.digit(c)) for c in number]
    for _ in range(20):
        digits = [rng.randrange(10) for _ in number]
        if len(number) > 1:
            digits[0] = unicodedata.digit(number[0])
        new = "".join(chr(ord(z) + d) for z, d in zip(zero, digits))
        if new != number and new not in taken:
            return new
    return None
