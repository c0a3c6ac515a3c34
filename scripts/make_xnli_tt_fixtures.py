"""Write the offline fixtures of the translate-train intermediate tasks, in the hub's columns:
`xnli_tt` (XNLI's machine-translated MultiNLI training sets, one per language, on the hub as
facebook/xnli's `train` split) and `pawsx_tt` (PAWS-X's machine-translated PAWS training sets, the
`train` split of each language of google-research-datasets/paws-x).

No translated MultiNLI text ships with xlt, so the fixture reuses the hand-translated XNLI
fixture (xlt/data/fixtures/xnli): premises 1-7 and their hypotheses become `train`, premises 8-10
`validation`. It exercises the code path of a translated intermediate task in every XNLI language;
it overlaps the XNLI test fixture, so offline scores of `xnli_tt@L` followed by XNLI mean nothing.
`pawsx_tt` does the same with the PAWS-X test fixture (pairs 1-16 `train`, the rest `validation`).

    python scripts/make_xnli_tt_fixtures.py
"""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "xlt" / "data" / "fixtures"


def main() -> None:
    for lang_dir in sorted((FIXTURES / "xnli").iterdir()):
        rows = [json.loads(line) for line in (lang_dir / "test.jsonl").read_text(encoding="utf-8").splitlines() if line]
        premises = list(dict.fromkeys(r["premise"] for r in rows))
        out = FIXTURES / "xnli_tt" / lang_dir.name
        out.mkdir(parents=True, exist_ok=True)
        for split, chosen in (("train", premises[:7]), ("validation", premises[7:])):
            lines = [json.dumps(r, ensure_ascii=False) for r in rows if r["premise"] in chosen]
            (out / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for lang_dir in sorted((FIXTURES / "pawsx").iterdir()):
        lines = [line for line in (lang_dir / "test.jsonl").read_text(encoding="utf-8").splitlines() if line]
        out = FIXTURES / "pawsx_tt" / lang_dir.name
        out.mkdir(parents=True, exist_ok=True)
        for split, chosen in (("train", lines[:16]), ("validation", lines[16:])):
            (out / f"{split}.jsonl").write_text("\n".join(chosen) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
