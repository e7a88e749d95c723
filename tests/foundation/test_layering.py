"""The import rules of docs/architecture.md, checked on the source with `ast`.

Every import of a project module counts: at the top of a module and inside functions (a lazy
import is still a dependency), but not under `if TYPE_CHECKING:` (never executed). Migrations are
included: they run on every deployment, and a migration that imports a higher app's code ties the
lower app's schema history to it just as much. `scripts/`, `tests/` and `manage.py` are not apps.

The layer order is written once, in docs/architecture.md (the line in a code block that starts
with `core <`); this test reads it from there.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE_DOC = ROOT / "docs" / "architecture.md"
NOT_APPS = {"tests", "scripts", "docs", "templates", "static", "locale", "media", "staticfiles"}
PROJECT = "ism"

DJANGO_MAIL = "django mail (EmailMessage, EmailMultiAlternatives, send_mail)"
# Outside libraries that only one module of ours may import, and that module.
GATEWAYS = {
    "weasyprint": "core/documents.py",
    DJANGO_MAIL: "core/mail.py",
    "ftplib": "core/transfer.py",
    "paramiko": "core/transfer.py",
}
DJANGO_MAIL_NAMES = {"EmailMessage", "EmailMultiAlternatives", "send_mail", "send_mass_mail"}


# --- The layer order -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rank:
    layer: int
    group: int  # apps of one layer in parentheses are ordered among themselves
    position: int


def parse_layer_order(line: str) -> dict[str, Rank]:
    """`core < (audit < accounts), jobs < tenants < …` → each app's rank.

    Layers are separated by `<`, apps of a layer by `,`; `(a < b)` orders apps inside a layer.
    """
    ranks: dict[str, Rank] = {}
    layers = re.split(r"\s*<\s*(?![^()]*\))", line.strip())
    group = 0
    for layer_index, layer in enumerate(layers):
        for item in re.split(r"\s*,\s*", layer.strip()):
            group += 1
            names = re.split(r"\s*<\s*", item.strip().strip("()"))
            for position, name in enumerate(names):
                if not name.isidentifier():
                    raise ValueError(f"cannot read {name!r} in the layer order {line!r}")
                if name in ranks:
                    raise ValueError(f"{name} appears twice in the layer order {line!r}")
                ranks[name] = Rank(layer_index, group, position)
    return ranks


def layer_order_line(doc: Path = ARCHITECTURE_DOC) -> str:
    in_code = False
    for line in doc.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code and line.strip().startswith("core <"):
            return line.strip()
    raise AssertionError(f"{doc}: no line starting with `core <` in a code block (the layer order)")


def may_import(importer: str, imported: str, ranks: dict[str, Rank]) -> bool:
    if importer == imported:
        return True
    a, b = ranks[importer], ranks[imported]
    if b.layer != a.layer:
        return b.layer < a.layer
    return a.group == b.group and b.position < a.position


# --- Reading the imports -------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    path: str  # relative to the root, e.g. "tenants/models.py"
    line: int
    target: str  # the imported module (or `module.name` for `from module import name`)
    names: tuple[str, ...] = ()


@dataclass
class Module:
    name: str
    path: str
    imports: list[Import] = field(default_factory=list)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_executed(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below `node`, except the bodies of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _walk_executed(other)
            continue
        yield child
        yield from _walk_executed(child)


def module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_imports(path: Path, root: Path) -> Module:
    relative = path.relative_to(root)
    name = module_name(relative)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    module = Module(name=name, path=str(relative))
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in _walk_executed(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module.imports.append(Import(module.path, node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = tuple(alias.name for alias in node.names)
            module.imports.append(Import(module.path, node.lineno, base, names))
    return module


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part.startswith(".") or part in {"node_modules", "__pycache__"} for part in parts):
            continue
        yield path


def app_names(root: Path) -> list[str]:
    """Top-level packages that are Django apps (they have an apps.py or are the project)."""
    return sorted(
        child.name
        for child in root.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and child.name not in NOT_APPS
        and (child / "__init__.py").exists()
    )


def app_modules(root: Path) -> dict[str, Module]:
    apps = set(app_names(root))
    modules = {}
    for path in python_files(root):
        top = path.relative_to(root).parts[0]
        if top in apps:
            module = read_imports(path, root)
            modules[module.name] = module
    return modules


def imported_modules(imp: Import, known: Iterable[str]) -> list[str]:
    """The project modules an import loads: `from a.b import c` is `a.b.c` when that is a module."""
    known = set(known)
    if imp.names:
        found = [f"{imp.target}.{name}" for name in imp.names if f"{imp.target}.{name}" in known]
        if len(found) < len(imp.names) and imp.target in known:
            found.append(imp.target)
        return found or ([imp.target] if imp.target in known else [])
    # `import a.b.c` loads a.b.c (its packages' __init__ files hold no code we count on).
    return [imp.target] if imp.target in known else []


# --- The rules -----------------------------------------------------------------------------


def layer_violations(modules: dict[str, Module], ranks: dict[str, Rank]) -> list[str]:
    problems = []
    for module in modules.values():
        importer = module.name.split(".")[0]
        for imp in module.imports:
            imported = imp.target.split(".")[0]
            if imported not in ranks or imported == importer:
                continue
            if imported == PROJECT:
                problems.append(
                    f"{imp.path}:{imp.line}: imports {imp.target}: rule (a) no app imports the project (ism)"
                )
            elif importer == "core":
                problems.append(
                    f"{imp.path}:{imp.line}: imports {imp.target}: rule (b) core imports nothing of ours"
                )
            elif not may_import(importer, imported, ranks):
                problems.append(
                    f"{imp.path}:{imp.line}: imports {imp.target}: rule (b) {importer} may not import "
                    f"{imported} (apps import only the apps below them, docs/architecture.md)"
                )
    return problems


def find_cycles(modules: dict[str, Module]) -> list[list[str]]:
    """The import circles: strongly connected components of the module graph (Tarjan)."""
    graph = {
        name: sorted({target for imp in module.imports for target in imported_modules(imp, modules)} - {name})
        for name, module in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so a long chain of imports cannot exhaust the recursion limit.
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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
                        cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(cycles)


def cycle_violations(modules: dict[str, Module]) -> list[str]:
    problems = []
    for cycle in find_cycles(modules):
        members = set(cycle)
        edges = [
            f"{imp.path}:{imp.line} ({module.name} → {target})"
            for module in (modules[name] for name in cycle)
            for imp in module.imports
            for target in imported_modules(imp, modules)
            if target in members and target != module.name
        ]
        problems.append(f"rule (c) module circle {' ↔ '.join(cycle)}: {'; '.join(edges)}")
    return problems


def gateway_of(imp: Import) -> str | None:
    top = imp.target.split(".")[0]
    if top in {"weasyprint", "ftplib", "paramiko"}:
        return top
    sends_mail = (
        imp.target.startswith("django.core.mail") and (not imp.names or set(imp.names) & DJANGO_MAIL_NAMES)
    ) or (imp.target == "django.core" and "mail" in imp.names)
    return DJANGO_MAIL if sends_mail else None


def gateway_violations(modules: dict[str, Module], gateway: str, owner: str) -> list[str]:
    where = [imp for module in modules.values() for imp in module.imports if gateway_of(imp) == gateway]
    problems = [
        f"{imp.path}:{imp.line}: imports {imp.target}: rule (d) only {owner} may import {gateway}"
        for imp in where
        if imp.path != owner
    ]
    if not any(imp.path == owner for imp in where):
        problems.append(
            f"{owner}: rule (d) {gateway} must be imported in {owner}, the one module that uses it"
        )
    return problems


# --- The project's source ------------------------------------------------------------------


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return app_modules(ROOT)


@pytest.fixture(scope="module")
def ranks() -> dict[str, Rank]:
    return parse_layer_order(layer_order_line())


def test_every_app_is_in_the_layer_order_of_the_architecture_doc(ranks):
    missing = [app for app in app_names(ROOT) if app not in ranks]
    assert not missing, f"apps missing from the layer order of {ARCHITECTURE_DOC.name}: {missing}"
    assert list(ranks)[0] == "core" and list(ranks)[-1] == PROJECT


def test_no_app_imports_the_project(modules, ranks):
    problems = [p for p in layer_violations(modules, ranks) if "rule (a)" in p]
    assert not problems, "\n".join(problems)


def test_core_imports_nothing_of_ours(modules, ranks):
    problems = [p for p in layer_violations(modules, ranks) if "core imports nothing" in p]
    assert not problems, "\n".join(problems)


def test_apps_import_only_the_apps_below_them(modules, ranks):
    problems = [p for p in layer_violations(modules, ranks) if "rule (b)" in p]
    assert not problems, "\n".join(problems)


def test_no_module_circles(modules):
    problems = cycle_violations(modules)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("gateway", "owner"), GATEWAYS.items(), ids=lambda value: str(value).split(" ")[0])
def test_each_outside_gateway_is_imported_in_one_module(modules, gateway, owner):
    problems = gateway_violations(modules, gateway, owner)
    assert not problems, "\n".join(problems)


# --- The checker itself, on a small made-up project ----------------------------------------


def _project(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return app_modules(tmp_path)


def test_the_order_reads_layers_groups_and_the_order_inside_a_group():
    ranks = parse_layer_order("core < (audit < accounts), jobs < tenants < customers, offers < ism")
    assert may_import("accounts", "audit", ranks) and not may_import("audit", "accounts", ranks)
    assert not may_import("jobs", "accounts", ranks) and not may_import("jobs", "tenants", ranks)
    assert not may_import("customers", "offers", ranks) and not may_import("offers", "customers", ranks)
    assert may_import("customers", "tenants", ranks) and may_import("jobs", "core", ranks)
    assert may_import("ism", "customers", ranks)


def test_the_checker_sees_lazy_and_relative_imports_but_not_type_checking_ones(tmp_path):
    ranks = parse_layer_order("core < low < high < ism")
    modules = _project(
        tmp_path,
        {
            "core/__init__.py": "",
            "low/__init__.py": "",
            "high/__init__.py": "",
            "ism/__init__.py": "",
            "low/models.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from high import services\n"
                "def f():\n    from high.services import g\n"
            ),
            "low/views.py": "from . import models\nimport ism.settings\n",
            "high/services.py": "from low.models import f\nfrom .sub import x\n",
            "high/sub.py": "from high import services\n",
            "core/text.py": "import weasyprint\n",
        },
    )
    problems = layer_violations(modules, ranks)
    assert any(p.startswith("low/models.py:5: imports high.services: rule (b)") for p in problems)
    assert not any("low/models.py:3" in p for p in problems)
    assert any(p.startswith("low/views.py:2: imports ism.settings: rule (a)") for p in problems)
    assert modules["low.views"].imports[0].target == "low"  # `from . import models`
    assert find_cycles(modules) == [["high.services", "high.sub", "low.models"]]
    assert cycle_violations(modules)[0].startswith(
        "rule (c) module circle high.services ↔ high.sub ↔ low.models: "
    )
    problems = gateway_violations(modules, "weasyprint", "core/documents.py")
    assert (
        problems[0]
        == "core/text.py:1: imports weasyprint: rule (d) only core/documents.py may import weasyprint"
    )
