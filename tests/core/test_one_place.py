"""Rules written once and layers that keep them so, checked on the source itself (issue 13).

No Django and no database: the modules of ``chitieu`` and ``web`` are parsed, not imported.
Each test names a defect class of issue 13 that came back in practice: an import cycle
hidden in a function, the version in force looked up by a second query, the received
state pair spelled out again (in Python or in SQL).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chitieu", "web")
# Function-local imports that are on purpose, each for a reason that is not a cycle:
# the renderers load their heavy libraries only when that format is asked for, and an
# AppConfig imports its services in ready(), when Django's app registry allows it.
LAZY = {
    ("chitieu.reports", "chitieu.reports.word"),
    ("chitieu.reports", "chitieu.reports.excel"),
    ("chitieu.reports", "chitieu.reports.pdf"),
}  # and whatever an app's apps.py imports (in AppConfig.ready: listeners of web.core.hooks)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> Iterator[tuple[str, bool]]:
    """(project module imported, inside a function?) for every import of ``module``."""

    def target(name: str) -> str | None:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST, local: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    package = package[: len(package) - child.level + 1]
                    base = ".".join([*package, base] if base else package)
                names = [f"{base}.{a.name}" for a in child.names] + [base]
            for name in names:
                found = target(name)
                if found and found != module and not module.startswith(found + "."):
                    yield found, inner
            yield from visit(child, inner)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), False)


def _app(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "web" and len(parts) > 1 else parts[0]


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of nodes that reach one another (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(graph.get(step, ()))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    local = []
    for module, path in MODULES.items():
        for target, inside in _imports(module, path):
            graph[module].add(target)
            if inside:
                local.append((module, target))
    return graph, local


def test_no_import_cycle_between_modules_nor_between_web_apps():
    """Function-local imports count: a cycle hidden inside a function is still a cycle."""
    graph, _ = _graph()
    apps: dict[str, set[str]] = {}
    for module, targets in graph.items():
        apps.setdefault(_app(module), set()).update(_app(t) for t in targets if _app(t) != _app(module))
    assert _cycles(graph) == []
    assert _cycles(apps) == []


def test_function_local_imports_are_only_the_lazy_ones_named_here():
    _, local = _graph()
    unexplained = {(m, t) for m, t in local if (m, t) not in LAZY and not m.endswith(".apps")}
    assert unexplained == set(), sorted(unexplained)


def _sources(skip: set[str]) -> Iterator[tuple[str, str]]:
    for module, path in MODULES.items():
        if module not in skip:
            yield module, path.read_text(encoding="utf-8")


def test_the_version_in_force_is_looked_up_in_one_place():
    """web.plans.selectors.plan_version_active (and active_plans for lists) only: a second lookup
    with its own ordering can pick another version than the dashboards do."""
    lookup = re.compile(r"status=(VersionStatus\.ACTIVE|\"active\")\)(\.order_by\([^)]*\))?\.first\(\)")
    found = [m for m, text in _sources({"web.plans.selectors"}) if lookup.search(text)]
    assert found == []


def test_the_received_states_are_named_once():
    """{submitted, approved} is chitieu.approval.RECEIVED_STATES; no copy in Python or in SQL."""
    pair = re.compile(
        r"""["']submitted["']\s*,\s*["']approved["']|["']approved["']\s*,\s*["']submitted["']"""
        r"|State\.SUBMITTED(\.value)?\s*,\s*State\.APPROVED"
    )
    found = [m for m, text in _sources({"chitieu.approval"}) if pair.search(text)]
    assert found == []


def test_one_folding_of_vietnamese_text():
    """Five copies of "no tone marks, đ→d, lower case" had grown (names, observations, the
    reorganisation reader, reminders, export codes), one of them missing "Ð" (U+00D0): now one."""
    folding = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "chitieu").rglob("*.py")
        if "unicodedata.combining" in path.read_text(encoding="utf-8")
        or '!= "Mn"' in path.read_text(encoding="utf-8")
    ]
    assert folding == ["chitieu/names.py"]
