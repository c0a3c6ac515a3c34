"""The plan of one trial, resolved from the sweep config and the searcher's parameters: plain,
picklable data that Ray ships to the trial's workers (and the surrogate backend reads)."""

from dataclasses import asdict, dataclass
from functools import cached_property

from xlt import __version__
from xlt.mixtures import Mixture, normalised
from xlt.objective import Objective
from xlt.results.rows import ResultRow
from xlt.tasks import NO_INTERMEDIATE


@dataclass(frozen=True)
class PhasePlan:
    """One phase's training settings, resolved (the sweep file's, else the task's defaults)."""

    task: str
    learning_rate: float
    epochs: float
    batch_size: int
    """The global batch: examples per optimizer step over all workers."""
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    eval_every: int | None = None
    """Steps between dev evaluations (the best checkpoint kept); None keeps the last."""
    patience: int | None = None
    micro_batch_size: int | None = None
    """The most examples a worker runs at once; its share of a batch accumulates over micro-batches."""
    dev_subset: int | None = None
    """The first N dev examples score checkpoints; None: all."""
    batch_tokens: int | None = None
    """Token-budget batches: padded tokens per batch instead of `batch_size` examples (None: off)."""
    max_train_examples: int | None = None
    """This phase's own cap on its training examples (per training language; None: only the data's)."""
    optimizer: str = "adamw"
    """adamw | adafactor."""

    def cache_content(self) -> dict:
        """What the phase cache keys on: every setting, less those unset that were added later (a
        token budget, a phase's own cap), so keys from before they existed still match."""
        content = asdict(self)
        for late in ("batch_tokens", "max_train_examples"):
            if content[late] is None:
                del content[late]
        if content["optimizer"] == "adamw":  # the default before there was a choice
            del content["optimizer"]
        return content

    def __repr__(self) -> str:  # the dataclass's own, less unset late settings: config hashes stay as they were
        return f"PhasePlan({', '.join(f'{k}={v!r}' for k, v in self.cache_content().items())})"


