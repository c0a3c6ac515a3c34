"""Loading a sweep file: YAML, dotted overrides, pydantic validation, then the checks that need
more than one field (names, grids, objectives, seeds). Every error is one `ConfigError` line
naming the file and the key path."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from xlt.config.domains import Choice, ConfigError, LogUniform, Uniform, is_domain
from xlt.config.research import check_robustness, check_study
from xlt.config.sections import ObjectiveConfig, SweepConfig
from xlt.models.registry import UnknownModelError, check_model_name
from xlt.objective import GROUPS
from xlt.suggest import did_you_mean
from xlt.tasks import NO_INTERMEDIATE, UnknownTaskError, get_task


def load_sweep(path: str | Path, overrides: list[str] = ()) -> SweepConfig:
    """The sweep file at `path` with dotted overrides, validated; a relative `storage` (and
    response-model path) is made absolute against the current directory, here at the edge, so
    every trial and its cache see the same place whatever their working directory."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; expected a sweep YAML file (e.g. {path}/demo.yaml)")
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (expected a sweep YAML file)") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name}: {_yaml_problem(err)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a mapping at the top level, got {type(raw).__name__}")
    for override in overrides:
        _apply_override(raw, override, path.name)
    return resolved_paths(parse_sweep(raw, path.name))


def resolved_paths(cfg: "SweepConfig") -> "SweepConfig":
    """`cfg` with its local paths absolute (URIs stay as they are)."""
    update = {}
    if "://" not in cfg.storage and not Path(cfg.storage).is_absolute():
        update["storage"] = str(Path(cfg.storage).resolve())
    if cfg.surrogate_response and "://" not in cfg.surrogate_response and not Path(cfg.surrogate_response).is_absolute():
        update["surrogate_response"] = str(Path(cfg.surrogate_response).resolve())
    return cfg.model_copy(update=update) if update else cfg


def _yaml_problem(err: yaml.YAMLError) -> str:
    """`line L, column C: problem` of a YAML error, in one line."""
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"not valid YAML: {where}{problem}"


def parse_sweep(raw: dict, source: str) -> SweepConfig:
    try:
        cfg = SweepConfig.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format_error(err, source)) from None
    _check_names(cfg, source)
    _check_grid(cfg, source)
    _check_mixture_gp(cfg, source)
    _check_selection(cfg, source)
    _check_dev_objective(cfg, source)
    _check_seeds(cfg, source)
    check_study(cfg, source)
    check_robustness(cfg, source)
    _check_head(cfg, source)
    return cfg


def _check_seeds(cfg: SweepConfig, source: str) -> None:
    """Seeds are replicates, never searched: a sampler that searches over `seed` favours the lucky
    ones. A grid runs every configuration with each seed (a balanced design); other searches fix it."""
    if is_domain(cfg.search.seed) and cfg.search.algorithm != "grid":
        raise ConfigError(f"{source}: search.seed: {cfg.search.algorithm} would search over seeds and favour lucky "
                          f"ones; give one seed, or use search.algorithm: grid to run every configuration with "
                          f"each seed")
    if cfg.search.replicates > 1 and is_domain(cfg.search.seed):
        raise ConfigError(f"{source}: search.replicates: {cfg.search.replicates} replicates take seeds seed, seed + 1, "
                          f"...; give search.seed one value (the first), not a choice")
    if cfg.search.replicate_statistic == "lcb" and cfg.search.replicates < 3:
        raise ConfigError(f"{source}: search.replicate_statistic: lcb needs search.replicates >= 3 (a 95% interval "
                          f"from {cfg.search.replicates} seed(s) is too wide to rank by); use mean or more replicates")


