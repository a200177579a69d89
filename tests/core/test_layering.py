"""The apps stand in a written order and import only downwards, inside functions too; no two modules import each
other.

What a lower app needs from an upper one is registered by the upper app when it starts (tenant set-up steps,
plan-limit counters, the discard of withheld milk, the farm page's sections, the reports list), as outbox handlers
are.
"""

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

# Lowest first. An app may import the apps before it, never one after it.
APP_ORDER = ["core", "audit", "notify", "accounts", "farms", "herd", "finance", "stock", "health", "milk", "breeding",
             "deliveries", "feeding", "phone", "billing", "insights", "api", "demo"]


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "apps" and len(parts) > 1 else None


def test_every_app_has_its_floor():
    apps = {path.name for path in ROOT.joinpath("apps").iterdir() if path.joinpath("apps.py").exists()}
    assert apps == set(APP_ORDER)


def test_apps_import_only_downwards():
    floor = {app: n for n, app in enumerate(APP_ORDER)}
    upward = sorted(
        f"{name} imports {target}"
        for name, imports in GRAPH.items()
        if (app := _app(name)) is not None
        for target in imports
        if (other := _app(target)) is not None and other != app and floor[other] > floor[app]
    )
    assert not upward


def test_no_two_apps_import_each_other():
    edges = {(_app(name), _app(target)) for name, imports in GRAPH.items() for target in imports
             if _app(name) and _app(target) and _app(name) != _app(target)}
    assert not {tuple(sorted(pair)) for pair in edges if pair[::-1] in edges}


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
