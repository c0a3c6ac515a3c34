"""The response model: per-language scores of a trial from its configuration, no training.

Loaded from YAML (the shipped `response.yaml`, or a user's edited copy) into typed objects,
validated once; every assumption is stated in that file. Deterministic: the same inputs and
seed give the same numbers.
"""

import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xlt.languages import LANGUAGES

SHIPPED = Path(__file__).with_name("response.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetResponse(_Strict):
    baseline: float = Field(ge=0, le=1)
    english: float = Field(ge=0, le=1)
    spread: float = Field(ge=0)
    chance: float = Field(ge=0, le=1)
    noise: float = Field(ge=0)
    em_gap: float | None = Field(None, ge=0)
    """QA targets: exact match sits this far below F1."""


class TargetLr(_Strict):
    optimum: float = Field(gt=0)
    penalty: float = Field(ge=0)


class IntermediateLr(_Strict):
    optimum: float = Field(gt=0)
    width: float = Field(gt=0)


class LearningRates(_Strict):
    target: TargetLr
    intermediate: IntermediateLr


class LanguageSpread(_Strict):
    offset: dict[str, float]
    jitter: float = Field(ge=0)


class ResponseConfig(_Strict):
    curve_k: float = Field(gt=0)
    curve_points: int = Field(ge=1)
    saturation_examples: float = Field(gt=0)
    cap: float = Field(gt=0)
    synergy: float
    interference: float
    learning_rate: LearningRates
    models: dict[str, float]
    languages: LanguageSpread
    effect_by_resource: dict[str, float]
    translated_intermediate: dict[str, float] = {}
    targets: dict[str, TargetResponse]
    groups: dict[str, str]
    task_scale: dict[str, float] = {}
    effects: dict[str, dict[str, float]]
    intermediate_dev: dict[str, float]


class ResponseError(ValueError):
    """A response model that cannot answer: names the file and what is missing."""


@dataclass(frozen=True)
class Intermediate:
    """What phase 2 did, as the response model sees it."""

    probabilities: Mapping[str, float]
    """Task -> share of the intermediate batches (after the mixture's sampling)."""
    learning_rate: float
    examples: float
    """Training examples seen (steps x global batch, or epochs x the tasks' sizes)."""


class ResponseModel:
    def __init__(self, config: ResponseConfig, source: str):
        self.cfg, self.source = config, source

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ResponseModel":
        return _load(str(path or SHIPPED))

    def without_noise(self) -> "ResponseModel":
        """The same model with no seed noise: each configuration's expected score."""
        targets = {k: v.model_copy(update={"noise": 0.0}) for k, v in self.cfg.targets.items()}
        return ResponseModel(self.cfg.model_copy(update={"targets": targets}), f"{self.source} (noiseless)")

    # --- the pieces -----------------------------------------------------------------------
    def _target(self, task: str) -> TargetResponse:
        if task not in self.cfg.targets:
            raise ResponseError(f"{self.source}: targets: no entry for {task!r} (add its baseline, english, "
                                f"spread, chance and noise)")
        return self.cfg.targets[task]

    def _group(self, task: str) -> str:
        base = task.split("@")[0].removesuffix("_tt")  # xnli_tt@ur behaves as its task family
        if task in self.cfg.groups:
            return self.cfg.groups[task]
        if base in self.cfg.groups:
            return self.cfg.groups[base]
        raise ResponseError(f"{self.source}: groups: no group for task {task!r}")

    def _scale(self, task: str) -> float:
        base = task.split("@")[0].removesuffix("_tt")
        scale = self.cfg.task_scale.get(task, self.cfg.task_scale.get(base, 1.0))
        if "@" in task:  # data in another language (translated): assumption 9, by its resource class
            lang = task.split("@")[1].split(",")[0]
            resource = LANGUAGES[lang].resource if lang in LANGUAGES else "low"
            scale *= self.cfg.translated_intermediate.get(resource, 1.0) if lang != "en" else 1.0
        return scale

    def single_effect(self, task: str, target: str) -> float:
        """The effect of intermediate `task` alone, fully trained at its best rate, on `target`."""
        row = self.cfg.effects.get(self._group(task))
        if row is None or self._group(target) not in row:
            raise ResponseError(f"{self.source}: effects: no effect of group {self._group(task)!r} "
                                f"on group {self._group(target)!r}")
        return row[self._group(target)] * self._scale(task)

    def mixture_effect(self, inter: Intermediate | None, target: str) -> float:
        """Assumptions 4-6: the intermediate phase's effect on `target` (before language scaling)."""
        if inter is None or not inter.probabilities:
            return 0.0
        p = inter.probabilities
        # each task's effect saturates in the examples it got: spreading a budget over several
        # helpful tasks gains more than spending it on one; a harmful task costs its share
        raw = sum(self.single_effect(t, target) * (1.0 - math.exp(-w * inter.examples / self.cfg.saturation_examples))
                  for t, w in p.items())
        group_mass: dict[str, float] = {}
        for t, w in p.items():
            group_mass[self._group(t)] = group_mass.get(self._group(t), 0.0) + w
        entropy = -sum(m * math.log(m) for m in group_mass.values() if m > 0)
        diversity = entropy / math.log(len(self.cfg.effects)) if len(self.cfg.effects) > 1 else 0.0
        dilution = 1.0 - sum(w * w for w in p.values())
        combined = raw + self.cfg.synergy * diversity - self.cfg.interference * dilution
        effect = self.cfg.cap * math.tanh(combined / self.cfg.cap)
        lr = self.cfg.learning_rate.intermediate
        distance = math.log10(inter.learning_rate / lr.optimum)
        return effect * math.exp(-distance ** 2 / (2 * lr.width ** 2))

    def metrics(self, target: str, value: float) -> dict[str, float]:
        """The rows' metrics for a primary-metric `value`: QA adds exact_match, as the real scorer does."""
        gap = self._target(target).em_gap
        return {"f1": value, "exact_match": _clip(value - gap)} if gap is not None else {}

    def model_factor(self, model: str) -> float:
        return self.cfg.models.get(model, self.cfg.models.get("default", 1.0))

    # --- scores ---------------------------------------------------------------------------
    def zero_shot(self, target: str, languages: list[str], inter: Intermediate | None, target_lr: float | None,
                  model: str, seed: int, identity: str, fraction: float = 1.0) -> dict[str, float]:
        """Per-language scores of `target` after `fraction` of its fine-tuning. `identity` (the
        trial's configuration) and `seed` seed the noise."""
        t = self._target(target)
        effect = self.mixture_effect(inter, target)
        lr_loss = 0.0
        if target_lr is not None:  # retrieval targets are not fine-tuned
            lr = self.cfg.learning_rate.target
            lr_loss = lr.penalty * math.log10(target_lr / lr.optimum) ** 2
        rng = random.Random(_seed(seed, identity, target))
        shared = rng.gauss(0.0, t.noise)
        base = self._language_baselines(target, tuple(languages))
        curve = (1 - math.exp(-self.cfg.curve_k * fraction)) / (1 - math.exp(-self.cfg.curve_k))
        factor = self.model_factor(model)
        out = {}
        for lang in languages:
            resource = LANGUAGES[lang].resource if lang in LANGUAGES else "low"
            final = base[lang] + effect * self.cfg.effect_by_resource.get(resource, 1.0) - lr_loss
            final += shared + rng.gauss(0.0, t.noise)
            final = t.chance + (final - t.chance) * factor
            out[lang] = _clip(t.chance + (final - t.chance) * curve)
        return out

    def english_dev(self, target: str, inter: Intermediate | None, target_lr: float | None, model: str,
                    seed: int, identity: str) -> float:
        """The English dev score that model selection would see."""
        return self.dev(target, ["en"], inter, target_lr, model, seed, identity)["en"]

    def dev(self, target: str, languages: list[str], inter: Intermediate | None, target_lr: float | None,
            model: str, seed: int, identity: str, fraction: float = 1.0) -> dict[str, float]:
        """Dev-set scores of `languages` (the English one selects the checkpoint; the others are
        what objectives read): the same response with its own noise draw."""
        return self.zero_shot(target, languages, inter, target_lr, model, seed, identity + "|dev", fraction)

    def intermediate_dev(self, task: str, learning_rate: float, examples: float, model: str, seed: int,
                         identity: str) -> float:
        """English dev score of an intermediate task after its training."""
        name = task if task in self.cfg.intermediate_dev else task.split("@")[0]
        top = self.cfg.intermediate_dev.get(name, self.cfg.intermediate_dev.get("default", 0.8))
        lr = self.cfg.learning_rate.intermediate
        fit = math.exp(-math.log10(learning_rate / lr.optimum) ** 2 / (2 * lr.width ** 2))
        budget = 1.0 - math.exp(-examples / self.cfg.saturation_examples)
        noise = random.Random(_seed(seed, identity, task)).gauss(0.0, 0.005)
        return _clip(top * self.model_factor(model) * (0.5 + 0.5 * fit * budget) + noise)

    def _language_baselines(self, target: str, languages: tuple[str, ...]) -> dict[str, float]:
        """Assumption 2: English at its own score, the others spread around the baseline, with
        their mean (over the languages asked) at the baseline."""
        t = self._target(target)
        offsets = {}
        for lang in languages:
            if lang == "en":
                continue
            resource = LANGUAGES[lang].resource if lang in LANGUAGES else "low"
            jitter = random.Random(_seed(0, "language", lang)).gauss(0.0, self.cfg.languages.jitter)
            offsets[lang] = t.spread * (self.cfg.languages.offset.get(resource, 0.0) + jitter)
        centre = sum(offsets.values()) / len(offsets) if offsets else 0.0
        out = {lang: t.baseline + off - centre for lang, off in offsets.items()}
        if "en" in languages:
            out["en"] = t.english
        return out


def _seed(seed: int, *parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join([str(seed), *parts]).encode()).digest()[:8], "big")


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


@cache
def _load(path: str) -> ResponseModel:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResponseError(f"{path}: surrogate response model not found") from None
    except yaml.YAMLError as err:
        raise ResponseError(f"{path}: not valid YAML: {err}") from None
    try:
        return ResponseModel(ResponseConfig.model_validate(raw), p.name)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ResponseError(f"{path}: {where}: {first['msg']}") from None
