"""XGLUE's own release files, read into the rows the hub's loading script made from them.

The hub's `microsoft/xglue` holds only a loading script (`xglue.py`), which datasets >= 4 refuses, and
the script's data URL (https://xglue.blob.core.windows.net/xglue/xglue_full_dataset.tar.gz) answers
HTTP 409 (huggingface/datasets#5999, microsoft/XGLUE#7). The same tarball (875,905,871 bytes, LFS
sha256 e11016c0...f65b) sits on the hub's unmerged PR branch `refs/pr/7`, commit 3a24c825 (`TARBALL_URL`).
It unpacks to `xglue_full_dataset/`, one folder a task; for the eight tasks xlt reads:

  NER/  POS/      en.train, <l>.dev, <l>.test       `word label` a line (one space), a blank line
                                                      after each sentence
  QG/ NTG/        xglue.<task>.en.{src,tgt}.train,  one text a line, src (QG: answer passage; NTG:
                  xglue.<task>.<l>.{src,tgt}.dev,   news body) and tgt (the question; the title)
                  xglue.<task>.<l>.{src,tgt}.test   aligned by line; test targets are public
                                                      (XGLUE's README, 2020-11-26)
  NC/ QADSM/      xglue.<task>.en.train,            tab-separated fields in the order of the hub
  WPR/ QAM/       xglue.<task>.<l>.dev,             columns below, the label last; test files lack
                  xglue.<task>.<l>.test             the label (XGLUE keeps test labels private)

Train is English only. The hub splits are `train`, `validation.<l>` (the `.dev` file) and `test.<l>`
(the `.test` file); xlt's validation is `validation.en` and its test `validation.<l>` (catalog's
XGLUE_SPLITS). Rows have the hub script's columns, with each label as the index of its name in the
script's ClassLabel (`LAYOUTS[config].labels`). The release writes NER/POS tags and NC categories by
name, QADSM `Good`/`Bad`, WPR `0`-`4` and QAM `0`/`1` (the script maps the last two to names first:
`.codes`).

Sources (facts, not code, taken from them):
- the hub script: huggingface/datasets@d7dfbc83d68e87ba002c5eb2555f7a932e59038a `datasets/xglue/xglue.py`
  (its last GitHub copy; unchanged since e74d69c1d4 "Support streaming XGLUE dataset (#4249)", which is
  the hub's last script commit): `_PATHS`, `data_dir`, `_info` features, `_process_dict`,
  `_generate_examples` (`line.strip().split(" ")` for NER/POS, `line.strip().split("\\t")` zipped with
  the features otherwise), `_split_generators` (`xglue_full_dataset/<data_dir>/...`, dev -> validation.<l>);
- microsoft/XGLUE@e417c4c53088d9685c177085ada172fcc793e42e `Data_Format.txt` (field order per file, test
  files without labels, `word \\space label`; its NC line lists a leading `query` field that the script's
  three NC columns and third-party readers of xglue.nc.<l>.dev (`assert len(segments) == 3`) contradict)
  and `evaluation/xglue_evaluate.py` (gold at `<TASK>/xglue.<task>.<l>.<dev|test>` and `NER|POS/<l>.<split>`;
  `task2lg`: the release's languages, POS with `pt`, which the hub script leaves out;
  `evaluation/evaluation_results_unicoder_dev.txt` scores POS pt on dev, so POS/pt.dev exists);
- the tarball: https://huggingface.co/datasets/microsoft/xglue/commit/3a24c825e7d5e4f7ffc040bdb3bc81d3d811e897.

Where this reader differs from the script, on inputs the script mishandled: a file's last sentence
is kept when no blank line follows it (the script dropped it), a TSV line's fields are counted (the
script zipped them, so a missing or extra field shifted or dropped columns silently), and blank TSV
lines are skipped (the script made a row of them).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from xlt.data.user_files import env_location, is_file, open_binary

XGLUE_ENV = "XLT_XGLUE_DIR"
RELEASE_FOLDER = "xglue_full_dataset"
TARBALL_URL = ("https://huggingface.co/datasets/microsoft/xglue/resolve/"
               "3a24c825e7d5e4f7ffc040bdb3bc81d3d811e897/xglue_full_dataset.tar.gz")
TARBALL_SHA256 = "e11016c02d8565d00119833a16679bbbe0fec437f5ad53c2d3f9eef6fa03f65b"


class XGLUEFormatError(ValueError):
    """A line of an XGLUE release file not in the release's format: names the file and line."""


@dataclass(frozen=True)
class _Layout:
    folder: str
    """The task's folder in `xglue_full_dataset/`."""
    files: dict[str, str]
    """train/dev/test -> file name in the folder; `{lang}` is the language."""
    columns: tuple[str, ...]
    """The hub script's features, in order; the last is the label."""
    labels: tuple[str, ...]
    """The script's ClassLabel names: a label's id is its index."""
    codes: dict[str, str] = field(default_factory=dict)
    """What the release writes -> the label name (the script's `_process_dict`)."""
    languages: tuple[str, ...] = ()
    """The release's dev/test languages (xglue_evaluate.py's `task2lg`)."""
    paired: bool = False
    """Generation (QG, NTG): a `src` and a `tgt` file a split, one text a line, aligned by line."""

    @property
    def tagging(self) -> bool:
        return self.folder in ("NER", "POS")


