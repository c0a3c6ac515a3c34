"""The sweep file, validated once at the edge.

`load_sweep(path, overrides)` returns a `SweepConfig` or raises `ConfigError` whose message names
the file and the key path (`demo.yaml: intermediate.tasks.choice[2]: unknown task 'mnlii' (did you
mean 'mnli'?)`). Nothing here starts Ray or touches the disk beyond reading the file.

`domains` holds the search-space domains, `sections` the file's models, `research` a research
sweep's own sections (language groups, study, robustness) and their checks, `load` the loading and
the checks across fields; this package's names are the ones the rest of xlt uses.
"""

from xlt.config.domains import DOMAINS, Choice, ConfigError, LogUniform, Uniform, is_domain
from xlt.config.load import load_sweep, parse_sweep, resolved_paths
from xlt.config.sections import SearchConfig, SweepConfig

__all__ = ["DOMAINS", "Choice", "ConfigError", "LogUniform", "SearchConfig", "SweepConfig", "Uniform", "is_domain",
           "load_sweep", "parse_sweep", "resolved_paths"]
