"""Files under a sweep's storage, local path or URI (s3://, gs://), through pyarrow's filesystems.
Every write is atomic: a temporary name beside the target, then a rename."""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyarrow.fs as pafs


def filesystem(root: str) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and the path within it, for a local path or a URI."""
    if "://" in root:
        return pafs.FileSystem.from_uri(root)
    return pafs.LocalFileSystem(), str(Path(root).resolve())


def write_atomic(root: str, relative: str, write: Callable[[BinaryIO], None]) -> str:
    """Create `root/relative` through `write(stream)`; returns its path. A failure leaves any
    previous file untouched and no temporary behind."""
    fs, base = filesystem(root)
    final = f"{base}/{relative}"
    directory, name = final.rsplit("/", 1)
    fs.create_dir(directory, recursive=True)
    tmp = f"{directory}/.{name}.{uuid.uuid4().hex}.tmp"
    try:
        with fs.open_output_stream(tmp) as out:
            write(out)
    except BaseException:
        fs.delete_file(tmp)
        raise
    fs.move(tmp, final)
    return final


def write_text(root: str, relative: str, text: str) -> str:
    return write_atomic(root, relative, lambda out: out.write(text.encode("utf-8")))
