"""Bytes a trial's unit checkpoints hold, with the phase cache (the checkpoint refers to the
intermediate entry) and without it (the encoder saved in every checkpoint), on the tiny XLM-R in
process: one intermediate phase (MNLI), then XNLI, PAWS-X and XQuAD.

  python -m benchmarks.checkpoint_bytes
"""

import tempfile
from pathlib import Path

from xlt.trial.torch_backend import run_trial
from xlt.trial.runtime import LocalRuntime
from xlt.trial.plan import PhasePlan, TrialPlan


def _trial(root: Path, cache: bool) -> TrialPlan:
    return TrialPlan(sweep="bytes", trial_id="t", model="tiny-xlmr", max_seq_length=64, source="local",
                     intermediate=PhasePlan("mnli", 1e-3, 1, 16),
                     targets=tuple(PhasePlan(t, 3e-3, 1, 16) for t in ("xnli", "pawsx", "xquad")), seed=0,
                     objective="zero_shot_mean", results_dir=str(root / "results"), config_hash="h",
                     target_languages=("de",), cache_dir=str(root / "cache") if cache else None)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="xlt-ckpt-bytes-"))
    for label, cache in (("encoder in every checkpoint (no cache)", False), ("cache entry referenced", True)):
        rt = LocalRuntime()
        run_trial(_trial(root / label.split()[0], cache), rt)
        sizes = [sum(p.stat().st_size for p in c.rglob("*") if p.is_file()) for c in rt.checkpoints]
        print(f"{label}: {len(sizes)} checkpoints, {sum(sizes):,} bytes ({', '.join(f'{s:,}' for s in sizes)})")


if __name__ == "__main__":
    main()