def _tsv_files(config: str) -> dict[str, str]:
    return {"train": f"xglue.{config}.en.train", "dev": f"xglue.{config}.{{lang}}.dev",
            "test": f"xglue.{config}.{{lang}}.test"}


_TAG_FILES = {"train": "en.train", "dev": "{lang}.dev", "test": "{lang}.test"}


def _paired_files(config: str) -> dict[str, str]:
    """`{side}` is src or tgt: xglue.qg.en.src.train, xglue.qg.<l>.tgt.dev, ... (Data_Format.txt)."""
    return {"train": f"xglue.{config}.en.{{side}}.train", "dev": f"xglue.{config}.{{lang}}.{{{{side}}}}.dev",
            "test": f"xglue.{config}.{{lang}}.{{{{side}}}}.test"}  # {lang} is filled first, then {side}

LAYOUTS = {
    "ner": _Layout("NER", _TAG_FILES, ("words", "ner"),
                   ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"),
                   languages=("de", "en", "es", "nl")),
    "pos": _Layout("POS", _TAG_FILES, ("words", "pos"),
                   ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
                    "PUNCT", "SCONJ", "SYM", "VERB", "X"),
                   languages=tuple("pl ar ru bg de el en es fr hi it nl pt th tr ur vi zh".split())),
    "nc": _Layout("NC", _tsv_files("nc"), ("news_title", "news_body", "news_category"),
                  ("foodanddrink", "sports", "travel", "finance", "lifestyle", "news", "entertainment", "health",
                   "video", "autos"),
                  languages=("de", "en", "es", "fr", "ru")),
    "qadsm": _Layout("QADSM", _tsv_files("qadsm"), ("query", "ad_title", "ad_description", "relevance_label"),
                     ("Bad", "Good"), languages=("de", "en", "fr")),
    "wpr": _Layout("WPR", _tsv_files("wpr"), ("query", "web_page_title", "web_page_snippet", "relavance_label"),
                   ("Bad", "Fair", "Good", "Excellent", "Perfect"),
                   codes={"0": "Bad", "1": "Fair", "2": "Good", "3": "Excellent", "4": "Perfect"},
                   languages=("de", "en", "es", "fr", "it", "pt", "zh")),
    "qam": _Layout("QAM", _tsv_files("qam"), ("question", "answer", "label"), ("False", "True"),
                   codes={"0": "False", "1": "True"}, languages=("de", "en", "fr")),
    "qg": _Layout("QG", _paired_files("qg"), ("answer_passage", "question"), (),
                  languages=("de", "en", "es", "fr", "it", "pt"), paired=True),
    "ntg": _Layout("NTG", _paired_files("ntg"), ("news_body", "news_title"), (),
                   languages=("de", "en", "es", "fr", "ru"), paired=True),
}


def xglue_location() -> str:
    """$XLT_XGLUE_DIR: the unpacked release folder (a path or a URL); FileNotFoundError saying how to get it."""
    return env_location(XGLUE_ENV, (
            f"XGLUE tasks with source hub need {XGLUE_ENV}: the hub's microsoft/xglue holds only a loading script, "
            "which datasets >= 4 refuses, and that script's data URL "
            "(https://xglue.blob.core.windows.net/xglue/xglue_full_dataset.tar.gz) answers HTTP 409. Download "
            f"XGLUE's release tarball (876 MB, sha256 {TARBALL_SHA256}) from {TARBALL_URL} (the hub's "
            "refs/pr/7 branch of microsoft/xglue), unpack it with `tar xzf xglue_full_dataset.tar.gz`, and set "
            f"{XGLUE_ENV} to the unpacked `{RELEASE_FOLDER}` folder (it holds NER/, POS/, NC/, QADSM/, WPR/, QAM/, QG/ and "
            "NTG/), or to a URL serving that folder"))


