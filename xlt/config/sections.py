"""The sweep file's sections as pydantic models (`SweepConfig` and what it holds); each field's
docstring is its documentation."""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from xlt.config.domains import Choice, FloatParam, IntParam, TasksParam, _positive, _Strict
from xlt.config.research import LanguagesConfig, RobustnessConfig, StudyConfig
from xlt.tasks import NO_INTERMEDIATE


class LoraSettings(_Strict):
    r: int = Field(8, ge=1)
    alpha: float = Field(16, gt=0)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] | None = None
    """Module names to adapt; None: peft's default for the architecture (attention q/v)."""


class GenerationSettings(_Strict):
    """How the text-to-text path generates (span answers, tags, generation tasks; closed label sets
    are scored, not generated)."""
    max_new_tokens: int = Field(32, ge=1, le=1024)
    num_beams: int = Field(1, ge=1, le=16)
    """1: greedy search; more: beam search."""


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
    head: Literal["pooled", "text", "native"] = "pooled"
    """pooled: a task head on the backbone's pooled states (an encoder-decoder runs its encoder
    alone). text: the model as itself, text in -> text out (encoder-decoder: teacher forcing and
    generation; decoder: a causal LM with the loss on the answer), docs/backbones.md. native: each
    model's own way, pooled for encoders and text for the others (a backbone comparison on equal
    terms). Generation tasks (XGLUE QG/NTG, CodeXGLUE code-to-text) need text."""
    generation: GenerationSettings = GenerationSettings()
    learning_rate_scale: dict[str, float] = Field(default_factory=dict)
    """Per model, a factor on both phases' learning rates (searched or fixed): a backbone comparison
    searches each family over its own range, the sweep's range times the factor (mT5 fine-tunes at
    ~1e-4, XLM-R at ~1e-5). Rows record the rate the phase used."""

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
    max_train_examples: int | None = Field(None, ge=1)
    """Cap this phase's training examples (per training language, as `data.max_train_examples`,
    which caps every phase): e.g. intermediate arms of equal size, targets left whole."""
    optimizer: Literal["adamw", "adafactor"] = "adamw"
    """AdamW (fused), or Adafactor (transformers', with the phase's learning rate and schedule:
    mT5's own fine-tuning optimizer)."""

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
    """Training length in optimizer steps (a mixture's or one task's: steps x the global batch
    examples, so arms of unequal data train on as many); None uses `epochs` of the whole mixture."""

    @property
    def names(self) -> list[str]:
        """The intermediate configurations a sweep runs: task, mixture or `none` names."""
        return list(self.tasks.choice) if isinstance(self.tasks, Choice) else [self.tasks]


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

    @property
    def names(self) -> list[str]:
        """The target tasks: every trial's list, or the choices one per trial."""
        return list(self.tasks.choice) if isinstance(self.tasks, Choice) else list(self.tasks)


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


ObjectiveName = Literal["zero_shot_mean", "all_languages_mean", "worst_language"]


