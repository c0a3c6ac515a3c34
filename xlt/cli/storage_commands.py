"""`xlt data check | prepare` and `xlt cache ls | gc`: a sweep's data and the phase cache on storage."""

import sys

from xlt.cli.errors import usage_error
from xlt.config import ConfigError, load_sweep


def data_check(args) -> int:
    from xlt.data.check import check_sweep, format_checks

    try:
        cfg = load_sweep(args.file, args.overrides)
    except ConfigError as err:
        return usage_error(str(err))
    checks = check_sweep(cfg)
    print(format_checks(checks))
    return 2 if any(c.problems for c in checks) else 0


def data_prepare(args) -> int:
    from xlt.data.check import check_sweep, format_checks
    from xlt.data.loading import DataError
    from xlt.revisions import RevisionError, resolve

    try:
        cfg = load_sweep(args.file, args.overrides)
        revisions = resolve(cfg)
    except (ConfigError, RevisionError) as err:
        return usage_error(str(err))
    checks = check_sweep(cfg, revisions)
    if any(c.problems for c in checks):
        print(format_checks(checks), file=sys.stderr)
        return usage_error("the sweep's data has problems (above): nothing was prepared")
    from xlt.data.prepare import prepare

    try:
        prepare(cfg, revisions)
    except (DataError, ValueError) as err:
        return usage_error(str(err))
    return 0


def cache_ls(args) -> int:
    from xlt.cache.inventory import format_entries, inventory

    print(format_entries(inventory(args.storage)))
    return 0


def cache_gc(args) -> int:
    from xlt.cache.inventory import collect, format_entries

    garbage = collect(args.storage, args.min_age_hours, delete=args.yes)
    if not garbage:
        print("nothing to remove: every entry is used by some sweep's results (or younger than "
              f"{args.min_age_hours:g} h)")
        return 0
    print(format_entries(garbage))
    print("removed" if args.yes else "would remove these (pass --yes to delete them)")
    return 0