def _check_head(cfg: SweepConfig, source: str) -> None:
    """model.head text needs models that write text and tasks with a text form; generation tasks need it."""
    from xlt.models.registry import FAMILIES, head_of
    from xlt.tasks.spec import TEXT_FORMATS

    for model, factor in cfg.model.learning_rate_scale.items():
        if model not in cfg.model.names or not factor > 0:
            raise ConfigError(f"{source}: model.learning_rate_scale.{model}: " + (
                f"a factor must be > 0, got {factor}" if model in cfg.model.names
                else f"not among model.name ({', '.join(cfg.model.names)})"))
    tasks = [get_task(t) for t in dict.fromkeys(cfg.task_names())]
    pooled = [m for m in cfg.model.names if head_of(cfg.model.head, m) == "pooled"]
    generating = [t.name for t in tasks if t.format == "generation"]
    if generating and pooled:
        raise ConfigError(f"{source}: model.head: {', '.join(generating)} generate text, which a pooled head cannot "
                          f"({', '.join(pooled)}); set model.head: text with encoder-decoder or decoder models")
    if cfg.model.head != "text":
        return
    encoders = [m for m in cfg.model.names if FAMILIES.get(m) == "encoder"]
    if encoders:
        raise ConfigError(f"{source}: model.head: text needs an encoder-decoder or decoder model; "
                          f"{', '.join(encoders)} is an encoder (model.head: native gives it a pooled head)")
    untextual = [t.name for t in tasks if t.format not in (*TEXT_FORMATS, "retrieval")]
    if untextual:
        raise ConfigError(f"{source}: model.head: text: {', '.join(untextual)} has no text-to-text form "
                          f"(text covers {', '.join(TEXT_FORMATS)}; retrieval embeds with the model's encoder)")


def _apply_override(raw: dict, override: str, source: str) -> None:
    """`search.num_trials=4` -> raw["search"]["num_trials"] = 4 (value parsed as YAML)."""
    key, sep, value = override.partition("=")
    if not sep or not key:
        raise ConfigError(f"{source}: override {override!r}: expected key.path=value")
    *parents, leaf = key.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{source}: override {override!r}: {part!r} is not a section")
    try:
        node[leaf] = yaml.safe_load(value)
    except yaml.YAMLError as err:
        raise ConfigError(f"{source}: override {override!r}: {_yaml_problem(err)} in the value {value!r}") from None


def _format_loc(loc: tuple) -> str:
    out = ""
    for i, part in enumerate(loc):
        if part == "value" or (i and part == loc[i - 1]):  # discriminator tags, not keys
            continue
        if isinstance(part, str) and ("[" in part or "(" in part):  # a union branch's name, not a key
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _format_error(err: ValidationError, source: str) -> str:
    # a union (a name or a mapping) reports each branch: the deepest location is the one that
    # names the key the user got wrong (`search.objective.statistic`, not the list of names)
    errors = err.errors()
    e = max(errors, key=lambda x: (len(_format_loc(x["loc"]).split(".")), -errors.index(x)))
    loc = _format_loc(e["loc"])
    if e["type"] == "extra_forbidden":
        parent = _model_at(e["loc"][:-1])
        known = list(parent.model_fields) if parent else []
        hint = did_you_mean(str(e["loc"][-1]), known)
        expected = f" (expected one of: {', '.join(known)})" if known and not hint else ""
        return f"{source}: {loc}: unknown key{hint}{expected}"
    if e["type"] == "union_tag_invalid":
        return (f"{source}: {loc}: expected a value or one of {{choice: [...]}}, "
                f"{{loguniform: [low, high]}}, {{uniform: [low, high]}}")
    msg = e["msg"].removeprefix("Value error, ")
    got = (f" (got {e['input']!r})" if e["type"] not in ("missing",) and not isinstance(e["input"], dict)
           and "got " not in msg else "")
    return f"{source}: {loc}: {msg}{got}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] = SweepConfig
    for part in loc:
        if isinstance(part, int) or part not in model.model_fields:
            return model if part in ("choice", "loguniform", "uniform") else None
        ann = model.model_fields[part].annotation
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return model


def _check_selection(cfg: SweepConfig, source: str) -> None:
    for section in ("intermediate", "target"):
        phase = getattr(cfg, section)
        if phase.patience and phase.eval_every == 0:
            raise ConfigError(f"{source}: {section}.patience: early stopping needs {section}.eval_every > 0")
        workers = cfg.resources.workers_per_trial
        if phase.batch_size is not None and phase.batch_size < workers:
            raise ConfigError(f"{source}: {section}.batch_size: {phase.batch_size} is the global batch and cannot be "
                              f"split over resources.workers_per_trial={workers} workers")
    named = [n for n in cfg.intermediate.names if n in cfg.mixtures]
    if cfg.intermediate.eval_every and (named or cfg.intermediate.mixture is not None):
        what = (f"mixture{'s' * (len(named) > 1)} {', '.join(named)}" if named
                else "searched mixture (intermediate.mixture)")
        raise ConfigError(f"{source}: intermediate.eval_every: no one task's dev set can select a mixture, so the "
                          f"{what} would train without selection; set intermediate.eval_every: 0, or give single "
                          "tasks only")


