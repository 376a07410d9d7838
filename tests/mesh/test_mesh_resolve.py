"""Corpus labels map by UI first, then by name; renamed and unknown labels are counted."""

from __future__ import annotations

from tasks.mesh_indexing.mesh import LabelResolver, MeshVocabulary, UnknownLabels


def test_pairs_resolve_by_ui_and_count_old_names(mini_vocab: MeshVocabulary) -> None:
    resolver = LabelResolver(mini_vocab)
    found, unknown = resolver.resolve(
        [
            ("D044465", "European Continental Ancestry Group"),  # MeSH 2016 name
            ("D005260", "Female"),
            ("D999999", "Carcinoma"),  # UI unknown: falls back to the name
            ("D888888", "Unicorns"),
        ]
    )
    assert [d.name for d in found] == ["White People", "Female", "Carcinoma"]
    assert unknown == ["D888888 (Unicorns)"]
    assert resolver.renamed == {
        ("D044465", "European Continental Ancestry Group", "White People"): 1
    }
    assert resolver.renamed_total == 1
    assert resolver.resolved == 3
    assert resolver.unknown.counts == {"D888888 (Unicorns)": 1}


def test_names_resolve_normalised_and_unknowns_accumulate(mini_vocab: MeshVocabulary) -> None:
    resolver = LabelResolver(mini_vocab)
    found, unknown = resolver.resolve(["breast  neoplasms", "D001940", "Unicorns", "Dragons"])
    assert [d.ui for d in found] == ["D001943", "D001940"]
    assert unknown == ["Unicorns", "Dragons"]
    resolver.resolve(["Unicorns", "Female"])
    assert resolver.unknown.total == 3
    assert len(resolver.unknown) == 2
    assert resolver.unknown.counts.most_common(1) == [("Unicorns", 2)]
    assert resolver.resolved == 3


def test_old_and_new_name_of_one_heading_give_it_once(mini_vocab: MeshVocabulary) -> None:
    found, _ = LabelResolver(mini_vocab).resolve(
        [("D044465", "European Continental Ancestry Group"), "White People"]
    )
    assert [d.ui for d in found] == ["D044465"]


def test_pairs_against_mtrees_vocabulary_fall_back_to_names(mini_mtrees: MeshVocabulary) -> None:
    resolver = LabelResolver(mini_mtrees)
    found, unknown = resolver.resolve([("D002277", "Carcinoma"), ("D005260", "Female")])
    assert [d.name for d in found] == ["Carcinoma"]
    assert unknown == ["D005260 (Female)"]  # mtrees cannot know Female


def test_unknown_labels_summary() -> None:
    unknown = UnknownLabels()
    assert unknown.summary() == "no unknown labels"
    assert not unknown
    unknown.update(["a", "b", "a"])
    unknown.add("c", 5)
    other = UnknownLabels()
    other.add("a")
    unknown.update(other)
    assert unknown.total == 9
    assert unknown.summary(top=2) == (
        "9 unknown label occurrence(s), 3 distinct: 'c' x5, 'a' x3, and 1 more"
    )


def test_resolver_summary(mini_vocab: MeshVocabulary) -> None:
    resolver = LabelResolver(mini_vocab)
    resolver.resolve([("D044465", "European Continental Ancestry Group"), "Nope"])
    assert resolver.summary() == (
        "1 label occurrence(s) resolved, 1 under an old name; "
        "1 unknown label occurrence(s), 1 distinct: 'Nope' x1"
    )
