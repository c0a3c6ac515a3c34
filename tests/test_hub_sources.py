"""Hub sources through `datasets`' own code path, offline: repositories in the hub's layout (a
dataset card whose YAML declares configs, features with their ClassLabel names, and splits;
Parquet files of those exact feature types) built on disk under $XLT_HUB_MIRROR, read by
`load_dataset_builder` (xlt data check) and `load_dataset` (the loaders)."""

import subprocess
import sys

import datasets
import pytest
import yaml

from xlt.config import load_sweep
from xlt.data.check import check_sweep
from xlt.data.loading import load_records
from xlt.tasks import get_task

from conftest import REPO

NLI = datasets.ClassLabel(names=["entailment", "neutral", "contradiction"])
UPOS = datasets.ClassLabel(names=["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
                                  "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X"])


def hub_repo(root, repo: str, configs: dict[str, dict[str, list[dict]]], features: datasets.Features) -> None:
    """Write `repo` under `root` as the hub lays out a Parquet dataset: <config>/<split>-*.parquet
    and a README whose YAML declares each config's files, features and splits."""
    base = root / repo
    card = {"dataset_info": [], "configs": []}
    for config, splits in configs.items():
        info = {"config_name": config, "features": features._to_yaml_list(), "splits": []}
        files = []
        for split, rows in splits.items():
            path = base / config / f"{split}-00000-of-00001.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            ds = datasets.Dataset.from_list(rows, features=features)
            ds.to_parquet(str(path))
            info["splits"].append({"name": split, "num_bytes": path.stat().st_size, "num_examples": len(rows)})
            files.append({"split": split, "path": f"{config}/{split}-*"})
        card["dataset_info"].append(info)
        card["configs"].append({"config_name": config, "data_files": files})
    (base / "README.md").write_text(f"---\n{yaml.safe_dump(card, sort_keys=False)}---\n# {repo}\n")


def xnli_rows(lang: str, n: int = 4) -> list[dict]:
    return [{"premise": f"{lang} premise {i}", "hypothesis": f"{lang} hypothesis {i}", "label": i % 3} for i in range(n)]


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("XLT_HUB_MIRROR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / ".datasets-cache"))
    features = datasets.Features({"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
                                  "label": NLI})
    hub_repo(tmp_path, "facebook/xnli", {lang: {"train": xnli_rows(lang), "validation": xnli_rows(lang),
                                                "test": xnli_rows(lang)} for lang in ("en", "de", "ur")}, features)
    glue = {"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"), "label": NLI, "idx": datasets.Value("int32")}
    hub_repo(tmp_path, "nyu-mll/glue", {"mnli": {"train": [{**r, "idx": i} for i, r in enumerate(xnli_rows("en", 8))],
                                                "validation_matched": [{**r, "idx": i} for i, r in enumerate(xnli_rows("en"))]}},
             datasets.Features(glue))
    return tmp_path


def test_the_loaders_read_a_hub_shaped_repository_through_datasets(mirror):
    rows = load_records(get_task("xnli"), "de", "test", "hub").records
    assert rows[1] == {"text": "de premise 1", "text_pair": "de hypothesis 1", "label": 1}
    assert len(load_records(get_task("mnli"), "en", "validation", "hub")) == 4  # validation_matched
    # a training cap is cut from the split before it is read (`train[:3]`)
    assert len(load_records(get_task("mnli"), "en", "train", "hub", max_examples=3)) == 3


def test_data_check_reads_the_schema_and_finds_nothing_wrong(mirror):
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.source=hub", "target.languages=[de, ur]"])
    checks = {c.task: c for c in check_sweep(cfg)}
    assert not checks["xnli"].problems and not checks["mnli"].problems, checks
    assert checks["xnli"].checked >= 1 and not checks["xnli"].unchecked


