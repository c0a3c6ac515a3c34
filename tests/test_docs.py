"""The documentation's runnable examples run as written: every fenced block marked `runnable`
(```bash runnable, ```python runnable) in README.md and docs/*.md, so the docs cannot drift
from the code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

BLOCK = re.compile(r"^```(bash|python) runnable\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            yield pytest.param(match.group(1), match.group(2), id=f"{doc.name}:{doc.read_text()[:match.start()].count(chr(10)) + 1}")


def test_the_docs_have_runnable_blocks():
    assert len(list(_blocks())) >= 3


@pytest.fixture
def demo_results(tmp_path):
    """A results directory shaped like the demo's (two configurations, dev and test rows)."""
    from xlt.results.rows import ResultRow, write_rows

    for i, inter in enumerate(("none", "mnli")):
        base = dict(sweep="demo", trial_id=f"t{i}", intermediate=inter, mixture={} if inter == "none" else {inter: 1.0},
                    target_task="xnli", model="tiny-xlmr", learning_rate=1e-3, intermediate_learning_rate=None,
                    seed=0, step=10, config_hash="h", xlt_version="0", n_examples=30, data_source="local")
        rows = [ResultRow(**base, phase="zero_shot", language=lang, split=split, metric="accuracy", value=0.3 + 0.1 * i)
                for lang in ("de", "sw") for split in ("validation", "test")]
        write_rows(str(tmp_path / "xlt-runs" / "demo" / "results"), f"t{i}", "target-xnli", rows)
    return tmp_path


@pytest.mark.parametrize("language, body", list(_blocks()))
def test_a_runnable_doc_block_runs(language, body, demo_results):
    env_bin = str(Path(sys.executable).parent)
    if language == "bash":
        out = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=REPO, capture_output=True, text=True,
                             env={"PATH": f"{env_bin}:/usr/bin:/bin", "HOME": str(demo_results)}, timeout=300)
    else:
        out = subprocess.run([sys.executable, "-c", body], cwd=demo_results, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert out.stdout.strip(), "a runnable example prints what it computes"
