"""What a phase-cache key is made of: the content hash of everything a phase's result depends on,
and the identity of its data. Pure (no torch), so expanding a sweep into trials and their keys
(xlt.trial.expand, `xlt sweep plan`) costs no framework import.
"""

import hashlib
import json
from dataclasses import asdict

PHASE_CODE_VERSION = "3"  # bump when a change to the phase code changes what a phase produces
# 3 (2026-12-05): a token-budget run lasts exactly the examples the batch_size run sees and a budget
# mixture keeps each task's share of them; a one-task mixture's examples cap counts its epochs


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