def test_data_check_lists_every_problem_with_its_fix(mirror, tmp_path):
    # a repository that lost a column and relabelled its classes, and one holding only a loading script
    broken = datasets.Features({"premise": datasets.Value("string"), "hypo": datasets.Value("string"),
                                "label": datasets.ClassLabel(names=["yes", "no"])})
    row = [{"premise": "p", "hypo": "h", "label": 0}]
    hub_repo(mirror, "facebook/xnli", {lang: {"train": row, "validation": row, "test": row} for lang in ("en", "de", "ur")},
             broken)
    script = mirror / "allenai" / "cosmos_qa"
    script.mkdir(parents=True)
    (script / "cosmos_qa.py").write_text("import datasets\n")
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.source=hub", "intermediate.tasks={choice: [none, cosmosqa]}",
                                                      "target.languages=[de]"])
    checks = {c.task: c for c in check_sweep(cfg)}
    xnli = " | ".join(checks["xnli"].problems)
    assert "has no column 'hypothesis'" in xnli and "column 'label' has 2 classes (yes, no), the task declares 3" in xnli
    assert any("holds only a loading script, which datasets >= 4 refuses" in p for p in checks["cosmosqa"].problems)
    out = subprocess.run([sys.executable, "-m", "xlt.cli", "data", "check", "sweeps/demo.yaml", "data.source=hub",
                          "intermediate.tasks={choice: [none, cosmosqa]}", "target.languages=[de]"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 2 and "cosmosqa: PROBLEM" in out.stdout and "xnli: PROBLEM" in out.stdout
    # a sweep on a broken source fails before Ray starts, listing the problems
    run = subprocess.run([sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml", "data.source=hub",
                          "intermediate.tasks={choice: [none, cosmosqa]}", "target.languages=[de]",
                          f"storage={tmp_path / 'runs'}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "the sweep's data has problems" in run.stderr and "sweep demo:" not in run.stdout


def test_a_missing_split_is_named(mirror):
    features = datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")), "pos_tags": datasets.Sequence(UPOS)})
    rows = [{"tokens": ["Ein", "Haus"], "pos_tags": [5, 7]}]
    hub_repo(mirror, "google/xtreme", {"udpos.English": {"train": rows, "validation": rows, "test": rows},
                                       "udpos.German": {"test": rows}}, features)
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.source=hub", "target.tasks=[udpos]", "target.languages=[de]",
                                                      "intermediate.tasks=none", "target.learning_rate=1.0e-3"])
    udpos = next(c for c in check_sweep(cfg) if c.task == "udpos")
    assert any("udpos.German: has no split 'validation'" in p and "missing_splits" in p for p in udpos.problems)
    assert load_records(get_task("udpos"), "de", "test", "hub").records[0]["tags"] == [5, 7]


@pytest.mark.parametrize("path", sorted((REPO / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_data_check_runs_on_every_shipped_sweep_offline(path):
    """CI has no hub: every sweep file is checked offline, and says what it could not check."""
    out = subprocess.run([sys.executable, "-m", "xlt.cli", "data", "check", str(path)], cwd=REPO, capture_output=True,
                         text=True, env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert out.returncode in (0, 2) and "Traceback" not in out.stderr, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[-1].endswith("not fully checked") and len(lines) >= 2
    for line in lines[:-1]:
        assert ": ok" in line or "not checked: the hub did not answer" in line or \
            ("PROBLEM local:" in line and "needs $XLT_" in line), line  # offline: only files the user provides


def test_prepare_fills_the_cache_so_trials_never_read_the_hub(mirror, tmp_path, monkeypatch):
    """`xlt data prepare` goes through the trials' own reads and keys: after it, with the mirror gone
    and the loader made to fail, every read of every trial the sweep can run is a cache hit."""
    import shutil

    from transformers import AutoTokenizer

    import xlt.trial.data
    from xlt.data.prepare import plans_for_data, prepare
    from xlt.models.registry import resolve_model
    from xlt.revisions import resolve
    from xlt.trial.data import TrialData, reads

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.source=hub", "target.languages=[de, ur]",
                                                      f"storage={tmp_path / 'runs'}"])
    revisions = resolve(cfg)
    assert revisions.data["xnli"].startswith("facebook/xnli@mirror:files:")  # a mirror's files key the cache
    lines = []
    assert prepare(cfg, revisions, echo=lines.append) > 0 and "prepared" in lines[-1]

    shutil.rmtree(mirror / "facebook")
    monkeypatch.setattr(xlt.trial.data, "load_records", lambda *a, **k: pytest.fail(f"read the hub: {a[:3]}"))
    tokenizer = AutoTokenizer.from_pretrained(resolve_model("tiny-xlmr"))
    hits = 0
    for plan in plans_for_data(cfg, revisions):
        data = TrialData(plan, tokenizer, writes=False)
        for read in reads(plan):
            if read.encode:
                data.encoded(data.task(read.task), data.task(read.data_task), read.split, read.language, read.limit)
            else:
                data.records(data.task(read.task), read.language, read.split)
            hits += 1
    assert hits >= 10


def test_a_mirror_or_user_files_that_change_change_the_data_revision(mirror, tmp_path, monkeypatch):
    from xlt.revisions import dataset_revision

    before = dataset_revision(get_task("xnli"), "hub")
    (mirror / "facebook" / "xnli" / "de" / "extra.parquet").write_bytes(b"x")
    assert dataset_revision(get_task("xnli"), "hub") != before
    monkeypatch.setenv("XLT_XGLUE_DIR", str(REPO / "tests" / "data" / "xglue_release"))
    assert dataset_revision(get_task("xglue_ner"), "hub").startswith("local:xglue@files:")
    assert dataset_revision(get_task("xglue_ner"), "local").startswith("fixture:")


def parquet_export(root, repo: str, folders: dict[str, dict[str, list[dict]]], features: datasets.Features) -> None:
    """Write `repo` as the hub's Parquet export (`refs/convert/parquet`) lays it out: no dataset
    card, one folder a config, `<config>/<split>/0000.parquet`."""
    for folder, splits in folders.items():
        for split, rows in splits.items():
            path = root / repo / folder / split / "0000.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            datasets.Dataset.from_list(rows, features=features).to_parquet(str(path))


def test_the_parquet_export_of_a_script_repository_is_read_by_folder(mirror):
    """COPA and CosmosQA are read from `refs/convert/parquet`, whose configs are folders: another
    config's folder beside copa's must not leak into it."""
    copa = datasets.Features({"premise": datasets.Value("string"), "choice1": datasets.Value("string"),
                              "choice2": datasets.Value("string"), "question": datasets.Value("string"),
                              "idx": datasets.Value("int32"), "label": datasets.ClassLabel(names=["choice1", "choice2"])})
    row = {"premise": "The man broke his toe.", "choice1": "He dropped a hammer on his foot.",
           "choice2": "He got a hole in his sock.", "question": "cause", "idx": 0, "label": 0}
    parquet_export(mirror, "aps/super_glue", {"copa": {"train": [row], "validation": [row, row], "test": [row]},
                                              "axb": {"test": [row] * 5}}, copa)
    records = load_records(get_task("copa"), "en", "validation", "hub").records
    assert len(records) == 2 and records[0]["label"] == 0
    cosmos = datasets.Features({k: datasets.Value("string") for k in ("id", "context", "question", "answer0", "answer1",
                                                                       "answer2", "answer3")} | {"label": datasets.Value("int32")})
    item = {"id": "1", "context": "It rained.", "question": "Why wet?", "answer0": "rain", "answer1": "sun",
            "answer2": "snow", "answer3": "none", "label": 0}
    parquet_export(mirror, "allenai/cosmos_qa", {"default": {"train": [item] * 3, "validation": [item]}}, cosmos)
    assert len(load_records(get_task("cosmosqa"), "en", "train", "hub").records) == 3
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["data.source=hub", "intermediate.tasks={choice: [none, cosmosqa]}",
                                                      "target.languages=[de]"])
    cosmosqa = next(c for c in check_sweep(cfg) if c.task == "cosmosqa")
    assert not cosmosqa.problems and cosmosqa.checked, cosmosqa
