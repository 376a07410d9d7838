"""Paths every test shares: the project root and its fixtures, and the scripts as modules."""

import importlib.util
from pathlib import Path
from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
MQAN_FIXTURES = FIXTURES / "mqan"
MESH_MINI = FIXTURES / "mesh" / "mesh_mini.tsv"


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (scripts are not a package), to call its ``main``."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
