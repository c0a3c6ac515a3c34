"""The sweep file: pydantic models, validated once at the edge.

`load_sweep(path, overrides)` returns a `SweepConfig` or raises `ConfigError` whose message names
the file and the key path (`demo.yaml: intermediate.tasks.choice[2]: unknown task 'mnlii' (did you
mean 'mnli'?)`). Nothing here starts Ray or touches the disk beyond reading the file.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from xlt.models.registry import UnknownModelError, check_model_name
from xlt.objective import GROUPS
from xlt.suggest import did_you_mean
from xlt.tasks import NO_INTERMEDIATE, UnknownTaskError, get_task


class ConfigError(ValueError):
    """An invalid sweep file; the message is ready to print."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value, info):
        """YAML's `true` is not a count or a rate (pydantic would read it as 1)."""
        field = cls.model_fields.get(info.field_name)
        if isinstance(value, bool) and field is not None and "bool" not in str(field.annotation):
            raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


# --- search-space primitives --------------------------------------------------------------
# Each domain knows how a searcher draws from it: `suggest` (Optuna's define-by-run trial),
# `values` (a grid), `centre` (one representative point), `sample` (a seeded draw).

class Choice(_Strict):
    """`{choice: [a, b, c]}`: one of the values (categorical for Optuna)."""
    choice: list[Any] = Field(min_length=1)

    def suggest(self, trial, name: str) -> Any:
        return trial.suggest_categorical(name, self.choice)

    def values(self) -> list[Any]:
        return list(self.choice)

    def centre(self) -> Any:
        return self.choice[0]

    def sample(self, rng) -> Any:
        return rng.choice(self.choice)


class LogUniform(_Strict):
    """`{loguniform: [low, high]}`: sampled on a log scale (learning rates)."""
    loguniform: tuple[float, float]

    @model_validator(mode="after")
    def _bounds(self):
        low, high = self.loguniform
        if not 0 < low < high:
            raise ValueError(f"expected 0 < low < high, got [{low}, {high}]")
        return self

    def suggest(self, trial, name: str) -> float:
        return trial.suggest_float(name, *self.loguniform, log=True)

    def values(self) -> list[float]:
        return list(self.loguniform)

    def centre(self) -> float:
        low, high = self.loguniform
        return (low * high) ** 0.5

    def sample(self, rng) -> float:
        low, high = self.loguniform
        return low * (high / low) ** rng.random()


class Uniform(_Strict):
    """`{uniform: [low, high]}`."""
    uniform: tuple[float, float]

    @model_validator(mode="after")
    def _bounds(self):
        low, high = self.uniform
        if not low < high:
            raise ValueError(f"expected low < high, got [{low}, {high}]")
        return self

    def suggest(self, trial, name: str) -> float:
        return trial.suggest_float(name, *self.uniform)

    def values(self) -> list[float]:
        return list(self.uniform)

    def centre(self) -> float:
        return sum(self.uniform) / 2

    def sample(self, rng) -> float:
        low, high = self.uniform
        return low + (high - low) * rng.random()


DOMAINS = (Choice, LogUniform, Uniform)


def is_domain(value: Any) -> bool:
    return isinstance(value, DOMAINS)


def _param_kind(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    if isinstance(value, (Choice, LogUniform, Uniform)):
        return next(iter(type(value).model_fields))
    return "value"


def _param(fixed: Any):
    """A hyper-parameter: a fixed value of type `fixed`, or a search-space primitive."""
    return Annotated[
        Annotated[fixed, Tag("value")] | Annotated[Choice, Tag("choice")]
        | Annotated[LogUniform, Tag("loguniform")] | Annotated[Uniform, Tag("uniform")],
        Discriminator(_param_kind),
    ]


FloatParam = _param(float)


def _positive(value: Any, where: str) -> None:
    """A learning rate (or temperature): a positive number, or a search space of positive ones."""
    values = (value.choice if isinstance(value, Choice) else getattr(value, "loguniform", None)
              or getattr(value, "uniform", None) or [value])
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            raise ValueError(f"{where} must be > 0, got {v!r}")
IntParam = _param(int)
TasksParam = _param(str)


# --- sections -----------------------------------------------------------------------------

class LoraSettings(_Strict):
    r: int = Field(8, ge=1)
    alpha: float = Field(16, gt=0)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] | None = None
    """Module names to adapt; None: peft's default for the architecture (attention q/v)."""


