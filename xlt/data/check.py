"""`xlt data check`: before any GPU-second, every task, config, split and language a sweep can
reach is resolved and its schema read (the dataset card's features and splits, through `datasets`'
own `load_dataset_builder`, downloading no data) and compared with what the task's adapter reads.
Every problem is listed at once, one line a task with its fix; files the user provides (CCGbank,
Mewsli-X, BUCC) are checked for presence; what cannot be checked (offline) is said.
"""

import os
from collections import defaultdict
from dataclasses import dataclass, field

from xlt.data.loading import LOCAL_SOURCES, _mirrored, available_languages
from xlt.tasks import TaskSpec, get_task


@dataclass
class Check:
    """The outcome for one task: problems (with their fix), what was not checked, and what was."""

    task: str
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    checked: int = 0  # sources whose schema was read
    offline: list[str] = field(default_factory=list)  # sources the hub did not answer for


def sweep_tasks(cfg) -> list[TaskSpec]:
    """Every task a sweep's trials read: targets, their training and selection tasks, and the
    intermediate tasks and mixtures."""

    names: dict[str, None] = {}
    for value in cfg.task_names():
        task = get_task(value)
        for name in (task.name, *task.train_tasks, task.dev_task):
            names[name] = None
    return [get_task(n) for n in names]


def check_sweep(cfg, revisions=None) -> list[Check]:
    """Check every source the sweep reaches (hub sources only when `data.source` is hub)."""
    pinned = cfg.data.revisions or {}
    out = []
    for task in sweep_tasks(cfg):
        if cfg.data.source == "local":
            out.append(_check_fixture(task))
        else:
            revision = revisions.data.get(task.name) if revisions else None
            out.append(_check_hub(task, pinned.get(task.name), revision, cfg.target.languages))
    return out


def _check_fixture(task: TaskSpec) -> Check:
    check = Check(task.name)
    for split in task.splits:
        if split == "train" and not task.trains and task.role == "target":
            continue
        if not available_languages(task, split, "local") and split != "validation":
            check.problems.append(f"no shipped fixture for its {split} split")
        check.checked += 1
    return check


def _check_hub(task: TaskSpec, pinned: str | None, resolved: str | None, chosen=None) -> Check:
    import datasets

    check = Check(task.name)
    needed = _needed(task, chosen)
    by_source: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)  # (path, config) -> (split, hub split, lang)
    for hub in task.hub:
        if hub.path.startswith("local:"):
            _check_local(task, hub.path, check)
            continue
        for split, languages in needed.items():
            for lang in languages:
                for hub_split in hub.splits_for(split, lang):
                    by_source[(hub.path, hub.config_for(lang), hub.revision, hub.data_dir)].append((split, hub_split, lang))
    pins = dict(part.rsplit("@", 1) for part in (resolved or "").split(";") if "@" in part)
    for (path, config, declared, data_dir), wanted in by_source.items():
        where = f"{path}" + (f" config {config}" if config else "") + (f" folder {data_dir}" if data_dir else "")
        revision = pins.get(path) or pinned or declared
        pin = {"revision": revision} if revision and _mirrored(path) == path else {}  # a mirror holds one revision
        if data_dir:
            pin["data_dir"] = data_dir
        try:
            builder = datasets.load_dataset_builder(_mirrored(path), config, **pin)
        except Exception as err:  # noqa: BLE001 - datasets raises many kinds; each becomes a line with its fix
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            if _offline(err):
                check.offline.append(where)
            elif "scripts are no longer supported" in message.lower():
                check.problems.append(f"{where}: holds only a loading script, which datasets >= 4 refuses; point the "
                                      f"task at a Parquet copy (the repository's refs/convert/parquet branch, or another "
                                      f"repository) in xlt/tasks/catalog.py")
            elif "not found" in message.lower() and "config" in message.lower():
                check.problems.append(f"{where}: no such config ({message})")
            else:
                check.problems.append(f"{where}: cannot be read ({type(err).__name__}: {message})")
            continue
        info = builder.info
        if info.splits:
            for split, hub_split, lang in wanted:
                if hub_split not in info.splits:
                    check.problems.append(f"{where}: has no split {hub_split!r} (for {lang}/{split}; it has "
                                          f"{', '.join(info.splits)}); declare it in the task's missing_splits")
        else:
            check.unchecked.append(f"{where}: its card lists no splits (they are known only once downloaded)")
        if info.features is not None:
            check.problems += [f"{where}: {p}" for p in feature_problems(task, info.features)]
        else:
            check.unchecked.append(f"{where}: its card lists no features (they are known only once downloaded)")
        check.checked += 1
    return check


