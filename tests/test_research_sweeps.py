"""The research-question sweeps (`sweeps/rq-*.yaml`): each full form passes `xlt sweep plan`, and
each runs end to end through `xlt sweep run` in a shrunken form (tiny model, shipped fixtures,
one or two trials) that keeps what makes it that question: its tasks, mixtures and objectives."""

import json

import pytest

from xlt.cli import main
from xlt.results.rows import read_results

from conftest import REPO

RQ = sorted(p.name for p in (REPO / "sweeps").glob("rq-*.yaml"))
SMALL = ["model.name=tiny-xlmr", "data.source=local", "data.max_train_examples=8", "model.max_seq_length=48",
         "intermediate.batch_size=8", "target.epochs=1", "target.batch_size=8", "resources.workers_per_trial=1",
         "resources.gpus_per_worker=0", "resources.cpus_per_worker=1", "resources.max_concurrent_trials=2",
         "search.seed=1"]
SHRUNK = {  # one non-baseline choice (two mixtures for the multi-objective grid; one a backbone),
    # and a few of the targets: the file's own tasks, mixtures and objectives run; CI time stays short
    "rq-architectures.yaml": ["model.name={choice: [tiny-xlmr, tiny-mt5, tiny-decoder]}", "intermediate.tasks=none",
                              "target.tasks=[xnli]", "target.learning_rate=1.0e-3"],
    "rq-code-intermediate.yaml": ["intermediate.tasks=code_all", "intermediate.epochs=1"],
    "rq-intermediate-language.yaml": ["intermediate.tasks=xnli_tt@ur", "intermediate.epochs=1",
                                      "target.learning_rate=1.0e-3", "target.tasks=[xglue_ner, xglue_wpr, xnli]"],
    "rq-pawsx-mixtures.yaml": ["intermediate.steps=2", "intermediate.tasks={choice: [mnli, nli_qa]}",
                               "intermediate.learning_rate=1.0e-5", "target.learning_rate=1.0e-3"],
    "rq-task-diversity.yaml": ["intermediate.tasks=mix3", "intermediate.steps=2", "target.tasks=[xnli, xcopa, lareqa]"],
}


def test_every_research_sweep_is_shrunk_here():
    assert set(RQ) == set(SHRUNK)


@pytest.mark.parametrize("name", RQ)
def test_full_research_sweep_plans(name, capsys):
    assert main(["sweep", "plan", str(REPO / "sweeps" / name), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["trials"] >= 8 and plan["target"]["gpu_hours_with_cache"] > 1


@pytest.mark.ray
@pytest.mark.parametrize("name", RQ)
def test_shrunken_research_sweep_runs(name, ray_cluster, tmp_path, capsys):
    code = main(["sweep", "run", str(REPO / "sweeps" / name), f"storage={tmp_path}", "name=rq", *SMALL, *SHRUNK[name],
                 "--address", ray_cluster])
    out = capsys.readouterr().out
    assert code == 0 and "failed" not in out.split("results:")[0].splitlines()[-1], out
    rows = read_results(str(tmp_path / "rq" / "results")).to_pylist()
    zero = {r["target_task"] for r in rows if r["phase"] == "zero_shot"}
    assert zero, out
    assert all(0 <= r["value"] <= 1 for r in rows if r["phase"] != "failed")
    assert main(["report", str(tmp_path / "rq"), "--out", str(tmp_path / "report")]) == 0
    if name == "rq-architectures.yaml":  # the by-backbone view compares the three families
        assert {r["model"] for r in rows} == {"tiny-xlmr", "tiny-mt5", "tiny-decoder"}
        assert "## By backbone" in (tmp_path / "report" / "report.md").read_text()
