"""The package's boundaries, checked on every run (docs/architecture.md draws them; CONTRIBUTING.md says where
a new piece goes).

Imports go down only: faces -> wiring -> area services -> rules and signing -> wire and store -> core. A face
is `app`, `cli`, `http/`, `api/`, `ui/`, or an area's `api`, `cli`, `endpoint` or `pages`. Besides:
- only `store/` speaks SQL (SQLAlchemy or sqlite3), and `store/` imports nothing of the package but `core`;
- `rules/` imports neither lxml, the store, HTTP frameworks, nor any `wire` module but the lxml-free `wire.paths`;
- area services never import Starlette, Flask, werkzeug, connexion or uvicorn;
- no import cycles between modules;
- no imports inside functions, except of optional heavy dependencies (OPTIONAL_IMPORTS).

import-linter states layers over package trees, but here one area package holds both its service and its faces,
which sit on different layers; a small AST scan says the rules directly and names the line that breaks one.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import mock_kanta

PACKAGE = Path(mock_kanta.__file__).resolve().parent
ROOT = "mock_kanta"

CORE, LOW, MIDDLE, AREA, WIRING, FACE = range(6)
LAYER_NAMES = {CORE: "core", LOW: "wire/store", MIDDLE: "rules/signing", AREA: "area service", WIRING: "wiring",
               FACE: "face"}
TOP = {"core": CORE, "settings": CORE, "builtin": CORE, "wire": LOW, "store": LOW, "rules": MIDDLE, "signing": MIDDLE,
       "wiring": WIRING, "app": FACE, "cli": FACE, "http": FACE, "api": FACE, "ui": FACE, "testing": FACE}
AREAS = {"archive", "read", "registers", "clock", "audit", "traffic", "omakanta", "archivist", "tenants", "rehearsal",
         "scenario", "client", "seeding", "cards", "reports", "access", "jobs", "faults"}
FACE_MODULES = {"api", "cli", "endpoint", "pages"}
WEB_FRAMEWORKS = {"starlette", "flask", "werkzeug", "connexion", "uvicorn"}
SQL = {"sqlalchemy", "sqlite3"}
RULES_MAY_IMPORT = ("mock_kanta.core", "mock_kanta.rules", "mock_kanta.wire.paths")
OPTIONAL_IMPORTS: set[str] = set()  # heavy optional dependencies that may be imported inside a function

# Violations the layout still carries, each to be removed (the test fails on any other, and on an entry
# that no longer occurs, so this list only shrinks).
KNOWN: set[str] = set()


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a module of the package, or a top-level external package name
    line: int
    nested: bool  # inside a function

    @property
    def internal(self) -> bool:
        return self.target == ROOT or self.target.startswith(ROOT + ".")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imports_of(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                    for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "__future__":
                continue
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            internal = target == ROOT or target.startswith(ROOT + ".")
            found.append(Import(name, target if internal else target.split(".")[0], node.lineno, id(node) in nested_nodes))
    return found


IMPORTS = [i for name, path in MODULES.items() for i in imports_of(name, path)]


def layer(module: str) -> int:
    parts = module.split(".")[1:]
    if not parts:
        return CORE  # mock_kanta/__init__.py: the version only
    top = parts[0]
    if top in AREAS:
        return FACE if len(parts) > 1 and parts[1] in FACE_MODULES else AREA
    return TOP[top]


def area_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def where(i: Import) -> str:
    """The violation's key (no line number: KNOWN survives edits above it); `lines()` finds the lines."""
    return f"{i.importer} imports {i.target}"


def lines(key: str) -> str:
    importer, _, target = key.partition(" imports ")
    found = sorted({i.line for i in IMPORTS if i.importer == importer and i.target == target.split(" (")[0]})
    return f"{key}  [line {', '.join(map(str, found))}]" if found else key


def violations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"layers": [], "store": [], "rules": [], "services": [], "sql": [], "nested": [],
                                   "cycles": []}
    for i in IMPORTS:
        top = area_of(i.importer)
        if i.internal and layer(i.target) > layer(i.importer):
            found["layers"].append(f"{where(i)} ({LAYER_NAMES[layer(i.importer)]} -> {LAYER_NAMES[layer(i.target)]})")
        if top == "store" and i.internal and area_of(i.target) not in ("store", "core"):
            found["store"].append(where(i))
        if top == "rules" and ((i.internal and not i.target.startswith(RULES_MAY_IMPORT))
                               or i.target in {"lxml", *SQL, *WEB_FRAMEWORKS, "httpx"}):
            found["rules"].append(where(i))
        if layer(i.importer) == AREA and i.target in WEB_FRAMEWORKS:
            found["services"].append(where(i))
        if top != "store" and i.target in SQL:
            found["sql"].append(where(i))
        if i.nested and i.target not in OPTIONAL_IMPORTS:
            found["nested"].append(where(i))
    found["cycles"] = [" -> ".join(cycle) for cycle in cycles()]
    return found


def cycles() -> list[list[str]]:
    """Each strongly connected set of modules (more than one) over module-level imports, as a sorted list."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        if i.internal and not i.nested and i.target in graph and i.target != i.importer:
            graph[i.importer].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(found)


FOUND = violations()


def _check(kind: str) -> None:
    known = {v for v in KNOWN if v.startswith(kind + ": ")}
    current = {f"{kind}: {v}" for v in FOUND[kind]}
    new, gone = sorted(current - known), sorted(known - current)
    assert not new, f"{kind} boundary broken:\n  " + "\n  ".join(lines(v) for v in new)
    assert not gone, "fixed, so remove from KNOWN in tests/unit/test_boundaries.py:\n  " + "\n  ".join(gone)


def test_imports_go_down_the_layers():
    _check("layers")


def test_the_store_imports_only_core():
    _check("store")


def test_rules_see_parsed_objects_only():
    _check("rules")


def test_area_services_know_no_web_framework():
    _check("services")


def test_only_the_store_speaks_sql():
    _check("sql")


def test_no_imports_inside_functions():
    _check("nested")


def test_no_import_cycles():
    _check("cycles")


def test_the_scan_sees_the_package():
    assert len(MODULES) > 100 and len(IMPORTS) > 500
    assert layer("mock_kanta.omakanta.pages") == FACE and layer("mock_kanta.omakanta.service") == AREA
    assert layer("mock_kanta.traffic.pages.flow") == FACE and layer("mock_kanta.core.model") == CORE
    assert all(area_of(m) in {*TOP, *AREAS, ""} for m in MODULES), "a new top-level package needs a layer here"


if __name__ == "__main__":  # python tests/unit/test_boundaries.py: every violation, for a clean-up
    for kind, items in FOUND.items():
        for item in items:
            print(f"{kind}: {item}")
