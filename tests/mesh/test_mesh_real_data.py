"""The loaders on the real MeSH 2024 files in ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import pytest
from shared_data import SHARED_DATA, needs_shared_data

from tasks.mesh_indexing.mesh import LabelResolver, MeshVocabulary

MTREES = "mesh/mtrees2024.bin"
TABLE = "mesh/mesh2024_descriptors.tsv"


@pytest.fixture(scope="module")
def mtrees() -> MeshVocabulary:
    return MeshVocabulary.from_mtrees(SHARED_DATA / MTREES)


@pytest.fixture(scope="module")
def table() -> MeshVocabulary:
    return MeshVocabulary.from_file(SHARED_DATA / TABLE)


@pytest.fixture(scope="module")
def merged(mtrees: MeshVocabulary, table: MeshVocabulary) -> MeshVocabulary:
    return mtrees.merge(table)


@needs_shared_data(MTREES)
def test_mtrees_2024(mtrees: MeshVocabulary) -> None:
    assert len(mtrees) == 30_762
    assert sum(len(d.tree_numbers) for d in mtrees) == 64_457
    assert "Female" not in mtrees and "Male" not in mtrees


@needs_shared_data(TABLE)
def test_table_2024(table: MeshVocabulary) -> None:
    assert len(table) == 30_764
    assert table.get("D005260").tree_numbers == ()
    assert table.name_for("D044465") == "White People"


@needs_shared_data(MTREES, TABLE)
def test_merge_gives_full_set_with_roots(merged: MeshVocabulary, table: MeshVocabulary) -> None:
    assert len(merged) == 30_764
    assert all(d.ui is not None for d in merged)
    for ui, name in (("D005260", "Female"), ("D008297", "Male")):
        assert merged.name_for(ui) == name
        assert merged.parents(ui) == set() and merged.ancestors(ui) == set()
        assert merged.depth(ui) == 0
    assert {d.ui: d for d in merged} == {d.ui: d for d in table}


@needs_shared_data(TABLE)
def test_real_hierarchy_spot_checks(table: MeshVocabulary) -> None:
    neoplasms = table.ui_for("Neoplasms")
    assert neoplasms == "D009369"
    assert table.get(neoplasms).tree_numbers == ("C04",)
    assert table.depth(neoplasms) == 1
    assert table.top_level_categories(neoplasms) == {"C"}
    carcinoma = table.ui_for("carcinoma")
    assert table.parents(carcinoma) == {table.ui_for("Neoplasms, Glandular and Epithelial")}
    assert table.ancestors(carcinoma) == {
        table.ui_for("Neoplasms, Glandular and Epithelial"),
        table.ui_for("Neoplasms by Histologic Type"),
        neoplasms,
    }
    breast_neoplasms = table.ui_for("Breast Neoplasms")
    assert {neoplasms, table.ui_for("Breast Diseases")} <= table.ancestors(breast_neoplasms)
    assert table.top_level_categories(table.ui_for("Substance-Related Disorders")) == {"C", "F"}


@needs_shared_data(TABLE)
def test_real_renamed_heading(table: MeshVocabulary) -> None:
    resolver = LabelResolver(table)
    found, unknown = resolver.resolve([("D044465", "European Continental Ancestry Group")])
    assert [d.name for d in found] == ["White People"] and unknown == []
    assert resolver.renamed_total == 1
