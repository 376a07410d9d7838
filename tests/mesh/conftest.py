"""Shared fixtures for the MeSH tests: paths to the hand-written files and loaded vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.mesh_indexing.mesh import MeshVocabulary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mesh"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def mini_vocab() -> MeshVocabulary:
    """21 real MeSH 2024 descriptors (Neoplasms, Breast, Population Groups, Female, Male...)."""
    return MeshVocabulary.from_tsv(FIXTURES / "mesh_mini.tsv")


@pytest.fixture(scope="session")
def mini_mtrees() -> MeshVocabulary:
    return MeshVocabulary.from_mtrees(FIXTURES / "mtrees_mini.bin")
