"""Benchmarks run once at a tiny size, to keep them working (never timed assertions)."""

import pytest

pytestmark = pytest.mark.ray


def test_train_throughput_quick(ray_cluster, tmp_path, monkeypatch):
    from benchmarks import common, train_throughput

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = train_throughput.main(["--quick"])
    runners = {r["runner"] for r in record["rows"]}
    assert {"xlt (Ray Train, 1 worker)", "xlt loop in-process (no Ray)", "(a) bare loop, grouped", "(b) HF Trainer default",
            "(c) HF Trainer group_by_length"} == runners
    assert all(r["examples/s"] > 0 for r in record["rows"])
    assert (tmp_path / "train_throughput.jsonl").is_file()


def test_sweep_overhead_quick(ray_cluster, tmp_path, monkeypatch):
    from benchmarks import common, sweep_overhead

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = sweep_overhead.main(["--quick", "--concurrent", "2"])
    assert [r["trials"] for r in record["rows"]] == [6, 6, 6, 6] and record["fit_s"] > 0
    assert ["reused" in r["runner"] for r in record["rows"][:3]] == [True, True, False]
    assert "ASHA" in record["rows"][1]["runner"] and "bare Optuna" in record["rows"][3]["runner"]


def test_ray_share_reference_and_neighbour_rows(tmp_path, monkeypatch):
    """The rows without Ray (each a fresh process): the neighbour burns what it is given, and the
    loop's preemptions are counted. The Ray rows start a Ray each and take minutes: by hand."""
    from benchmarks import common, ray_share

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = ray_share.main(["--examples", "8", "--reps", "1", "--rows", "0,3", "--neighbour-cores", "0.2"])
    reference, beside = record["rows"]
    assert reference["runner"] == ray_share.IN_PROCESS and beside["runner"] == ray_share.NEIGHBOUR
    assert beside["the neighbour's cores (fastest run)"] == 0.2
    assert all(r["examples/s"] > 0 and r["loop preempted per s"] >= 0 for r in record["rows"])
    with pytest.raises(SystemExit):  # the neighbour's cores come from the xlt row, which is not run
        ray_share.main(["--rows", "0,3"])


def test_ray_share_reads_again_the_label_of_a_process_whose_command_line_changes():
    """The sampler labels a process once where its command line cannot change; a Ray worker's does
    (default_worker.py, whose arguments name the raylet, then ray::IDLE, then its actor): cached at
    first sight, the training worker was counted as the raylet."""
    from benchmarks import ray_share

    class Process:
        def __init__(self, cmdline):
            self._cmdline = cmdline

        def cmdline(self):
            return self._cmdline

        def name(self):
            return "kdamond.0"

    worker = ["/venv/bin/python", "/venv/ray/_private/workers/default_worker.py", "--raylet-name=/tmp/raylet"]
    assert ray_share._label(Process(worker)) == ("raylet", False)
    assert ray_share._label(Process(["ray::RayTrainWorker.run_train_fn"])) == ("RayTrainWorker", False)
    assert ray_share._label(Process(["/venv/ray/core/src/ray/raylet/raylet", "--node_ip_address=127.0.0.1"])) == ("raylet", True)
    assert ray_share._label(Process([])) == ("kdamond.0", True)


def test_eval_throughput_quick(tmp_path, monkeypatch):
    from benchmarks import common, eval_throughput

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = eval_throughput.main(["--quick"])
    assert len(record["rows"]) == 2 and all(r["examples/s"] > 0 for r in record["rows"])


def test_data_cache_quick(tmp_path, monkeypatch):
    from benchmarks import common, data_cache

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = data_cache.main(["--quick"])
    assert record["pairs"] == 2000 and record["speedup"] > 0


def test_search_efficiency_quick(tmp_path, monkeypatch):
    from benchmarks import common, search_efficiency

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = search_efficiency.main(["--quick", "--plot", str(tmp_path / "regret.png")])
    strategies = {(r["problem"], r["strategy"]) for r in record["rows"]}
    assert strategies == {(p, s) for p in ("single", "mixture") for s in ("grid", "random", "tpe", "tpe+asha")}
    assert all(r["final regret"] >= 0 for r in record["rows"])
    assert (tmp_path / "regret.png").stat().st_size > 0


def test_search_efficiency_on_other_response_models_with_the_model_based_samplers(tmp_path, monkeypatch):
    from benchmarks import common, response_variants, search_efficiency

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    redrawn, *_, interference = response_variants.write(tmp_path / "responses")
    shipped = response_variants._shipped()["effects"]
    assert response_variants.redrawn(1)["effects"] != shipped and response_variants.redrawn(1) == response_variants.redrawn(1)
    strategies = ("grid", "gp", "grid-tpe", "tpe-mv", "mixture-gp", "mixture-gp+screen")
    record = search_efficiency.main(["--quick", "--problems", "mixture", "--strategies", ",".join(strategies),
                                     "--response", str(redrawn), "--response", str(interference), "--cheap-first",
                                     "--plot", str(tmp_path / "regret.png")])
    assert {(r["response"], r["strategy"]) for r in record["rows"]} == {
        (resp, s) for resp in ("redrawn-1", "interference") for s in strategies}
    # --cheap-first: Tatoeba (no fine-tuning) first, then TyDiQA (3,326 training examples) and BUCC (both
    # sides of 160,000 pairs embedded), XNLI (MNLI's 393k examples) last
    order = search_efficiency.by_cost(next(p for p in search_efficiency.problems(True) if p.name == "mixture"))
    assert order[:3] == ["tatoeba", "tydiqa", "bucc"] and order[-1] == "xnli" and len(order) == 9
    # --quick estimates the optimum from 50 random points and a short climb; a sampler that beats
    # the estimate (mixture-gp does) moves the optimum, so no regret falls below 0
    assert all(r["final regret"] >= 0 for r in record["rows"])
    # ratios are against the grid's own trials to come within 0.5 points (the target)
    assert all(r["trials / grid's"] == 1.0 for r in record["rows"] if r["strategy"] == "grid" and r["median trials"])
    assert (tmp_path / "regret-redrawn-1.png").stat().st_size > 0 and (tmp_path / "regret-interference.png").exists()


