"""Paths every test shares: the project root and its fixtures."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
MQAN_FIXTURES = FIXTURES / "mqan"
MESH_MINI = FIXTURES / "mesh" / "mesh_mini.tsv"