def _check_dev_objective(cfg: SweepConfig, source: str) -> None:
    """Every objective covers some language the targets evaluate, and a dev objective needs a
    target with dev data (an English dev set: fine-tuned targets; or target-language dev sets)."""
    from xlt.data.loading import available_languages

    targets = cfg.target.names
    specs = [get_task(t) for t in targets]
    chosen = cfg.target.languages
    if chosen and cfg.data.source == "local":
        shipped = {lang for t in specs for lang in available_languages(t, "test" if "test" in t.splits else "validation", "local")}
        for i, lang in enumerate(chosen):
            if lang not in shipped:
                raise ConfigError(f"{source}: target.languages[{i}]: {lang!r} has no shipped fixture for "
                                  f"{', '.join(targets)} (data.source local has {', '.join(sorted(shipped))}); "
                                  f"data.source: hub reads the real data")
    specs_of = cfg.search.objective if isinstance(cfg.search.objective, list) else [cfg.search.objective]
    for i, spec in enumerate(specs_of):
        where = "search.objective" + (f"[{i}]" if isinstance(cfg.search.objective, list) else "")
        if isinstance(spec, ObjectiveConfig) and isinstance(spec.languages, str) \
                and spec.languages not in GROUPS and spec.languages not in cfg.languages.groups:
            raise ConfigError(f"{source}: {where}.languages: unknown group {spec.languages!r} (built in: "
                              f"{', '.join(GROUPS)}; this sweep's languages.groups: "
                              f"{', '.join(cfg.languages.groups) or 'none'}; or a list of codes)")
    for i, objective in enumerate(cfg.objectives()):
        where = "search.objective" + (f"[{i}]" if isinstance(cfg.search.objective, list) else "")
        dropped = [name for name, langs in objective.coverage(specs, chosen).items() if not langs]
        if dropped and len(dropped) < len(specs) and not objective.allow_partial:
            raise ConfigError(f"{source}: {where}: {objective.name} would silently leave out {', '.join(dropped)} "
                              f"(none of their evaluated languages is in it); name languages they have, or say "
                              f"allow_partial: true to leave them out on purpose")
        if len(dropped) == len(specs):
            raise ConfigError(f"{source}: {where}: {objective.name} selects none of the languages the targets are "
                              f"evaluated on ({'target.languages: ' + str(chosen) if chosen else ', '.join(targets)}"
                              f"{'; zero_shot leaves out English' if objective.languages == 'zero_shot' else ''})")
    if all(o.split == "test" for o in cfg.objectives()):
        return
    if not any(t.trains or ("validation" in t.splits and available_languages(t, "validation", cfg.data.source))
               for t in specs):
        raise ConfigError(f"{source}: search.objective: it reads dev scores, but no target ({', '.join(targets)}) has "
                          f"dev data in source {cfg.data.source!r} to select on; ask for test scores explicitly with "
                          f"{{split: test}} (the report then says so first)")


def _check_grid(cfg: SweepConfig, source: str) -> None:
    if cfg.search.algorithm != "grid":
        return
    tasks = cfg.intermediate.tasks
    uses_intermediate = any(t != NO_INTERMEDIATE for t in cfg.intermediate.names)
    params = {"intermediate.tasks": tasks, "target.learning_rate": cfg.target.learning_rate, "search.seed": cfg.search.seed,
              "model.name": cfg.model.name}
    if uses_intermediate:  # the intermediate learning rate only matters when some trial trains one
        params["intermediate.learning_rate"] = cfg.intermediate.learning_rate
    if cfg.intermediate.mixture is not None:
        raise ConfigError(f"{source}: intermediate.mixture: search.algorithm grid cannot search mixture weights")
    for key, value in params.items():
        if isinstance(value, (LogUniform, Uniform)):
            raise ConfigError(f"{source}: {key}: search.algorithm grid needs a fixed value or {{choice: [...]}}, "
                              f"not a range")


def _check_mixture_gp(cfg: SweepConfig, source: str) -> None:
    if cfg.search.algorithm != "mixture-gp":
        return
    mixture = cfg.intermediate.mixture
    if mixture is None or mixture.weights is None:
        raise ConfigError(f"{source}: search.algorithm: mixture-gp searches mixture weights, and this sweep has none; "
                          f"add intermediate.mixture with weights: {{simplex: {{}}}}, or use optuna-tpe")
    if len(cfg.objectives()) > 1:
        raise ConfigError(f"{source}: search.objective: mixture-gp models one objective; give one, or use optuna-tpe "
                          f"for a Pareto search")


