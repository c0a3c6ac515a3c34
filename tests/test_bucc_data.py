"""BUCC 2018's own corpora (xlt/data/bucc.py): both of the layouts users have on disk, a URL, and
every error a user meets, each naming the file and the fix."""

import pytest

from xlt.data.bucc import ENV, BuccFormatError, bucc_location, read_bitext


def _write(folder, stem, de, en, gold=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.de").write_text("".join(f"de-{i:09d}\t{s}\n" for i, s in enumerate(de)), encoding="utf-8")
    (folder / f"{stem}.en").write_text("".join(f"en-{i:09d}\t{s}\n" for i, s in enumerate(en)), encoding="utf-8")
    if gold is not None:
        (folder / f"{stem}.gold").write_text("".join(f"de-{a:09d}\ten-{b:09d}\n" for a, b in gold), encoding="utf-8")


def test_xtremes_names_and_the_tarballs_names_both_read(tmp_path):
    # XTREME's download script renames to dev/test; the shared task's tarballs keep sample/training
    _write(tmp_path / "xtreme", "de-en.dev", ["Ein Haus.", "Zwei."], ["A house.", "Two.", "Noise."], [(0, 0), (1, 1)])
    _write(tmp_path / "tarball", "de-en.training", ["Drei.", "Vier."], ["Four.", "Three."], [(0, 1)])
    dev = read_bitext(tmp_path / "xtreme", "de", "validation")
    assert dev.source == ["Ein Haus.", "Zwei."] and len(dev.target) == 3 and len(dev) == 2
    assert dev.gold == ["de-000000000\ten-000000000", "de-000000001\ten-000000001"]
    test = read_bitext(tmp_path / "tarball", "de", "test")
    assert test.gold == ["de-000000000\ten-000000001"] and test.target_ids == ["en-000000000", "en-000000001"]
    via_url = read_bitext(f"file://{tmp_path / 'tarball'}", "de", "test")  # a URL reads through fsspec
    assert via_url == test


def test_each_problem_is_one_line_naming_the_file_and_the_fix(tmp_path, monkeypatch):
    _write(tmp_path, "de-en.test", ["Eins."], ["One."])  # XTREME deletes the test split's gold
    with pytest.raises(BuccFormatError, match=r"de-en.test.gold: missing.*training-gold.tar.bz2 holds it"):
        read_bitext(tmp_path, "de", "test")
    assert read_bitext(tmp_path, "de", "test", need_gold=False).gold is None
    with pytest.raises(BuccFormatError, match=r"BUCC fr/test: no .*fr-en.test.fr or .*fr-en.training.fr"):
        read_bitext(tmp_path, "fr", "test")
    with pytest.raises(BuccFormatError, match="BUCC has no 'train' split"):
        read_bitext(tmp_path, "de", "train")
    _write(tmp_path / "bad", "de-en.dev", ["Eins."], ["One."], [(0, 5)])
    with pytest.raises(BuccFormatError, match=r"de-en.dev.gold:1: pair de-000000000 en-000000005 names a sentence"):
        read_bitext(tmp_path / "bad", "de", "validation")
    (tmp_path / "bad" / "de-en.dev.de").write_text("no tab here\n")
    with pytest.raises(BuccFormatError, match=r"de-en.dev.de:1: expected `id<TAB>sentence`"):
        read_bitext(tmp_path / "bad", "de", "validation")
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=r"needs XLT_BUCC_DIR.*comparable.limsi.fr/bucc2018"):
        bucc_location()
    monkeypatch.setenv(ENV, str(tmp_path))
    assert bucc_location() == str(tmp_path)
