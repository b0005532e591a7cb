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
    "ingest": 2,
    "risk": 2,
    "incidents": 2,
    "actors": 2,
    "evidence": 2,
    "lexicon": 2,
    "speech": 2,
    "briefs": 3,
    "cli": 4,
    "web": 4,
}
# Importable from everywhere: settings, errors, the package version, the country reference, and
# the CSV cell guard (sources, domains and interfaces all write CSV).
ANYWHERE = {"settings", "errors", "countries", "csvsafe", "__init__"}
# Domain packages that may use one another, each exemption named with its reason.
EXEMPT: dict[tuple[str, str], str] = {
    ("ingest", "risk"): "the registry of built-in import formats names each capability's loader",
    ("ingest", "incidents"): "the registry names the incident importers' loaders",
    ("ingest", "actors"): "the registry names the actor sheet's loader",
    ("actors", "risk"): "gaps set each country's coverage beside its stored risk forecast",
}


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
