"""The sweep file's building blocks: strict frozen models, and the search-space domains a
parameter may take instead of a fixed value (`{choice: [...]}`, `{loguniform: [a, b]}`,
`{uniform: [a, b]}`), each with its grid values, centre, seeded sample and Optuna suggestion."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator


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


