"""docs/layout.md's table matches the tree, and the README's links lead somewhere.

The layout table names every Python package under `multitask/` and `tasks/` and every task
module in `tasks/`; every path it names exists. A package added, moved or removed without
its row fails here, so the table cannot drift from the code. Cheap: reads text only.
"""

import re

import pytest
from paths import PROJECT_ROOT, heading_slugs

LAYOUT = PROJECT_ROOT / "docs" / "layout.md"
#: folders outside the two packages that the table must describe
REQUIRED = {
    "training_configs/",
    "scripts/benchmarks/",
    "scripts/experiments/",
    "modelcards/",
    "tests/",
}
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def table_paths() -> list[str]:
    rows = [ROW.match(line) for line in LAYOUT.read_text(encoding="utf-8").splitlines()]
    return [match.group(1) for match in rows if match]


def packages() -> set[str]:
    """Every folder with an `__init__.py` under multitask/ and tasks/, as `path/`."""
    found = set()
    for root in ("multitask", "tasks"):
        for init in (PROJECT_ROOT / root).rglob("__init__.py"):
            found.add(init.parent.relative_to(PROJECT_ROOT).as_posix() + "/")
    return found


def task_modules() -> set[str]:
    return {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "tasks").glob("*.py")
        if path.name != "__init__.py"
    }


def test_the_table_has_rows():
    assert len(table_paths()) >= len(packages()), "no layout table found in docs/layout.md"


def test_every_path_in_the_table_exists():
    for path in table_paths():
        target = PROJECT_ROOT / path
        if path.endswith("/"):
            assert target.is_dir(), f"docs/layout.md names {path}, which is not a folder"
        else:
            assert target.is_file(), f"docs/layout.md names {path}, which is not a file"


def test_no_path_has_two_rows():
    paths = table_paths()
    assert len(paths) == len(set(paths)), sorted(p for p in paths if paths.count(p) > 1)


def test_every_package_and_task_module_has_a_row():
    missing = (packages() | task_modules() | REQUIRED) - set(table_paths())
    assert not missing, f"docs/layout.md has no row for: {sorted(missing)}"


@pytest.mark.parametrize(
    "document",
    ["README.md"]
    + sorted(p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "docs").glob("*.md")),
)
def test_links_lead_somewhere(document):
    """Relative links (and their #anchors) in the README and every page of docs/."""
    source = PROJECT_ROOT / document
    for link in LINK.findall(source.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+://", link):
            continue
        target, _, anchor = link.partition("#")
        path = (source.parent / target).resolve() if target else source
        assert path.exists(), f"{document}: link {link} leads nowhere"
        if anchor:
            assert anchor in heading_slugs(path), f"{document}: {link}: no such heading"


def test_readme_routes_to_the_layout():
    assert "docs/layout.md" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
