"""The ground floor stays the ground floor: core imports no other app, and no two modules import each other."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules():
    for path in [*ROOT.joinpath("apps").rglob("*.py"), *ROOT.joinpath("tasks").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def _imports(name: str, path: Path) -> set[str]:
    found = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {item for item in found if item.startswith(("apps.", "tasks"))}


GRAPH = {name: _imports(name, path) for name, path in _modules()}


def test_core_imports_no_other_app():
    offenders = {
        name: sorted(i for i in imports if not i.startswith("apps.core"))
        for name, imports in GRAPH.items()
        if name.startswith("apps.core")
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_no_two_modules_import_each_other():
    pairs = {
        tuple(sorted((a, b)))
        for a, imports in GRAPH.items()
        for b in imports
        if b in GRAPH and b != a and a in GRAPH[b]
    }
    assert not pairs
