import json
from pathlib import Path

import pytest

from xlt.config import Choice, ConfigError, LogUniform, load_sweep, parse_sweep
from xlt.tasks import get_task

from conftest import REPO

MINIMAL = {"name": "t", "target": {"tasks": ["xnli"]}}


def _error(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_sweep(raw, "s.yaml")
    return str(info.value)


def test_demo_parses_with_search_space():
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml")
    assert isinstance(cfg.intermediate.tasks, Choice) and "none" in cfg.intermediate.tasks.choice
    assert isinstance(cfg.target.learning_rate, Choice) and cfg.search.algorithm == "grid"
    assert cfg.target.tasks == ["xnli"]
    assert isinstance(load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.learning_rate={loguniform: [1.0e-4, 1.0e-3]}",
                                                                "search.algorithm=optuna-tpe"]).intermediate.learning_rate,
                      LogUniform)


@pytest.mark.parametrize("path", sorted((REPO / "sweeps").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_sweep_file_parses_and_its_names_resolve(path: Path):
    cfg = load_sweep(path)
    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else cfg.target.tasks
    for name in targets:
        assert get_task(name).role == "target"


def test_unknown_task_names_file_key_path_and_suggestion():
    raw = {**MINIMAL, "intermediate": {"tasks": {"choice": ["none", "mnli", "mnlii"]}}}
    assert _error(raw) == "s.yaml: intermediate.tasks.choice[2]: unknown task 'mnlii' (did you mean 'mnli'?)"


def test_unknown_key_suggests_the_right_one():
    assert _error({**MINIMAL, "search": {"num_trails": 3}}) == \
        "s.yaml: search.num_trails: unknown key (did you mean 'num_trials'?)"


def test_unknown_key_without_close_match_lists_expected_keys():
    msg = _error({**MINIMAL, "resources": {"zzz": 1}})
    assert msg.startswith("s.yaml: resources.zzz: unknown key (expected one of: workers_per_trial")


def test_wrong_type_names_key_and_value():
    msg = _error({**MINIMAL, "intermediate": {"learning_rate": "fast"}})
    assert msg.startswith("s.yaml: intermediate.learning_rate: ") and "'fast'" in msg


def test_bad_search_primitive():
    assert "expected a value or one of {choice" in _error({**MINIMAL, "target": {"tasks": ["xnli"], "learning_rate": {"choise": [1]}}})
    assert "expected 0 < low < high" in _error({**MINIMAL, "target": {"tasks": ["xnli"], "learning_rate": {"loguniform": [1e-3, 1e-5]}}})


def test_unknown_model_and_intermediate_used_as_target():
    assert _error({**MINIMAL, "model": {"name": "xlm-roberta-lage"}}) .startswith(
        "s.yaml: model.name: unknown model 'xlm-roberta-lage' (did you mean 'xlm-roberta-large'?)")
    assert _error({"name": "t", "target": {"tasks": ["mnli"]}}) == \
        "s.yaml: target.tasks[0]: 'mnli' is an intermediate task, not a target task"


def test_hub_ids_and_known_models_pass_unchanged():
    for name in ("xlm-roberta-large", "FacebookAI/xlm-roberta-base"):
        assert parse_sweep({**MINIMAL, "model": {"name": name}}, "s.yaml").model.name == name


def test_missing_field_and_missing_file(tmp_path):
    assert _error({"name": "t"}) == "s.yaml: target: Field required"
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_sweep(tmp_path / "nope.yaml")


def test_overrides_apply_dotted_paths_and_are_validated(tmp_path):
    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.num_trials=7", "target.languages=[de, ur]"])
    assert cfg.search.num_trials == 7 and cfg.target.languages == ["de", "ur"]
    with pytest.raises(ConfigError, match=r"demo.yaml: target.languages\[0\]: 'xx' is not a language of xnli"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["target.languages=[xx]"])
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["search.num_trials"])


def test_invalid_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        load_sweep(bad)


def test_baseline_point_and_grid_space():
    from xlt.expand import baseline_point, grid_size
    from xlt.space import param_space

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe",
                                                      "intermediate.learning_rate={loguniform: [3.0e-4, 3.0e-3]}"])
    # the baseline samples no intermediate rate: it trains no intermediate task
    assert baseline_point(cfg) == {"intermediate_task": "none", "target_learning_rate": 1e-3}
    assert baseline_point(load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=none"])) is None
    assert baseline_point(load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.tasks=mnli"])) is None
    grid = load_sweep(REPO / "sweeps" / "paper-single.yaml")
    assert grid_size(grid) == 90 and param_space(grid)["intermediate_task"] == {"grid_search": grid.intermediate.tasks.choice}
    with pytest.raises(ConfigError, match="intermediate.learning_rate: search.algorithm grid needs a fixed value"):
        load_sweep(REPO / "sweeps" / "demo.yaml", ["intermediate.learning_rate={loguniform: [3.0e-4, 3.0e-3]}"])


def test_mixture_errors_name_their_key():
    base = {**MINIMAL, "intermediate": {"tasks": "m"}}
    assert _error({**base, "mixtures": {"m": {"tasks": ["mnli", "mnlii"]}}}) == \
        "s.yaml: mixtures.m.tasks[1]: unknown task 'mnlii' (did you mean 'mnli'?)"
    assert _error({**base, "mixtures": {"m": {"tasks": ["mnli", "qqp"], "sampling": "weights",
                                              "weights": {"mnli": -1, "qqp": 1}}}}) == \
        "s.yaml: mixtures.m.weights.mnli: a weight must be >= 0, got -1.0"
    assert _error({**base, "mixtures": {"m": {"tasks": ["mnli", "qqp"], "sampling": "weights",
                                              "weights": {"mnli": 0, "qqp": 0}}}}) == "s.yaml: mixtures.m.weights: all weights are zero"
    assert _error({**base, "mixtures": {"m": {"tasks": ["mnli"], "temperature": 0}}}).startswith(
        "s.yaml: mixtures.m.temperature: Input should be greater than 0")
    assert _error({**MINIMAL, "intermediate": {"tasks": "al9"}, "mixtures": {"all9": {"tasks": ["mnli"]}}}) == \
        "s.yaml: intermediate.tasks: unknown task or mixture 'al9' (did you mean 'all9'?)"
    assert _error({**MINIMAL, "intermediate": {"mixture": {"tasks": ["mnli", "qqp"], "weights": {"simplex": {}},
                                                          "temperature": {"uniform": [-1, 2]}}}}) == \
        "s.yaml: intermediate.mixture.temperature: a temperature must be > 0"


def test_searched_mixture_space_and_trial_plan():
    from xlt.expand import MIXTURE_SEARCH, expand
    from xlt.space import param_space

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

    from xlt.space import define_by_run

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


def test_a_finished_configuration_is_not_run_again():
    from ray.tune.search import Searcher
    from ray.tune.search.optuna import OptunaSearch

    from xlt.searcher import DistinctTrials
    from xlt.space import define_by_run
    import optuna

    cfg = load_sweep(REPO / "sweeps" / "demo.yaml", ["search.algorithm=optuna-tpe"])  # 2 x 2 = 4 configurations
    searcher = DistinctTrials(OptunaSearch(space=define_by_run(cfg), metric="objective", mode="max",
                                           sampler=optuna.samplers.TPESampler(seed=0)), retries=50)
    configs = []
    for i in range(4):
        config = searcher.suggest(f"t{i}")
        configs.append(json.dumps(config, sort_keys=True))
        searcher.on_trial_complete(f"t{i}", result={"objective": 0.1 * i})
    assert len(set(configs)) == 4 and searcher.skipped > 0  # every configuration once, repeats skipped
    state = searcher.get_state()
    assert len(state["finished"]) == 4 and not state["running"]
    assert Searcher.FINISHED == "FINISHED"
