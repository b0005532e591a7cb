"""The layer rule (docs/architecture.md): a module imports only from layers above it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "prevention_lens"

# Lower number = higher layer. A module may import from its own layer or a higher one.
LAYERS = {
    "sources": 0,
    "store": 1,
    "accounts": 2,
    "risk": 2,
    "incidents": 2,
    "actors": 2,
    "whatworks": 2,
    "lexicon": 2,
    "speech": 2,
    "ingest": 3,
    "briefs": 3,
    "cli": 4,
    "web": 4,
}
# Importable from everywhere: settings, errors, the package version, the country reference, the
# prevention spectrum (actors and the evidence library classify activity on it), and the CSV
# cell guard (sources, domains and interfaces all write CSV); the shared embedding model and
# surge test (decision 0005).
ANYWHERE = {
    "settings",
    "errors",
    "countries",
    "spectrum",
    "embedding",
    "surges",
    "csvsafe",
    "yamlfile",
    "__init__",
}
# Packages of one layer that may use one another, each exemption named with its reason (the
# application layer, ingest/ and briefs/, composes domains and needs none).
EXEMPT: dict[tuple[str, str], str] = {}


def _area(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "prevention_lens":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_modules_import_only_from_layers_above() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py")
        if own in ANYWHERE or own not in LAYERS:
            continue
        for module in _imports(path):
            target = _area(module)
            if target is None or target in ANYWHERE or target == own:
                continue
            if target not in LAYERS:
                violations.append(f"{relative}: imports unknown area {module}")
            elif LAYERS[target] > LAYERS[own] or (
                LAYERS[target] == LAYERS[own] and (own, target) not in EXEMPT
            ):
                violations.append(f"{relative}: {own} must not import {module}")
    assert violations == []


def _package_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in it, lazily or not)."""
    root = PACKAGE / package
    names = {path.stem for path in root.glob("*.py") if path.stem != "__init__"}
    prefix = f"prevention_lens.{package}."
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((root / f"{name}.py").read_text())
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith(prefix):
                    targets.add(node.module.removeprefix(prefix).split(".")[0])
                elif node.module == f"prevention_lens.{package}":
                    targets.update(alias.name for alias in node.names if alias.name in names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(prefix):
                        targets.add(alias.name.removeprefix(prefix).split(".")[0])
        graph[name] = targets & names - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_application_packages_have_no_import_cycle() -> None:
    # The registry used to import the built-in formats, which import the loaders, which looked
    # their own format up in the registry: a cycle that only lazy imports kept working.
    for package in ("ingest", "briefs"):
        if (PACKAGE / package).is_dir():
            assert _cycle(_package_graph(package)) is None, package


def test_every_area_is_in_the_layer_table() -> None:
    areas = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    areas |= {p.stem for p in PACKAGE.glob("*.py")}
    unknown = areas - set(LAYERS) - ANYWHERE - {"data", "py"}
    assert unknown == set(), f"add {unknown} to LAYERS in tests/test_layers.py"


def test_reference_modules_stay_free_of_lower_layers() -> None:
    for name in ("settings", "errors", "countries"):
        for module in _imports(PACKAGE / f"{name}.py"):
            target = _area(module)
            assert target in (None, "settings", "errors"), f"{name}.py imports {module}"
