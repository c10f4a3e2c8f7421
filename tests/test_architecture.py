"""The optimizer's structure: no import cycles, no imports inside functions, one way to
HiGHS, one definition of the labour rules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("optimizer", "scenarios", "sim", "reports")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules a file imports at its top level (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_no_import_cycles_in_the_project() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    # A package's __init__ re-exporting its submodules is not a cycle of the code itself.
    for name in list(graph):
        graph[name] = {
            m for m in graph[name] if not (modules[m].name == "__init__.py" and name.startswith(m))
        }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_optimizer_imports_nothing_inside_functions() -> None:
    for path in (ROOT / "optimizer").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, f"{path.name}: {node.name} imports inside a function"


def test_one_route_to_highs() -> None:
    """Only optimizer/solver.py talks to HiGHS (through Pyomo); every model is solved there."""
    for path in [*list((ROOT / "optimizer").rglob("*.py")), ROOT / "run_sim.py"]:
        text = path.read_text(encoding="utf-8")
        if path.name == "solver.py":
            assert "pyomo.contrib.solver" in text
            continue
        for needle in ("highspy", "pyomo.contrib.solver", "SolverFactory", "scipy.optimize"):
            assert needle not in text, f"{path.relative_to(ROOT)} reaches a solver: {needle}"


def test_labour_rules_are_checked_in_one_place() -> None:
    """The rule checker lives in scenarios/labor.py; the simulation's burnout report and the
    optimizer's check call it rather than checking rules of their own."""
    labor = (ROOT / "scenarios" / "labor.py").read_text(encoding="utf-8")
    assert "def check_shifts" in labor
    for user in (ROOT / "sim" / "workforce.py", ROOT / "optimizer" / "plan.py"):
        text = user.read_text(encoding="utf-8")
        assert "check_shifts(" in text
        assert "min_rest_hours" not in text, f"{user.name} checks rest itself"
        assert "max_consecutive_days" not in text, f"{user.name} checks runs itself"
