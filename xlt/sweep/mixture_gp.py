"""`search.algorithm: mixture-gp`: Bayesian optimisation of an intermediate mixture in the space
the trial actually trains in, its sampling proportions.

A searched mixture is drawn as one weight per task in [0, 1] and a temperature; what a trial trains
on is p_i ∝ w_i · n_i^(1/T) (xlt.mixtures), with tasks under `min_weight` dropped. Many weight
vectors give one mixture (any rescaling), and temperature and weights trade off against each
other, so a sampler that models the raw weights (TPE, Optuna's GP) spreads its trials over
directions that change nothing. This sampler models the objective as a function of p, the point on
the simplex, which is the design space of mixture experiments (Scheffé 1958; Cornell,
"Experiments with Mixtures"):

1. a simplex design first: the centroid (every task in equal proportion), then each task alone
   (the simplex's vertices), in a seeded order, less the points the study already holds (a warm
   start from single-task sweeps holds the vertices: xlt.sweep.warm_start), until the study holds
   k + 1 distinct mixtures (a warm start from a mixture sweep may hold more): up to k + 1 trials
   for k tasks, which measure every task's own effect and one mixture of all (measured against
   leave-one-out mixtures around the centroid, which saw only small departures from it, and
   against the centroid alone: the vertices were the one design within half the grid's trials on
   two of three response models);
2. then a Gaussian process on p (scikit-learn: a linear kernel, Scheffé's linear blending, plus
   Matérn 5/2 for departures from it, plus a white-noise term for seed noise; hyperparameters by
   marginal likelihood) and expected improvement over candidate mixtures:
   every equal-proportion subset, random and sparse random mixtures, and perturbations of the best
   trials so far. Trials still running count at their predicted mean (the "kriging believer"), so
   concurrent trials spread out.

Each candidate's p is computed by xlt's own mixture code from the weights and temperature the trial
will be given, so the model sees exactly what trains. Other searched parameters (learning rates,
seeds of a grid, models) are sampled by TPE, independently, and are noise to the GP; use it when the
mixture is the question. Measured against the grid, TPE and Optuna's GP on three response models in
BENCHMARKS.md ("mixture-gp against the grid").
"""

import itertools
import math
import random
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from xlt.config.domains import is_domain
from xlt.mixtures import Mixture, from_search

WEIGHT = "mixture_weight_"
TEMPERATURE = "mixture_temperature"


