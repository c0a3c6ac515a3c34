"""Tokenised features, cached and reused across trials, phases and sweeps on the same storage.

Key: the tokenizer's files, the task and its format, language, split, sequence length, example
cap, the data fingerprint and a code version. An entry is data, never code: the records and
features as zlib-compressed JSON (`<key>.json.z`; a storage bucket shared by a team must not hold
pickles, which run code when read), written atomically, then `<key>.sha256`, the checksum of
every byte of it. An entry whose checksum is missing or wrong, or that does not parse, is rebuilt,
never trusted.
"""

import hashlib
import logging
import json
import zlib
from functools import lru_cache
from pathlib import Path

import pyarrow.fs as pafs

from xlt.results.storage import filesystem, write_atomic

log = logging.getLogger(__name__)

FEATURE_CODE_VERSION = "5"  # bump when a format's encode() changes its output (5: JSON entries, jiant's QA windows)


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
        self.notices: list[str] = []
        """Entries found damaged and rebuilt, for the sweep's own output."""

    def get(self, key: str):
        """(records, Features) of `key`, or None (absent, or damaged: then deleted)."""
        from xlt.formats.base import Features

        path, digest_path = f"{self.base}/{key}.json.z", f"{self.base}/{key}.sha256"
        if self.fs.get_file_info(digest_path).type != pafs.FileType.File:
            return None  # absent, or its writer never finished
        try:
            data, expected = self._read(path), self._read(digest_path).decode().strip()
            if hashlib.sha256(data).hexdigest() != expected:
                raise ValueError("its bytes do not match their checksum")
            payload = json.loads(zlib.decompress(data))
            features = Features(**payload["features"])
            return payload["records"], features
        except (OSError, ValueError, KeyError, TypeError, zlib.error) as err:
            self._discard(key, f"feature cache {key} is damaged ({err}): rebuilding it")
            return None

    def put(self, key: str, value) -> None:
        records, features = value
        payload = {"records": records, "features": {"input_ids": features.input_ids,
                                                    "example_index": features.example_index,
                                                    "fields": features.fields, "num_examples": features.num_examples}}
        data = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
        write_atomic(self.root, f"{key}.json.z", lambda out: out.write(data))
        write_atomic(self.root, f"{key}.sha256", lambda out: out.write(hashlib.sha256(data).hexdigest().encode()))

    def _read(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as f:
            return f.read()

    def _discard(self, key: str, message: str) -> None:
        log.warning(message)
        self.notices.append(message)
        for suffix in (".json.z", ".sha256"):
            if self.fs.get_file_info(f"{self.base}/{key}{suffix}").type == pafs.FileType.File:
                self.fs.delete_file(f"{self.base}/{key}{suffix}")
