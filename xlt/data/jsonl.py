"""JSON lines files: one object a line, blank lines skipped; a bad line is named by file and number."""

import json
from pathlib import Path


class JSONLinesError(ValueError):
    """A line that is not valid JSON: the message names the file and the line."""


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise JSONLinesError(f"{path}:{line_no}: not valid JSON ({err.msg})") from None
    return rows