class ModelConfig(_Strict):
    name: str | Choice = "tiny-xlmr"
    """A local tiny model (`tiny-xlmr`, `tiny-mt5`, `tiny-decoder`), a known hub name
    (`xlm-roberta-large`) or `org/name`; `{choice: [...]}` compares backbones in one sweep."""
    max_seq_length: int | None = Field(None, ge=8, le=4096)
    """Tokens per sequence; None takes each task's default (256 classification/tagging, 384 QA, 512 retrieval)."""
    trust_remote_code: bool = False
    """Only when the sweep file asks: runs code from the model's hub repository."""
    revision: str | None = None
    """A hub model's revision (a commit, branch or tag); None resolves `main` to its commit when the
    sweep starts. The commit is recorded and is part of the phase cache's keys."""
    compile: bool = False
    """torch.compile the model of each training phase (pays compile time once per phase)."""
    choice_scoring: Literal["head", "loglik"] = "head"
    """Multiple choice on decoder-only models: a head on the last token, or `loglik`, each choice's
    mean token log-probability under the model's own LM head."""
    lora: LoraSettings | None = None
    """Parameter-efficient fine-tuning (LoRA via `peft`, `pip install xlt[lora]`): the backbone is
    frozen, low-rank adapters and the task heads train. For large decoder-only models."""

    @property
    def names(self) -> list[str]:
        """The backbone, or the backbones a sweep compares."""
        return list(self.name.choice) if isinstance(self.name, Choice) else [self.name]


class DataConfig(_Strict):
    source: Literal["local", "hub"] = "local"
    """`local`: the fixtures shipped in the package; `hub`: the real datasets via `datasets`."""
    max_train_examples: int | None = Field(None, ge=1)
    """Cap per training split (quick runs); None uses everything."""
    revisions: dict[str, str] | None = None
    """Hub dataset revisions per task (`{xnli: <commit>}`); the others resolve their declared revision
    (or `main`) to its commit when the sweep starts. Recorded, and part of the cache's keys."""


class PhaseConfig(_Strict):
    """A phase's training settings. Each unset one takes the task's default, the reference
    protocol's (docs/tasks.md: jiant's XTREME configuration for the XTREME targets)."""
    learning_rate: FloatParam | None = None
    epochs: float | None = Field(None, gt=0)
    batch_size: int | None = Field(None, ge=1)
    """The global batch: examples per optimizer step, split over resources.workers_per_trial."""
    micro_batch_size: int | None = Field(None, ge=1)
    """The most examples a worker runs at once: a worker's share of a batch larger than this
    accumulates gradients over micro-batches (None: the whole share at once)."""
    batch_tokens: int | None = Field(None, ge=64)
    """Token-budget batches (fairseq's max-tokens): each batch holds up to this many padded tokens
    (examples x its longest) instead of `batch_size` examples. The run lasts, and its learning-rate
    schedule runs over, the examples the `batch_size` run sees (docs/tasks.md)."""
    warmup_ratio: float | None = Field(None, ge=0, lt=1)
    weight_decay: float | None = Field(None, ge=0)
    eval_every: int | None = Field(None, ge=0)
    """Evaluate on the dev set every N steps and keep the best weights; 0: keep the last."""
    patience: int | None = Field(None, ge=0)
    """Stop after this many evaluations without improvement; 0: never stop early."""
    dev_subset: int | None = Field(None, ge=0)
    """Score checkpoints on the first N dev examples; 0: the whole dev set."""

    @field_validator("learning_rate", mode="after")
    @classmethod
    def _positive_learning_rate(cls, value):
        if value is not None:
            _positive(value, "a learning rate")
        return value


