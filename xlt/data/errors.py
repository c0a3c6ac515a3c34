"""The error bad data raises, in a module of its own so that formats can raise it too."""


class DataError(ValueError):
    """Bad data (or a model that cannot train on it): the message names the task, language, split,
    row and field, or the model."""
