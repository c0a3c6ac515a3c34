"""What a checkpoint depends on beyond the sweep file, resolved once when a sweep starts and
recorded in `sweep.json`, in the phase cache's keys and in every result row: the model's content
(a local model's files) or hub commit, each hub dataset's commit (local fixtures: their bytes),
the numerics (device and precision) and the versions of the code and libraries that compute them.

Hub names resolve to a commit through the hub when it answers, else through the local
Hugging Face cache (offline runs); a revision that cannot be resolved is an error naming what to
pin (`model.revision`, `data.revisions`), before Ray starts.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from xlt.models.registry import COMMIT


class RevisionError(ValueError):
    """A model or dataset revision that cannot be resolved: the message says what to pin."""


@dataclass(frozen=True)
class Revisions:
    """The resolved inputs of a sweep's checkpoints."""

    models: dict[str, str] = field(default_factory=dict)
    """Model name -> `sha256:...` of a local model's files, or the hub commit."""
    data: dict[str, str] = field(default_factory=dict)
    """Task -> its data's revision: `path@commit` per hub source (`;`-joined), or `fixture:...`."""
    libraries: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"models": self.models, "data": self.data, "libraries": self.libraries}

    @classmethod
    def from_json(cls, data: dict | None) -> "Revisions":
        data = data or {}
        return cls(dict(data.get("models", {})), dict(data.get("data", {})), dict(data.get("libraries", {})))


def library_versions() -> dict[str, str]:
    """The versions whose numerics a checkpoint depends on, and the phase code's version."""
    import tokenizers
    import torch
    import transformers

    from xlt.trial.keys import PHASE_CODE_VERSION

    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "xlt_phase_code": PHASE_CODE_VERSION}


def files_digest(directory: Path) -> str:
    """`sha256:` over a local model's files (names and bytes), so an overwritten weight file is a
    different model."""
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode())
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return f"sha256:{h.hexdigest()[:24]}"


def model_revision(name: str, revision: str | None = None) -> str:
    """A local model's content digest (built tiny models and directories), or a hub model's commit."""
    from xlt.models.registry import LOCAL_MODELS, resolve_model

    if name in LOCAL_MODELS or Path(name).is_dir():
        return files_digest(Path(resolve_model(name)))
    return hub_commit(name, revision, "model", "model.revision")


def tree_fingerprint(directory: Path) -> str:
    """`files:` over a folder's file names, sizes and modification times (its `.git` aside): a
    folder of user-provided files or a hub mirror can hold gigabytes, too many to hash at every sweep
    start, and a file replaced, added or removed changes the fingerprint (a copy that only touches
    times misses the cache, never reads a stale entry)."""
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and ".git" not in p.relative_to(directory).parts):
        stat = path.stat()
        h.update(f"{path.relative_to(directory)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return f"files:{h.hexdigest()[:24]}"


def dataset_revision(task, source: str, pinned: str | None = None) -> str:
    """The revision of a task's data: its fixture bytes (local); with `source: hub` each source's
    hub commit, or the fingerprint of its files where they are the user's (CCGbank, Mewsli-X, BUCC,
    XGLUE: `local:xglue@files:...`) or a mirror's ($XLT_HUB_MIRROR: `facebook/xnli@mirror:files:...`)."""
    import os

    from xlt.data.loading import LOCAL_SOURCES, _mirrored

    if source == "local":
        from xlt.trial.keys import data_fingerprint

        return f"fixture:{data_fingerprint([task.variant_of or task.name], 'local', None)}"
    parts = []
    for hub in task.hub:
        if hub.path.startswith("local:"):
            where = os.environ.get(LOCAL_SOURCES.get(hub.path, ""), "")
            if where and Path(where).is_dir():
                parts.append(f"{hub.path}@{tree_fingerprint(Path(where))}")
            else:  # a URL (fsspec) or not set yet: the loader names what is missing
                parts.append(f"{hub.path}@{where or 'unset'}")
        elif _mirrored(hub.path) != hub.path:
            parts.append(f"{hub.path}@mirror:{tree_fingerprint(Path(_mirrored(hub.path)))}")
        else:
            parts.append(f"{hub.path}@{hub_commit(hub.path, pinned or hub.revision, 'dataset', f'data.revisions.{task.name}')}")
    return ";".join(parts)


def hub_commit(repo: str, revision: str | None, kind: str, setting: str) -> str:
    """The commit `revision` (default main) of a hub repository: asked of the hub, else read from
    the local Hugging Face cache; RevisionError when neither knows it."""
    if revision and COMMIT.match(revision):
        return revision
    ref = revision or "main"
    try:
        from huggingface_hub import HfApi

        info = (HfApi().model_info if kind == "model" else HfApi().dataset_info)(repo, revision=ref, timeout=10)
        return info.sha
    except Exception as err:  # noqa: BLE001 - offline, unknown repo, rate limit: fall back to the cache
        reason = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
    cached = cached_commit(repo, ref, kind)
    if cached:
        return cached
    raise RevisionError(f"cannot resolve {kind} {repo!r} revision {ref!r} to a commit (the hub did not answer: "
                        f"{reason}; the local Hugging Face cache has no such ref): pin it with {setting}: <commit>")


def cached_commit(repo: str, ref: str, kind: str) -> str | None:
    """The commit the local Hugging Face cache records for `ref` of `repo`, or None."""
    from huggingface_hub import constants, scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:  # the cache folder read now: scan_cache_dir's default was bound when huggingface_hub was imported
        cache = scan_cache_dir(constants.HF_HUB_CACHE)
    except CacheNotFound:
        return None
    for cached in cache.repos:
        if cached.repo_id == repo and cached.repo_type == kind:
            for revision in cached.revisions:
                if ref in revision.refs:
                    return revision.commit_hash
    return None


def resolve(cfg) -> Revisions:
    """Every model and task revision the sweep can reach, and the library versions. A surrogate
    sweep reads no model and no data (the response model answers each phase), so it resolves
    none: it runs offline whatever its sweep file names."""
    from xlt.tasks import get_task

    if cfg.backend == "surrogate":
        return Revisions(libraries=library_versions())

    models = {name: model_revision(name, cfg.model.revision) for name in cfg.model.names}
    tasks = set()
    for value in cfg.task_names():
        task = get_task(value)
        tasks.update({task.name, *task.train_tasks, task.dev_task})
    pinned = cfg.data.revisions or {}
    data = {name: dataset_revision(get_task(name), cfg.data.source, pinned.get(name)) for name in sorted(tasks)}
    return Revisions(models, data, library_versions())
