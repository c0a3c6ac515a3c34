"""Score a folder of predictions against gold labels in the XTREME submission layout, as
XTREME's `evaluate.py` does: `DIR/<task>/test-<lang>.<tsv|json|jsonl>`.

Returns the JSON shape of its `--output_file`: `all_task` (only when every task is present),
each complete group, and per task `{metric: {lang: value}, avg_<metric>: value, avg_metric:
value}`, values in percent. Bad input raises ScoreError naming the file (and line).
"""

import json
from collections.abc import Callable
from pathlib import Path

from xlt.benchmarks import Benchmark, BenchmarkTask
from xlt.metrics import accuracy, bucc_prf, mean_average_precision_at_k, mlqa_em_f1, seqeval_prf, squad_em_f1


class ScoreError(ValueError):
    """Unscorable input; the message names the file and, where it can, the line."""


# --- readers (as XTREME's: label lines stripped; tag sentences split on blank lines) -------

def read_label_file(path: Path) -> list[str]:
    with _open(path) as f:
        return [line.strip() for line in f]


def read_tag_file(path: Path) -> tuple[list[list[str]], list[int]]:
    """Sentences of tags, and the line number where each starts (for error messages)."""
    sentences, starts, current, start = [], [], [], 1
    with _open(path) as f:
        for line_no, line in enumerate(f, 1):
            line = line.strip()
            if line:
                if not current:
                    start = line_no
                current.append(line)
            else:
                sentences.append(current)
                starts.append(start if current else line_no)
                current = []
    if current:
        sentences.append(current)
        starts.append(start)
    return sentences, starts


def read_json_file(path: Path):
    text = _open(path).read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScoreError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    return data["data"] if isinstance(data, dict) and "data" in data else data


def read_ranking_file(path: Path) -> dict[str, list[str]]:
    """JSON lines `{"id": query, "ranking": [...]}` (predictions) or `{"id": q, "relevant": [...]}` (gold)."""
    out = {}
    with _open(path) as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out[str(row["id"])] = [str(x) for x in row.get("ranking", row.get("relevant", []))]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ScoreError(f"{path}:{line_no}: expected a JSON object with 'id' and 'ranking' "
                                 f"or 'relevant' ({err})") from None
    return out


def _open(path: Path):
    if not path.is_file():
        raise ScoreError(f"{path}: missing")
    return path.open(encoding="utf-8")


# --- one task, one language ---------------------------------------------------------------

def _pct(scores: dict[str, float]) -> dict[str, float]:
    return {k: 100 * v for k, v in scores.items()}


def score_language(task: BenchmarkTask, pred: Path, gold: Path, lang: str) -> dict[str, float]:
    if task.kind == "tag":
        (labels, gold_starts), (preds, pred_starts) = read_tag_file(gold), read_tag_file(pred)
        _check_count(pred, gold, len(preds), len(labels), "sentences")
        for i, (g, p) in enumerate(zip(labels, preds)):
            if len(g) != len(p):
                raise ScoreError(f"{pred}:{pred_starts[i]}: sentence {i + 1} has {len(p)} tags, "
                                 f"{gold}:{gold_starts[i]} has {len(g)}")
        return _pct(seqeval_prf(labels, preds))
    if task.kind in ("squad", "mlqa"):
        dataset, predictions = read_json_file(gold), read_json_file(pred)
        if not isinstance(predictions, dict):
            raise ScoreError(f"{pred}: expected a JSON object {{question id: answer text}}")
        try:
            scores = mlqa_em_f1(dataset, predictions, lang) if task.kind == "mlqa" else squad_em_f1(dataset, predictions)
        except (KeyError, TypeError) as err:
            raise ScoreError(f"{gold}: not SQuAD-format data (missing {err})") from None
        return _pct(scores)
    if task.kind == "ranking":
        gold_map, ranked = read_ranking_file(gold), read_ranking_file(pred)
        return {"map@20": 100 * mean_average_precision_at_k({q: set(r) for q, r in gold_map.items()}, ranked, 20)}
    labels, preds = read_label_file(gold), read_label_file(pred)
    if task.kind == "bucc":
        return _pct(bucc_prf(labels, preds))
    _check_count(pred, gold, len(preds), len(labels), "lines")
    return {"accuracy": 100 * accuracy(labels, preds)}


def _check_count(pred: Path, gold: Path, n_pred: int, n_gold: int, what: str) -> None:
    if n_pred != n_gold:
        raise ScoreError(f"{pred}:{min(n_pred, n_gold) + 1}: {n_pred} {what}, but {gold} has {n_gold}")


# --- a folder -----------------------------------------------------------------------------

def score_folders(pred_dir: Path, label_dir: Path, benchmark: Benchmark,
                  on_language: Callable[[str, str], None] | None = None) -> dict:
    """Score every task that has a folder on both sides, over all of its languages."""
    for directory in (pred_dir, label_dir):
        if not directory.is_dir():
            raise ScoreError(f"{directory}: not a directory")
    pred_tasks = {p.name for p in pred_dir.iterdir() if p.is_dir()}
    label_tasks = {p.name for p in label_dir.iterdir() if p.is_dir()}
    detailed: dict[str, dict] = {}
    for task in benchmark.tasks:
        if task.folder not in pred_tasks or task.folder not in label_tasks:
            continue
        score: dict[str, dict[str, float]] = {}
        for lang in task.languages:
            name = f"test-{lang}.{task.suffix}"
            result = score_language(task, pred_dir / task.folder / name, label_dir / task.folder / name, lang)
            for metric, value in result.items():
                score.setdefault(metric, {})[lang] = value
            if on_language:
                on_language(task.folder, lang)
        averaged: dict = dict(score)
        for metric, by_lang in score.items():
            averaged[f"avg_{metric}"] = sum(by_lang.values()) / len(by_lang)
        if task.kind in ("squad", "mlqa"):
            averaged["avg_metric"] = (averaged["avg_exact_match"] + averaged["avg_f1"]) / 2
        elif "avg_f1" in averaged:
            averaged["avg_metric"] = averaged["avg_f1"]
        elif "avg_accuracy" in averaged:
            averaged["avg_metric"] = averaged["avg_accuracy"]
        else:
            averaged["avg_metric"] = averaged["avg_map@20"]
        detailed[task.folder] = averaged

    overall: dict = {}
    if {t.folder for t in benchmark.tasks} == set(detailed):
        overall["all_task"] = sum(d["avg_metric"] for d in detailed.values()) / len(detailed)
    for group, members in benchmark.groups.items():
        if set(members) <= set(detailed):
            overall[group] = sum(detailed[t]["avg_metric"] for t in members) / len(members)
    return {**overall, **detailed}


def format_scores(scores: dict, benchmark: Benchmark) -> str:
    """A readable table: overall and group scores, then per task its average and languages."""
    lines = []
    for key in ("all_task", *benchmark.groups):
        if key in scores:
            lines.append(f"{key:<24}{scores[key]:8.2f}")
    for task in benchmark.tasks:
        if task.folder not in scores:
            continue
        s = scores[task.folder]
        metrics = [m for m in s if not m.startswith("avg_")]
        lines.append("")
        lines.append(f"{task.folder:<10} avg_metric {s['avg_metric']:.2f}   " +
                     "  ".join(f"avg_{m} {s['avg_' + m]:.2f}" for m in metrics))
        lines.append(f"{'lang':<10}" + "".join(f"{m:>14}" for m in metrics))
        for lang in task.languages:
            lines.append(f"{lang:<10}" + "".join(f"{s[m][lang]:14.2f}" for m in metrics))
    return "\n".join(lines) if lines else "no task folder present in both directories"
