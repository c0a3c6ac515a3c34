"""XGLUE's release files -> the hub script's rows, on a fixture in the release layout
(tests/data/xglue_release/xglue_full_dataset/<TASK>/...)."""

import shutil
from pathlib import Path

import pytest

from xlt.data.xglue import LAYOUTS, XGLUE_ENV, XGLUEFormatError, read_xglue, xglue_location
from xlt.formats import FORMATS
from xlt.tasks import get_task

RELEASE = Path(__file__).parent / "data" / "xglue_release"
CONFIGS = ("ner", "pos", "nc", "qadsm", "wpr", "qam")

# The hub script's features (huggingface/datasets@d7dfbc83 datasets/xglue/xglue.py `_info`), in order.
HUB_COLUMNS = {
    "ner": ["words", "ner"],
    "pos": ["words", "pos"],
    "nc": ["news_title", "news_body", "news_category"],
    "qadsm": ["query", "ad_title", "ad_description", "relevance_label"],
    "wpr": ["query", "web_page_title", "web_page_snippet", "relavance_label"],
    "qam": ["question", "answer", "label"],
}


def _copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture: the `xglue_full_dataset` folder itself."""
    return Path(shutil.copytree(RELEASE / "xglue_full_dataset", tmp_path / "xglue_full_dataset"))


@pytest.mark.parametrize("config", CONFIGS)
def test_rows_have_the_hub_columns_and_the_adapter_takes_them(config):
    task = get_task(f"xglue_{config}")
    fmt = FORMATS[task.format]
    for split in ("train", "validation", "test"):  # -> train, validation.en, validation.de
        (hub_split,) = task.hub[0].splits_for(split, "de")
        rows = read_xglue(RELEASE, config, hub_split, "de")
        assert rows and all(list(row) == HUB_COLUMNS[config] for row in rows), hub_split
        for i, row in enumerate(rows):
            record = task.adapter(row, i)
            assert fmt.validate(task, record) is None, (hub_split, i, record)


@pytest.mark.parametrize("config", CONFIGS)
def test_label_ids_follow_the_hub_scripts_order_which_the_catalog_shares(config):
    labels = LAYOUTS[config].labels
    declared = get_task(f"xglue_{config}").labels
    # ids are positions, so the catalog's names must line up with the script's (QAM's False/True
    # are the catalog's irrelevant/relevant)
    assert tuple(declared) == {"ner": labels, "pos": labels, "nc": labels, "qam": ("irrelevant", "relevant")}.get(
        config, tuple(label.lower() for label in labels))


def test_named_labels_map_to_the_scripts_ids():
    ner = read_xglue(RELEASE, "ner", "validation.de", "de")
    assert ner[0] == {"words": ["Die", "Deutsche", "Bank", "in", "Frankfurt", "meldet", "Gewinne", "."],
                      "ner": [0, 3, 4, 0, 5, 0, 0, 0]}  # O, B-ORG, I-ORG, O, B-LOC
    assert ner[1]["ner"][-2:] == [7, 0]  # B-MISC = 7: the last sentence, with no blank line after it, is kept
    assert len(ner) == 2
    pos = read_xglue(RELEASE, "pos", "validation.de", "de")
    assert pos[1] == {"words": ["Oh", ",", "Berlin", "!"], "pos": [6, 12, 11, 12]}  # INTJ PUNCT PROPN PUNCT
    assert read_xglue(RELEASE, "pos", "train", "en")[1]["pos"] == [10, 3, 9, 15, 11, 7, 12]  # PRON AUX PART VERB ...
    nc = read_xglue(RELEASE, "nc", "validation.de", "de")
    assert [r["news_category"] for r in nc] == [1, 7, 6]  # sports, health, entertainment
    assert nc[0]["news_title"] == "Bayern gewinnt das Topspiel in Dortmund"
    assert [r["relevance_label"] for r in read_xglue(RELEASE, "qadsm", "train", "en")] == [1, 0, 1]  # Good Bad Good
    wpr = read_xglue(RELEASE, "wpr", "train", "en")
    assert [r["relavance_label"] for r in wpr] == [4, 3, 0, 2, 1]  # Perfect Excellent Bad Good Fair
    assert wpr[0]["web_page_title"] == "Sorting HOW TO — Python documentation"
    assert [r["label"] for r in read_xglue(RELEASE, "qam", "validation.de", "de")] == [1, 0]  # True False


def test_split_names_pick_the_release_files():
    # xlt's validation is validation.en (the .dev file), its test validation.<l>, the {lang} filled
    assert read_xglue(RELEASE, "qam", "validation.{lang}", "de") == read_xglue(RELEASE, "qam", "validation.de", "en")
    assert len(read_xglue(RELEASE, "qam", "validation.en", "de")) == 1
    # test files carry no label: rows lack the label column, as the script's zip left them
    assert read_xglue(RELEASE, "qam", "test.de", "de") == [
        {"question": "wann wurde berlin gegründet", "answer": "Berlin wurde erstmals 1237 urkundlich erwähnt."}]
    # the location may be the unpacked folder itself or the folder holding it
    assert read_xglue(RELEASE / "xglue_full_dataset", "wpr", "validation.de", "de") == \
        read_xglue(RELEASE, "wpr", "validation.de", "de")
    with pytest.raises(ValueError, match="no split 'dev.de'"):
        read_xglue(RELEASE, "ner", "dev.de", "de")
    with pytest.raises(ValueError, match="no config 'xnli'"):
        read_xglue(RELEASE, "xnli", "train", "en")


def test_a_url_reads_through_fsspec():
    import fsspec

    fs = fsspec.filesystem("memory")
    for path in (RELEASE / "xglue_full_dataset").rglob("*"):
        if path.is_file():
            fs.pipe(f"/xglue/xglue_full_dataset/{path.relative_to(RELEASE / 'xglue_full_dataset')}", path.read_bytes())
    try:
        for config in CONFIGS:
            assert read_xglue("memory://xglue", config, "validation.de", "de") == \
                read_xglue(RELEASE, config, "validation.de", "de")
        with pytest.raises(FileNotFoundError, match="memory://xglue/NER/fr.dev"):
            read_xglue("memory://xglue/", "ner", "validation.fr", "fr")
    finally:
        fs.rm("/xglue", recursive=True)


def test_missing_files_name_the_expected_path(tmp_path):
    # the release's languages come from XGLUE's own scorer, so POS has pt (the hub script lacks it)
    with pytest.raises(FileNotFoundError, match=r"XGLUE pos validation.ja: no .*/POS/ja.dev .*for ar, bg, de, .*, pt, "):
        read_xglue(RELEASE, "pos", "validation.ja", "ja")
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}/NC/xglue.nc.en.train"):
        read_xglue(tmp_path, "nc", "train", "en")


@pytest.mark.parametrize("config, name, bad, message", [
    ("ner", "NER/de.dev", "New York B-LOC\n", r"de.dev:2: expected `word label` \(one space between\)"),
    ("ner", "NER/de.dev", "Berlin B-CITY\n", r"de.dev:2: tag 'B-CITY' is not one of O, B-PER"),
    ("pos", "POS/de.dev", "Haus\n", r"de.dev:2: expected `word label`"),
    ("nc", "NC/xglue.nc.de.dev", "query\ttitle\tbody\tsports\n",
     r"xglue.nc.de.dev:2: expected 3 tab-separated fields \(news_title, news_body, news_category\), got 4"),
    ("nc", "NC/xglue.nc.de.dev", "Titel\tText\tpolitics\n", r"label 'politics' is not one of foodanddrink, sports"),
    ("qadsm", "QADSM/xglue.qadsm.de.dev", "q\tt\td\tMaybe\n", r"xglue.qadsm.de.dev:2: label 'Maybe' is not one of Bad"),
    ("wpr", "WPR/xglue.wpr.de.dev", "q\tt\ts\t7\n", r"xglue.wpr.de.dev:2: label '7' is not one of 0 \(Bad\)"),
    ("qam", "QAM/xglue.qam.de.dev", "frage ohne antwort\n", r"xglue.qam.de.dev:2: expected 3 tab-separated fields"),
    ("qam", "QAM/xglue.qam.de.dev", b"fr\xe4ge\tantwort\t1\n", r"xglue.qam.de.dev:2: not UTF-8"),
])
def test_malformed_lines_name_file_and_line(tmp_path, config, name, bad, message):
    folder = _copy(tmp_path)
    path = folder / name
    first = path.read_bytes().splitlines(keepends=True)[0]
    path.write_bytes(first + (bad if isinstance(bad, bytes) else bad.encode()))
    with pytest.raises(XGLUEFormatError, match=message):
        read_xglue(folder, config, "validation.de", "de")


def test_location_comes_from_the_environment_or_says_how_to_get_the_files(monkeypatch):
    monkeypatch.delenv(XGLUE_ENV, raising=False)
    with pytest.raises(FileNotFoundError) as err:
        xglue_location()
    message = str(err.value)
    for part in (XGLUE_ENV, "loading script", "datasets >= 4", "409",
                 "https://huggingface.co/datasets/microsoft/xglue/resolve/3a24c825e7d5e4f7ffc040bdb3bc81d3d811e897/"
                 "xglue_full_dataset.tar.gz", "tar xzf", "`xglue_full_dataset` folder", "or to a URL"):
        assert part in message, part
    monkeypatch.setenv(XGLUE_ENV, str(RELEASE))
    assert read_xglue(xglue_location(), "ner", "train", "en")[1]["words"][:2] == ["Maria", "Lopez"]


def test_generation_files_pair_line_by_line(tmp_path):
    """QG/NTG: `xglue.<task>.<l>.src.<split>` and `.tgt.<split>` pair by line (Data_Format.txt); files
    of unequal length are an error naming both (the hub script's zip dropped the tail silently)."""
    rows = read_xglue(RELEASE, "qg", "test.de", "de")
    assert list(rows[0]) == ["answer_passage", "question"] and len(rows) == 3
    folder = _copy(tmp_path)
    with open(folder / "QG" / "xglue.qg.de.tgt.test", "a", encoding="utf-8") as f:
        f.write("Eine Frage zu viel?\n")
    with pytest.raises(XGLUEFormatError, match=r"xglue.qg.de.tgt.test: 4 lines, but .*xglue.qg.de.src.test has 3"):
        read_xglue(folder, "qg", "test.de", "de")
    with pytest.raises(FileNotFoundError, match="NTG/xglue.ntg.ru.src.dev"):
        read_xglue(RELEASE, "ntg", "validation.ru", "ru")