class MixtureConfig(_Strict):
    """A named multi-task mixture: `mixtures: {all9: {tasks: [...], sampling: temperature, temperature: 2}}`."""
    tasks: list[str] = Field(min_length=1)
    sampling: Literal["proportional", "temperature", "uniform", "weights"] = "proportional"
    weights: dict[str, float] | None = None
    """Per-task weights for sampling `weights` (normalised; a task may be 0, not all of them)."""
    temperature: float = Field(1.0, gt=0)
    """For sampling `temperature`: p ~ n^(1/T)."""
    examples_cap: int | None = Field(None, ge=1)
    """A task's size counts as at most this many examples, in its sampling probability and its
    share of an epoch (jiant's examples_cap, e.g. 16384 with temperature 2)."""


class Simplex(_Strict):
    """`{simplex: {}}`: search one weight in [0, 1] per task, normalised to sum to 1."""
    simplex: dict = Field(default_factory=dict)


class MixtureSearch(_Strict):
    """Search the mixture itself: weights on the simplex and/or the sampling temperature."""
    tasks: list[str] = Field(min_length=2)
    weights: Simplex | None = None
    temperature: FloatParam | None = None
    min_weight: float = Field(0.05, ge=0, lt=1)
    """Tasks whose normalised weight falls below this are dropped from the trial's mixture."""
    examples_cap: int | None = Field(None, ge=1)
    """As in a named mixture: a task's size counts as at most this."""


class IntermediateConfig(PhaseConfig):
    tasks: TasksParam = NO_INTERMEDIATE
    """One task, a named mixture, `none` (the baseline), or `{choice: [none, mnli, all9, ...]}`."""
    mixture: MixtureSearch | None = None
    """A mixture whose weights/temperature are searched (instead of `tasks`)."""
    steps: int | None = Field(None, ge=1)
    """Training length in optimizer steps (mixtures); None uses `epochs` of the whole mixture."""


class TargetConfig(PhaseConfig):
    tasks: list[str] | Choice
    """A list: every trial fine-tunes on each target in turn. `{choice: [...]}`: the target task is
    a search dimension, one per trial (so trials share intermediate checkpoints through the cache)."""
    languages: list[str] | None = None
    """Evaluate only these languages (default: every language the data source has)."""
    selection: Literal["english_dev", "target_dev"] = "english_dev"
    """Which dev data picks the best checkpoint: English (zero-shot), or the target languages'
    dev sets (no longer zero-shot; recorded in the results' `model_selection` column)."""
    retrieval_layer: int | None = Field(None, ge=0)
    """Encoder layer whose states retrieval tasks pool (None: each task's default, 7)."""
    retrieval_pooling: Literal["mean", "first"] | None = None
    write_predictions: bool = False
    """Write zero-shot predictions in the XTREME submission layout under
    `<storage>/<name>/predictions/<trial_id>/<task>/test-<lang>.tsv`, and the gold labels once
    under `<storage>/<name>/labels/`, so `xlt score` can score them."""


class ObjectiveConfig(_Strict):
    """One objective over languages (xlt.objective): a statistic per target task, averaged over
    the target tasks."""
    statistic: Literal["mean", "worst", "mean_minus_std"] = "mean"
    languages: str | list[str] = "zero_shot"
    """zero_shot: all but English; all; a resource group of the shipped language table (high, mid,
    low: its non-English languages); a group the sweep names under `languages.groups`; or a list
    of ISO codes."""
    k: float = Field(1.0, ge=0)
    """mean_minus_std: the number of standard deviations subtracted."""
    mode: Literal["max", "min"] | None = None
    """Default: search.mode."""
    split: Literal["dev", "test"] = "dev"
    """dev: each target language's dev set where the task has one, else English dev (nothing is
    selected on test data). test: the zero-shot test scores; only when a sweep asks for it, and
    the report then says so on its first line."""
    allow_partial: bool = False
    """A target task with none of the objective's languages (XQuAD has no low-resource language)
    is an error at validation unless this is true: then it is left out of the objective, and the
    sweep's first lines say which."""

    @model_validator(mode="after")
    def _known_languages(self):
        from xlt.languages import LANGUAGES

        if isinstance(self.languages, list):
            unknown = [l for l in self.languages if l not in LANGUAGES]
            if unknown or not self.languages:
                raise ValueError(f"unknown language code(s) {unknown} (the shipped language table has "
                                 f"{len(LANGUAGES)} codes)" if unknown else "an empty language list")
        return self


