"""The sweep's searcher: Optuna (with a database study whose URL never reaches a file), each
configuration run once.

`search.optuna_storage: env:NAME` keeps a database URL (a password) out of the sweep file; Ray
Tune pickles its searcher into the experiment state (`tune/tuner.pkl`, `searcher-state-*.pkl`),
and Ray's OptunaSearch pickles its storage and study with it. This subclass leaves both out of
every pickle and rebuilds them from the environment variable, in the process that uses them.
"""

import os
import warnings

import optuna
from ray.tune.search import Searcher
from ray.tune.search.optuna import OptunaSearch


def sampler_for(cfg) -> optuna.samplers.BaseSampler:
    """The Optuna sampler of `search.algorithm` (optuna-tpe, optuna-gp, mixture-gp, random), seeded."""
    search = cfg.search
    if search.algorithm == "mixture-gp":
        return mixture_gp_sampler(cfg)
    samplers = {"optuna-tpe": optuna.samplers.TPESampler, "optuna-gp": optuna.samplers.GPSampler,
                "random": optuna.samplers.RandomSampler}
    return samplers[search.algorithm](seed=search.sampler_seed)


def mixture_gp_sampler(cfg):
    """xlt.sweep.mixture_gp's sampler for the sweep's searched mixture, with the tasks' training
    sizes as its trials will count them (the cost model's hub sizes, or the local fixtures' rows)."""
    from xlt.cost_estimate import load_cost_model, train_examples
    from xlt.sweep.mixture_gp import MixtureGPSampler

    # its proposal (a GP fit, ~0.3-2 s) runs inside Tune's define-by-run call, which Tune warns about
    # after 1 s as if training ran there; it is the sampler's own work, so that warning says nothing
    warnings.filterwarnings("ignore", message="Define-by-run function passed in the `space` argument took",
                            category=UserWarning)
    search, cost = cfg.intermediate.mixture, load_cost_model()
    sizes = {t: max(1, train_examples(cfg, t, cost, cfg.intermediate.max_train_examples)) for t in search.tasks}
    return MixtureGPSampler(search.tasks, sizes, min_weight=search.min_weight, examples_cap=search.examples_cap,
                            temperature=search.temperature, seed=cfg.search.sampler_seed)


class SweepSearchError(RuntimeError):
    """The searcher cannot reach its study (an unset variable): the message says which."""


def storage_from_env(name: str) -> optuna.storages.BaseStorage:
    url = os.environ.get(name)
    if not url:
        raise SweepSearchError(f"search.optuna_storage: environment variable {name} is not set")
    return optuna.storages.RDBStorage(url)


class EnvStorageOptunaSearch(OptunaSearch):
    """OptunaSearch over a study in the database named by environment variable `storage_env`."""

    _UNPICKLED = ("_storage", "_ot_study")

    def __init__(self, *args, storage_env: str, **kwargs):
        self._storage_env = storage_env
        super().__init__(*args, storage=storage_from_env(storage_env), **kwargs)

    def __getstate__(self) -> dict:
        state = {k: (None if k in self._UNPICKLED else v) for k, v in self.__dict__.items()}
        # live Optuna trials hold their study, and so the storage: keep their ids only
        state["_ot_trials"] = {tune_id: ("optuna-trial-id", t._trial_id) for tune_id, t in self._ot_trials.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._reconnect()

    def save(self, checkpoint_path: str) -> None:
        import pickle

        with open(checkpoint_path, "wb") as out:
            pickle.dump(self.__getstate__(), out)

    def restore(self, checkpoint_path: str) -> None:
        super().restore(checkpoint_path)
        self._reconnect()

    def _reconnect(self) -> None:
        """The storage from the environment, and the study from the storage (its trials live there)."""
        if self._storage is not None:
            return
        self._storage = storage_from_env(self._storage_env)
        if self._study_name is not None and self._sampler is not None:
            self._ot_study = optuna.load_study(study_name=self._study_name, storage=self._storage, sampler=self._sampler)
        if self._ot_study is not None:
            self._ot_trials = {tune_id: optuna.trial.Trial(self._ot_study, t[1]) if isinstance(t, tuple) else t
                               for tune_id, t in self._ot_trials.items()}


class DistinctTrials(Searcher):
    """Wraps a searcher so that a configuration which already finished is not run again: its
    result is told to the searcher once more (what the searcher would have learnt) and another
    configuration is asked for, up to `retries` times (a small finite space may then repeat one:
    the phase cache makes that run cost nothing). Running duplicates are left to the cache's
    leases, which make the second wait for the first and reuse it."""

    def __init__(self, searcher: Searcher, retries: int = 20, screen=None):
        """`screen`: the sweep's xlt.sweep.screening.Screen, if its scheduler screens: a trial it
        stopped is told to the searcher at its predicted final objective, not its partial one."""
        super().__init__(metric=searcher.metric, mode=searcher.mode)
        self.searcher, self.retries, self.screen = searcher, retries, screen
        self.finished: dict[str, dict] = {}   # configuration -> its result
        self.running: dict[str, str] = {}     # trial id -> configuration
        self.alias: dict[str, str] = {}       # trial id -> the id the wrapped searcher knows it by
        self.skipped = 0

    def set_search_properties(self, metric, mode, config, **spec) -> bool:
        return self.searcher.set_search_properties(metric, mode, config, **spec)

    def suggest(self, trial_id: str):
        config = None
        for attempt in range(self.retries + 1):
            inner = trial_id if attempt == 0 else f"{trial_id}-repeat{attempt}"
            config = self.searcher.suggest(inner)
            if not isinstance(config, dict):  # None (wait) or Searcher.FINISHED
                return config
            key = _configuration(config)
            if key in self.finished and attempt < self.retries:
                self.skipped += 1
                self.searcher.on_trial_complete(inner, result=self.finished[key])
                continue
            if inner != trial_id:
                self.alias[trial_id] = inner
            self.running[trial_id] = key
            return config
        return config

    def on_trial_result(self, trial_id: str, result: dict) -> None:
        self.searcher.on_trial_result(self.alias.get(trial_id, trial_id), result)

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        if result and result.get("progress", 1.0) < 1.0:  # stopped by the scheduler
            result = self._stopped(trial_id, result)
        key = self.running.pop(trial_id, None)
        if key is not None and result and not error:
            self.finished[key] = result
        self.searcher.on_trial_complete(self.alias.pop(trial_id, trial_id), result=result, error=error)

    def _stopped(self, trial_id: str, result: dict) -> dict:
        """What the searcher is told of a trial a scheduler stopped: the screen's predicted final
        objective, or no objective (Optuna records the trial as pruned). Its running objective
        covers only the targets it ran, on another scale than a finished trial's."""
        if self.screen is not None and trial_id in self.screen.stopped:
            return {**result, self.metric: self.screen.stopped[trial_id].mean}
        return {k: v for k, v in result.items() if k != self.metric}

    def get_state(self) -> dict:
        return {"finished": dict(self.finished), "running": dict(self.running), "alias": dict(self.alias),
                "skipped": self.skipped, "retries": self.retries}

    def set_state(self, state: dict) -> None:
        self.__dict__.update(state)

    def save(self, checkpoint_path: str) -> None:
        self.searcher.save(checkpoint_path)

    def restore(self, checkpoint_path: str) -> None:
        self.searcher.restore(checkpoint_path)


def _configuration(config: dict) -> str:
    import json

    return json.dumps(config, sort_keys=True, default=repr)