@dataclass(frozen=True)
class TrialPlan:
    """Everything one trial needs, resolved: no search-space objects, picklable for Ray."""

    sweep: str
    trial_id: str
    model: str
    max_seq_length: int
    source: str
    intermediate: PhasePlan | None
    targets: tuple[PhasePlan, ...]
    seed: int
    objective: "str | Objective | tuple[Objective, ...]"
    """What the trial reports: a legacy name, an Objective, or several (a Pareto search)."""
    results_dir: str
    config_hash: str
    intermediate_mixture: Mixture | None = None
    """The intermediate tasks and their sampling; one task is a mixture of one."""
    intermediate_steps: int | None = None
    target_languages: tuple[str, ...] | None = None
    max_train_examples: int | None = None
    """data.max_train_examples: caps every phase's training examples (a phase may cap its own lower)."""
    trust_remote_code: bool = False
    compile: bool = False
    lora: dict | None = None
    """LoRA settings (r, alpha, dropout, target_modules), or None for full fine-tuning."""
    choice_scoring: str = "head"
    """Multiple choice: "head" (pooled state) or "loglik" (decoders: the LM head's log-likelihood)."""
    head: str = "pooled"
    """"pooled" (a head on pooled states), "text" (the model as itself, xlt.formats.text), or
    "native" (a model whose family is read when the trial loads it)."""
    max_new_tokens: int = 32
    num_beams: int = 1
    cpus_per_worker: float = 1
    gpus: str = "none"
    """What GPUs the workers were given: "none", "cuda" (real ones), or "simulated" (Ray's
    accounting only, resources.simulated_gpus: train on CPU)."""
    selection: str = "english_dev"
    retrieval_layer: int | None = None
    retrieval_pooling: str | None = None
    world_size: int = 1
    cache_dir: str | None = None
    """The phase cache (`<storage>/cache`); None computes every phase."""
    predictions_dir: str | None = None
    """Where zero-shot predictions go (XTREME layout); None writes none."""
    labels_dir: str | None = None
    backend: str = "ray-train"
    """"ray-train" trains and evaluates; "surrogate" asks the response model (xlt.surrogate)."""
    surrogate_response: str | None = None
    """The surrogate's response-model YAML; None: the shipped one."""
    robustness_tasks: tuple[str, ...] = ()
    """Targets also scored on perturbed test data (`robustness:`; xlt.perturb)."""
    perturbations: tuple = ()
    """xlt.perturb.Perturbation: the kinds and rates they are scored under."""
    perturbation_seed: int = 0
    model_revision: str = ""
    """The model's content digest (local) or hub commit, resolved at sweep start (xlt.revisions)."""
    data_revisions: tuple[tuple[str, str], ...] = ()
    """(task, revision of its data) pairs, resolved at sweep start."""
    libraries: tuple[tuple[str, str], ...] = ()
    """(library, version) pairs whose numerics the checkpoints depend on, and the phase code's."""

    @property
    def precision(self) -> str:
        """The numerics training runs in: bf16 autocast on CUDA, fp32 on CPU."""
        return "cuda-bf16" if self.gpus == "cuda" else "cpu-fp32"

    def data_revision(self, task: str) -> str:
        return dict(self.data_revisions).get(task, "")

    @property
    def objectives(self) -> tuple[Objective, ...]:
        o = self.objective
        if isinstance(o, str):
            return (Objective.named(o),)
        return (o,) if isinstance(o, Objective) else tuple(o)

    @property
    def intermediate_name(self) -> str:
        return self.intermediate_mixture.canonical if self.intermediate_mixture else NO_INTERMEDIATE

    def __post_init__(self):
        if self.intermediate is not None and self.intermediate_mixture is None:  # one task: a mixture of one
            object.__setattr__(self, "intermediate_mixture", Mixture((self.intermediate.task,)))

    def _cache_content(self) -> dict:
        """What every checkpoint of this trial depends on, besides its phase and data."""
        return {"model": self.model, "model_revision": self.model_revision, "precision": self.precision,
                "libraries": dict(self.libraries), "max_seq_length": self.max_seq_length, "seed": self.seed,
                "source": self.source, "world_size": self.world_size, "trust_remote_code": self.trust_remote_code,
                **({"lora": self.lora} if self.lora else {}),
                **({"choice_scoring": self.choice_scoring} if self.choice_scoring != "head" else {}),
                **({"head": self.head, "generation": [self.max_new_tokens, self.num_beams]} if self.head != "pooled" else {}),
                **({"backend": self.backend, "response": self.surrogate_response} if self.backend != "ray-train" else {})}

    @cached_property
    def intermediate_key(self) -> str:
        """Content key of the intermediate checkpoint ('' for none); computed once (it hashes the
        data's identity) and kept on the frozen plan."""
        if self.intermediate_mixture is None:
            return ""
        from xlt.trial.keys import content_key, data_fingerprint

        m = self.intermediate_mixture
        # a one-task phase with `steps` trained for `epochs` before 2026-12-03: a key of its own
        one_task_steps = {"one_task_steps": True} if self.intermediate_steps and len(m.tasks) == 1 else {}
        return content_key({**self._cache_content(), "mixture": asdict(m) | {"weights": dict(m.weights)},
                            "phase": self.intermediate.cache_content(), "steps": self.intermediate_steps, **one_task_steps,
                            "data": data_fingerprint(list(m.tasks), self.source, self.max_train_examples),
                            "data_revisions": {t: self.data_revision(t) for t in m.tasks}})

    def target_key(self, phase: PhasePlan) -> str:
        """Content key of one target's fine-tuning and evaluation."""
        from xlt.trial.keys import content_key, data_fingerprint
        from xlt.tasks import get_task

        task = get_task(phase.task)
        names = sorted({task.name, *task.train_tasks, task.dev_task})
        return content_key({**self._cache_content(), "intermediate": self.intermediate_key, "phase": phase.cache_content(),
                            "selection": self.selection, "languages": self.target_languages,
                            "retrieval": [self.retrieval_layer, self.retrieval_pooling],
                            **self._robustness_content(phase.task),
                            "data": data_fingerprint(names, self.source, self.max_train_examples),
                            "data_revisions": {t: self.data_revision(t) for t in names}})

    def _robustness_content(self, task: str) -> dict:
        """A target scored under perturbations keys on them (other targets keep their keys)."""
        if task not in self.robustness_tasks:
            return {}
        return {"robustness": {"perturbations": [[p.kind, p.rate] for p in self.perturbations],
                               "seed": self.perturbation_seed}}

    @property
    def mixture(self) -> dict[str, float]:
        """Declared task weights, normalised (equal when the sampling sets none)."""
        m = self.intermediate_mixture
        if m is None:
            return {}
        return normalised(dict(m.weights) or {t: 1.0 for t in m.tasks})

    def row(self, phase: str, task: str, language: str, split: str, metric: str, value: float, n_examples: int,
            learning_rate: float, step: int) -> ResultRow:
        """One result row of this trial."""
        return ResultRow(
            sweep=self.sweep, trial_id=self.trial_id, phase=phase, intermediate=self.intermediate_name,
            mixture=self.mixture, target_task=task, language=language, split=split, metric=metric,
            value=float(value), n_examples=n_examples, model=self.model, learning_rate=learning_rate,
            intermediate_learning_rate=self.intermediate.learning_rate if self.intermediate else None,
            seed=self.seed, step=step, config_hash=self.config_hash, xlt_version=__version__,
            model_selection=self.selection if phase != "intermediate" else "english_dev",
            intermediate_key=self.intermediate_key, backend=self.backend, data_source=self.source,
            model_revision=self.model_revision, data_revision=self.data_revision(task) or None, head=self.head)

    def reissue(self, rows: list[dict], step: int) -> list[ResultRow]:
        """Rows from the phase cache under this trial's identity, marked as cache hits."""
        return [ResultRow(**{**row, "sweep": self.sweep, "trial_id": self.trial_id, "config_hash": self.config_hash,
                             "step": step, "xlt_version": __version__, "cache_hit": True})
                for row in rows]
