"""The layering, checked so that it cannot drift back: the framework (`multitask`) imports
no task and names none in its code; the PubMed corpus layer (`tasks.pubmed`) imports no
task; a task imports the framework, the corpus layer, the generic reader's helpers and
itself, never another task."""

import ast
from pathlib import Path

import pytest
from paths import PROJECT_ROOT

#: what any task may import besides itself
SHARED = ("multitask", "tasks.pubmed", "tasks.generic")


def modules(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package.replace(".", "/")).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            if node.module == "tasks":  # `from tasks import x` imports tasks.x
                names.update(f"tasks.{alias.name}" for alias in node.names)
    return names


def task_of(module: str) -> str | None:
    """`tasks.mesh_indexing.reader` -> `tasks.mesh_indexing`; `tasks.squad` -> itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "tasks" and len(parts) > 1 else None


def test_the_framework_imports_no_task():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)} imports {name}"
        for path in modules("multitask")
        for name in imported(path)
        if name == "tasks" or name.startswith("tasks.")
    ]
    assert offenders == []


def test_the_framework_names_no_task_in_its_code():
    """Identifiers only: docstrings and comments may explain with MeSH as the example."""
    offenders = []
    for path in modules("multitask"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                name = node.name
            if isinstance(name, str) and "mesh" in name.lower():
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {name}")
    assert offenders == []


def task_packages() -> list[str]:
    """Every task: a module or a package directly under `tasks/`."""
    root = PROJECT_ROOT / "tasks"
    found = {p.stem for p in root.glob("*.py") if p.name != "__init__.py"}
    found |= {p.parent.name for p in root.glob("*/__init__.py")}
    return sorted(f"tasks.{name}" for name in found)


@pytest.mark.parametrize("package", task_packages())
def test_a_task_imports_no_other_task(package):
    own = package
    allowed = ("multitask",) if package == "tasks.pubmed" else SHARED
    paths = [PROJECT_ROOT / f"{package.replace('.', '/')}.py"]
    if not paths[0].exists():
        paths = modules(package)
    offenders = []
    for path in paths:
        for name in imported(path):
            task = task_of(name)
            if name == "tasks" or (task and task != own and not name.startswith(allowed)):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    # a trained-archive suggester imports the whole `tasks` package lazily to register it
    offenders = [o for o in offenders if not o.endswith("archive.py imports tasks")]
    assert offenders == []
