"""The house's rules, checked on the source: no import cycle, no module too long to hold in one's head.

Imports inside functions count too: a local import that dodges a cycle at start still ties the two modules
together, and the next change to either has to know about the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bulletin"
MAX_MODULE_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str) -> str:
    """The module of ours an import names: ``from bulletin.search import index`` names bulletin.search.index,
    ``from bulletin.search import SearchIndex`` names the package."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imported_names(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    named = [f"{source}.{alias.name}" for alias in node.names]
    return [name if name in MODULES else source for name in named]


def _walk(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        yield node
        yield from _walk(node)


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _walk(tree):
            for name in _imported_names(node, module, path.name == "__init__.py"):
                if name == "bulletin" or name.startswith("bulletin."):
                    target = _known(name)
                    if target != module:
                        graph[module].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that starts and ends on the same module, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[module] = "done"
        path.pop()
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_passes_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_sees_local_and_relative_imports():
    graph = import_graph()
    assert "bulletin.settings" in graph["bulletin"]  # at the top of bulletin/__init__.py
    assert "bulletin.web" in graph["bulletin"]  # inside create_app
    assert "bulletin.settings" in graph["bulletin.passwords"]  # "from bulletin import settings"


def test_no_import_cycle_in_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_the_limit(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines; split it by topic"


# What each layer may not import: dependencies point down, from the web to the rules to the data.
FORBIDDEN_IMPORTS = {
    "bulletin.services": ("bulletin.blueprints", "bulletin.commands", "bulletin.notifications.desk"),
    "bulletin.models": ("bulletin.blueprints", "bulletin.commands", "bulletin.services", "bulletin.search"),
    "bulletin.notifications": ("bulletin.blueprints", "bulletin.commands"),
    "bulletin.search": ("bulletin.blueprints", "bulletin.commands", "bulletin.notifications"),
    "bulletin.printing": ("bulletin.blueprints", "bulletin.commands"),
    "bulletin.forms": ("bulletin.blueprints", "bulletin.commands"),
}


def test_layers_import_only_downwards():
    graph = import_graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        for layer, forbidden in FORBIDDEN_IMPORTS.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target == name or target.startswith(name + ".") for name in forbidden)
    ]
    assert wrong == []
