"""The package's layers, kept by a test: a module imports only from its own layer or the ones
below it, and nothing below the Textual side imports Textual.

    text < disk < digest < out < config < session < tui < cli     (low to high)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "digest_tui"
LAYERS = ["text", "disk", "digest", "out", "config", "session", "tui", "cli"]
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """The layer of a digest_tui module; the package root (its version) is the lowest."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    name = "cli" if parts[1] == "__main__" else parts[1]
    return LAYERS.index(name)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from digest_tui.digest import parse` imports digest_tui.digest.parse
            found.update(f"{node.module}.{alias.name}" for alias in node.names if node.module.startswith("digest_tui") and not alias.name.startswith("__"))
    return found


def test_every_module_is_in_a_layer():
    for path in MODULES:
        layer(module_name(path))  # raises ValueError for a module outside the map


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_a_module_imports_only_from_its_layer_and_below(path: Path):
    own = layer(module_name(path))
    for imported in imports(path):
        if imported.startswith("digest_tui.") and imported.count(".") >= 1:
            target = layer(imported)
            assert target <= own, f"{module_name(path)} ({LAYERS[own]}) imports {imported} ({LAYERS[target]})"
        if own < LAYERS.index("tui"):
            assert not imported.startswith("textual"), f"{module_name(path)} imports {imported}: only the tui layer may"


def test_the_rule_catches_an_upward_import(tmp_path: Path):
    """The check itself: a digest module that reached up into the app would be found."""
    bad = tmp_path / "bad.py"
    bad.write_text("from digest_tui.tui.app import DigestApp\nimport textual\n", encoding="utf-8")
    assert {layer(name) for name in imports(bad) if name.startswith("digest_tui.")} == {LAYERS.index("tui")}
    assert "textual" in imports(bad)
