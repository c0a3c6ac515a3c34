"""The `xlt` command (`main`): the parser and dispatch (`main.py`), and the commands by what they
touch: sweeps (`sweep_commands`), reading results and the registry (`read_commands`), data and the
phase cache on storage (`storage_commands`)."""

from xlt.cli.main import _parser, main

__all__ = ["_parser", "main"]
