"""Paths and helpers every test shares: the project root, its fixtures, markdown anchors."""

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
MQAN_FIXTURES = FIXTURES / "mqan"
MESH_MINI = FIXTURES / "mesh" / "mesh_mini.tsv"


def heading_slugs(path: Path) -> set[str]:
    """GitHub's anchors for a markdown file's headings (what `file.md#anchor` links name)."""
    slugs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            slugs.add(text.replace(" ", "-"))
    return slugs
