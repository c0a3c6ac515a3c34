"""Files a user provides (XGLUE's release, BUCC's corpora): a local path or any URL fsspec reads
(`s3://`, `gs://`, `https://`, `file://`), so a cluster's nodes can read one shared copy."""

import os
from pathlib import Path
from typing import IO


def env_location(env: str, how_to_get: str) -> str:
    """The folder or URL `$env` names; FileNotFoundError with `how_to_get` when it is unset."""
    value = os.environ.get(env)
    if not value:
        raise FileNotFoundError(how_to_get)
    return value


def is_file(path: str) -> bool:
    if "://" not in path:
        return Path(path).is_file()
    import fsspec

    fs, inner = fsspec.core.url_to_fs(path)
    return fs.isfile(inner)


def open_binary(path: str) -> IO[bytes]:
    if "://" not in path:
        return Path(path).open("rb")
    import fsspec

    return fsspec.open(path, "rb").open()
