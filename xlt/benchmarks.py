"""Benchmark definitions for scoring prediction folders: task folders, languages, file formats,
groups. XTREME's lists are those of its `evaluate.py`; XTREME-R's those of its paper (see
docs/scoring.md for what is and is not verified against its release)."""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["label", "tag", "squad", "mlqa", "bucc", "ranking"]


@dataclass(frozen=True)
class BenchmarkTask:
    folder: str              # the official folder name (`bucc2018`)
    kind: Kind               # how files are read and scored
    languages: tuple[str, ...]

    @property
    def suffix(self) -> str:
        return {"squad": "json", "mlqa": "json", "ranking": "jsonl"}.get(self.kind, "tsv")

    @property
    def exempt_from_count_check(self) -> bool:
        """XTREME checks example counts for every task but BUCC and QA (sets and id maps)."""
        return self.kind in ("bucc", "squad", "mlqa", "ranking")


@dataclass(frozen=True)
class Benchmark:
    name: str
    tasks: tuple[BenchmarkTask, ...]
    groups: dict[str, tuple[str, ...]]

    def task(self, folder: str) -> BenchmarkTask:
        return next(t for t in self.tasks if t.folder == folder)


def _langs(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


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

XTREME_R = Benchmark(
    name="xtreme-r",
    tasks=(
        BenchmarkTask("xnli", "label", XTREME.task("xnli").languages),
        BenchmarkTask("xcopa", "label", _langs("et,ht,id,it,qu,sw,ta,th,tr,vi,zh")),
        BenchmarkTask("udpos", "tag", XTREME.task("udpos").languages + _langs("lt,pl,ro,uk,wo")),
        BenchmarkTask("panx", "tag", XTREME.task("panx").languages + _langs("az,gu,lt,pa,pl,qu,ro,uk")),
        BenchmarkTask("xquad", "squad", XTREME.task("xquad").languages),
        BenchmarkTask("mlqa", "mlqa", XTREME.task("mlqa").languages),
        BenchmarkTask("tydiqa", "squad", XTREME.task("tydiqa").languages),
        BenchmarkTask("mewslix", "ranking", _langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk")),
        BenchmarkTask("lareqa", "ranking", _langs("ar,de,el,en,es,hi,ru,th,tr,vi,zh")),
        BenchmarkTask("tatoeba", "label", XTREME.task("tatoeba").languages + _langs("az,lt,pl,uk,ro,wo")),
    ),
    groups={
        "classification": ("xnli", "xcopa"),
        "structured_prediction": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("mewslix", "lareqa", "tatoeba"),
    },
)

BENCHMARKS = {b.name: b for b in (XTREME, XTREME_R)}
