"""CCGbank readers: the AUTO format (`.auto`: `ID=` lines, then derivations whose leaves read
`(<L CAT POS POS word PRED_ARG_CAT>)`) and the tagged format (`.stagged`: one sentence a line,
tokens `word|POS|CAT`). Both yield rows {"tokens": [...], "tags": [supertag, ...]}.

CCGbank is licensed by the LDC (LDC2005T13) and has no public hub copy: point XLT_CCGBANK_DIR at
a folder holding `train.auto|stagged` and `validation.auto|stagged` (e.g. sections 02-21 and 00).
"""

import os
import re
from pathlib import Path

_LEAF = re.compile(r"\(<L (\S+) \S+ \S+ (\S+) \S+>\s*\)")


class CCGFormatError(ValueError):
    pass


def read_auto(path: Path) -> list[dict]:
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("ID="):
            continue
        leaves = _LEAF.findall(line)
        if not leaves:
            raise CCGFormatError(f"{path}:{line_no}: a derivation line without (<L ...>) leaves")
        rows.append({"tokens": [w for _, w in leaves], "tags": [c for c, _ in leaves]})
    return rows


def read_stagged(path: Path) -> list[dict]:
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        tokens, tags = [], []
        for item in line.split():
            parts = item.rsplit("|", 2)
            if len(parts) != 3:
                raise CCGFormatError(f"{path}:{line_no}: token {item!r} is not word|POS|CATEGORY")
            tokens.append(parts[0])
            tags.append(parts[2])
        rows.append({"tokens": tokens, "tags": tags})
    return rows


def read_ccgbank(directory: Path, split: str) -> list[dict]:
    for suffix, reader in ((".auto", read_auto), (".stagged", read_stagged)):
        path = directory / f"{split}{suffix}"
        if path.is_file():
            return reader(path)
    raise FileNotFoundError(f"{directory}: no {split}.auto or {split}.stagged")


def ccgbank_dir() -> Path:
    value = os.environ.get("XLT_CCGBANK_DIR")
    if not value:
        raise FileNotFoundError("task 'ccg' with source hub needs XLT_CCGBANK_DIR: CCGbank has no public "
                                "hub copy (see xlt/data/ccgbank.py)")
    return Path(value)
