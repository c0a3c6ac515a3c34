"""The research-question sweeps (`sweeps/rq-*.yaml`): each full form passes `xlt sweep plan`, and
each runs end to end through `xlt sweep run` in a shrunken form (tiny model, shipped fixtures,
one or two trials) that keeps what makes it that question: its tasks, mixtures and objectives."""

import json

import pytest

from xlt.cli import main
from xlt.perturb import KINDS
from xlt.results.rows import read_results

from conftest import REPO

RQ = sorted(p.name for p in (REPO / "sweeps").glob("rq-*.yaml"))
SMALL = ["model.name=tiny-xlmr", "data.source=local", "data.max_train_examples=8", "model.max_seq_length=48",
         "intermediate.batch_size=8", "target.epochs=1", "target.batch_size=8", "resources.workers_per_trial=1",
         "resources.gpus_per_worker=0", "resources.cpus_per_worker=1", "resources.max_concurrent_trials=2",
         "search.seed=1"]
SHRUNK = {  # the study's control and one arm (for the architectures, on each family), a few of the
    # targets: the file's own tasks, mixtures, objectives and comparison run; CI time stays short
    "rq-architectures.yaml": ["model.name={choice: [tiny-xlmr, tiny-mt5, tiny-decoder]}",
                              "model.learning_rate_scale={tiny-mt5: 3, tiny-decoder: 1}",
                              "intermediate.tasks={choice: [none, mnli]}", "intermediate.epochs=1", "study.arms=[mnli]",
                              "target.tasks=[xnli]", "target.learning_rate=1.0e-3"],
    "rq-code-intermediate.yaml": ["intermediate.tasks={choice: [none, code_all]}", "intermediate.steps=2",
                                  "study.arms=[code_all]"],
    "rq-intermediate-language.yaml": ["intermediate.tasks={choice: [mnli, xnli_tt@ur]}", "intermediate.epochs=1",
                                      "study.arms=[xnli_tt@ur]", "study.without_own_language={xnli_tt@ur: [ur]}",
                                      "target.learning_rate=1.0e-3",
                                      "target.tasks=[xglue_ner, xglue_wpr, xnli]",
                                      "study.task_groups={structure: [xglue_ner], web: [xglue_wpr], reasoning: [xnli]}"],
    "rq-pawsx-mixtures.yaml": ["intermediate.steps=2", "intermediate.tasks={choice: [mnli, nli_qa]}", "study.arms=[nli_qa]",
                               "intermediate.learning_rate=1.0e-5", "target.learning_rate=1.0e-3"],
    "rq-task-diversity.yaml": ["intermediate.tasks={choice: [cls3, div3_a]}", "intermediate.steps=2", "study.arms=[div3_a]",
                               "target.tasks=[xnli, xcopa, tatoeba]"],
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
    report = (tmp_path / "report" / "report.md").read_text()
    # the report leads with the comparison the sweep's hypothesis needs: each arm minus the control
    assert report.index("## The question") < report.index("## Ranking"), report[:2000]
    question = report[report.index("## The question"):report.index("## Ranking")]
    assert "**Hypothesis.**" in question and "(n=1: no interval)" in question, question
    if name == "rq-pawsx-mixtures.yaml":  # PAWS-X under each perturbation, and each arm against the control on it
        assert {r["metric"].split("/")[0] for r in rows if r["phase"] == "robustness"} == set(KINDS)
        assert "### Robustness: each arm minus the control" in question and "## Robustness under perturbations" in report
    if name == "rq-architectures.yaml":  # the by-backbone view compares the three families
        assert {r["model"] for r in rows} == {"tiny-xlmr", "tiny-mt5", "tiny-decoder"}
        # each family its own way (model.head: native), its own learning rates
        assert {(r["model"], r["head"]) for r in rows} == {("tiny-xlmr", "pooled"), ("tiny-mt5", "text"),
                                                           ("tiny-decoder", "text")}
        assert {r["learning_rate"] for r in rows if r["model"] == "tiny-mt5" and r["phase"] == "zero_shot"} == {3.0e-3}
        assert "## By backbone" in (tmp_path / "report" / "report.md").read_text()


def test_code_to_text_arm_plans_on_a_text_model(capsys):
    """rq-code-intermediate's header: the question with code-to-text as an arm, on mT5-base run as itself."""
    args = ["model.name=google/mt5-base", "model.head=text",
            "intermediate.tasks={choice: [none, mnli, code_defect, code_clone, code_search, code_all, code_to_text]}",
            "study.arms=[code_defect, code_clone, code_search, code_all, code_to_text, mnli]",
            "model.learning_rate_scale={google/mt5-base: 30}"]
    text = (REPO / "sweeps" / "rq-code-intermediate.yaml").read_text()
    assert all(a.split("=")[0] in text for a in args)
    assert main(["sweep", "plan", str(REPO / "sweeps" / "rq-code-intermediate.yaml"), *args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["trials"] == 21
    # on the file's own XLM-R, code-to-text is refused with the reason
    assert main(["sweep", "plan", str(REPO / "sweeps" / "rq-code-intermediate.yaml"), args[2]]) == 2
    assert "code_to_text generate text, which a pooled head cannot (xlm-roberta-large)" in capsys.readouterr().err
