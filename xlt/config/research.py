"""What a research-question sweep declares beyond its trials: its own language groups, the study it
answers (`xlt report` leads with it) and the robustness evaluation it asks for."""

from pydantic import Field, field_validator, model_validator

from xlt.config.domains import ConfigError, _Strict
from xlt.objective import GROUPS
from xlt.perturb import DEFAULT_RATES, KINDS, Perturbation
from xlt.suggest import did_you_mean
from xlt.tasks import get_task


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


class StudyConfig(_Strict):
    """What a research-question sweep answers, and how: `xlt report` leads with this comparison,
    each arm against the control as a paired difference over seeds (same seed, same targets),
    with its 95% confidence interval, per group of target tasks and of languages."""
    hypothesis: str = Field(min_length=1)
    control: str
    """The intermediate configuration every arm is compared with (`none`, `mnli`, a mixture's name)."""
    arms: list[str] | None = None
    """The configurations compared with the control; default: every other one the sweep runs."""
    task_groups: dict[str, list[str]] = Field(default_factory=dict)
    """Named groups of target tasks reported on their own, besides all targets together."""
    language_groups: list[str] = Field(default_factory=lambda: ["zero_shot", "high", "mid", "low"])
    """Language groups (rows): zero_shot (every target language but English), high, mid, low, or
    the sweep's own `languages.groups`."""
    without_own_language: dict[str, list[str]] = Field(default_factory=dict)
    """Per arm, languages to leave out in an extra row: an arm trained on Urdu data has seen
    in-language supervision when evaluated on Urdu (the translate-train confound)."""


class RobustnessConfig(_Strict):
    """Zero-shot test data under controlled perturbations (xlt.perturb, docs/robustness.md): each
    listed target is also scored on its test sets perturbed each way, per language, as accuracy and
    as consistency with the unperturbed predictions (result rows of phase `robustness`)."""
    tasks: list[str] = Field(min_length=1)
    """Target tasks scored under perturbations (classification tasks: PAWS-X, XNLI, ...)."""
    perturbations: dict[str, float] | list[str] = Field(default_factory=lambda: list(KINDS))
    """Kinds (typos, casing, punctuation, entity_swap, number_swap), as a list (each at its default
    rate) or a mapping kind -> rate (the probability each word, mark, entity or number is touched)."""
    seed: int = 0
    """The perturbations' own seed: the same perturbed data for every trial, whatever its seed."""

    @field_validator("perturbations")
    @classmethod
    def _known(cls, value):
        rates = value if isinstance(value, dict) else {k: DEFAULT_RATES.get(k, 1.0) for k in value}
        if not rates:
            raise ValueError("no perturbation listed")
        for kind, rate in rates.items():
            Perturbation(kind, rate)  # raises with the reason
        return value

    def declared(self) -> tuple["Perturbation", ...]:
        """Each kind with its rate (a list's kinds at their default rates)."""
        rates = self.perturbations if isinstance(self.perturbations, dict) else \
            {k: DEFAULT_RATES[k] for k in self.perturbations}
        return tuple(Perturbation(k, float(r)) for k, r in rates.items())


def check_study(cfg, source: str) -> None:
    """`cfg` (a SweepConfig): its study names configurations, targets and language groups the sweep has."""
    study = cfg.study
    if study is None:
        return
    configs = cfg.intermediate.names
    for where, name in [("control", study.control), *((f"arms[{i}]", a) for i, a in enumerate(study.arms or []))]:
        if name not in configs:
            raise ConfigError(f"{source}: study.{where}: {name!r} is not among intermediate.tasks ({', '.join(map(str, configs))})"
                              f"{did_you_mean(str(name), [str(c) for c in configs])}")
    targets = cfg.target.names
    for group, tasks in study.task_groups.items():
        missing = [t for t in tasks if t not in targets]
        if missing or not tasks:
            raise ConfigError(f"{source}: study.task_groups.{group}: " + (f"{', '.join(missing)} not among target.tasks"
                                                                          if missing else "an empty group"))
    known = [*GROUPS, *cfg.languages.groups]
    for i, group in enumerate(study.language_groups):
        if group not in known:
            raise ConfigError(f"{source}: study.language_groups[{i}]: unknown group {group!r} (known: {', '.join(known)})"
                              f"{did_you_mean(group, known)}")
    for arm in study.without_own_language:
        if arm not in configs:
            raise ConfigError(f"{source}: study.without_own_language.{arm}: not among intermediate.tasks")


def check_robustness(cfg, source: str) -> None:
    """`cfg` (a SweepConfig): its robustness block scores targets the sweep runs whose format can be perturbed (classification)."""
    if cfg.robustness is None:
        return
    targets = cfg.target.names
    for i, name in enumerate(cfg.robustness.tasks):
        if name not in targets:
            raise ConfigError(f"{source}: robustness.tasks[{i}]: {name!r} is not among target.tasks "
                              f"({', '.join(targets)}){did_you_mean(str(name), targets)}")
        fmt = get_task(name).format
        if fmt != "classification":
            raise ConfigError(f"{source}: robustness.tasks[{i}]: {name!r} is a {fmt} task; perturbations score "
                              "classification tasks (PAWS-X, XNLI, ...) only")
