"""Locating the real public data in ``../shared/data`` beside the checkout.

A fresh clone has no ``../shared``, so tests that need it must skip with a reason that
says which file is missing. Usage::

    from shared_data import SHARED_DATA, needs_shared_data

    @needs_shared_data("medline/pubmed20n0014.xml.gz")
    def test_baseline_file():
        path = SHARED_DATA / "medline/pubmed20n0014.xml.gz"

``MULTITASK_SHARED_DATA`` overrides the location (e.g. on a machine where it lives
elsewhere). The tests directory must be on ``sys.path`` (``pythonpath = tests``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

#: <repo>/../shared/data: this file is <repo>/tests/shared_data.py.
SHARED_DATA: Path = Path(
    os.environ.get("MULTITASK_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)

T = TypeVar("T")


def shared_path(relpath: str) -> Path:
    """The path of ``relpath`` under SHARED_DATA (it may not exist)."""
    return SHARED_DATA / relpath


def missing_shared_data(*relpaths: str) -> list[str]:
    """The given paths (files, folders or glob patterns) that are not there."""
    missing = []
    for rel in relpaths:
        if any(ch in rel for ch in "*?["):
            if not any(SHARED_DATA.glob(rel)):
                missing.append(rel)
        elif not (SHARED_DATA / rel).exists():
            missing.append(rel)
    return missing


def needs_shared_data(*relpaths: str) -> Callable[[T], T]:
    """Mark a test (function or class) ``shared_data`` and skip it, naming the missing
    files, when any of ``relpaths`` is absent under SHARED_DATA."""
    missing = missing_shared_data(*relpaths)
    skip = pytest.mark.skipif(
        bool(missing),
        reason=f"needs {', '.join(missing)} under {SHARED_DATA} (real data, absent here)",
    )

    def decorate(obj: T) -> T:
        return pytest.mark.shared_data(skip(obj))

    return decorate
