"""The task registry: register once, look up by name or alias, with 'did you mean' on a miss."""

from dataclasses import replace

from xlt.suggest import did_you_mean
from xlt.tasks.spec import TaskSpec

_TASKS: dict[str, TaskSpec] = {}
_ALIASES: dict[str, str] = {}

NO_INTERMEDIATE = "none"

# Known tasks xlt cannot run yet, with the reason (instead of "unknown task").
UNSUPPORTED: dict[str, str] = {}
"""Names of tasks xlt knows of but cannot run -> why (an error names the reason, not a typo)."""


class UnknownTaskError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def register(spec: TaskSpec, aliases: tuple[str, ...] = ()) -> TaskSpec:
    """Add a task; a name or alias already taken is a programming error."""
    for key in (spec.name, *aliases):
        if key in _TASKS or key in _ALIASES or key == NO_INTERMEDIATE:
            raise ValueError(f"task name {key!r} is already registered")
    _TASKS[spec.name] = spec
    for alias in aliases:
        _ALIASES[alias] = spec.name
    return spec


def get_task(name: str) -> TaskSpec:
    """A task by name or alias; `task@de,ur` is the task restricted to those languages."""
    if "@" in name:
        base_name, _, langs = name.partition("@")
        base = get_task(base_name)
        languages = tuple(l for l in langs.split(",") if l)
        unknown = [l for l in languages if l not in base.languages]
        if not languages or unknown:
            raise UnknownTaskError(f"unknown task {name!r}: {base.name} has no language(s) "
                                   f"{', '.join(unknown) or '(none given)'} (it has {' '.join(base.languages)})")
        train = base.train_language if base.train_language in languages else languages[0]
        return replace(base, name=name, languages=languages, train_language=train, variant_of=base.name)
    key = _ALIASES.get(name, name)
    if key in UNSUPPORTED:
        raise UnknownTaskError(f"task {name!r} is not supported: {UNSUPPORTED[key]}")
    if key not in _TASKS:
        hint = did_you_mean(name, [*_TASKS, *_ALIASES])
        raise UnknownTaskError(f"unknown task {name!r}{hint}")
    return _TASKS[key]


def all_tasks() -> list[TaskSpec]:
    return sorted(_TASKS.values(), key=lambda t: (t.role, t.name))


def task_names() -> list[str]:
    return sorted(_TASKS)
