"""The phase cache: an intermediate checkpoint is trained once per content key and reused by
every trial (and every later sweep on the same storage) that needs it; target fine-tuning
results are cached the same way.

Layout: `<storage>/cache/<kind>/<key>/` holding `meta.json` (the key's content, the rows the
phase produced, its scores and step count), `encoder.safetensors` (intermediate only) and
`COMPLETE`, written last: the sha256 of every byte a reader uses, `{"meta": ..., "weights": ...}`.
An entry without `COMPLETE` is being written (or its writer died): a reader passes it by, never
deletes it (its writer may be uploading the weights), and the trial that takes the key's lease
writes it anew. An entry whose files do not match `COMPLETE` (a truncated `meta.json`, edited
scores, flipped weight bytes) is deleted and the phase retrained, never loaded; the sweep's own
output says so (`PhaseCache.notices`).
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

from xlt.results.storage import filesystem, write_atomic, write_text

log = logging.getLogger(__name__)

def unshared(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """CPU, contiguous tensors safetensors can write: a tensor sharing storage with one before it
    (a model's tied input and output embeddings) is copied, as safetensors refuses shared memory."""
    seen, out = set(), {}
    for k, v in weights.items():
        v = v.detach().cpu().contiguous()
        ptr = v.untyped_storage().data_ptr()
        out[k] = v.clone() if ptr in seen else v
        seen.add(ptr)
    return out


class PhaseCache:
    def __init__(self, root: str):
        self.root = root
        self.fs, self.base = filesystem(root)
        self.notices: list[str] = []
        """Entries found incomplete or damaged and retrained, for the sweep's own output."""

    def _dir(self, kind: str, key: str) -> str:
        return f"{self.base}/{kind}/{key}"

    def is_complete(self, kind: str, key: str) -> bool:
        return self.fs.get_file_info(f"{self._dir(kind, key)}/COMPLETE").type == pafs.FileType.File

    def weights_digest(self, kind: str, key: str) -> str | None:
        """The sha256 of a complete entry's weights, as its COMPLETE marker records it (None: no
        complete entry, or one without weights)."""
        try:
            digests = json.loads(self._read(f"{self._dir(kind, key)}/COMPLETE"))
        except (OSError, ValueError):
            return None
        return digests.get("weights") if isinstance(digests, dict) else None

    def load(self, kind: str, key: str) -> tuple[dict, dict[str, torch.Tensor] | None] | None:
        """(meta, weights or None) of a complete, intact entry; None otherwise: an entry still being
        written is left to its writer, a damaged one is deleted."""
        directory = self._dir(kind, key)
        if not self.is_complete(kind, key):
            return None
        try:
            digests = json.loads(self._read(f"{directory}/COMPLETE"))
            meta_bytes = self._read(f"{directory}/meta.json")
            if not isinstance(digests, dict) or hashlib.sha256(meta_bytes).hexdigest() != digests.get("meta"):
                raise ValueError("meta.json does not match its checksum")
            meta = json.loads(meta_bytes)
            weights = None
            if meta.get("has_weights"):
                data = self._read(f"{directory}/encoder.safetensors")
                if hashlib.sha256(data).hexdigest() != digests.get("weights"):
                    raise ValueError("the weights do not match their checksum")
                with tempfile.NamedTemporaryFile(suffix=".safetensors") as tmp:
                    tmp.write(data)
                    tmp.flush()
                    weights = load_file(tmp.name)
        except (OSError, ValueError, KeyError) as err:  # json.JSONDecodeError is a ValueError
            self._discard(kind, key, f"is damaged ({err})")
            return None
        return meta, weights

    def save(self, kind: str, key: str, meta: dict, weights: dict[str, torch.Tensor] | None = None) -> None:
        directory = self._dir(kind, key)
        self.fs.create_dir(directory, recursive=True)
        meta = {**meta, "has_weights": weights is not None}
        digests = {"meta": None, "weights": None}
        if weights is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "encoder.safetensors"
                save_file(unshared(weights), str(path))
                data = path.read_bytes()
            with self.fs.open_output_stream(f"{directory}/encoder.safetensors") as out:
                out.write(data)
            digests["weights"] = hashlib.sha256(data).hexdigest()
        meta_bytes = json.dumps(meta, default=str).encode("utf-8")
        digests["meta"] = hashlib.sha256(meta_bytes).hexdigest()
        write_atomic(self.root, f"{kind}/{key}/meta.json", lambda out: out.write(meta_bytes))
        write_text(self.root, f"{kind}/{key}/COMPLETE", json.dumps(digests))  # last: marks the entry usable

    def save_phase(self, kind: str, key: str, rows: list, steps: int, scores: dict | None = None,
                   weights: dict[str, torch.Tensor] | None = None) -> None:
        """Save a computed phase: its result rows (trial identity and time are re-stamped on
        reuse), its step count, its scores (targets) and weights (intermediate)."""
        meta = {"key": key, "steps": steps, "scores": scores,
                "rows": [{k: v for k, v in asdict(r).items() if k != "finished_at"} for r in rows]}
        self.save(kind, key, meta, weights)

    def _discard(self, kind: str, key: str, why: str) -> None:
        message = f"phase cache {kind}/{key} {why}: retraining it"
        log.warning(message)
        self.notices.append(message)
        if self.fs.get_file_info(self._dir(kind, key)).type == pafs.FileType.Directory:
            self.fs.delete_dir(self._dir(kind, key))

    def _read(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as f:
            return f.read()
