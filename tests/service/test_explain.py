"""The page's explanation: which words are left out, how a text loses a word, how a score's
fall becomes support, and a heading's places in the MeSH tree. Pure functions, with a
suggester whose evidence is known (a word list per heading)."""

import re

from paths import MESH_MINI

from tasks.mesh_indexing import load_mesh
from tasks.mesh_indexing.service.explain import (
    content_words,
    supporting_words,
    tree_places,
    without_word,
)
from tasks.mesh_indexing.suggesters import Suggestion

TEXT = (
    "Tamoxifen in breast cancer\n"
    "Women with breast cancer took tamoxifen; breast-cancer recurrence fell in the women."
)
#: heading -> {word: score it adds}: the evidence the explanation must find again
EVIDENCE = {
    "D001943": {"tamoxifen": 0.5, "breast": 0.3, "the": 0.0},  # Breast Neoplasms
    "D005260": {"women": 0.4},  # Female
}


def keyword_suggester(texts: list[str]) -> list[list[Suggestion]]:
    out = []
    for text in texts:
        words = {w.lower() for w in re.findall(r"[A-Za-z'-]+", text)}
        scored = [
            Suggestion(label, round(sum(v for w, v in weights.items() if w in words), 6))
            for label, weights in EVIDENCE.items()
        ]
        out.append(sorted((s for s in scored if s.score > 0), key=lambda s: -s.score))
    return out


def test_content_words_most_frequent_first_without_stop_words_or_numbers():
    words = content_words(TEXT + " Women, 40 2024 a")
    # women 3 times, then the words seen twice in reading order
    assert words[:4] == ["women", "tamoxifen", "breast", "cancer"]
    assert "in" not in words and "the" not in words and "40" not in words and "a" not in words
    assert "breast-cancer" in words  # one word, as the page marks it
    assert len(content_words(TEXT, max_words=2)) == 2


def test_without_word_removes_every_occurrence_and_keeps_the_title_line():
    text = without_word(TEXT, "breast")
    assert text.split("\n")[0] == "Tamoxifen in cancer"
    assert "breast " not in text.lower() and "Breast" not in text
    assert "breast-cancer" in text  # part of another word: left alone
    assert text.count("\n") == 1
    assert without_word(TEXT, "WOMEN").count("women") == 0  # any case


def test_support_is_the_fall_of_each_headings_score_largest_first():
    words = content_words(TEXT)
    [suggested] = keyword_suggester([TEXT])
    without = keyword_suggester([without_word(TEXT, w) for w in words])
    support = supporting_words(suggested, words, without)
    assert [(s.word, s.drop) for s in support["D001943"]] == [("tamoxifen", 0.5), ("breast", 0.3)]
    # Female falls out of the list without "women": its whole score is the support
    assert [(s.word, s.drop) for s in support["D005260"]] == [("women", 0.4)]


def test_support_cut_to_the_words_per_heading_and_needs_one_list_per_word():
    support = supporting_words(
        [Suggestion("X", 1.0)],
        ["a", "b", "c"],
        [[Suggestion("X", 0.5)], [Suggestion("X", 0.9)], [Suggestion("X", 0.995)]],
        per_heading=1,
    )
    assert [s.word for s in support["X"]] == ["a"]
    try:
        supporting_words([Suggestion("X", 1.0)], ["a"], [])
    except ValueError as error:
        assert "1 words but 0" in str(error)
    else:
        raise AssertionError("a missing occluded text must be an error")


def test_tree_places_run_from_the_category_to_the_heading():
    mesh = load_mesh(str(MESH_MINI))
    places = tree_places(mesh, "D001943")  # Breast Neoplasms: two places
    assert [[step["name"] for step in place] for place in places] == [
        ["Diseases", "Neoplasms", "Neoplasms by Site", "Breast Neoplasms"],
        ["Diseases", "Skin and Connective Tissue Diseases", "Skin Diseases", "Breast Diseases",
         "Breast Neoplasms"],
    ]  # fmt: skip
    last = places[0][-1]
    assert last == {"tree_number": "C04.588.180", "name": "Breast Neoplasms", "ui": "D001943"}
    assert tree_places(mesh, "D005260") == []  # Female: a check tag, no tree number
    assert tree_places(mesh, "D999999") == [] and tree_places(None, "D001943") == []
