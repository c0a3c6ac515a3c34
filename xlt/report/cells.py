"""How the report writes a number into a table cell (Markdown and terminal alike)."""


def number(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


def cell(text: str) -> str:
    """Text for a Markdown table cell: a configuration label such as `tiny-mt5 | mnli` keeps its
    pipe instead of splitting the row."""
    return str(text).replace("|", "\\|")


def stat(s) -> str:
    """A mean over seeds with its 95% interval and the number of seeds."""
    return f"{s.mean:.2f} ± {s.ci95:.2f} (n={s.n})" if s.n > 1 else f"{s.mean:.2f}"


def diff(s) -> str:
    """A paired difference over seeds; `-` where there was none."""
    if s is None:
        return "-"
    return f"{s.mean:+.2f} ± {s.ci95:.2f} (n={s.n})" if s.n > 1 else f"{s.mean:+.2f} (n=1: no interval)"
