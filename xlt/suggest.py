"""'Did you mean' hints for unknown names (tasks, models, config keys)."""

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest option, or '' when none is close."""
    matches = difflib.get_close_matches(str(name), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
