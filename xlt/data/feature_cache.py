"""Tokenised features, cached and reused across trials, phases and sweeps on the same storage.

Key: the tokenizer's files, the task and its format, language, split, sequence length, example
cap, the data fingerprint and a code version. Entries are pickles of (records, features) written
atomically under `<storage>/cache/features/`; a damaged entry is rebuilt, never trusted.
Pickles, not Arrow: per-format fields (QA offsets, window maps) are ragged Python structures.
"""

import hashlib
import logging
import pickle
from functools import lru_cache
from pathlib import Path

import pyarrow.fs as pafs

from xlt.storage import filesystem, write_atomic

log = logging.getLogger(__name__)

FEATURE_CODE_VERSION = "4"  # bump when a format's encode() changes its output (4: jiant's QA windows)


@lru_cache(maxsize=8)
def tokenizer_fingerprint(directory: str) -> str:
    """Hash of a tokenizer's files (a local directory), or of its hub name."""
    h = hashlib.sha256(directory.encode())
    path = Path(directory)
    if path.is_dir():
        for f in sorted(path.glob("*")):
            if f.suffix in (".json", ".model", ".txt") and f.name != "config.json":
                h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]


def feature_key(tokenizer_dir: str, task: str, fmt: str, language: str, split: str, max_length: int,
                cap: int | None, data: str) -> str:
    text = "|".join(map(str, (FEATURE_CODE_VERSION, tokenizer_fingerprint(tokenizer_dir), task, fmt, language,
                              split, max_length, cap, data)))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class FeatureCache:
    def __init__(self, root: str):
        self.root = root
        self.fs, self.base = filesystem(root)

    def get(self, key: str):
        path = f"{self.base}/{key}.pkl"
        if self.fs.get_file_info(path).type != pafs.FileType.File:
            return None
        try:
            with self.fs.open_input_stream(path) as f:
                return pickle.loads(f.read())
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as err:
            log.warning("feature cache %s is damaged (%s): rebuilding", key, err)
            self.fs.delete_file(path)
            return None

    def put(self, key: str, value) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(self.root, f"{key}.pkl", lambda out: out.write(data))