class SearchConfig(_Strict):
    algorithm: Literal["optuna-tpe", "optuna-gp", "mixture-gp", "random", "grid"] = "optuna-tpe"
    """optuna-tpe, optuna-gp (Optuna's Gaussian-process sampler: on the surrogate's mixture searches
    the one sampler that came within 0.5 points in every repetition on two of three response models,
    BENCHMARKS.md), mixture-gp (a mixture search only: a GP on the proportions each trial trains on
    after a simplex design, xlt/sweep/mixture_gp.py; within 0.5 points in every repetition on three
    response models) or random (Optuna samplers, `num_trials` trials); grid: every combination of the
    `choice` parameters once (`num_trials` is then ignored; ranges are refused)."""
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
    replicates: int = Field(1, ge=1)
    """Run every configuration the search proposes with this many seeds (`seed`, `seed` + 1, ...),
    one after the other inside its trial: each a run of its own (rows under `<trial>-s<seed>`,
    phase-cache entries keyed by its seed), the searcher and schedulers seeing their combination
    (`replicate_statistic`). The report shows mean ± 95% CI and n over seeds per cell."""
    replicate_statistic: Literal["mean", "lcb"] = "mean"
    """What the searcher sees of a configuration's replicates: their mean, or `lcb`, the end of
    their 95% confidence interval away from the optimum (mean - t * sd / sqrt(n) when maximising),
    which favours configurations that are good on every seed."""
    sampler_seed: int = 0
    """Seed of the Optuna sampler, so a sweep's sequence of trials is reproducible."""
    warm_start: list[str] | Literal["all"] | None = None
    """Earlier sweeps on the same storage (names, or `all`) whose finished trials the searcher is
    told before it proposes anything: each trial that is a point of this sweep's space, scored by
    this sweep's objective from its result rows (xlt.sweep.warm_start). Optuna algorithms only.
    Measured on the surrogate (BENCHMARKS.md): told the trials of a sweep with another objective,
    TPE did worse than from scratch; a sweep continuing the same question is not measured."""
    optuna_storage: str | None = None
    """Keep the Optuna study in a database, so optuna-dashboard can watch it: an SQLAlchemy URL
    (`sqlite:///xlt-runs/optuna.db`), or `env:NAME` to read it from an environment variable (a
    PostgreSQL URL holds a password: never commit it). The study is named after the sweep."""
    scheduler: Literal["none", "asha", "screen"] = "none"
    """asha: Ray Tune's asynchronous successive halving stops trials whose objective trails at a
    rung. Trials report `progress`, the fraction of their target fine-tuning done (each target
    unit; the surrogate backend reports points inside a unit too). screen: stops a trial only when
    the finished trials' final objectives, regressed on their objective at the same rung, put the
    upper end of its prediction interval below the best so far (xlt.sweep.screening): the first
    targets as a cheap signal of the rest, worth what the data say. List cheap targets first."""
    screen_confidence: float = Field(0.995, gt=0.5, lt=1)
    """screen: the one-sided prediction interval's level; higher stops fewer trials, and fewer that
    would have won (BENCHMARKS.md: 97.5% and 99.5% measured)."""
    grace_period: float = Field(0.25, gt=0, le=1)
    """ASHA: the first rung, as a fraction of a trial's target fine-tuning."""
    reduction_factor: float = Field(3, gt=1)
    include_baseline: bool = True
    """When `none` is among intermediate.tasks, the first trial is that baseline, so every sweep
    has the reference its deltas are measured against."""

    @model_validator(mode="after")
    def _warm_start(self):
        if self.warm_start is not None and self.algorithm == "grid":
            raise ValueError("warm_start: grid search runs every combination whatever it is told; use an Optuna "
                             "algorithm (optuna-tpe, optuna-gp, mixture-gp, random)")
        return self

    @model_validator(mode="after")
    def _objectives(self):
        if isinstance(self.objective, list):
            if len(self.objective) < 2:
                raise ValueError("objective: a list needs two or more objectives (one: give it alone)")
            if self.scheduler != "none":
                raise ValueError(f"scheduler: {self.scheduler} stops trials on one metric; a multi-objective search "
                                 f"cannot use it")
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
    study: StudyConfig | None = None
    """A research-question sweep's hypothesis and the comparison that answers it (see StudyConfig)."""
    robustness: RobustnessConfig | None = None
    """Targets also scored on perturbed test data (see RobustnessConfig)."""

    def objectives(self) -> tuple:
        """The search's objectives, the sweep's named language groups resolved."""
        return self.search.objectives(self.languages.groups)

    def task_names(self) -> list[str]:
        """Every task the sweep trains or evaluates: its targets, then its intermediate tasks (a
        mixture's members, a searched mixture's)."""
        names = list(self.target.names)
        for name in self.intermediate.names:
            if name != NO_INTERMEDIATE:
                names += self.mixtures[name].tasks if name in self.mixtures else [name]
        if self.intermediate.mixture is not None:
            names += self.intermediate.mixture.tasks
        return names


