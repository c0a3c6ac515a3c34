"""Hostile input and reruns: one clear line and exit 2 before Ray starts, nothing written mixed,
nothing trusted that should not be."""

import json
import os
import stat
import subprocess
import sys

import pytest

from xlt.cli import main
from xlt.config import parse_sweep
from xlt.results.sweep_dir import SweepError, SweepPaths, check_fresh, save_sweep

from conftest import REPO


def _cfg(storage, name="s", **extra):
    return parse_sweep({"name": name, "target": {"tasks": ["xnli"]}, "storage": str(storage), **extra}, "s.yaml")


def _cli(*args):
    out = subprocess.run([sys.executable, "-m", "xlt.cli", *map(str, args)], capture_output=True, text=True, cwd=REPO)
    return out.returncode, out.stdout, out.stderr


def test_a_results_directory_belongs_to_one_sweep_run(tmp_path):
    shared = tmp_path / "shared-results"
    a = _cfg(tmp_path / "runs", "a")
    paths = SweepPaths.of(a, str(shared))
    check_fresh(a, paths, overwrite=False)
    save_sweep(a, paths, run_id="r1")
    (shared / "t1").mkdir()
    (shared / "t1" / "target-xnli.parquet").write_bytes(b"rows")
    b = _cfg(tmp_path / "runs", "b")
    for overwrite in (False, True):  # another sweep's results: never written into, never deleted
        with pytest.raises(SweepError, match="holds the results of sweep 'a'"):
            check_fresh(b, SweepPaths.of(b, str(shared)), overwrite=overwrite)
    assert (shared / "t1" / "target-xnli.parquet").exists()
    with pytest.raises(SweepError, match="already exists"):  # a's own rerun, without --overwrite
        check_fresh(a, paths, overwrite=False)
    check_fresh(a, paths, overwrite=True)  # --overwrite clears the sweep and the results it owns
    assert not (tmp_path / "runs" / "a" / "sweep.json").exists() and not any(shared.iterdir())
    stranger = tmp_path / "stranger"
    (stranger / "x").mkdir(parents=True)
    (stranger / "x" / "data.parquet").write_bytes(b"?")
    with pytest.raises(SweepError, match="holds files of no recorded sweep run"):
        check_fresh(b, SweepPaths.of(b, str(stranger)), overwrite=True)


def test_uri_storage_is_checked_and_overwritten_like_a_local_path(tmp_path):
    cfg = _cfg(f"file://{tmp_path}/uri-store")
    paths = SweepPaths.of(cfg)
    check_fresh(cfg, paths, overwrite=False)
    save_sweep(cfg, paths, run_id="r1")
    (tmp_path / "uri-store" / "s" / "results" / "t1").mkdir(parents=True)
    (tmp_path / "uri-store" / "s" / "results" / "t1" / "target-xnli.parquet").write_bytes(b"rows")
    with pytest.raises(SweepError, match="already exists"):
        check_fresh(cfg, paths, overwrite=False)
    check_fresh(cfg, paths, overwrite=True)
    assert not (tmp_path / "uri-store" / "s" / "results" / "t1").exists()


def test_storage_that_is_a_file_or_read_only_fails_before_ray(tmp_path):
    (tmp_path / "afile").write_text("x")
    code, _, err = _cli("sweep", "run", "sweeps/demo.yaml", f"storage={tmp_path / 'afile'}")
    assert code == 2 and "storage" in err and "not writable" in err and len(err.strip().splitlines()) == 1
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    code, _, err = _cli("sweep", "run", "sweeps/demo.yaml", f"storage={ro}")
    assert code == 2 and "not writable" in err


