"""`xlt score` on complete XTREME folders whose scores are known independently."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import seqeval.metrics

from xlt.benchmarks import XTREME, XTREME_R
from xlt.scoring import ScoreError, score_folders

N = 12  # examples per language


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_xtreme(root: Path, seed: int = 0) -> dict:
    """Write pred/ and gold/ for every XTREME task and language; return the expected avg_metric per task."""
    rng = random.Random(seed)
    expected: dict[str, list[float]] = {}
    for task in XTREME.tasks:
        for i, lang in enumerate(task.languages):
            name = f"test-{lang}.{task.suffix}"
            gold, pred = root / "gold" / task.folder / name, root / "pred" / task.folder / name
            k = (i % N) + 1 if task.kind != "bucc" else (i % 3) + 1  # examples right in this language
            if task.kind == "label":
                labels = [rng.choice(["entailment", "neutral", "contradiction"]) for _ in range(N)]
                preds = labels[:k] + [l + "x" for l in labels[k:]]
                _write(gold, "\n".join(labels) + "\n")
                _write(pred, "\n".join(preds) + "\n")
                expected.setdefault(task.folder, []).append(100 * k / N)
            elif task.kind == "tag":
                vocab = ["O", "B-PER", "I-PER", "B-LOC"] if task.folder == "panx" else ["NOUN", "VERB", "ADP", "PROPN"]
                sents = [[rng.choice(vocab) for _ in range(rng.randint(2, 7))] for _ in range(5)]
                psents = [[rng.choice(vocab) if rng.random() < 0.3 else t for t in s] for s in sents]
                _write(gold, "\n\n".join("\n".join(s) for s in sents) + "\n")
                _write(pred, "\n\n".join("\n".join(s) for s in psents) + "\n")
                expected.setdefault(task.folder, []).append(100 * seqeval.metrics.f1_score(sents, psents))
            elif task.kind == "bucc":
                pairs = [f"{lang}-{j:06d}\ten-{j:06d}" for j in range(3)]
                _write(gold, "\n".join(pairs) + "\n")
                _write(pred, "\n".join(pairs[:k]) + "\n" if k else "")
                p, r = 1.0, k / 3
                expected.setdefault(task.folder, []).append(100 * 2 * p * r / (p + r))
            else:  # squad / mlqa: k questions exactly right, the rest disjoint -> EM = F1 = k/N
                qas = [{"id": f"{lang}{j}", "answers": [{"text": f"answer{j} word"}]} for j in range(N)]
                data = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]}
                _write(gold, json.dumps(data))
                _write(pred, json.dumps({q["id"]: (f"answer{j} word" if j < k else "zzz") for j, q in enumerate(qas)}))
                expected.setdefault(task.folder, []).append(100 * k / N)
    return {task: sum(v) / len(v) for task, v in expected.items()}


def run_score(*args):
    return subprocess.run([sys.executable, "-m", "xlt.cli", "score", *map(str, args)], capture_output=True, text=True)


def test_full_xtreme_folder_json_matches_independent_scores(tmp_path):
    expected = build_xtreme(tmp_path)
    out = run_score(tmp_path / "pred", tmp_path / "gold", "--json")
    assert out.returncode == 0, out.stderr
    scores = json.loads(out.stdout)
    for task, value in expected.items():
        assert scores[task]["avg_metric"] == pytest.approx(value, abs=1e-6), task
    assert scores["all_task"] == pytest.approx(sum(expected.values()) / 9, abs=1e-6)
    for group, members in XTREME.groups.items():
        assert scores[group] == pytest.approx(sum(expected[t] for t in members) / len(members), abs=1e-6)
    # the shape of evaluate.py's output file
    assert set(scores["xnli"]) == {"accuracy", "avg_accuracy", "avg_metric"} and len(scores["xnli"]["accuracy"]) == 15
    assert set(scores["panx"]) == {"f1", "precision", "recall", "avg_f1", "avg_precision", "avg_recall", "avg_metric"}
    assert len(scores["panx"]["f1"]) == 40 and len(scores["udpos"]["f1"]) == 33 and len(scores["tatoeba"]["accuracy"]) == 36
    assert set(scores["mlqa"]) == {"exact_match", "f1", "avg_exact_match", "avg_f1", "avg_metric"}
    assert scores["mlqa"]["avg_metric"] == pytest.approx((scores["mlqa"]["avg_exact_match"] + scores["mlqa"]["avg_f1"]) / 2)


def test_partial_folder_has_no_overall_and_only_complete_groups(tmp_path):
    build_xtreme(tmp_path)
    for task in ("udpos", "bucc2018"):
        for side in ("pred", "gold"):
            for f in (tmp_path / side / task).iterdir():
                f.unlink()
            (tmp_path / side / task).rmdir()
    scores = score_folders(tmp_path / "pred", tmp_path / "gold", XTREME)
    assert "all_task" not in scores and "tagging" not in scores and "retrieval" not in scores
    assert {"classification", "qa"} <= set(scores)


def test_table_output(tmp_path):
    build_xtreme(tmp_path)
    out = run_score(tmp_path / "pred", tmp_path / "gold")
    assert out.returncode == 0 and out.stdout.startswith("all_task") and "\nbucc2018 " in out.stdout


def test_missing_language_file_names_it(tmp_path):
    build_xtreme(tmp_path)
    (tmp_path / "pred" / "xnli" / "test-sw.tsv").unlink()
    out = run_score(tmp_path / "pred", tmp_path / "gold")
    assert out.returncode == 2 and f"{tmp_path / 'pred' / 'xnli' / 'test-sw.tsv'}: missing" in out.stderr


def test_mismatched_line_counts_name_file_and_line(tmp_path):
    build_xtreme(tmp_path)
    pred = tmp_path / "pred" / "pawsx" / "test-de.tsv"
    pred.write_text("\n".join(pred.read_text().splitlines()[:-2]) + "\n")
    out = run_score(tmp_path / "pred", tmp_path / "gold")
    assert out.returncode == 2 and f"{pred}:{N - 1}: {N - 2} lines, but" in out.stderr


def test_mismatched_tag_sentence_names_its_line(tmp_path):
    build_xtreme(tmp_path)
    pred = tmp_path / "pred" / "panx" / "test-ar.tsv"
    lines = pred.read_text().splitlines()
    pred.write_text("\n".join(lines[1:]) + "\n")  # first sentence loses a tag
    with pytest.raises(ScoreError, match=rf"{pred}:1: sentence 1 has"):
        score_folders(tmp_path / "pred", tmp_path / "gold", XTREME)


def test_unparsable_json_names_file_and_line(tmp_path):
    build_xtreme(tmp_path)
    pred = tmp_path / "pred" / "xquad" / "test-en.json"
    pred.write_text('{\n"en0": "x",\n"en1": oops\n}')
    out = run_score(tmp_path / "pred", tmp_path / "gold")
    assert out.returncode == 2 and f"{pred}:3: not valid JSON" in out.stderr


def test_xtreme_r_scores_xcopa_and_map(tmp_path):
    for i, lang in enumerate(XTREME_R.task("xcopa").languages):
        _write(tmp_path / "gold" / "xcopa" / f"test-{lang}.tsv", "0\n1\n1\n0\n")
        _write(tmp_path / "pred" / "xcopa" / f"test-{lang}.tsv", "0\n1\n0\n0\n")
    for lang in XTREME_R.task("mewslix").languages:
        _write(tmp_path / "gold" / "mewslix" / f"test-{lang}.jsonl", '{"id": "q1", "relevant": ["Q42"]}\n')
        _write(tmp_path / "pred" / "mewslix" / f"test-{lang}.jsonl", '{"id": "q1", "ranking": ["Q1", "Q42"]}\n')
    scores = score_folders(tmp_path / "pred", tmp_path / "gold", XTREME_R)
    assert scores["xcopa"]["avg_metric"] == pytest.approx(75.0)
    assert scores["mewslix"]["avg_metric"] == pytest.approx(50.0)
