"""Shared by the task-reader tests: read a file and look at what each instance carries."""

from pathlib import Path
from typing import Any

from paths import FIXTURES

TASK_FIXTURES: Path = FIXTURES / "tasks"


def read_metadata(reader: Any, path: Any) -> list[dict[str, Any]]:
    """The metadata of every instance the reader builds from ``path``."""
    return [instance["metadata"].metadata for instance in reader.read(str(path))]