@pytest.mark.parametrize("content, message", [
    ('{"config": {"name": ', "sweep.json: not valid JSON"),
    ("[1, 2]", "sweep.json: expected an object"),
    ('{"config": {"name": "x"}, "paths": {"results": "r"}}', "sweep.json: its config is not a valid sweep"),
])
def test_resume_of_a_damaged_sweep_json_is_one_line(tmp_path, content, message):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "sweep.json").write_text(content)
    code, out, err = _cli("sweep", "resume", "s", "--storage", tmp_path)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_resume_of_a_file_or_of_a_sweep_without_tune_state_fails_before_ray(tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = _cli("sweep", "resume", str(tmp_path / "file"))
    assert code == 2 and "is a file" in err
    cfg = _cfg(tmp_path)
    paths = SweepPaths.of(cfg)
    save_sweep(cfg, paths, run_id="r1")
    code, out, err = _cli("sweep", "resume", "s", "--storage", tmp_path)
    assert code == 2 and "no Tune experiment state to resume" in err and "resuming" not in out


def test_resume_refuses_a_results_directory_another_run_now_owns(tmp_path):
    """A sweep's results directory (`--results`) taken over by another run since: resuming would mix
    two runs' rows, so it is one line, exit 2, before Ray."""
    from xlt.results.sweep_dir import OWNER

    cfg = _cfg(tmp_path)
    paths = SweepPaths.of(cfg)
    save_sweep(cfg, paths, run_id="r1")
    (tmp_path / "s" / "results" / OWNER).write_text(json.dumps({"sweep": "other", "run_id": "r2", "root": "/elsewhere"}))
    code, out, err = _cli("sweep", "resume", "s", "--storage", tmp_path)
    assert code == 2 and "holds the results of sweep 'other' run r2, not of this sweep run (r1)" in err, err
    assert len(err.strip().splitlines()) == 1 and "resuming" not in out


@pytest.mark.parametrize("override, message", [
    ("target.languages=[de", "override 'target.languages=[de': not valid YAML: line 1, column 4"),
    ("target.learning_rate=-1", "target.learning_rate: a learning rate must be > 0"),
    ("target.learning_rate={choice: [0, 1.0e-3]}", "target.learning_rate: a learning rate must be > 0, got 0"),
    ("intermediate.learning_rate=0", "intermediate.learning_rate: a learning rate must be > 0"),
    ("search.num_trials=true", "search.num_trials: expected a number, got true"),
    ("target.languages=[en]", "search.objective: mean[zero_shot] selects none of the languages"),
    ("search.objective={statistic: median}", "search.objective.statistic: Input should be 'mean'"),
    ("target.tasks=[udpos]", None),
])
def test_bad_values_are_one_line_before_ray(override, message, tmp_path):
    args = ["sweep", "plan", "sweeps/demo.yaml", override]
    if message is None:  # a language the shipped fixtures lack
        args.append("target.languages=[ar]")
        message = "target.languages[0]: 'ar' has no shipped fixture for udpos"
    code, _, err = _cli(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_malformed_files_name_file_line_and_column(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\ntarget: {tasks: [xnli]\n  oops: 1\n")
    code, _, err = _cli("sweep", "plan", tmp_path / "bad.yaml")
    assert code == 2 and "bad.yaml: not valid YAML: line 3, column 3" in err
    code, _, err = _cli("sweep", "plan", "sweeps")
    assert code == 2 and "is a directory; expected a sweep YAML file" in err


def test_xlt_score_refuses_binary_files_bad_answers_and_empty_folders(tmp_path):
    for side in ("pred", "gold"):
        (tmp_path / side).mkdir()
    code, _, err = _cli("score", tmp_path / "pred", tmp_path / "gold")
    assert code == 2 and "no task folder of xtreme" in err
    from xlt.submission.benchmarks import XTREME

    for lang in XTREME.languages("pawsx"):
        for side in ("pred", "gold"):
            (tmp_path / side / "pawsx").mkdir(exist_ok=True)
            (tmp_path / side / "pawsx" / f"test-{lang}.tsv").write_text("1\n0\n")
    (tmp_path / "pred" / "pawsx" / "test-de.tsv").write_bytes(b"\x80\x81\xfe\n")
    code, _, err = _cli("score", tmp_path / "pred", tmp_path / "gold")
    assert code == 2 and "test-de.tsv: not a UTF-8 text file" in err
    for lang in XTREME.languages("xquad"):
        gold = {"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "q", "answers": [{"text": "a"}]}]}]}]}
        for side, data in (("gold", gold), ("pred", {"q": ["not", "a", "string"]})):
            (tmp_path / side / "xquad").mkdir(exist_ok=True)
            (tmp_path / side / "xquad" / f"test-{lang}.json").write_text(json.dumps(data))
    (tmp_path / "pred" / "pawsx" / "test-de.tsv").write_text("1\n0\n")
    code, _, err = _cli("score", tmp_path / "pred", tmp_path / "gold")
    assert code == 2 and "the answer of 'q' is ['not', 'a', 'string'], expected a string" in err
    # gold data with no questions: one line naming the gold file, never a division by zero
    for lang in XTREME.languages("xquad"):
        (tmp_path / "pred" / "xquad" / f"test-{lang}.json").write_text(json.dumps({"q": "a"}))
    (tmp_path / "gold" / "xquad" / "test-de.json").write_text(json.dumps({"data": [{"paragraphs": []}]}))
    code, _, err = _cli("score", tmp_path / "pred", tmp_path / "gold")
    assert code == 2 and "xquad/test-de.json: no questions in the gold data" in err, err
    # a Mewsli-X example without its gold entity: the gold file and the example named (gold with no
    # examples at all scores 0, as XTREME-R's evaluate.py scores it: test_scoring's map20 tree)
    from xlt.submission.benchmarks import XTREME_R

    for lang in XTREME_R.languages("mewslix"):
        for side, data in (("gold", {"m1": ["Q1"]}), ("pred", {"m1": ["Q1", "Q2"]})):
            (tmp_path / f"r-{side}" / "mewslix").mkdir(parents=True, exist_ok=True)
            (tmp_path / f"r-{side}" / "mewslix" / f"test-{lang}.json").write_text(json.dumps(data))
    (tmp_path / "r-gold" / "mewslix" / "test-de.json").write_text(json.dumps({"m1": []}))
    code, _, err = _cli("score", "--benchmark", "xtreme-r", tmp_path / "r-pred", tmp_path / "r-gold")
    assert code == 2 and "mewslix/test-de.json: example 'm1' has no gold entity" in err, err


@pytest.mark.ray
def test_a_database_url_from_the_environment_is_never_persisted(ray_cluster, tmp_path, monkeypatch, capsys):
    secret = "s3cr3t-9f27c1"
    monkeypatch.setenv("XLT_TEST_OPTUNA_URL", f"sqlite:///{tmp_path}/db-{secret}.sqlite")
    store = tmp_path / "store"
    args = ["sweep", "run", str(REPO / "sweeps" / "mixture-search.yaml"), "--backend", "surrogate", f"storage={store}",
            "name=sec", "search.num_trials=3", "search.optuna_storage=env:XLT_TEST_OPTUNA_URL",
            "resources.max_concurrent_trials=1", "resources.workers_per_trial=1", "resources.gpus_per_worker=0",
            "--address", ray_cluster]
    assert main(args) == 0, capsys.readouterr().out
    leaked = [p for p in store.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert not leaked, leaked
    # a resume reads the URL from the environment again, and finds the study's trials
    assert main(["sweep", "resume", "sec", "--storage", str(store), "--address", ray_cluster]) == 0
    import optuna

    study = optuna.load_study(study_name="sec", storage=os.environ["XLT_TEST_OPTUNA_URL"])
    assert len(study.trials) == 3
    monkeypatch.delenv("XLT_TEST_OPTUNA_URL")
    assert main(["sweep", "resume", "sec", "--storage", str(store)]) == 2
    assert "environment variable XLT_TEST_OPTUNA_URL is not set" in capsys.readouterr().err


@pytest.mark.ray
def test_the_embedded_ray_listens_on_loopback_only_with_auth_on(tmp_path):
    """A whole local sweep (its own embedded Ray, token auth on: RAY_AUTH_MODE unset): every
    socket its processes listen on, sampled while it runs, is on loopback."""
    import ipaddress
    import threading
    import time

    import psutil

    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    driver = subprocess.Popen([sys.executable, "-m", "xlt.cli", "sweep", "run", "sweeps/demo.yaml", f"storage={tmp_path}",
                               "intermediate.tasks=none", "target.learning_rate=1.0e-3", "target.epochs=1",
                               "data.max_train_examples=32", "model.max_seq_length=64", "target.languages=[de]"],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    seen: dict[tuple, str] = {}

    def watch():
        while driver.poll() is None:
            try:
                tree = {driver.pid} | {c.pid for c in psutil.Process(driver.pid).children(recursive=True)}
                for c in psutil.net_connections(kind="inet"):
                    if c.status == psutil.CONN_LISTEN and c.pid in tree:
                        seen[(c.laddr.ip, c.laddr.port)] = psutil.Process(c.pid).name()
            except psutil.Error:
                pass
            time.sleep(0.3)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = driver.communicate(timeout=600)
    watcher.join(timeout=5)
    assert driver.returncode == 0, out[-3000:]
    assert "Token authentication is enabled" in out  # Ray's auth was not switched off

    def loopback(ip: str) -> bool:
        address = ipaddress.ip_address(ip.split("%")[0])
        return (getattr(address, "ipv4_mapped", None) or address).is_loopback

    assert len(seen) > 3  # the GCS, the raylet, workers... were seen
    outside = {k: v for k, v in seen.items() if not loopback(k[0])}
    assert not outside, outside