class MixtureGPSampler(BaseSampler):
    """Optuna sampler for `mixture_weight_<task>` (and a searched `mixture_temperature`); every
    other parameter goes to a seeded TPE sampler."""

    def __init__(self, tasks: Sequence[str], sizes: Mapping[str, int], *, min_weight: float,
                 examples_cap: int | None, temperature: Any, seed: int = 0, candidates: int = 2000):
        """`temperature`: None (weights only), a number (fixed), or the sweep's domain
        (xlt.config.domains LogUniform / Uniform / Choice), as the mixture search declares it."""
        self.tasks, self.sizes = list(tasks), dict(sizes)
        self.min_weight, self.examples_cap, self.temperature = min_weight, examples_cap, temperature
        self.seed, self.candidates = seed, candidates
        self._fallback = optuna.samplers.TPESampler(seed=seed)
        self._proposals: dict[int, dict[str, Any]] = {}

    # --- Optuna's sampler interface ---------------------------------------------------------------
    def infer_relative_search_space(self, study, trial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        return {}

    def sample_independent(self, study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution):
        if not (param_name.startswith(WEIGHT) or param_name == TEMPERATURE):
            return self._fallback.sample_independent(study, trial, param_name, param_distribution)
        if trial.number not in self._proposals:
            self._proposals[trial.number] = self.propose(study, trial)
        return self._proposals[trial.number][param_name]

    def after_trial(self, study, trial, state, values) -> None:
        self._proposals.pop(trial.number, None)

    def reseed_rng(self) -> None:
        self._fallback.reseed_rng()

    # --- the mixture a trial trains on --------------------------------------------------------------
    def proportions(self, params: Mapping[str, Any]) -> np.ndarray:
        """p over `tasks` (0 for a task the trial drops), from its weights and temperature."""
        raw = {t: float(params[WEIGHT + t]) for t in self.tasks}
        temperature = params.get(TEMPERATURE, self._fixed_temperature())
        mixture = from_search(self.tasks, raw, float(temperature) if temperature is not None else None,
                              self.min_weight, self.examples_cap)
        p = mixture.probabilities(self.sizes)
        return np.array([p.get(t, 0.0) for t in self.tasks])

    def _fixed_temperature(self) -> float | None:
        return None if self._searched_temperature() else self.temperature

    def _searched_temperature(self) -> bool:
        return is_domain(self.temperature)

    def _draw_temperature(self, rng: random.Random) -> float | None:
        return self.temperature.sample(rng) if self._searched_temperature() else self.temperature

    def _temperature_bounds(self) -> tuple[float, float] | None:
        if not self._searched_temperature():
            return None
        ends = self.temperature.values()  # a range's ends, or a choice's values
        return min(ends), max(ends)

    def aim(self, target: Mapping[str, float], temperature: float | None) -> dict[str, Any]:
        """Weights (and temperature) whose mixture is `target` (task -> proportion), where the
        weight range allows: w_i ∝ p_i / n_i^(1/T), the largest set to 1."""
        if temperature is None:
            raw = {t: target.get(t, 0.0) for t in self.tasks}
        else:
            raw = {t: target.get(t, 0.0) / self._size(t) ** (1.0 / temperature) for t in self.tasks}
        top = max(raw.values())
        params = {WEIGHT + t: raw[t] / top for t in self.tasks}
        if self._searched_temperature():
            params[TEMPERATURE] = temperature
        return params

    def _size(self, task: str) -> int:
        return Mixture(tuple(self.tasks), examples_cap=self.examples_cap).capped(self.sizes[task])

    # --- proposals ----------------------------------------------------------------------------------
    def design(self) -> list[dict[str, Any]]:
        """The simplex design: the centroid, then each task alone (the simplex's vertices), in a
        seeded order.
        Aimed at the temperature domain's top, where the weights that give equal proportions are
        most alike (so none falls under min_weight)."""
        bounds = self._temperature_bounds()
        temperature = bounds[1] if bounds else self._fixed_temperature()
        order = list(self.tasks)
        random.Random(self.seed).shuffle(order)
        points = [self.aim({t: 1.0 for t in self.tasks}, temperature)]
        return points + [self.aim({t: 1.0}, temperature) for t in order]

    def propose(self, study, trial: FrozenTrial) -> dict[str, Any]:
        before = [t for t in study.get_trials(deepcopy=False) if t.number < trial.number]
        design = self.design()
        ran = [self.proportions(t.params) for t in before if self._has_mixture(t)]
        # the design's next point not yet run, until the study holds as many distinct mixtures as the design
        # has points (a warm start may hold some of its points, or repeats of one, or many mixtures of its own)
        if len({tuple(np.round(p, 3)) for p in ran}) < len(design):
            for point in design:
                if all(np.abs(self.proportions(point) - p).sum() > 1e-3 for p in ran):
                    return point
        # an infinite value (told, or warm-started) would leave the GP nothing to standardise by
        observed = [t for t in before if t.state == TrialState.COMPLETE and t.values and np.isfinite(t.values[0])
                    and self._has_mixture(t)]
        if len(observed) < 2:
            return design[len(before) % len(design)]
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
        X = np.array([self.proportions(t.params) for t in observed])
        y = sign * np.array([t.values[0] for t in observed])
        pending = [t for t in before if t.state == TrialState.RUNNING and self._has_mixture(t)]
        rng = random.Random(f"{self.seed}|{trial.number}")
        ranked = [t.params for _, t in sorted(zip(-y, observed), key=lambda v: v[0])]
        candidates = self._candidates(rng, ranked[:5])
        features = np.array([self.proportions(c) for c in candidates])
        taken = np.array([self.proportions(t.params) for t in pending]).reshape(-1, len(self.tasks))
        scores = expected_improvement(X, y, features, list(taken), self.seed)
        # a mixture already run (or running) is not proposed again: seed noise is the searcher's
        # to average over replicates (search.replicates), not a reason to spend a trial
        seen = np.vstack([X, taken])
        fresh = np.min(np.abs(features[:, None, :] - seen[None, :, :]).sum(axis=2), axis=1) > 1e-3
        if fresh.any():
            scores = np.where(fresh, scores, -np.inf)
        return candidates[int(np.argmax(scores))]

    def _has_mixture(self, trial: FrozenTrial) -> bool:
        return all(WEIGHT + t in trial.params for t in self.tasks)

    def _candidates(self, rng: random.Random, best: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Equal-proportion subsets, random and sparse random weights, and perturbations of the
        best trials so far."""
        k, out = len(self.tasks), []
        subsets = (itertools.product((0, 1), repeat=k) if k <= 12
                   else ([rng.random() < 0.5 for _ in range(k)] for _ in range(self.candidates)))
        for mask in subsets:
            if any(mask):
                out.append(self.aim({t: 1.0 for t, m in zip(self.tasks, mask) if m}, self._draw_temperature(rng)))
        for _ in range(self.candidates // 2):
            out.append(self._params({t: rng.random() for t in self.tasks}, rng))
            chosen = rng.sample(self.tasks, rng.randint(1, k))
            out.append(self._params({t: (rng.expovariate(1.0) if t in chosen else 0.0) for t in self.tasks}, rng))
        for params in best:
            for _ in range(self.candidates // (2 * max(1, len(best)))):
                w = {t: float(params[WEIGHT + t]) * math.exp(rng.gauss(0.0, 0.5)) for t in self.tasks}
                if rng.random() < 0.2:
                    w[rng.choice(self.tasks)] = 0.0
                if rng.random() < 0.2:
                    w[rng.choice(self.tasks)] = rng.random()
                temperature = params.get(TEMPERATURE)
                if temperature is not None and self._searched_temperature() and not hasattr(self.temperature, "choice"):
                    low, high = self._temperature_bounds()
                    temperature = min(high, max(low, float(temperature) * math.exp(rng.gauss(0.0, 0.3))))
                out.append(self._params(w, rng, temperature))
        return out

    def _params(self, weights: Mapping[str, float], rng: random.Random, temperature: float | None = None) -> dict[str, Any]:
        if not any(v > 0 for v in weights.values()):
            weights = {**weights, rng.choice(self.tasks): 1.0}
        top = max(weights.values())
        params: dict[str, Any] = {WEIGHT + t: min(1.0, weights[t] / top) for t in self.tasks}
        if self._searched_temperature():
            params[TEMPERATURE] = temperature if temperature is not None else self._draw_temperature(rng)
        return params


def expected_improvement(X: np.ndarray, y: np.ndarray, candidates: np.ndarray, pending: list[np.ndarray],
                         seed: int) -> np.ndarray:
    """Expected improvement (maximising y) of each candidate under a GP fitted to (X, y), with the
    pending points added at their predicted mean. The improvement is over the best predicted mean
    at an observed point (observations are noisy), with the latent function's spread (not the noise)."""
    from scipy.stats import norm
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, DotProduct, Matern, WhiteKernel

    # Scheffé's linear blending (a linear kernel on p: each task's effect in proportion to its share)
    # plus a smooth departure from it (Matérn), plus seed noise
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * DotProduct(sigma_0=0.0, sigma_0_bounds="fixed")
              + ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=0.5, length_scale_bounds=(0.05, 20.0), nu=2.5)
              + WhiteKernel(0.1, (1e-6, 1.0)))
    scale = float(np.std(y)) or 1.0
    z_y = (y - float(np.mean(y))) / scale  # standardised here, so the noise term is in the same units
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp = GaussianProcessRegressor(kernel, n_restarts_optimizer=2, random_state=seed).fit(X, z_y)
        if pending:
            P = np.array(pending)
            gp = GaussianProcessRegressor(gp.kernel_, optimizer=None).fit(np.vstack([X, P]),
                                                                          np.concatenate([z_y, gp.predict(P)]))
    mean, std = gp.predict(candidates, return_std=True)
    latent = np.sqrt(np.maximum(std ** 2 - gp.kernel_.k2.noise_level, 1e-12))
    best = float(np.max(gp.predict(X)))
    z = (mean - best) / latent
    return (mean - best) * norm.cdf(z) + latent * norm.pdf(z)