def test_token_batches_quick(tmp_path, monkeypatch):
    from benchmarks import common, token_batches

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = token_batches.main(["--quick", "--budgets", "512"])
    rows = {r["runner"]: r for r in record["rows"]}
    assert set(rows) == {"xlt, batch 32 (length-grouped)", "xlt, batch_tokens=512", "xlt, batch_tokens=512, torch's dropout",
                         "HF Trainer group_by_length"}
    assert all(r["examples/s"] > 0 for r in record["rows"])
    # a budget of 512 tokens pads less than batches of 32 and takes more, smaller steps
    fixed, budget = rows["xlt, batch 32 (length-grouped)"], rows["xlt, batch_tokens=512"]
    assert budget["padded/real tokens"] < fixed["padded/real tokens"] and budget["steps"] > fixed["steps"]
    # the dropout ablation runs the same batches; only its masks differ, and so its loss
    ablation = rows["xlt, batch_tokens=512, torch's dropout"]
    assert (ablation["steps"], ablation["padded/real tokens"]) == (budget["steps"], budget["padded/real tokens"])
    assert ablation["train loss"] != budget["train loss"]


def test_generation_quick(tmp_path, monkeypatch):
    from benchmarks import common, generation

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = generation.main(["--quick"])
    assert {r["family"] for r in record["rows"]} == {"encoder-decoder", "decoder"}
    assert all(r["tokens"] == 24 * 8 and r["tokens/s"] > 0 for r in record["rows"])  # full length on both sides


def test_warm_start_quick(tmp_path, monkeypatch):
    from benchmarks import common, warm_start

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = warm_start.main(["--quick"])
    assert [r["start"].split()[0] for r in record["rows"]] == ["cold", "warm"]
    assert all(r["trials run"] == 20 for r in record["rows"])


def test_warm_start_from_a_single_task_sweep_quick(tmp_path, monkeypatch):
    from benchmarks import common, warm_start

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    rows = {r["start"]: r for r in warm_start.main(["--earlier", "single-task", "--quick"])["rows"]}
    assert set(rows) == {"grid, random order", "grid, random order, told the single-task trials",
                         "mixture-gp, cold", "mixture-gp, told the single-task trials"}
    # told, the grid skips its one-task subsets (at both temperatures: one task's mixture is the same at any)
    assert rows["grid, random order"]["trials run"] - rows["grid, random order, told the single-task trials"]["trials run"] > 0
    assert rows["mixture-gp, told the single-task trials"]["trials run"] == 12


def test_trial_startup_quick(tmp_path, monkeypatch):
    from benchmarks import common, trial_startup

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    record = trial_startup.main(["--quick"])
    assert [r["runs"] for r in record["rows"]] == [1, 1] and all(r["median_s"] > 0 for r in record["rows"])


def test_grid_density_counts_the_grids_good_points_and_rates_the_design(tmp_path, monkeypatch):
    from benchmarks import common, grid_density

    # a random order of 4 points, 1 good: missed by the first with 3/4, by the first two with 1/2
    assert grid_density.median_first_hit(4, 1) == 2
    assert grid_density.median_first_hit(10, 5) == 1 and grid_density.median_first_hit(10, 0) is None
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    row, = grid_density.main(["--quick"])["rows"]
    assert row["grid"] == 60 and row["share"] == round(row["within"] / 60, 4)
    assert set(row["share by tasks in the subset"]) <= set(range(1, 10))
    assert len(row["design: each task alone, regret"]) == 9  # every vertex of the simplex design, by task
    assert (tmp_path / "grid_density.jsonl").read_text().count("\n") == 1


def test_a_repetition_that_never_comes_within_counts_as_never_in_the_median():
    """Over 5 repetitions, 3 reach 0.5 points at trials 2, 3 and 4 and 2 never do: the median is the
    3rd of (2, 3, 4, never, never) = 4, not the median of the three that did (3), which flattered a
    sampler that often fails against the grid; with 2 of 5 there is no median."""
    from benchmarks.search_efficiency import Run, medians_within

    def run(first: int | None) -> Run:  # regret 1 point until `first`, then 0
        values = [0.99 if first is None or i + 1 < first else 1.0 for i in range(6)]
        return Run(values, [float(i + 1) for i in range(6)])

    assert medians_within([run(2), run(3), run(4), run(None), run(None)], 1.0, 5) == (4, 4.0)
    assert medians_within([run(2), run(3), run(None), run(None), run(None)], 1.0, 5) == (None, None)
    from benchmarks.grid_density import median_first_hit

    assert median_first_hit(24, 1) == 12 and median_first_hit(1022, 1) == 511  # exact halves, in integers
