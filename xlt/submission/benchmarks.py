"""Benchmark definitions for scoring prediction folders: task folders, languages, file formats,
groups, exactly as XTREME's `evaluate.py` defines them for `--xtreme_version xtreme` and
`xtreme-r` (google-research/xtreme@838c13b69daafb9328785d16caae2711e4012123, evaluate.py:118-212;
docs/scoring.md). Lists keep the official order: averages are summed in it."""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["label", "tag", "squad", "mlqa", "bucc", "xcopa", "mewslix", "unscored"]


@dataclass(frozen=True)
class BenchmarkTask:
    folder: str              # the official folder name (`bucc2018`)
    kind: Kind               # how files are read and scored
    languages: tuple[str, ...]

    @property
    def suffix(self) -> str:
        """evaluate.py's get_suffix: json for QA and Mewsli-X, jsonl for XCOPA, tsv otherwise."""
        return {"squad": "json", "mlqa": "json", "mewslix": "json", "xcopa": "jsonl"}.get(self.kind, "tsv")

    @property
    def exempt_from_count_check(self) -> bool:
        """evaluate.py checks example counts for every task but BUCC, Mewsli-X and QA (sets and id maps)."""
        return self.kind in ("bucc", "squad", "mlqa", "mewslix")


@dataclass(frozen=True)
class Benchmark:
    name: str
    tasks: tuple[BenchmarkTask, ...]
    groups: dict[str, tuple[str, ...]]

    def task(self, folder: str) -> BenchmarkTask:
        return next(t for t in self.tasks if t.folder == folder)

    def languages(self, folder: str) -> tuple[str, ...]:
        """A task's official languages in this benchmark (empty when it is not one of its tasks)."""
        return next((t.languages for t in self.tasks if t.folder == folder), ())


def _langs(text: str) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


XTREME = Benchmark(
    name="xtreme",
    tasks=(
        BenchmarkTask("pawsx", "label", _langs("de,en,es,fr,ja,ko,zh")),
        BenchmarkTask("xnli", "label", _langs("ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh")),
        BenchmarkTask("panx", "tag", _langs(
            "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,"
            "th,sw,yo,my,zh,kk,tr,et,fi,hu")),
        BenchmarkTask("udpos", "tag", _langs(
            "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,"
            "vi,yo,zh")),
        BenchmarkTask("bucc2018", "bucc", _langs("de,fr,ru,zh")),
        BenchmarkTask("tatoeba", "label", _langs(
            "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,"
            "zh,kk,tr,et,fi,hu")),
        BenchmarkTask("xquad", "squad", _langs("en,es,de,el,ru,tr,ar,vi,th,zh,hi")),
        BenchmarkTask("mlqa", "mlqa", _langs("en,es,de,ar,hi,vi,zh")),
        BenchmarkTask("tydiqa", "squad", _langs("en,ar,bn,fi,id,ko,ru,sw,te")),
    ),
    groups={
        "classification": ("pawsx", "xnli"),
        "tagging": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("bucc2018", "tatoeba"),
    },
)

# XTREME-R drops PAW-X and BUCC, adds XCOPA, LAReQA and Mewsli-X and languages for PAN-X, UDPOS,
# Tatoeba and XQuAD. Its evaluate.py lists LAReQA with no language (LAReQA is scored by
# evaluate_retrieval.py instead), so a LAReQA folder gets no score and `all_task` never appears.
XTREME_R = Benchmark(
    name="xtreme-r",
    tasks=(
        BenchmarkTask("xnli", "label", XTREME.languages("xnli")),
        BenchmarkTask("panx", "tag", XTREME.languages("panx") + _langs("qu,pl,uk,az,lt,pa,gu,ro")),
        BenchmarkTask("udpos", "tag", XTREME.languages("udpos") + _langs("lt,pl,uk,wo,ro")),
        BenchmarkTask("tatoeba", "label", XTREME.languages("tatoeba") + _langs("az,lt,pl,uk,ro")),
        BenchmarkTask("xcopa", "xcopa", _langs("et,ht,id,it,qu,sw,ta,th,tr,vi,zh")),
        BenchmarkTask("lareqa", "unscored", ()),
        BenchmarkTask("mewslix", "mewslix", _langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk")),
        BenchmarkTask("xquad", "squad", XTREME.languages("xquad") + _langs("ro")),
        BenchmarkTask("mlqa", "mlqa", XTREME.languages("mlqa")),
        BenchmarkTask("tydiqa", "squad", XTREME.languages("tydiqa")),
    ),
    groups={
        "classification": ("xnli", "xcopa"),
        "tagging": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("tatoeba", "mewslix"),
        "multi_choice": ("xcopa",),
    },
)

BENCHMARKS = {b.name: b for b in (XTREME, XTREME_R)}
