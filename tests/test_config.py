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