class LanguagesConfig(_Strict):
    """Named language groups for objectives and reports, beside the shipped table's resource
    classes: `languages: {groups: {focus: [ur, sw, yo]}}`, then `objective: {languages: focus}`."""
    groups: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid_groups(self):
        from xlt.languages import LANGUAGES

        for name, codes in self.groups.items():
            if name in GROUPS:
                raise ValueError(f"groups.{name}: {name!r} is a built-in group ({', '.join(GROUPS)}); name yours otherwise")
            unknown = [c for c in codes if c not in LANGUAGES]
            if unknown or not codes:
                raise ValueError(f"groups.{name}: unknown language code(s) {unknown}" if unknown
                                 else f"groups.{name}: an empty group")
        return self


ObjectiveName = Literal["zero_shot_mean", "all_languages_mean", "worst_language"]


class SearchConfig(_Strict):
    algorithm: Literal["optuna-tpe", "random", "grid"] = "optuna-tpe"
    """optuna-tpe or random (Optuna samplers, `num_trials` trials); grid: every combination of
    the `choice` parameters once (`num_trials` is then ignored; ranges are refused)."""
    objective: ObjectiveName | ObjectiveConfig | list[ObjectiveName | ObjectiveConfig] = "zero_shot_mean"
    """zero_shot_mean (mean over non-English languages), all_languages_mean, worst_language, or
    `{statistic: mean|worst|mean_minus_std, languages: zero_shot|all|high|mid|low|[codes], k, split}`.
    Every objective reads dev scores unless it says `split: test`. A list of two or more is a
    multi-objective search (Optuna searches the Pareto front)."""
    mode: Literal["max", "min"] = "max"
    num_trials: int = Field(4, ge=1)
    seed: IntParam = 0
    """Training seed of each trial: fixed, or with `algorithm: grid`, `{choice: [1, 2, 3]}` to run
    every configuration with each seed (replicates; a sampler never searches over seeds)."""
    sampler_seed: int = 0
    """Seed of the Optuna sampler, so a sweep's sequence of trials is reproducible."""
    optuna_storage: str | None = None
    """Keep the Optuna study in a database, so optuna-dashboard can watch it: an SQLAlchemy URL
    (`sqlite:///xlt-runs/optuna.db`), or `env:NAME` to read it from an environment variable (a
    PostgreSQL URL holds a password: never commit it). The study is named after the sweep."""
    scheduler: Literal["none", "asha"] = "none"
    """asha: Ray Tune's asynchronous successive halving stops trials whose objective trails at a
    rung. Trials report `progress`, the fraction of their target fine-tuning done (each target
    unit; the surrogate backend reports points inside a unit too)."""
    grace_period: float = Field(0.25, gt=0, le=1)
    """ASHA: the first rung, as a fraction of a trial's target fine-tuning."""
    reduction_factor: float = Field(3, gt=1)
    include_baseline: bool = True
    """When `none` is among intermediate.tasks, the first trial is that baseline, so every sweep
    has the reference its deltas are measured against."""

    @model_validator(mode="after")
    def _objectives(self):
        if isinstance(self.objective, list):
            if len(self.objective) < 2:
                raise ValueError("objective: a list needs two or more objectives (one: give it alone)")
            if self.scheduler != "none":
                raise ValueError("scheduler: ASHA stops trials on one metric; a multi-objective search cannot use it")
        return self

    def objectives(self, groups: dict[str, list[str]] | None = None) -> tuple:
        """The objectives as xlt.objective.Objective values (one, or several for a Pareto search);
        `groups` resolves a sweep's own named groups (`SweepConfig.objectives()` passes them)."""
        from xlt.objective import Objective

        specs = self.objective if isinstance(self.objective, list) else [self.objective]
        out = []
        for spec in specs:
            if isinstance(spec, str):
                out.append(Objective.named(spec, self.mode))
            elif isinstance(spec.languages, str) and spec.languages in (groups or {}):
                out.append(Objective(spec.statistic, tuple(groups[spec.languages]), spec.k, spec.mode or self.mode,
                                     spec.split, label=spec.languages, allow_partial=spec.allow_partial))
            else:
                langs = spec.languages if isinstance(spec.languages, str) else tuple(spec.languages)
                out.append(Objective(spec.statistic, langs, spec.k, spec.mode or self.mode, spec.split,
                                     allow_partial=spec.allow_partial))
        return tuple(out)