def _needed(task: TaskSpec, chosen=None) -> dict[str, tuple[str, ...]]:
    """Split -> the languages a sweep reads it in (a target task's evaluation languages are those
    of `target.languages` when the sweep names them)."""
    needed = {}
    for split in task.splits:
        if split == "train" and not task.trains:
            continue
        languages = task.training_languages if split == "train" else available_languages(task, split, "hub")
        if task.dev_from_train and split == "validation":
            continue  # held out of train: train's check covers it
        if split == "validation" and task.role == "intermediate":
            languages = tuple(l for l in languages if l in task.training_languages)
        elif split != "train" and task.role == "target" and chosen:
            languages = tuple(l for l in languages if l in chosen or l in task.training_languages)
        needed[split] = tuple(languages)
    return needed


def _check_local(task: TaskSpec, source: str, check: Check) -> None:
    env = LOCAL_SOURCES.get(source)
    value = os.environ.get(env or "")
    if not value:
        check.problems.append(f"{source}: needs ${env} (files you provide; see docs/tasks.md for how to get them)")
    elif "://" not in value and not os.path.isdir(value):
        check.problems.append(f"{source}: ${env}={value} is not a directory")
    else:
        check.checked += 1


def _offline(err: Exception) -> bool:
    names = {type(e).__name__ for e in _chain(err)}
    text = " ".join(str(e) for e in _chain(err)).lower()
    return bool(names & {"OfflineModeIsEnabled", "ConnectionError", "ConnectError", "ConnectTimeout", "Timeout",
                         "LocalEntryNotFoundError"}) or "offline" in text or "connection" in text


def _chain(err: BaseException):
    while err is not None:
        yield err
        err = err.__cause__ or err.__context__


def feature_problems(task: TaskSpec, features) -> list[str]:
    """What the task's adapter reads that the source's features do not provide."""
    reads = getattr(task.adapter, "reads", None)
    if reads is None:
        return []
    out = []
    for column, kind in reads.items():
        if column not in features:
            out.append(f"has no column {column!r} (columns: {', '.join(features)}); the adapter reads it as {kind}")
            continue
        problem = _kind_problem(task, column, kind, features[column])
        if problem:
            out.append(problem)
    return out


def _kind_problem(task: TaskSpec, column: str, kind: str, feature) -> str | None:
    import datasets

    def inner(f):
        return getattr(f, "feature", None) if isinstance(f, (datasets.Sequence, getattr(datasets, "List", ()))) else None

    if kind == "any":
        return None
    if kind == "text":
        ok = isinstance(feature, datasets.Value) and feature.dtype in ("string", "large_string")
        return None if ok else f"column {column!r} is {feature}, the adapter reads a string"
    if kind == "texts":
        item = inner(feature)
        ok = isinstance(item, datasets.Value) and item.dtype in ("string", "large_string")
        return None if ok else f"column {column!r} is {feature}, the adapter reads a list of strings"
    if kind in ("label", "labels"):
        item = feature if kind == "label" else inner(feature)
        if isinstance(item, datasets.ClassLabel):
            if task.labels and item.num_classes != len(task.labels):
                return (f"column {column!r} has {item.num_classes} classes ({', '.join(item.names)}), the task "
                        f"declares {len(task.labels)} ({', '.join(task.labels)})")
            if kind == "labels" and task.labels and list(item.names) != list(task.labels):
                return (f"column {column!r}'s tags are {item.names}, in another order than the task's "
                        f"{list(task.labels)}: ids would map to the wrong tags")
            return None
        if isinstance(item, datasets.Value) and (item.dtype.startswith(("int", "uint")) or item.dtype in ("bool", "string")):
            return None  # a string label must be digits: the loader's row check names any that is not
        return f"column {column!r} is {feature}, the adapter reads class ids"
    if kind == "answers":
        names = set(feature) if isinstance(feature, dict) else set(getattr(getattr(feature, "feature", None), "keys", lambda: [])())
        ok = {"text", "answer_start"} <= names
        return None if ok else f"column {column!r} is {feature}, the adapter reads {{text, answer_start}}"
    return None


def format_checks(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        if c.offline:
            repos = sorted({w.split(" ")[0] for w in c.offline})
            c.unchecked.insert(0, f"the hub did not answer ({len(c.offline)} config(s) of {', '.join(repos)}; "
                                  f"offline, or set XLT_HUB_MIRROR to a local mirror)")
        if c.problems:
            lines += [f"{c.task}: PROBLEM {p}" for p in c.problems]
        if c.unchecked:
            lines += [f"{c.task}: not checked: {u}" for u in c.unchecked]
        if not c.problems and not c.unchecked:
            lines.append(f"{c.task}: ok ({c.checked} source{'s' if c.checked != 1 else ''} checked)")
    bad = sum(bool(c.problems) for c in checks)
    lines.append(f"{len(checks)} tasks: {bad} with problems, "
                 f"{sum(bool(c.unchecked) and not c.problems for c in checks)} not fully checked")
    return "\n".join(lines)
