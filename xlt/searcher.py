"""The Optuna searcher of a sweep, with a database study whose URL never reaches a file.

`search.optuna_storage: env:NAME` keeps a database URL (a password) out of the sweep file; Ray
Tune pickles its searcher into the experiment state (`tune/tuner.pkl`, `searcher-state-*.pkl`),
and Ray's OptunaSearch pickles its storage and study with it. This subclass leaves both out of
every pickle and rebuilds them from the environment variable, in the process that uses them.
"""

import os

import optuna
from ray.tune.search.optuna import OptunaSearch


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
