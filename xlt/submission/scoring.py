"""Score a folder of predictions against gold labels in the XTREME submission layout, as
XTREME's `evaluate.py` does (google-research/xtreme@838c13b): `DIR/<task>/test-<lang>.<tsv|json|jsonl>`.

Returns the JSON shape of its `--output_file`: `all_task` (only when every task is present and
scored), each complete group, and per task `{metric: {lang: value}, avg_<metric>: value,
avg_metric: value}`, values in percent, summed in the official language order. Bad input raises
ScoreError naming the file (and line) where the official script would crash or mis-read.
"""

import json
from collections.abc import Callable
from pathlib import Path

from xlt.submission.benchmarks import Benchmark, BenchmarkTask
from xlt.metrics import bucc_prf, mlqa_em_f1, seqeval_prf, squad_em_f1
from xlt.metrics.retrieval import mewslix_map_at_k


class ScoreError(ValueError):
    """Unscorable input; the message names the file and, where it can, the line."""


# --- readers (as XTREME's: label lines stripped; tag sentences split on blank lines) -------

def read_label_file(path: Path) -> list[str]:
    with _open(path) as f:
        return [line.strip() for line in _lines(f, path)]


def _lines(f, path: Path):
    """The lines of a text file; ScoreError naming the file when it is not UTF-8 text."""
    try:
        yield from f
    except UnicodeDecodeError as err:
        raise ScoreError(f"{path}: not a UTF-8 text file (byte {err.start}: {err.reason})") from None


def read_tag_file(path: Path) -> tuple[list[list[str]], list[int]]:
    """Sentences of tags, and the line number where each starts (for error messages)."""
    sentences, starts, current, start = [], [], [], 1
    with _open(path) as f:
        for line_no, line in enumerate(_lines(f, path), 1):
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
    with _open(path) as f:
        text = "".join(_lines(f, path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScoreError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    return data["data"] if isinstance(data, dict) and "data" in data else data


def read_ranking_file(path: Path) -> dict[str, list[str]]:
    """Mewsli-X's files: one JSON object `{example id: [entity id, ...]}` (predictions ranked
    best first; gold a singleton list)."""
    data = read_json_file(path)
    if not isinstance(data, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in data.values()):
        raise ScoreError(f"{path}: expected a JSON object {{example id: [entity id, ...]}}")
    return data


def read_xcopa_file(path: Path) -> list:
    """XCOPA's files: JSON lines each with a `label` (gold rows, or `{"label": n}` predictions)."""
    labels = []
    with _open(path) as f:
        for line_no, line in enumerate(_lines(f, path), 1):
            try:
                labels.append(json.loads(line)["label"])
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ScoreError(f"{path}:{line_no}: expected a JSON object with a 'label' ({err!r})") from None
    return labels


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
        if bad := next((k for k, v in predictions.items() if not isinstance(v, str)), None):
            raise ScoreError(f"{pred}: the answer of {bad!r} is {predictions[bad]!r}, expected a string")
        try:
            scores = (mlqa_em_f1(dataset, predictions, lang, scale=100.0) if task.kind == "mlqa"
                      else squad_em_f1(dataset, predictions, scale=100.0))
        except (KeyError, TypeError) as err:
            raise ScoreError(f"{gold}: not SQuAD-format data (missing {err})") from None
        except ValueError as err:  # no questions
            raise ScoreError(f"{gold}: {err}") from None
        return scores
    if task.kind == "mewslix":
        gold_map, ranked = read_ranking_file(gold), read_ranking_file(pred)
        if empty := next((q for q, v in gold_map.items() if not v), None):
            raise ScoreError(f"{gold}: example {empty!r} has no gold entity")
        return {"map@20": mewslix_map_at_k(gold_map, ranked, 20) * 100}
    if task.kind == "xcopa":
        labels, preds = read_xcopa_file(gold), read_xcopa_file(pred)
    else:
        labels, preds = read_label_file(gold), read_label_file(pred)
    if task.kind == "bucc":  # no correct pair: the official writes integer zeros
        return {k: v * 100 if v else 0 for k, v in bucc_prf(labels, preds).items()}
    _check_count(pred, gold, len(preds), len(labels), "lines")
    if not labels:
        raise ScoreError(f"{gold}: no examples")
    return {"accuracy": sum(p == g for p, g in zip(preds, labels)) / len(preds) * 100}


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
        elif "avg_map@20" in averaged:
            averaged["avg_metric"] = averaged["avg_map@20"]
        # a task without languages (XTREME-R's lareqa) is listed empty, with no avg_metric
        detailed[task.folder] = averaged

    overall: dict = {}
    # every task, each with a score (never for XTREME-R: its lareqa has none); summed in the
    # official task order (evaluate.py sums over a set, whose order varies in the last bit)
    if {t.folder for t in benchmark.tasks} == set(detailed) and all("avg_metric" in d for d in detailed.values()):
        overall["all_task"] = sum(d["avg_metric"] for d in detailed.values()) / len(detailed)
    for group, members in benchmark.groups.items():
        if set(members) <= set(detailed):
            overall[group] = sum(detailed[t]["avg_metric"] for t in members) / len(members)
    if not detailed:
        raise ScoreError(f"no task folder of {benchmark.name} ({', '.join(t.folder for t in benchmark.tasks)}) is in "
                         f"both {pred_dir} and {label_dir}")
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
        if "avg_metric" not in s:
            lines += ["", f"{task.folder:<10} not scored: {benchmark.name}'s evaluate.py lists no language for it"]
            continue
        metrics = [m for m in s if not m.startswith("avg_")]
        lines.append("")
        lines.append(f"{task.folder:<10} avg_metric {s['avg_metric']:.2f}   " +
                     "  ".join(f"avg_{m} {s['avg_' + m]:.2f}" for m in metrics))
        lines.append(f"{'lang':<10}" + "".join(f"{m:>14}" for m in metrics))
        for lang in task.languages:
            lines.append(f"{lang:<10}" + "".join(f"{s[m][lang]:14.2f}" for m in metrics))
    return "\n".join(lines) if lines else "no task folder present in both directories"
