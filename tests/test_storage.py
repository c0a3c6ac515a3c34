"""Atomic writes to local paths and URIs (xlt.results.storage)."""

import pytest

from xlt.results.storage import filesystem, write_atomic, write_text


def test_a_write_lands_whole_under_a_path_or_a_uri(tmp_path):
    assert write_text(str(tmp_path), "a/b/c.txt", "é\n") == f"{tmp_path}/a/b/c.txt"
    assert (tmp_path / "a" / "b" / "c.txt").read_text(encoding="utf-8") == "é\n"
    write_text(f"file://{tmp_path}", "a/b/c.txt", "again")
    assert (tmp_path / "a" / "b" / "c.txt").read_text() == "again"
    fs, base = filesystem(f"file://{tmp_path}")
    assert base == str(tmp_path) and fs.type_name == "local"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    write_text(str(tmp_path), "x.json", "old")

    def half(out):
        out.write(b"new but not who")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError, match="disk gone"):
        write_atomic(str(tmp_path), "x.json", half)
    assert (tmp_path / "x.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
