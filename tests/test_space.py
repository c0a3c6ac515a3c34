"""The search space at Ray Tune's edge (xlt.sweep.space): Tune domains and Optuna's define-by-run
space."""

from xlt.config import load_sweep

from conftest import REPO


def test_searched_mixture_space_and_trial_plan():
    from xlt.trial.expand import MIXTURE_SEARCH, expand
    from xlt.sweep.space import param_space

    cfg = load_sweep(REPO / "sweeps" / "mixture-search.yaml", ["model.name=tiny-xlmr", "data.source=local"])
    space = param_space(cfg)
    assert space["intermediate_task"] == MIXTURE_SEARCH and "mixture_temperature" in space
    assert sum(k.startswith("mixture_weight_") for k in space) == 9
    params = {"intermediate_task": MIXTURE_SEARCH, "intermediate_learning_rate": 1e-5, "target_learning_rate": 1e-5,
              "seed": 0, "mixture_temperature": 2.0,
              **{f"mixture_weight_{t}": (1.0 if t in ("mnli", "squad_v1") else 0.01) for t in cfg.intermediate.mixture.tasks}}
    plan = expand(cfg, params, "t1", "/tmp/r")
    assert plan.intermediate_mixture.tasks == ("mnli", "squad_v1")  # the others fell under min_weight
    assert plan.intermediate_name == "mnli:0.500+squad_v1:0.500@T=2" and plan.intermediate_steps == 20000


def test_optunas_space_samples_only_what_a_trial_uses():
    """A `none` trial draws no intermediate learning rate (define-by-run), so two baseline trials
    with the same target rate are the same configuration to the sampler."""
    import optuna

    from xlt.sweep.space import define_by_run

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe",
                                                      "intermediate.learning_rate={loguniform: [3.0e-4, 3.0e-3]}"])
    space = define_by_run(cfg)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen = []
    for _ in range(30):
        trial = study.ask()
        fixed = space(trial)
        seen.append({**trial.params, **fixed})
        study.tell(trial, 0.5)
    for params in seen:
        assert ("intermediate_learning_rate" in params) == (params["intermediate_task"] == "mnli"), params
        assert params["seed"] == 0 and params["target_learning_rate"] in (1e-3, 3e-3)
    assert {"intermediate_task", "target_learning_rate"} <= set(study.trials[0].params)
    assert "seed" not in study.trials[0].params  # fixed: returned, not sampled
