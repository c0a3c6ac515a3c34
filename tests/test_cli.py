"""The CLI as a user runs it: bad input fails fast with exit 2 and writes nothing."""

import json
import subprocess
import sys

from conftest import REPO


def xlt(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlt.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_bad_sweep_exits_2_with_key_path_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / "sweeps" / "demo.yaml").read_text().replace("[none, mnli]", "[none, mnli, mnlii]"))
    out = xlt("sweep", "run", str(bad), f"storage={tmp_path / 'runs'}")
    assert out.returncode == 2
    assert "bad.yaml: intermediate.tasks.choice[2]: unknown task 'mnlii' (did you mean 'mnli'?)" in out.stderr
    assert not (tmp_path / "runs").exists()
    assert "ray" not in out.stderr.lower()  # failed before Ray started


def test_missing_file_and_existing_sweep(tmp_path):
    out = xlt("sweep", "run", str(tmp_path / "absent.yaml"))
    assert out.returncode == 2 and "absent.yaml: file not found" in out.stderr
    (tmp_path / "runs" / "demo" / "results").mkdir(parents=True)
    out = xlt("sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path / 'runs'}")
    assert out.returncode == 2 and "already exists" in out.stderr
    assert (tmp_path / "runs" / "demo" / "results").is_dir()  # nothing deleted


def test_tasks_list_json():
    out = xlt("tasks", "list", "--json")
    tasks = {t["name"]: t for t in json.loads(out.stdout)}
    assert tasks["xnli"]["format"] == "classification" and "ur" in tasks["xnli"]["languages"]
    assert tasks["mnli"]["role"] == "intermediate"
    assert xlt("tasks", "show", "xnlii").returncode == 2


def test_optuna_storage_from_a_missing_environment_variable_fails_before_ray(tmp_path):
    out = xlt("sweep", "run", str(REPO / "sweeps" / "demo.yaml"), f"storage={tmp_path / 'runs'}",
              "search.optuna_storage=env:XLT_NO_SUCH_VARIABLE")
    assert out.returncode == 2 and "environment variable XLT_NO_SUCH_VARIABLE is not set" in out.stderr


def test_version_the_tasks_table_header_and_help_for_every_argument():
    from xlt import __version__

    assert xlt("--version").stdout.strip() == f"xlt {__version__}"
    header = xlt("tasks", "list").stdout.splitlines()[0].split()
    assert header[:4] == ["task", "role", "format", "metric"]
    import argparse

    from xlt.cli import _parser

    def parsers(p):
        yield p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from parsers(sub)

    bare = [f"{p.prog}: {a.dest}" for p in parsers(_parser()) for a in p._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) and not a.help]
    assert bare == [], f"arguments without help: {bare}"
