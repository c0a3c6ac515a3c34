"""The phase cache: an intermediate checkpoint is trained once per content key and reused by
every trial (and every later sweep on the same storage) that needs it; target fine-tuning
results are cached the same way.

Layout: `<storage>/cache/<kind>/<key>/` holding `meta.json` (the key's content, the rows the
phase produced, the sha256 of the weights), `encoder.safetensors` (intermediate only) and
`COMPLETE`, written last, holding that sha256. An entry without `COMPLETE`, or whose weights do
not match it, is incomplete or corrupted: it is deleted and the phase retrained, never loaded.
"""

import hashlib
import json
import logging
import tempfile
from dataclasses import asdict
from pathlib import Path

import pyarrow.fs as pafs
import torch
from safetensors.torch import load_file, save_file

from xlt.storage import filesystem, write_text

log = logging.getLogger(__name__)

PHASE_CODE_VERSION = "1"  # bump when a change to the phase code changes what a phase produces


def content_key(content: dict) -> str:
    text = json.dumps({**content, "phase_code_version": PHASE_CODE_VERSION}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def data_fingerprint(task_names: list[str], source: str, max_train_examples: int | None) -> str:
    """What the data of these tasks is: the fixture bytes locally, the hub ids and configs online."""
    from xlt.tasks import get_task

    h = hashlib.sha256(f"{source}|{max_train_examples}".encode())
    for name in sorted(task_names):
        task = get_task(name)
        if source == "local":
            for path in sorted((task.fixture_path("en", "train").parent.parent).rglob("*")):
                if path.is_file():
                    h.update(path.name.encode() + path.read_bytes())
        else:
            h.update(json.dumps([asdict(hub) for hub in task.hub], sort_keys=True).encode())
    return h.hexdigest()[:16]


class PhaseCache:
    def __init__(self, root: str):
        self.root = root
        self.fs, self.base = filesystem(root)

    def _dir(self, kind: str, key: str) -> str:
        return f"{self.base}/{kind}/{key}"

    def load(self, kind: str, key: str) -> tuple[dict, dict[str, torch.Tensor] | None] | None:
        """(meta, weights or None) of a complete, intact entry; None otherwise (a broken entry is deleted)."""
        directory = self._dir(kind, key)
        marker = self.fs.get_file_info(f"{directory}/COMPLETE")
        if marker.type != pafs.FileType.File:
            if self.fs.get_file_info(directory).type == pafs.FileType.Directory:
                log.warning("phase cache %s/%s is incomplete (no COMPLETE marker): retraining", kind, key)
                self.fs.delete_dir(directory)
            return None
        expected = self._read(f"{directory}/COMPLETE").decode().strip()
        meta = json.loads(self._read(f"{directory}/meta.json"))
        weights = None
        if meta.get("has_weights"):
            data = self._read(f"{directory}/encoder.safetensors")
            if hashlib.sha256(data).hexdigest() != expected:
                log.warning("phase cache %s/%s: weights do not match their checksum: retraining", kind, key)
                self.fs.delete_dir(directory)
                return None
            with tempfile.NamedTemporaryFile(suffix=".safetensors") as tmp:
                tmp.write(data)
                tmp.flush()
                weights = load_file(tmp.name)
        elif hashlib.sha256(json.dumps(meta["rows"], sort_keys=True).encode()).hexdigest() != expected:
            log.warning("phase cache %s/%s: rows do not match their checksum: retraining", kind, key)
            self.fs.delete_dir(directory)
            return None
        return meta, weights

    def save(self, kind: str, key: str, meta: dict, weights: dict[str, torch.Tensor] | None = None) -> None:
        directory = self._dir(kind, key)
        self.fs.create_dir(directory, recursive=True)
        meta = {**meta, "has_weights": weights is not None}
        if weights is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "encoder.safetensors"
                save_file({k: v.detach().cpu().contiguous() for k, v in weights.items()}, str(path))
                data = path.read_bytes()
            with self.fs.open_output_stream(f"{directory}/encoder.safetensors") as out:
                out.write(data)
            digest = hashlib.sha256(data).hexdigest()
        else:
            digest = hashlib.sha256(json.dumps(meta["rows"], sort_keys=True).encode()).hexdigest()
        write_text(self.root, f"{kind}/{key}/meta.json", json.dumps(meta, default=str))
        write_text(self.root, f"{kind}/{key}/COMPLETE", digest)  # last: marks the entry usable

    def save_phase(self, kind: str, key: str, rows: list, steps: int, scores: dict | None = None,
                   weights: dict[str, torch.Tensor] | None = None) -> None:
        """Save a computed phase: its result rows (trial identity and time are re-stamped on
        reuse), its step count, its zero-shot scores (targets) and weights (intermediate)."""
        meta = {"key": key, "steps": steps, "scores": scores,
                "rows": [{k: v for k, v in asdict(r).items() if k != "finished_at"} for r in rows]}
        self.save(kind, key, meta, weights)

    def _read(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as f:
            return f.read()
