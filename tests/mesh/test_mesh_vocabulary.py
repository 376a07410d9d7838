"""Queries on the hierarchy, name normalisation and merging, on the 21-descriptor fixture."""

from __future__ import annotations

import pytest

from tasks.mesh_indexing.mesh import CATEGORY_NAMES, Descriptor, MeshVocabulary, normalise_name


def test_len_contains_iter(mini_vocab: MeshVocabulary) -> None:
    assert len(mini_vocab) == len(list(mini_vocab)) == 21
    assert "D009369" in mini_vocab
    assert "Neoplasms" in mini_vocab
    assert "  neoplasms " in mini_vocab
    assert "D999999" not in mini_vocab
    assert 42 not in mini_vocab
    assert all(isinstance(d, Descriptor) for d in mini_vocab)


@pytest.mark.parametrize(
    "spelling",
    [
        "Neoplasms, Glandular and Epithelial",
        "neoplasms, glandular and epithelial",
        "NEOPLASMS,  Glandular\tand Epithelial ",
        "Neoplasms\uff0c Glandular and Epithelial",
    ],
)
def test_name_matching_ignores_case_whitespace_and_unicode_form(
    mini_vocab: MeshVocabulary, spelling: str
) -> None:
    assert mini_vocab.ui_for(spelling) == "D009375"


def test_nfkc_normalisation() -> None:
    # A full-width comma and a non-breaking space are the same name after NFKC.
    assert normalise_name("Neoplasms\uff0c\u00a0Glandular") == normalise_name(
        "neoplasms, glandular"
    )


def test_ui_name_get(mini_vocab: MeshVocabulary, mini_mtrees: MeshVocabulary) -> None:
    assert mini_vocab.ui_for("White People") == "D044465"
    assert mini_vocab.ui_for("European Continental Ancestry Group") is None
    assert mini_vocab.name_for("D044465") == "White People"
    assert mini_vocab.name_for("D000000") is None
    assert mini_vocab.get("D044465") is mini_vocab.get("white people")
    assert mini_vocab.get("nothing") is None
    assert mini_mtrees.ui_for("White People") is None  # known, but mtrees has no UIs
    assert mini_mtrees.get("White People").key == "White People"


def test_parents(mini_vocab: MeshVocabulary) -> None:
    assert mini_vocab.parents("D002277") == {"D009375"}  # Carcinoma <- Glandular and Epithelial
    assert mini_vocab.parents("Breast Neoplasms") == {"D009371", "D001941"}  # two trees
    assert mini_vocab.parents("D009369") == set()  # C04 is top level
    assert mini_vocab.parents("D005260") == set()  # Female: no tree numbers, a root
    # Population Groups: M01.686 -> Persons; N01.224.708 -> N01.224 (not in the fixture),
    # so the nearest tree number above that exists, N01, is the parent.
    assert mini_vocab.parents("D044382") == {"D009272", "D011154"}


def test_ancestors(mini_vocab: MeshVocabulary) -> None:
    assert mini_vocab.ancestors("Adenocarcinoma") == {"D002277", "D009375", "D009370", "D009369"}
    assert mini_vocab.ancestors("D001943") == {
        "D009371",
        "D009369",
        "D001941",
        "D012871",
        "D017437",
    }
    # White People's parent sits in two trees, so both trees' ancestors are inherited.
    assert mini_vocab.ancestors("D044465") == {"D044382", "D009272", "D011154"}
    assert mini_vocab.ancestors("Female") == set()
    assert "D002277" not in mini_vocab.ancestors("D002277")


def test_ancestors_by_name_in_mtrees(mini_mtrees: MeshVocabulary) -> None:
    assert mini_mtrees.ancestors("Carcinoma") == {
        "Neoplasms, Glandular and Epithelial",
        "Neoplasms by Histologic Type",
        "Neoplasms",
    }


def test_depth(mini_vocab: MeshVocabulary) -> None:
    assert mini_vocab.depth("D009369") == 1  # C04
    assert mini_vocab.depth("D002277") == 4  # C04.557.470.200
    assert mini_vocab.depth("D001943") == 3  # min(C04.588.180, C17.800.090.500)
    assert mini_vocab.depth("D005260") == 0  # Female: no tree numbers


def test_categories(mini_vocab: MeshVocabulary) -> None:
    assert mini_vocab.top_level_categories("Substance-Related Disorders") == {"C", "F"}
    assert mini_vocab.category_names("D019966") == {"Diseases", "Psychiatry and Psychology"}
    assert mini_vocab.top_level_categories("Male") == set()
    assert len(CATEGORY_NAMES) == 16
    assert CATEGORY_NAMES["E"] == "Analytical, Diagnostic and Therapeutic Techniques, and Equipment"


def test_unknown_label_raises_key_error(mini_vocab: MeshVocabulary) -> None:
    with pytest.raises(KeyError, match="Unicorns"):
        mini_vocab.ancestors("Unicorns")


def test_merge_mtrees_with_table_fills_uis_and_roots(
    mini_mtrees: MeshVocabulary, mini_vocab: MeshVocabulary
) -> None:
    merged = mini_mtrees.merge(mini_vocab)
    assert len(merged) == 21
    assert all(d.ui is not None for d in merged)
    assert merged.get("Female") == Descriptor("D005260", "Female", ())
    assert merged.get("Breast Neoplasms") == mini_vocab.get("D001943")
    assert merged.ancestors("D044465") == mini_vocab.ancestors("D044465")
    assert set(mini_vocab.merge(mini_mtrees)) == set(merged)


def test_merge_matches_normalised_names_and_unions_trees() -> None:
    ours = MeshVocabulary([Descriptor(None, "Neoplasms, Glandular", ("C04.557",))])
    theirs = MeshVocabulary(
        [
            Descriptor("D1", "NEOPLASMS,  glandular", ("C04.557", "C99.100")),
            Descriptor("D2", "Other", ()),
        ]
    )
    merged = ours.merge(theirs)
    assert list(merged) == [
        Descriptor("D1", "Neoplasms, Glandular", ("C04.557", "C99.100")),
        Descriptor("D2", "Other", ()),
    ]


def test_merge_refuses_one_name_under_two_uis() -> None:
    ours = MeshVocabulary([Descriptor("D1", "Same", ())])
    theirs = MeshVocabulary([Descriptor("D2", "same", ())])
    with pytest.raises(ValueError, match="D1 here but D2"):
        ours.merge(theirs)


def test_constructor_refuses_conflicts() -> None:
    with pytest.raises(ValueError, match="tree number C04"):
        MeshVocabulary([Descriptor("D1", "A", ("C04",)), Descriptor("D2", "B", ("C04",))])
    with pytest.raises(ValueError, match="names both"):
        MeshVocabulary([Descriptor("D1", "A", ()), Descriptor("D2", "a", ())])


def test_from_files_merges_left_to_right(fixtures_dir) -> None:
    vocab = MeshVocabulary.from_files(
        [fixtures_dir / "mtrees_mini.bin", fixtures_dir / "mesh_mini.tsv"]
    )
    assert len(vocab) == 21 and vocab.ui_for("Male") == "D008297"
