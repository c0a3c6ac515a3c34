import json

import pytest

from xlt.data.loading import DataError, available_languages, load_split
from xlt.tasks import get_task
from xlt.tasks.spec import HubSource


def test_xnli_fixture_languages_include_low_resource_ones():
    langs = available_languages(get_task("xnli"), "test", "local")
    assert {"en", "de", "es", "ur", "sw", "zh"} <= set(langs)
    assert langs == get_task("xnli").languages  # the fixture covers all 15 XNLI languages


def test_fixture_rows_have_hub_columns_and_valid_labels():
    split = load_split(get_task("xnli"), "sw", "test", "local")
    assert set(split.columns) == {"premise", "hypothesis", "label"} and len(split) == 30
    assert set(split.columns["label"]) == {0, 1, 2}


def test_hub_source_maps_configs_and_splits():
    assert get_task("xnli").hub.config_for("ur") == "ur"
    mnli = get_task("mnli").hub
    assert (mnli.path, mnli.config_for("en"), mnli.split_for("validation")) == ("nyu-mll/glue", "mnli", "validation_matched")


def test_bad_rows_name_task_split_row_and_field(tmp_path, monkeypatch):
    task = get_task("xnli")
    bad = tmp_path / "xnli" / "de" / "test.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text(json.dumps({"premise": "a", "hypothesis": "b", "label": 0}) + "\n"
                   + json.dumps({"premise": "a", "hypothesis": "b", "label": 7}) + "\n")
    monkeypatch.setattr("xlt.tasks.spec.FIXTURES", tmp_path)
    with pytest.raises(DataError, match=r"task 'xnli' de/test row 1: field 'label' is 7, expected an int in \[0, 3\)"):
        load_split(task, "de", "test", "local")
    bad.write_text(json.dumps({"premise": "a", "label": 0}) + "\n")
    with pytest.raises(DataError, match="row 0: missing field 'hypothesis'"):
        load_split(task, "de", "test", "local")
    bad.write_text("{not json\n")
    with pytest.raises(DataError, match=r"test.jsonl:1: not valid JSON"):
        load_split(task, "de", "test", "local")
