"""Task registry. Importing this package registers every task of `catalog`."""

from xlt.tasks import catalog  # noqa: F401  (registers the tasks)
from xlt.tasks.registry import NO_INTERMEDIATE, UnknownTaskError, all_tasks, get_task, task_names
from xlt.tasks.spec import HubSource, TaskSpec

__all__ = [
    "NO_INTERMEDIATE", "HubSource", "TaskSpec", "UnknownTaskError", "all_tasks", "get_task",
    "task_names",
]
