"""The one line a command prints for bad input."""

import sys


def usage_error(msg: str) -> int:
    """Print `xlt: error: MSG` to stderr; the exit code for bad input (2)."""
    print(f"xlt: error: {msg}", file=sys.stderr)
    return 2
