"""Regenerate the BUCC fixture (xlt/data/fixtures/bucc/) in the shared task's layout.

BUCC 2018 is parallel sentence mining in comparable corpora: most sentences have no
translation on the other side. The fixture keeps that shape at a tiny size, per language (de,
fr, ru, zh) and split (dev = BUCC's sample split, test = its training split): the hand-translated
XNLI fixture sentences as the parallel pairs, a quarter of them with their English removed
(source sentences with no translation), and English sentences of the MNLI fixture as English
distractors. Sentence files are `id<TAB>sentence` (ids `<l>-<9 digits>`, as the shared task's),
gold files `<l id><TAB><en id>`; both sides are shuffled. Run: python scripts/make_bucc_fixtures.py
"""

import json
import random
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "xlt" / "data" / "fixtures"
LANGS = ("de", "fr", "ru", "zh")


def _xnli(lang: str) -> list[str]:
    rows = [json.loads(l) for l in (FIXTURES / "xnli" / lang / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(s for r in rows for s in (r["premise"], r["hypothesis"])))


def main() -> None:
    english = _xnli("en")
    distractors = sorted({json.loads(l)["premise"] for l in (FIXTURES / "mnli" / "en" / "train.jsonl").read_text(
        encoding="utf-8").splitlines()})
    out = FIXTURES / "bucc"
    out.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        foreign = _xnli(lang)
        assert len(foreign) == len(english), lang
        rng = random.Random(f"bucc-{lang}")
        order = list(range(len(english)))
        rng.shuffle(order)
        halves = {"dev": order[:20], "test": order[20:40]}
        used_ids: set[int] = set()

        def new_id(side: str) -> str:
            while (n := rng.randrange(10 ** 8, 10 ** 9)) in used_ids:
                pass
            used_ids.add(n)
            return f"{side}-{n:09d}"

        for split, items in halves.items():
            parallel, lonely = items[:15], items[15:]
            src = [(new_id(lang), foreign[i], i) for i in parallel + lonely]
            trg = [(new_id("en"), english[i], i) for i in parallel]
            trg += [(new_id("en"), text, None) for text in rng.sample(distractors, 6)]
            trg_of = {i: tid for tid, _, i in trg if i is not None}
            gold = sorted(f"{sid}\t{trg_of[i]}" for sid, _, i in src if i in trg_of)
            rng.shuffle(src)
            rng.shuffle(trg)
            prefix = out / f"{lang}-en.{split}"
            Path(f"{prefix}.{lang}").write_text("".join(f"{i}\t{t}\n" for i, t, _ in src), encoding="utf-8")
            Path(f"{prefix}.en").write_text("".join(f"{i}\t{t}\n" for i, t, _ in trg), encoding="utf-8")
            Path(f"{prefix}.gold").write_text("".join(f"{g}\n" for g in gold), encoding="utf-8")


if __name__ == "__main__":
    main()