def read_xglue(location: str | Path, config: str, split: str, language: str) -> list[dict]:
    """The rows of hub split `split` of XGLUE config `config` (ner, pos, nc, qadsm, wpr, qam), read from
    the release folder at `location` (`xglue_full_dataset` or the folder holding it; a path, or a URL
    fsspec opens). `split` is `train` (English), `validation.<l>` or `test.<l>`, and may hold `{lang}`,
    filled with `language` (the language xlt loads). Rows have the hub script's columns, labels as ids.

    Raises FileNotFoundError naming the file looked for, XGLUEFormatError naming file and line.
    """
    if config not in LAYOUTS:
        raise ValueError(f"XGLUE has no config {config!r} here (known: {', '.join(LAYOUTS)})")
    layout = LAYOUTS[config]
    split = split.format(lang=language)
    kind, _, lang = split.partition(".")
    if split == "train":
        name = layout.files["train"]
    elif kind in ("validation", "test") and lang:
        name = layout.files["dev" if kind == "validation" else "test"].format(lang=lang)
    else:
        raise ValueError(f"XGLUE {config}: no split {split!r} (train, validation.<lang> or test.<lang>)")
    path = _find(str(location), f"{layout.folder}/{name.format(side='src')}", f"XGLUE {config} {split}",
                 f"the release has {config} dev and test files for {', '.join(sorted(layout.languages))}")
    if layout.paired:
        target = _find(str(location), f"{layout.folder}/{name.format(side='tgt')}", f"XGLUE {config} {split}",
                       f"the release has {config} dev and test files for {', '.join(sorted(layout.languages))}")
        return _pairs(layout, path, target)
    lines = _lines(path)
    if layout.tagging:
        return _sentences(layout, path, lines)
    return _records(layout, path, lines, labelled=kind != "test")


def _find(location: str, relative: str, what: str, note: str) -> str:
    """`location/relative`, or `location/xglue_full_dataset/relative` (location holds the unpacked folder)."""
    base = location.rstrip("/")
    tried = [f"{base}/{relative}", f"{base}/{RELEASE_FOLDER}/{relative}"]
    for path in tried:
        if is_file(path):
            return path
    raise FileNotFoundError(f"{what}: no {tried[0]} (nor {tried[1]}); {note}. {XGLUE_ENV} should name the "
                            f"`{RELEASE_FOLDER}` folder unpacked from {TARBALL_URL}")


def _lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, text without its line break); split on \\n only, as the script's binary reads."""
    with open_binary(path) as f:
        for n, raw in enumerate(f, 1):
            try:
                yield n, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                raise XGLUEFormatError(f"{path}:{n}: not UTF-8 ({err.reason} at byte {err.start})") from None


def _label_id(layout: _Layout, value: str) -> int | None:
    """The id of a release label, as the script's ClassLabel encoded it: the name (after `codes`),
    or an id written as a number; None for anything else."""
    value = value.strip()
    value = layout.codes.get(value, value)
    if value in layout.labels:
        return layout.labels.index(value)
    return int(value) if value.isdigit() and int(value) < len(layout.labels) else None


def _sentences(layout: _Layout, path: str, lines: Iterator[tuple[int, str]]) -> list[dict]:
    words_column, tags_column = layout.columns
    rows, words, tags = [], [], []
    for n, line in lines:
        text = line.strip()
        if not text:
            if words:
                rows.append({words_column: words, tags_column: tags})
                words, tags = [], []
            continue
        fields = text.split(" ")
        if len(fields) != 2:
            raise XGLUEFormatError(f"{path}:{n}: expected `word label` (one space between), got {line[:80]!r}")
        tag = _label_id(layout, fields[1])
        if tag is None:
            raise XGLUEFormatError(f"{path}:{n}: tag {fields[1]!r} is not one of {', '.join(layout.labels)}")
        words.append(fields[0])
        tags.append(tag)
    if words:  # the last sentence, when no blank line follows it
        rows.append({words_column: words, tags_column: tags})
    return rows


def _records(layout: _Layout, path: str, lines: Iterator[tuple[int, str]], labelled: bool) -> list[dict]:
    *text_columns, label_column = layout.columns
    expected = f"{len(layout.columns)} tab-separated fields ({', '.join(layout.columns)})"
    if not labelled:
        expected = f"{expected}, or {len(text_columns)} without the label"
    rows = []
    for n, line in lines:
        if not line.strip():
            continue
        fields = line.split("\t")
        fields[0], fields[-1] = fields[0].lstrip(), fields[-1].rstrip()  # the script's line.strip()
        if len(fields) == len(text_columns) and not labelled:  # a test file: no label
            rows.append(dict(zip(text_columns, fields)))
            continue
        if len(fields) != len(layout.columns):
            raise XGLUEFormatError(f"{path}:{n}: expected {expected}, got {len(fields)}: {line[:80]!r}")
        label = _label_id(layout, fields[-1])
        if label is None:
            named = ", ".join(f"{code} ({name})" for code, name in layout.codes.items()) or ", ".join(layout.labels)
            raise XGLUEFormatError(f"{path}:{n}: label {fields[-1]!r} is not one of {named}")
        rows.append({**dict(zip(text_columns, fields)), label_column: label})
    return rows


def _pairs(layout: _Layout, source: str, target: str) -> list[dict]:
    """QG/NTG rows: line i of the src file and line i of the tgt file, each stripped (the script's
    `_generate_examples`). Files of unequal length are an error (the script zipped them, dropping
    the longer one's tail silently)."""
    sources, targets = list(_lines(source)), list(_lines(target))
    if len(sources) != len(targets):
        raise XGLUEFormatError(f"{target}: {len(targets)} lines, but {source} has {len(sources)}: the files pair line by line")
    src_column, tgt_column = layout.columns
    return [{src_column: s.strip(), tgt_column: t.strip()} for (_, s), (_, t) in zip(sources, targets)]
