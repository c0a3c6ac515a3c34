"""The package's shape, held by tests: no import cycle, and Ray only at the edges.

Imports are read from the source (`ast`), lazy ones inside functions included: a cycle hidden in a
function body is still a cycle a reader has to untangle."""

import ast
from pathlib import Path

XLT = Path(__file__).resolve().parent.parent / "xlt"

# Ray's edge is one package: the sweep driver, its search space, progress and searcher (Tune
# callbacks), the Ray Train worker edge, the lease actor, the embedded local Ray, and jobs.
RAY_EDGE = "xlt.sweep"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in XLT.rglob("*.py"):
        parts = path.relative_to(XLT.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """The xlt modules (and the external top-level packages, prefixed `ext:`) `name` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def owner(dotted: str) -> str:
        while dotted and dotted not in mods:
            dotted = dotted.rpartition(".")[0]
        return dotted

    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "xlt":
                out.add(owner(target))
            else:
                out.add(f"ext:{target.split('.')[0]}")
    out.discard(name)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, mods) for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(m for m in graph[root] if m in graph)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(m for m in graph[child] if m in graph))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_has_no_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_ray_is_imported_only_at_the_edges():
    importers = {name for name, deps in _graph().items() if "ext:ray" in deps}
    outside = sorted(n for n in importers if not n.startswith(f"{RAY_EDGE}."))
    assert not outside, f"Ray imported outside {RAY_EDGE}: {outside}"
    assert "xlt.sweep.run" in importers and "xlt.sweep.worker" in importers  # the walk does see imports


def test_the_training_loop_and_the_trial_are_plain_torch():
    """Nothing in a trial, the cache, the data or the results reaches the Ray edge, even through
    another module: they run (and are tested) without Ray."""
    graph = _graph()
    plain = [n for n in graph if n.split(".")[1:2] and n.split(".")[1] in
             {"trial", "cache", "results", "data", "formats", "models", "metrics", "surrogate", "report"}]
    assert "xlt.trial.units" in plain and "xlt.surrogate.backend" in plain
    for name in plain:
        reach, todo = set(), [name]
        while todo:  # everything it imports, transitively
            for dep in graph[todo.pop()]:
                if dep in graph and dep not in reach:
                    reach.add(dep)
                    todo.append(dep)
        assert not {d for d in reach if d.startswith(f"{RAY_EDGE}.")}, name


def test_the_module_map_names_every_module():
    """docs/architecture.md's map lists every top-level module and package, so it cannot drift."""
    text = (XLT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = {f"`xlt/{p.name}`" for p in XLT.glob("*.py") if p.name != "__init__.py"}
    names |= {f"`xlt/{p.name}/`" for p in XLT.iterdir() if (p / "__init__.py").is_file()}
    assert not {n for n in names if n not in text}, sorted(n for n in names if n not in text)
