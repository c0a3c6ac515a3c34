"""The end of a sweep in a few lines: what the phase cache saved, what to run next, and what the
numbers can and cannot say."""

from collections import defaultdict


def cache_savings(rows: list[dict]) -> dict[str, int]:
    """Phase runs of the sweep's trials ({kind}_runs) and how many the phase cache served ({kind}_reused)."""
    units: dict[tuple[str, str], bool] = {}
    for r in rows:
        if r["phase"] == "failed":
            continue
        kind = "intermediate" if r["phase"] == "intermediate" else "target"
        unit = (r["trial_id"], kind + ("" if kind == "intermediate" else f":{r['target_task']}"))
        units[unit] = units.get(unit, True) and bool(r.get("cache_hit"))
    out: dict[str, int] = defaultdict(int)
    for (_, unit), hit in units.items():
        kind = unit.split(":")[0]
        out[f"{kind}_runs"] += 1
        out[f"{kind}_reused"] += hit
    return dict(out)


def sweep_summary(rows: list[dict], results: str, report_dir: str) -> str:
    """Lines printed after the results table."""
    s = cache_savings(rows)
    reused = s.get("intermediate_reused", 0) + s.get("target_reused", 0)
    runs = s.get("intermediate_runs", 0) + s.get("target_runs", 0)
    lines = [f"phase cache: {reused} of {runs} phase runs reused instead of trained "
             f"({s.get('intermediate_reused', 0)} of {s.get('intermediate_runs', 0)} intermediate checkpoints, "
             f"{s.get('target_reused', 0)} of {s.get('target_runs', 0)} target fine-tunings)"]
    if any(r.get("data_source") == "local" for r in rows):
        lines.append("FIXTURE DATA: the shipped fixtures (tens of examples a language) and, in the demo, a randomly "
                     "initialised tiny model: differences of a few points are noise, not findings")
    if any(r.get("backend") == "surrogate" for r in rows):
        lines.append("SURROGATE: these numbers come from the response model, not from training")
    lines.append(f"next: xlt report {results} --out {report_dir}")
    return "\n".join(lines)