def _check_names(cfg: SweepConfig, source: str) -> None:
    for i, name in enumerate(cfg.model.names):
        try:
            check_model_name(name)
        except UnknownModelError as err:
            where = f"model.name.choice[{i}]" if isinstance(cfg.model.name, Choice) else "model.name"
            raise ConfigError(f"{source}: {where}: {err}") from None
    for name, mix in cfg.mixtures.items():
        if name == NO_INTERMEDIATE or _is_task(name):
            raise ConfigError(f"{source}: mixtures.{name}: the name is taken by a task; pick another")
        for i, task in enumerate(mix.tasks):
            _check_task(task, "intermediate", f"{source}: mixtures.{name}.tasks[{i}]")
        _check_weights(mix.weights, mix.tasks, f"{source}: mixtures.{name}.weights")
        if mix.sampling == "weights" and not mix.weights:
            raise ConfigError(f"{source}: mixtures.{name}.weights: sampling 'weights' needs per-task weights")
    tasks = cfg.intermediate.tasks
    values, path = (tasks.choice, "intermediate.tasks.choice") if isinstance(tasks, Choice) else ([tasks], "intermediate.tasks")
    for i, name in enumerate(values):
        where = f"{path}[{i}]" if isinstance(tasks, Choice) else path
        if name == NO_INTERMEDIATE or name in cfg.mixtures:
            continue
        _check_task(name, "intermediate", f"{source}: {where}", mixtures=cfg.mixtures)
    search = cfg.intermediate.mixture
    if search is not None:
        if cfg.intermediate.tasks != NO_INTERMEDIATE:
            raise ConfigError(f"{source}: intermediate.mixture: set either intermediate.tasks or intermediate.mixture")
        for i, task in enumerate(search.tasks):
            _check_task(task, "intermediate", f"{source}: intermediate.mixture.tasks[{i}]")
        if search.weights is None and search.temperature is None:
            raise ConfigError(f"{source}: intermediate.mixture: search weights ({{simplex: {{}}}}) and/or temperature")
        temp = search.temperature
        if isinstance(temp, (float, int)) and temp <= 0 or isinstance(temp, (LogUniform, Uniform)) and \
                min(getattr(temp, "loguniform", None) or temp.uniform) <= 0 or \
                isinstance(temp, Choice) and any(not isinstance(t, (int, float)) or t <= 0 for t in temp.choice):
            raise ConfigError(f"{source}: intermediate.mixture.temperature: a temperature must be > 0")
    targets = cfg.target.names
    path = "target.tasks.choice" if isinstance(cfg.target.tasks, Choice) else "target.tasks"
    for i, name in enumerate(targets):
        _check_task(name, "target", f"{source}: {path}[{i}]")
    if cfg.target.languages:
        known = {lang for name in targets for lang in get_task(name).languages}
        for i, lang in enumerate(cfg.target.languages):
            if lang not in known:
                raise ConfigError(f"{source}: target.languages[{i}]: {lang!r} is not a language of "
                                  f"{', '.join(targets)}{did_you_mean(lang, known)}")


def _check_weights(weights: dict[str, float] | None, tasks: list[str], where: str) -> None:
    if weights is None:
        return
    for task, w in weights.items():
        if task not in tasks:
            raise ConfigError(f"{where}.{task}: {task!r} is not one of the mixture's tasks")
        if w < 0:
            raise ConfigError(f"{where}.{task}: a weight must be >= 0, got {w}")
    if not any(weights.values()):
        raise ConfigError(f"{where}: all weights are zero")


def _is_task(name: str) -> bool:
    try:
        get_task(name)
    except UnknownTaskError:
        return False
    return True


def _check_task(name: Any, role: str, where: str, mixtures: dict | None = None) -> None:
    if not isinstance(name, str):
        raise ConfigError(f"{where}: expected a task name, got {name!r}")
    try:
        task = get_task(name)
    except UnknownTaskError as err:
        hint = did_you_mean(name, list(mixtures)) if mixtures else ""
        raise ConfigError(f"{where}: {err if not hint else f'unknown task or mixture {name!r}{hint}'}") from None
    if role == "target" and task.role != "target":
        raise ConfigError(f"{where}: {name!r} is an intermediate task, not a target task")