class ResourcesConfig(_Strict):
    workers_per_trial: int = Field(1, ge=1)
    gpus_per_worker: float = Field(0, ge=0)
    cpus_per_worker: float = Field(1, gt=0)
    max_concurrent_trials: int = Field(1, ge=1)
    max_failures: int = Field(2, ge=0)
    """Times Ray Train restarts a trial's worker group (from its last checkpoint) after a worker or
    node failure, before the trial is recorded as failed."""
    collective_timeout_s: int = Field(1800, ge=1)
    """Timeout of the workers' collectives (torch.distributed's process group). Waiting for another
    trial's checkpoint never depends on it: the workers poll together, one short collective a poll."""
    simulated_gpus: bool = False
    """GPUs are resource accounting only (Ray's fake autoscaling cluster, cluster/local-autoscale.yaml):
    workers hold the GPUs they ask for but train on CPU with gloo. Without it, a worker that was
    given a GPU it cannot see fails with that message."""


class SweepConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    model: ModelConfig = ModelConfig()
    data: DataConfig = DataConfig()
    intermediate: IntermediateConfig = IntermediateConfig()
    target: TargetConfig
    mixtures: dict[str, MixtureConfig] = Field(default_factory=dict)
    """Named mixtures, usable wherever intermediate.tasks takes a task name."""
    search: SearchConfig = SearchConfig()
    resources: ResourcesConfig = ResourcesConfig()
    storage: str = "./xlt-runs"
    """Local path or URI under which the sweep's results, checkpoints and Tune state live."""
    backend: Literal["ray-train", "surrogate"] = "ray-train"
    """ray-train trains and evaluates. surrogate runs the same sweep (Tune, Optuna, schedulers,
    phase cache, results, report) with each phase's training and evaluation replaced by a
    response model: check a sweep file, its search and its cost at zero GPU cost. Its rows carry
    backend = surrogate. Also `xlt sweep run FILE --backend surrogate`."""
    surrogate_response: str | None = None
    """The response model's YAML (default: the shipped xlt/surrogate/response.yaml)."""
    cache: bool = True
    """Reuse phases through `<storage>/cache`: an intermediate checkpoint (and a target
    fine-tuning result) is computed once per content key, across trials and sweeps."""
    languages: LanguagesConfig = LanguagesConfig()
    """The sweep's own named language groups (`languages: {groups: {focus: [ur, sw, yo]}}`)."""

    def objectives(self) -> tuple:
        """The search's objectives, the sweep's named language groups resolved."""
        return self.search.objectives(self.languages.groups)


# --- loading ------------------------------------------------------------------------------

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
    _check_selection(cfg, source)
    _check_dev_objective(cfg, source)
    _check_seeds(cfg, source)
    return cfg


def _check_seeds(cfg: SweepConfig, source: str) -> None:
    """Seeds are replicates, never searched: a sampler that searches over `seed` favours the lucky
    ones. A grid runs every configuration with each seed (a balanced design); other searches fix it."""
    if is_domain(cfg.search.seed) and cfg.search.algorithm != "grid":
        raise ConfigError(f"{source}: search.seed: {cfg.search.algorithm} would search over seeds and favour lucky "
                          f"ones; give one seed, or use search.algorithm: grid to run every configuration with "
                          f"each seed")


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


def _check_dev_objective(cfg: SweepConfig, source: str) -> None:
    """Every objective covers some language the targets evaluate, and a dev objective needs a
    target with dev data (an English dev set: fine-tuned targets; or target-language dev sets)."""
    from xlt.data.loading import available_languages

    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else cfg.target.tasks
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
    uses_intermediate = any(t != NO_INTERMEDIATE for t in (tasks.choice if isinstance(tasks, Choice) else [tasks]))
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
    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else cfg.target.tasks
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
